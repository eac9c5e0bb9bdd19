# Installing tuna as a CMake package (docs/package.md). Included at the end of src/CMakeLists.txt,
# once every layer exists. `cmake --install build --prefix P` installs
#
#   P/include/tuna/*.hpp                       the public headers (tuna/tuna.hpp includes them all)
#   P/lib/libtuna_<layer>.a                    the layer libraries, every layer but the CLI's
#   P/bin/tuna                                 the binary the tuning API starts child processes of
#   P/lib/cmake/tuna/tunaConfig.cmake          find_package(tuna): the targets below, the
#   P/lib/cmake/tuna/tunaConfigVersion.cmake   third-party packages the static libraries need,
#   P/lib/cmake/tuna/tunaTargets*.cmake        and where the installed tuna binary is
#
# Targets for users (namespace tuna::):
#   tuna::runtime   tuna::Lookup (tuna/lookup.hpp) and what it needs: runtime, store, core, base
#   tuna::tuna      the whole tuning API (tuna::tune, tuna/tuna.hpp): every layer but the CLI
#   tuna::<layer>   each layer's library; tuna::<layer>_api its public headers alone
#   tuna::exe       the installed tuna binary
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TUNA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tuna CACHE STRING
    "Where `cmake --install` puts tunaConfig.cmake, relative to the prefix")

# Every layer but the CLI, which only the tuna binary needs.
get_property(TUNA_PACKAGE_LAYERS GLOBAL PROPERTY TUNA_LAYER_TARGETS)
list(REMOVE_ITEM TUNA_PACKAGE_LAYERS tuna_cli)
set_property(GLOBAL PROPERTY TUNA_PACKAGE_LAYERS ${TUNA_PACKAGE_LAYERS})

set(TUNA_PACKAGE_API_TARGETS)
foreach(layer IN LISTS TUNA_PACKAGE_LAYERS)
  string(REGEX REPLACE "^tuna_" "" name ${layer})
  set(api ${layer}_api)
  # Installed, a layer's public headers are include/tuna/ under the prefix (the build reaches
  # them through the layer's own view, build/layers/api/<layer>).
  get_target_property(api_includes ${api} INTERFACE_INCLUDE_DIRECTORIES)
  if(api_includes)
    target_include_directories(${api} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  endif()
  # The public headers are C++20; a user's target compiles them as such.
  target_compile_features(${api} INTERFACE cxx_std_20)
  set_target_properties(${api} PROPERTIES EXPORT_NAME ${name}_api)
  list(APPEND TUNA_PACKAGE_API_TARGETS ${api})
endforeach()

# tuna::tuna: the tuning API, every installed layer.
add_library(tuna_package_all INTERFACE)
target_link_libraries(tuna_package_all INTERFACE ${TUNA_PACKAGE_LAYERS})
set_target_properties(tuna_package_all PROPERTIES EXPORT_NAME tuna)
add_library(tuna::tuna ALIAS tuna_package_all)

install(TARGETS ${TUNA_PACKAGE_LAYERS} ${TUNA_PACKAGE_API_TARGETS} tuna_package_all
        EXPORT tunaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tuna DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")

# The rest waits for the end of the top-level CMakeLists.txt: the tuna binary (tools/tuna) does
# not exist yet, and the third-party libraries the layers link are known for sure only then.
# (A deferred call runs in the top-level directory, which sees none of src/'s variables.)
function(tuna_package_finish)
  include(GNUInstallDirs)
  get_property(layers GLOBAL PROPERTY TUNA_PACKAGE_LAYERS)
  # The third-party packages behind the imported targets the installed layers link, as
  # find_dependency() arguments. A static library's private dependencies are its users' too.
  set(known_dependencies
    "fmt::fmt=fmt"
    "nlohmann_json::nlohmann_json=nlohmann_json 3.10"
    "SQLite::SQLite3=SQLite3"
    "tomlplusplus::tomlplusplus=tomlplusplus"
    "CURL::libcurl=CURL"
    "Threads::Threads=Threads"
    "ZLIB::ZLIB=ZLIB"
    "MPI::MPI_C=MPI COMPONENTS C")

  set_target_properties(tuna PROPERTIES EXPORT_NAME exe)
  install(TARGETS tuna EXPORT tunaTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

  set(imported)
  foreach(layer IN LISTS layers)
    foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(libs ${layer} ${property})
      if(libs)
        string(REGEX MATCHALL "[A-Za-z0-9_.+-]+::[A-Za-z0-9_.+-]+" names "${libs}")
        list(APPEND imported ${names})
      endif()
    endforeach()
  endforeach()
  list(FILTER imported EXCLUDE REGEX "^tuna::")
  list(REMOVE_DUPLICATES imported)

  set(TUNA_PACKAGE_DEPENDENCIES "")
  set(TUNA_PACKAGE_USES_MPI OFF)
  foreach(entry IN LISTS known_dependencies)
    string(REPLACE "=" ";" pair "${entry}")
    list(GET pair 0 target)
    list(GET pair 1 arguments)
    list(FIND imported ${target} at)
    if(at EQUAL -1)
      continue()
    endif()
    list(REMOVE_AT imported ${at})
    if(target STREQUAL "MPI::MPI_C")
      set(TUNA_PACKAGE_USES_MPI ON)  # FindMPI needs the C language: tunaConfig.cmake.in
    else()
      string(APPEND TUNA_PACKAGE_DEPENDENCIES "find_dependency(${arguments})\n")
    endif()
  endforeach()
  if(imported)
    message(WARNING "tuna package: the installed layers link ${imported}, which "
            "cmake/TunaPackage.cmake does not know how to find: add them to its "
            "known_dependencies, or find_package(tuna) will fail")
  endif()

  set(TUNA_INSTALL_EXE ${CMAKE_INSTALL_BINDIR}/tuna)
  set(generated ${PROJECT_BINARY_DIR}/package)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tunaConfig.cmake.in
    ${generated}/tunaConfig.cmake
    INSTALL_DESTINATION ${TUNA_INSTALL_CMAKEDIR}
    PATH_VARS TUNA_INSTALL_EXE)
  # 0.x: a minor version may break the API.
  write_basic_package_version_file(${generated}/tunaConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${generated}/tunaConfig.cmake ${generated}/tunaConfigVersion.cmake
          DESTINATION ${TUNA_INSTALL_CMAKEDIR})
  install(EXPORT tunaTargets NAMESPACE tuna:: DESTINATION ${TUNA_INSTALL_CMAKEDIR})
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL tuna_package_finish)

# The public headers are self-contained and curated: a build target and a ctest.
if(TUNA_BUILD_TESTS)
  include(${CMAKE_CURRENT_LIST_DIR}/TunaPublicHeaders.cmake)
endif()
