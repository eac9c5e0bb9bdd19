#pragma once
// How a config reaches a kernel's source when it is compiled: one define per parameter in the
// spec's define_format, and `{NAME}` placeholders in entry names (templates, reference kernels).
#include <string>
#include <vector>

#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::backends {

// `format` with {name} and {value} replaced, e.g. "-D{name}={value}" -> "-DBM=64".
std::string format_define(const std::string& format, const std::string& name,
                          const std::string& value);

// One define per parameter of `space`, in declaration order, per spec.define_format.
std::vector<std::string> define_options(const KernelSpec& spec, const Space& space,
                                        const Config& config);

// `text` with every `{NAME}` of a parameter replaced by the config's value (Value::to_define()).
std::string substitute_placeholders(const std::string& text, const Space& space,
                                    const Config& config);

// The reference kernel's name for `config` (check.kernel with its placeholders filled in), or ""
// when the spec checks against something else.
std::string reference_entry(const KernelSpec& spec, const Space& space, const Config& config);

}  // namespace tuna::backends
