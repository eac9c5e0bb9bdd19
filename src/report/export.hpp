#pragma once
// Tuned configurations in forms that ship: a C++ header of constexpr values, or JSON that
// tuna::Lookup reads at run time (docs/deploy.md, docs/json.md).
#include <optional>
#include <string>
#include <vector>

#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/store.hpp"

namespace tuna::report {

// The best correct result of one (device, problem) context.
struct ExportEntry {
  StoreContext context;
  Result best;
  std::size_t results_considered = 0;
};

struct ExportInput {
  std::string kernel_name;
  std::string spec_hash;        // of the spec being exported
  const Space& space;           // the spec's parameters (for names, types and defaults)
  std::string current_problem;  // the spec's problem key
  // Every (device, problem) of the kernel, sorted by device name, then problem.
  std::vector<ExportEntry> entries;
  // The entry for the spec's own problem on the chosen device; its values become the plain
  // constants. nullopt when only other problems were tuned: the constants are then the defaults.
  std::optional<std::size_t> primary;
  std::string generated_at;  // ISO 8601 date and time
};

// A header with `namespace tuna_tuned::<kernel> { constexpr ... }` (the primary entry's values),
// plus a constexpr table of every entry and a find(device, problem) that falls back to the
// defaults. Names that are not valid C++ identifiers are rejected as a UserError.
std::string export_header(const ExportInput& in);
std::string export_json(const ExportInput& in);

// "matmul-2" -> "matmul_2": the kernel name as a C++ identifier.
std::string cpp_identifier(const std::string& name);

}  // namespace tuna::report
