# ctest public_headers (cmake -DTUNA_INCLUDE_DIR=<include> -P CheckPublicHeaders.cmake): the
# public API is curated. Every header of include/tuna/
#   * includes only standard headers and other public headers (`#include "tuna/x.hpp"`), never
#     one of src/ or a third-party library's;
#   * names no internal type: no layer's namespace (tuna::eval, tuna::search, ...) appears in it,
#     not even in a forward declaration;
#   * is included by the umbrella header tuna/tuna.hpp.
# That each one compiles on its own is checked by building target tuna_public_headers.
if(NOT TUNA_INCLUDE_DIR)
  message(FATAL_ERROR "usage: cmake -DTUNA_INCLUDE_DIR=<include> -P CheckPublicHeaders.cmake")
endif()
set(layers "eval|search|llm|cluster|cli|backends|report|runtime|base|core|store|host|cuda|opencl|sim")
file(GLOB headers ${TUNA_INCLUDE_DIR}/tuna/*.hpp)
file(READ ${TUNA_INCLUDE_DIR}/tuna/tuna.hpp umbrella)
set(problems "")
foreach(header IN LISTS headers)
  get_filename_component(name ${header} NAME)
  file(STRINGS ${header} lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\"")
      set(target "${CMAKE_MATCH_1}")
      if(NOT target MATCHES "^tuna/[A-Za-z0-9_]+\\.hpp$" OR NOT EXISTS ${TUNA_INCLUDE_DIR}/${target})
        string(APPEND problems "\n  tuna/${name}:${n}: includes \"${target}\", not a public header")
      endif()
    elseif(line MATCHES "^[ \t]*#[ \t]*include[ \t]*<([^>]*)>")
      # Standard headers have no extension and no folder.
      set(target "${CMAKE_MATCH_1}")
      if(target MATCHES "[./]")
        string(APPEND problems "\n  tuna/${name}:${n}: includes <${target}>, not a standard header")
      endif()
    endif()
    # Code only: what follows // is a comment.
    string(REGEX REPLACE "//.*" "" code "${line}")
    if(code MATCHES "namespace[ \t]+(${layers})([^A-Za-z0-9_]|$)" OR
       code MATCHES "(^|[^A-Za-z0-9_:])(${layers})::")
      string(APPEND problems "\n  tuna/${name}:${n}: names an internal namespace: ${line}")
    endif()
  endforeach()
  if(NOT name STREQUAL "tuna.hpp" AND NOT umbrella MATCHES "#include \"tuna/${name}\"")
    string(APPEND problems "\n  tuna/tuna.hpp does not include tuna/${name}")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "the public headers (include/tuna/) are not curated:${problems}")
endif()
list(LENGTH headers count)
message(STATUS "${count} public headers: public includes only, no internal namespace, all in tuna.hpp")
