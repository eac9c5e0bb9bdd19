#pragma once
// What each mode of the host fault kernel (tests/faults/host) must be recorded as, for the tests
// that tune it on one device, on several, and on several MPI ranks.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tuna/result.hpp"

namespace tuna::testing {

struct ExpectedFault {
  Status status;
  std::string error_class;  // empty: any
};

// From tests/faults/host/README.md (x86: integer division by zero traps).
inline const std::map<int, ExpectedFault>& host_fault_modes() {
  static const std::map<int, ExpectedFault> modes = {
      {0, {Status::Ok, ""}},
      {1, {Status::Ok, ""}},
      {2, {Status::RuntimeError, "SIGSEGV"}},
      {3, {Status::RuntimeError, "SIGSEGV"}},
      {4, {Status::Timeout, "timeout"}},
      {5, {Status::CompileError, ""}},
      {6, {Status::CompileError, ""}},
      {7, {Status::WrongResult, "mismatch"}},
      {8, {Status::WrongResult, "mismatch"}},
      {9, {Status::RuntimeError, "SIGABRT"}},
      {10, {Status::RuntimeError, "exception"}},
      {11, {Status::RuntimeError, "SIGSEGV"}},
      {12, {Status::RuntimeError, "SIGFPE"}},
      {13, {Status::RuntimeError, "exit_3"}},
      {14, {Status::Timeout, "timeout"}},
      {15, {Status::RuntimeError, "SIGKILL"}},
  };
  return modes;
}

// All 32 configs of the fault spec are stored, each with the status its mode must give.
inline void expect_every_fault_recorded(const std::vector<Result>& results) {
  ASSERT_EQ(results.size(), 32u) << "a result was lost";
  for (const Result& r : results) {
    int mode = static_cast<int>(r.config[0].as_int());
    const ExpectedFault& want = host_fault_modes().at(mode);
    EXPECT_EQ(status_name(r.status), std::string(status_name(want.status)))
        << r.key << ": " << r.error_class << ": " << r.message;
    if (!want.error_class.empty()) EXPECT_EQ(r.error_class, want.error_class) << r.key;
    if (!r.ok()) EXPECT_FALSE(r.message.empty()) << r.key << " has no message";
    if (r.ok()) EXPECT_GT(r.median_ms, 0) << r.key;
  }
}

}  // namespace tuna::testing
