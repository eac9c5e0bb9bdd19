#pragma once
// The wrapper translation unit the host backend compiles for each config. It #includes the
// user's source by absolute path (so compiler errors point at the user's file and line) and
// defines C entry points with one calling convention for every kernel:
//
//   extern "C" void tuna_entry(void** args);      // calls the spec's entry
//   extern "C" void tuna_reference(void** args);  // calls check.reference_entry, when given
//
// args[i] points at the i-th argument of the spec that is passed to the kernel (every one but
// the constants), in declaration order: for a buffer, its first element; for a scalar, the value
// (of the argument's dtype). For each constant argument (role = "constant") it also defines
//
//   extern "C" void tuna_constant_<name>(void** address, std::uint64_t* bytes);
//
// which gives the address and size of the global the argument's data is copied into.
#include <string>

#include "backends/common/artifact_manifest.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::host {

inline constexpr const char* kEntrySymbol = "tuna_entry";
inline constexpr const char* kReferenceSymbol = backends::kReferenceSymbol;
inline constexpr const char* kConstantSymbolPrefix = "tuna_constant_";

// The C++ type of one element: "float", "std::int32_t", ... Throws UserError for f16, which
// has no portable host type.
std::string host_type_name(Dtype dtype, const std::string& arg_name);

// The shim's full text for one config.
std::string make_shim(const KernelSpec& spec, const Space& space, const Config& config);

}  // namespace tuna::host
