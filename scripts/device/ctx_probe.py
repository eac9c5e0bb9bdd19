#!/usr/bin/env python3
"""What a bench worker's start costs on this GPU machine, outside tuna (issue 17, GPU busy):
cuInit, the primary context, the first 64 MiB allocation and a 64 MiB pageable host-to-device
copy (twice), through the driver API by ctypes. Prints one line. Run THERE:
    python3 scripts/device/ctx_probe.py
"""
import ctypes, time
cu = ctypes.CDLL("libcuda.so.1")
t = time.perf_counter(); r = cu.cuInit(0); t_init = time.perf_counter() - t
dev = ctypes.c_int(); cu.cuDeviceGet(ctypes.byref(dev), 0)
ctx = ctypes.c_void_p()
t = time.perf_counter(); r2 = cu.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev); cu.cuCtxSetCurrent(ctx); t_ctx = time.perf_counter() - t
ptr = ctypes.c_uint64()
t = time.perf_counter(); cu.cuMemAlloc_v2(ctypes.byref(ptr), ctypes.c_size_t(64 << 20)); t_alloc = time.perf_counter() - t
buf = ctypes.create_string_buffer(64 << 20)
t = time.perf_counter(); cu.cuMemcpyHtoD_v2(ptr, buf, ctypes.c_size_t(64 << 20)); t_h2d = time.perf_counter() - t
t = time.perf_counter(); cu.cuMemcpyHtoD_v2(ptr, buf, ctypes.c_size_t(64 << 20)); t_h2d2 = time.perf_counter() - t
print(f"cuInit {t_init*1e3:.1f} ms (rc {r}), primary context {t_ctx*1e3:.1f} ms (rc {r2}), first 64 MiB alloc {t_alloc*1e3:.1f} ms, 64 MiB pageable H2D {t_h2d*1e3:.1f} ms then {t_h2d2*1e3:.1f} ms")
