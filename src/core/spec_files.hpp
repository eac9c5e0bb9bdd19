#pragma once
// The data files of [[args]] (`init = "file"`, `expected`), checked where the spec's locations
// are known: when the spec is loaded, and again on a device for counts that read device facts.
#include "core/spec_diag.hpp"
#include "tuna/expr.hpp"
#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// Each data file exists and holds a non-empty array of its argument's type (array_file.hpp), and
// as many elements as the buffer: its count where `env` has every name the count reads (a
// count that reads device facts waits for make_space), else the other data file's count.
// Throws UserError at `args[i].file` or `args[i].expected`.
void check_data_files(const KernelSpec& spec, const Env& env, const SpecLocations& loc);

}  // namespace tuna::spec_internal
