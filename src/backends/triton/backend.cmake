# The triton backend: the CUDA backend's runtime with Triton's compiler (run in Python at run
# time, so nothing of Triton is needed to build it). The compile helper, triton_compile.py, is
# embedded in the binary as a string: tuna needs no file beside it to find.
if(TUNA_HAVE_CUDA)
  tuna_backend(triton DEPS backend_cuda backend_common core base)
  set(triton_script ${CMAKE_CURRENT_LIST_DIR}/triton_compile.py)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${triton_script})
  file(READ ${triton_script} TRITON_COMPILE_SCRIPT)
  string(FIND "${TRITON_COMPILE_SCRIPT}" ")tuna_py\"" delimiter_in_script)
  if(NOT delimiter_in_script EQUAL -1)
    message(FATAL_ERROR "triton_compile.py contains the raw-string delimiter )tuna_py\"")
  endif()
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/generated/backends/triton/triton_compile_script.hpp
    CONTENT "#pragma once\n// Generated from src/backends/triton/triton_compile.py by backend.cmake.\n#include <string_view>\nnamespace tuna::triton {\ninline constexpr std::string_view kTritonCompileScript = R\"tuna_py(@TRITON_COMPILE_SCRIPT@)tuna_py\";\n}\n"
    @ONLY)
  target_include_directories(tuna_backend_triton PRIVATE ${CMAKE_BINARY_DIR}/generated)
endif()
