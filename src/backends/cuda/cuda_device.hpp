#pragma once
// Choosing the GPU and describing it as DeviceInfo facts (device.* in expressions). See
// docs/backends/cuda.md for every fact and where it comes from.
#include <cstdint>
#include <string>

#include "backends/cuda/driver_api.hpp"
#include "tuna/device.hpp"

namespace tuna::cuda {

// $TUNA_CUDA_DEVICE (an index among the devices CUDA sees), default 0. Throws UserError for
// text that is not a non-negative integer.
int device_index_from_environment();

// cuInit, then the device at `index`. Throws UserError when there is no usable device (no GPU,
// a driver too old for the toolkit, an index out of range), saying what to do.
CUdevice open_device(const DriverApi& driver, int index);

// FP32 lanes per SM for a compute capability, used for the peak FP32 estimate; 0 when unknown.
int fp32_lanes_per_sm(int major, int minor);

// Theoretical DRAM bandwidth in GB/s: two transfers per memory clock (DDR) times the bus width.
double theoretical_bandwidth_gbps(double memory_clock_mhz, std::int64_t bus_width_bits);

// Every fact of the device, and an id naming it, its architecture and the driver; the backend
// appends its compiler's identity to the id (KernelCompiler::identity) so that results of
// different compilers are kept apart in the store.
DeviceInfo query_device_info(const DriverApi& driver, CUdevice device, int index);

}  // namespace tuna::cuda
