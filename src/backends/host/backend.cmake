# The host backend: C++ kernels compiled with the system compiler and run through dlopen.
# Always built.
tuna_backend(host DEPS backend_common core base PRIVATE_LIBS ${CMAKE_DL_LIBS})
