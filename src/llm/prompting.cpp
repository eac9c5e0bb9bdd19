// The system prompt, the initial prompt and the reply schema. The refinement prompt is in
// prompt_refinement.cpp. Every text here is tuna's own wording.
#include "llm/prompting.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/triton_options.hpp"
#include "llm/prompt_format.hpp"
#include "llm/prompt_sections.hpp"
#include "llm/recorded_rules.hpp"

namespace tuna::llm {
namespace {

// Longer kernel sources are cut here: the prompt must fit a context window, and kernels worth
// tuning are rarely this long.
constexpr std::size_t kMaxSourceChars = 64 * 1024;
// Said instead of the source when there is none; nothing else takes its place.
constexpr std::string_view kNoSource =
    "Not available: the kernel's source is not part of this task. Reason from the parameter "
    "names and descriptions, the arguments, the hardware and the space below, and from the "
    "measurements that later messages report.\n";
// A parameter with more values than this is described by its range alone.
constexpr std::size_t kMaxListedValues = 32;
// Lists longer than this become an integer range in the reply schema instead of an enum.
constexpr std::size_t kMaxSchemaEnum = 256;

std::string value_list(const Parameter& p) {
  std::string out;
  for (std::size_t i = 0; i < p.values.size() && i < kMaxListedValues; ++i)
    out += (i ? ", " : "") + value_json(p.values[i]);
  if (p.values.size() > kMaxListedValues)
    out += fmt::format(", ... ({} values in all)", p.values.size());
  return out;
}

std::string source_language(const std::string& backend) {
  if (backend == "cuda") return "cuda";
  if (backend == "opencl") return "c";
  if (backend == "triton") return "python";
  return "cpp";
}

// A reply of the right shape built from this space, so the example never names a parameter or
// value the space lacks.
std::string example_reply(const Space& space) {
  std::vector<std::string> configs;
  const auto& params = space.params();
  auto other_value = [](const Parameter& p) -> const Value* {
    for (const Value& v : p.values)
      if (!(v == p.default_value)) return &v;
    return nullptr;
  };
  std::string first, second;
  for (std::size_t i = 0; i < params.size() && second.empty(); ++i) {
    const Value* v = other_value(params[i]);
    if (!v) continue;
    std::string item = value_json(Value(params[i].name)) + ": " + value_json(*v);
    if (first.empty())
      first = item;
    else
      second = item;
  }
  if (first.empty()) return "{\"configs\": []}";
  if (second.empty()) return fmt::format("{{\"configs\": [{{{}}}]}}", first);
  return fmt::format("{{\"configs\": [{{{}}}, {{{}, {}}}]}}", first, second, first);
}

}  // namespace

std::string describe_parameter(const Parameter& p) {
  std::string kind;
  switch (p.kind) {
    case ParamKind::IntRange:
      kind = fmt::format("integer from {} to {} in steps of {} ({} values)", p.lo, p.hi, p.step,
                         p.values.size());
      break;
    case ParamKind::Pow2Range:
      kind = fmt::format("power of two from {} to {}: {}", p.lo, p.hi, value_list(p));
      break;
    case ParamKind::List:
      kind = "one of " + value_list(p);
      break;
    case ParamKind::Bool:
      kind = "boolean: true or false";
      break;
  }
  std::string out = fmt::format("- {}: {}; default {}", p.name, kind, value_json(p.default_value));
  if (!p.description.empty()) out += ". " + p.description;
  return out;
}

std::string describe_space(const KernelSpec& spec, const Space& space) {
  std::string out;
  const SpaceSize size = space.size();
  out += fmt::format("{} parameters; {}{} valid configs out of {} combinations.\n",
                     space.params().size(), size.exact ? "" : "about ",
                     format_count(std::round(size.count)), format_count(space.grid_size()));
  for (const Parameter& p : space.params()) out += describe_parameter(p) + "\n";
  out += "\n## Constraints\n";
  const auto& constraints = space.constraints();
  if (constraints.empty()) {
    out += "None: every combination of the values above is valid.\n";
    return out;
  }
  out += "Every config must satisfy all of these. They may read parameters, the problem "
         "constants and the device.* facts listed above.\n";
  // A recorded space's last constraint is the pseudo-constraint `in_recorded_space`: said in
  // words, with the rules that reproduce the recording where they exist.
  const std::optional<RecordedRules> recorded = infer_recorded_rules(space);
  for (std::size_t i = 0; i < constraints.size(); ++i) {
    const bool pseudo = recorded && i + 1 == constraints.size();
    out += pseudo ? fmt::format("- {}: {}\n", spec.constraint_name(i),
                                describe_recorded_rules(*recorded))
                  : fmt::format("- {}: `{}`\n", spec.constraint_name(i), constraints[i].expr.text());
  }
  return out;
}

std::string build_system_prompt(const KernelSpec& spec, const Space& space) {
  std::string out;
  out +=
      "You are an expert in making compute kernels fast. Your job is to pick values for the "
      "tuning parameters of one kernel so that it runs as fast as possible on one device. Each "
      "config you propose is compiled, checked against a reference output and timed; the "
      "measurements come back to you in later messages, so you can refine your proposals.\n\n";
  out +=
      "The tuning space in the next message is the only source of truth: which parameters "
      "exist, the values each may take, their defaults, and the constraints every config must "
      "satisfy. Never invent a parameter or a value. A config that breaks a constraint is moved "
      "to the nearest valid config or thrown away; either way its slot is wasted.\n\n";
  if (!spec.description.empty())
    out += fmt::format("About this kernel ({}):\n{}\n\n", spec.name, spec.description);
  out += "What the parameters control:\n";
  for (const Parameter& p : space.params())
    out += fmt::format("- {}: {}\n", p.name,
                       p.description.empty()
                           ? "no description given; infer its role from its name, the kernel source when shown, "
                             "and the measurements"
                           : p.description);
  out += "\nHow to answer, every time:\n";
  out += "- Reply with exactly one JSON object and nothing else: {\"configs\": [...]}. No prose "
         "before or after it, no markdown, no code fences, no comments.\n";
  out += "- Each element of \"configs\" is an object that lists only the parameters whose value "
         "differs from the default config; every parameter left out keeps its default.\n";
  out += "- Use only parameter names and values from the tuning space, as JSON: numbers as "
         "numbers, booleans as true or false, words as double-quoted strings.\n";
  out += "- All configs in one reply are different from each other and from every config "
         "already measured.\n";
  out += "- When unsure about a parameter, leave it at its default instead of guessing; a few "
         "sound configs are worth more than many doubtful ones.\n";
  out += fmt::format("An answer has this shape: {}\n", example_reply(space));
  return out;
}

namespace {

// What a Triton kernel's parameters are: the launch options Triton's compiler takes, and the
// kernel's tl.constexpr arguments.
std::string triton_note(const Space& space) {
  std::vector<std::string> options;
  for (const auto& p : space.params())
    if (is_triton_launch_option(p.name)) options.push_back(p.name);
  std::string note =
      "This is a Triton kernel (a @triton.jit Python function) compiled by Triton's compiler; "
      "its program count is the launch grid. ";
  note += options.empty()
              ? std::string("No parameter is a Triton compile option, so Triton's defaults "
                            "(num_warps = 4, num_stages = 3) apply. ")
              : fmt::format("Parameters {} are Triton's compile options (a program runs "
                            "32 * num_warps threads; num_stages is the software-pipelining depth "
                            "of its loops). ",
                            fmt::join(options, ", "));
  note += "Every other parameter is a tl.constexpr argument of the kernel.\n";
  return note;
}

}  // namespace

std::string build_initial_prompt(const InitialPromptInputs& in) {
  std::vector<std::pair<std::string, std::string>> sections;
  std::string kernel = fmt::format("Name: {}; backend: {}; entry point: `{}`.\n", in.spec.name,
                                   in.spec.backend, in.spec.entry);
  if (in.spec.backend == "triton") kernel += triton_note(in.space);
  if (!in.spec.description.empty()) kernel += in.spec.description + "\n";
  sections.emplace_back("Kernel", kernel);

  std::string source = in.kernel_source;
  std::string cut;
  if (source.size() > kMaxSourceChars) {
    cut = fmt::format("[the source continues for {} more bytes, left out here]\n",
                      source.size() - kMaxSourceChars);
    source.resize(kMaxSourceChars);
  }
  if (!source.empty() && source.back() != '\n') source += '\n';
  sections.emplace_back("Kernel source",
                        source.empty() ? std::string(kNoSource)
                                       : fmt::format("```{}\n{}```\n{}",
                                                     source_language(in.spec.backend), source, cut));
  sections.emplace_back("Arguments and problem constants",
                        describe_arguments(in.spec, in.space, in.device));
  sections.emplace_back("Hardware", describe_hardware(in.device));
  sections.emplace_back("Tuning space", describe_space(in.spec, in.space));
  sections.emplace_back("Default config",
                        config_json(in.space, in.space.default_config()) + "\n");
  sections.emplace_back("Workload analysis",
                        describe_workload(analyze_workload(in.spec, in.space, in.device)));
  if (in.priors) sections.emplace_back("Measured elsewhere", describe_priors(in.space, *in.priors));
  sections.emplace_back("Search strategy", build_initial_search_guidance(in));
  sections.emplace_back(
      "Task",
      fmt::format("Propose the first {} configs, from near-default to exploratory, as described "
                  "above. Answer with the JSON object only: {{\"configs\": [...]}}, each config "
                  "listing only the parameters it changes from the default.\n",
                  in.configs_per_round));
  return join_sections(sections);
}

std::string response_json_schema(const Space& space) {
  using nlohmann::ordered_json;
  ordered_json properties = ordered_json::object();
  for (const Parameter& p : space.params()) {
    ordered_json prop = ordered_json::object();
    bool numeric_range = (p.kind == ParamKind::IntRange || p.kind == ParamKind::Pow2Range) &&
                         p.values.size() > kMaxSchemaEnum;
    if (p.kind == ParamKind::Bool) {
      prop["type"] = "boolean";
    } else if (numeric_range) {
      prop["type"] = "integer";
      prop["minimum"] = p.lo;
      prop["maximum"] = p.hi;
    } else {
      ordered_json values = ordered_json::array();
      for (std::size_t i = 0; i < p.values.size() && i < kMaxSchemaEnum; ++i) {
        const Value& v = p.values[i];
        if (v.is_string()) values.push_back(v.as_string());
        else if (v.is_bool()) values.push_back(*v.bool_if());
        else if (v.is_int()) values.push_back(*v.int_if());
        else values.push_back(v.as_double());
      }
      prop["enum"] = std::move(values);
    }
    if (!p.description.empty()) prop["description"] = p.description;
    properties[p.name] = std::move(prop);
  }
  ordered_json config = {{"type", "object"},
                         {"properties", std::move(properties)},
                         {"additionalProperties", false}};
  ordered_json schema = {
      {"type", "object"},
      {"properties", {{"configs", {{"type", "array"}, {"items", std::move(config)}}}}},
      {"required", {"configs"}},
      {"additionalProperties", false}};
  // Replacement of invalid UTF-8 keeps a description with odd bytes from throwing.
  return schema.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tuna::llm
