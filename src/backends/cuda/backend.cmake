# The CUDA backend, when the toolkit was found (TUNA_HAVE_CUDA, top-level CMakeLists.txt).
# Headers only (cuda.h, nvrtc.h): the libraries are found and dlopen'ed at run time. The
# toolkit's library folder is a hint for finding libnvrtc where the loader's path lacks it.
if(TUNA_HAVE_CUDA)
  tuna_backend(cuda DEPS backend_common core base PRIVATE_LIBS ${CMAKE_DL_LIBS})
  target_include_directories(tuna_backend_cuda PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
  target_compile_definitions(tuna_backend_cuda
    PRIVATE TUNA_CUDA_LIBRARY_DIR="${CUDAToolkit_LIBRARY_DIR}")
endif()
