#pragma once
// Whether device backends compare outputs on the device (the CUDA and OpenCL device checks):
// false when $TUNA_HOST_CHECK is set to anything but "" or "0", so that outputs are compared on
// the host instead (to measure one against the other, or to rule the device check out).

namespace tuna::backends {

bool device_check_enabled();

}  // namespace tuna::backends
