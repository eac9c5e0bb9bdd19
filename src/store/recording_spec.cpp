// spec_from_recording(): the KernelSpec under which `tuna tune` replays a recording.
#include "store/recording_spec.hpp"

#include <fmt/format.h>

#include <cctype>

#include "core/known_devices.hpp"
#include "core/recorded_rules.hpp"
#include "tuna/errors.hpp"

namespace tuna::sim {

namespace {

std::string identifier(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "k_" + out;
  return out;
}

}  // namespace

KernelSpec spec_from_recorded_space(const RecordedSpace& rec) {
  KernelSpec spec;
  spec.name = identifier(rec.kernel_name.empty() ? rec.name : rec.kernel_name);
  spec.backend = "sim";
  if (!rec.device_name.empty()) {
    spec.recorded_device = known_recorded_device(rec.device_name);
    if (!spec.recorded_device) {
      DeviceInfo named;
      named.name = rec.device_name;
      spec.recorded_device = named;
    }
  }
  spec.entry = rec.kernel_name.empty() ? spec.name : rec.kernel_name;
  spec.description = fmt::format("replay of {} as recorded on {} ({} configurations, {} format)",
                                 rec.kernel_name.empty() ? rec.name : rec.kernel_name,
                                 rec.device_name.empty() ? "an unnamed device" : rec.device_name,
                                 rec.configs.size(), rec.source_format);
  for (const auto& p : rec.space.params()) spec.parameters.push_back(ParameterSpec{p, 0});
  // The restrictions, without the last constraint of a restricted Space, which stands for "in
  // the recording"; its constant is left out with it.
  const auto& constraints = rec.space.constraints();
  const std::size_t kept = constraints.size() - (rec.space.restricted() ? 1 : 0);
  for (std::size_t c = 0; c < kept; ++c) {
    spec.constraints.push_back(constraints[c]);
    spec.constraint_names.push_back(fmt::format("restriction_{}", c + 1));
  }
  // What the recording holds beyond those, as rules a reader (or a model) can check, where
  // bounds on one parameter or on a product of two reproduce it exactly. They change no
  // result: the space is still restricted to the recording.
  if (auto inferred = infer_recorded_rules(rec.space); inferred && inferred->exact) {
    for (std::size_t r = 0; r < inferred->rules.size(); ++r) {
      spec.constraints.push_back(
          Constraint{Expr::parse(inferred->rules[r]), "inferred from the recording"});
      spec.constraint_names.push_back(fmt::format("{}{}", kRecordedRulePrefix, r + 1));
    }
  }
  for (const auto& [name, value] : rec.space.constants().values())
    if (name != "in_recorded_space") spec.constants.set(name, value);
  spec.launch.grid = spec.launch.block = {Expr::constant(1), Expr::constant(1), Expr::constant(1)};
  spec.launch.shared_memory_bytes = Expr::constant(0);
  spec.check.reference = Reference::None;
  return spec;
}

std::vector<std::string> recorded_rules_of(const KernelSpec& spec) {
  std::vector<std::string> out;
  const std::string prefix = kRecordedRulePrefix;
  for (std::size_t c = 0; c < spec.constraints.size(); ++c)
    if (spec.constraint_name(c).rfind(prefix, 0) == 0) out.push_back(spec.constraints[c].expr.text());
  return out;
}

KernelSpec spec_from_recording(const std::filesystem::path& recording,
                               const std::optional<std::filesystem::path>& t1_file,
                               const std::optional<std::filesystem::path>& source) {
  KernelSpec spec = spec_from_recorded_space(load_recorded_space(recording, t1_file));
  spec.recording = std::filesystem::absolute(recording).lexically_normal();
  if (source) spec.source = std::filesystem::absolute(*source).lexically_normal();
  return spec;
}

}  // namespace tuna::sim
