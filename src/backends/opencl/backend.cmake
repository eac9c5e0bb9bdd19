# The OpenCL backend, when the headers were found (TUNA_HAVE_OPENCL, top-level CMakeLists.txt).
# Headers only: libOpenCL.so.1 is dlopen'ed at run time.
if(TUNA_HAVE_OPENCL)
  tuna_backend(opencl DEPS backend_common core base PRIVATE_LIBS ${CMAKE_DL_LIBS})
  target_include_directories(tuna_backend_opencl PRIVATE ${TUNA_OPENCL_INCLUDE_DIR})
endif()
