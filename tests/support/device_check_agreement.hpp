#pragma once
// One test for every backend that checks outputs on its device (the CUDA and OpenCL device
// checks): after the reference run the reference is kept on the device; another correct config
// and the poisoned outputs are then checked both there and on the host, which must agree in
// verdict, error and words.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "eval/correctness.hpp"
#include "tuna/backend.hpp"

namespace tuna::testing {

// `run(key)` resets the outputs and runs the config `key` once on `backend` (prepared);
// `elements` is the count of the single output.
inline void expect_device_check_agrees_with_host(
    Backend& backend, const std::function<void(const std::string&)>& run,
    const std::string& reference_key, const std::string& other_key, std::uint64_t elements) {
  run(reference_key);
  const eval::ReferenceOutputs host_reference =
      eval::make_reference_outputs(backend.read_outputs());
  ASSERT_TRUE(backend.keep_reference_on_device(nullptr));

  // Another correct config: nothing differs, on either side.
  run(other_key);
  const eval::CheckOutcome device_ok = eval::outcome_of(backend.check_on_device(1e-6, 1e-6));
  const eval::CheckOutcome host_ok =
      eval::check_outputs(host_reference, backend.read_outputs(), 1e-6, 1e-6);
  EXPECT_TRUE(device_ok.ok) << device_ok.message;
  EXPECT_TRUE(host_ok.ok) << host_ok.message;
  EXPECT_EQ(device_ok.max_abs_error, host_ok.max_abs_error);

  // Outputs left poisoned (NaN, as a kernel that writes nothing leaves them): every element
  // fails, and both checks say so in the same words.
  backend.reset_outputs();
  const std::vector<BufferCheck> checks = backend.check_on_device(1e-6, 1e-6);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].failures, elements);
  EXPECT_EQ(checks[0].first_failure, 0u);
  EXPECT_TRUE(std::isinf(checks[0].max_abs_error));
  const eval::CheckOutcome device_bad = eval::outcome_of(checks);
  const eval::CheckOutcome host_bad =
      eval::check_outputs(host_reference, backend.read_outputs(), 1e-6, 1e-6);
  EXPECT_FALSE(device_bad.ok);
  EXPECT_EQ(device_bad.message, host_bad.message);
}

}  // namespace tuna::testing
