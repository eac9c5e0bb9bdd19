#pragma once
// Tuned configurations in forms that ship: a C++ header of constexpr values, or JSON.
#include <string>

#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/store.hpp"

namespace tuna::report {

struct ExportInput {
  const StoreContext& context;
  const Space& space;
  const Result& best;
  std::size_t results_considered = 0;
  std::string generated_at;  // ISO 8601 date and time
};

// A header with `namespace tuna_tuned::<kernel> { constexpr ... }`; names that are not valid C++
// identifiers are rejected as a UserError.
std::string export_header(const ExportInput& in);
std::string export_json(const ExportInput& in);

// "matmul-2" -> "matmul_2": the kernel name as a C++ identifier.
std::string cpp_identifier(const std::string& name);

}  // namespace tuna::report
