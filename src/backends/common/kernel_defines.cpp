#include "backends/common/kernel_defines.hpp"

namespace tuna::backends {

std::string format_define(const std::string& format, const std::string& name,
                          const std::string& value) {
  std::string out;
  out.reserve(format.size() + name.size() + value.size());
  for (std::size_t i = 0; i < format.size();) {
    if (format.compare(i, 6, "{name}") == 0) {
      out += name;
      i += 6;
    } else if (format.compare(i, 7, "{value}") == 0) {
      out += value;
      i += 7;
    } else {
      out += format[i++];
    }
  }
  return out;
}

std::vector<std::string> define_options(const KernelSpec& spec, const Space& space,
                                        const Config& config) {
  std::vector<std::string> defines;
  defines.reserve(space.params().size());
  for (std::size_t i = 0; i < space.params().size(); ++i)
    defines.push_back(
        format_define(spec.define_format, space.params()[i].name, config[i].to_define()));
  return defines;
}

std::string substitute_placeholders(const std::string& text, const Space& space,
                                    const Config& config) {
  std::string out = text;
  for (std::size_t i = 0; i < space.params().size(); ++i) {
    const std::string placeholder = "{" + space.params()[i].name + "}";
    const std::string value = config[i].to_define();
    for (auto pos = out.find(placeholder); pos != std::string::npos;
         pos = out.find(placeholder, pos + value.size()))
      out.replace(pos, placeholder.size(), value);
  }
  return out;
}

std::string reference_entry(const KernelSpec& spec, const Space& space, const Config& config) {
  if (spec.check.reference != Reference::Kernel) return {};
  return substitute_placeholders(spec.check.reference_entry, space, config);
}

}  // namespace tuna::backends
