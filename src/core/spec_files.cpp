#include "core/spec_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "core/array_file.hpp"

namespace tuna::spec_internal {
namespace {

namespace fs = std::filesystem;

struct DataFile {
  const fs::path* path;
  std::string key;  // args[i].file or args[i].expected
  ArrayFileLayout layout;
};

DataFile inspect(const KernelSpec& spec, const Argument& a, const fs::path& path, std::string key,
                 const SpecLocations& loc) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    loc.fail(key, fmt::format("data file '{}' does not exist", path.string()), spec_path_fix(spec));
  ArrayFileLayout layout;
  try {
    layout = inspect_array_file(path, a.dtype);
  } catch (const ArrayFileError& e) {
    loc.fail(key, e.problem(), e.fix());
  }
  return {&path, std::move(key), std::move(layout)};
}

// The buffer's count when `env` can tell it; nullopt when it reads names `env` lacks (device
// facts before a device is known) or fails (check_values reports that).
std::optional<std::int64_t> known_count(const Argument& a, const Env& env) {
  if (a.count.empty()) return std::nullopt;
  const auto& names = a.count.names();
  if (!std::all_of(names.begin(), names.end(),
                   [&](const std::string& n) { return env.contains(n); }))
    return std::nullopt;
  try {
    const Value v = a.count.evaluate(env);
    if (v.is_int()) return v.as_int();
    if (v.is_float() && std::floor(v.as_double()) == v.as_double())
      return static_cast<std::int64_t>(v.as_double());
  } catch (const UserError&) {
  }
  return std::nullopt;
}

std::string holds(const DataFile& f) {
  return fmt::format("'{}' holds {} elements (shape {})", f.path->string(), f.layout.count,
                     shape_text(f.layout.shape));
}

void check_against_count(const Argument& a, const DataFile& f, std::int64_t count,
                         const SpecLocations& loc) {
  if (f.layout.count == count) return;
  loc.fail(f.key,
           fmt::format("{}, but the argument's count '{}' is {}", holds(f), a.count.text(), count),
           fmt::format("Save an array of {} elements, or change count (without a count, the "
                       "buffer takes the file's element count)",
                       count));
}

void check_argument_files(const KernelSpec& spec, std::size_t i, const Env& env,
                          const SpecLocations& loc) {
  const Argument& a = spec.arguments[i];
  const std::string key = fmt::format("args[{}]", i);
  std::optional<DataFile> input, expected;
  if (a.init == InitKind::File && !a.file.empty())
    input = inspect(spec, a, a.file, key + ".file", loc);
  if (!a.expected.empty()) expected = inspect(spec, a, a.expected, key + ".expected", loc);
  if (const auto count = known_count(a, env)) {
    if (input) check_against_count(a, *input, *count, loc);
    if (expected) check_against_count(a, *expected, *count, loc);
    return;
  }
  if (!a.count.empty() || !input || !expected || input->layout.count == expected->layout.count)
    return;
  loc.fail(expected->key,
           fmt::format("{}, but the argument's file {}", holds(*expected), holds(*input)),
           "Give the expected output as many elements as the buffer");
}

}  // namespace

void check_data_files(const KernelSpec& spec, const Env& env, const SpecLocations& loc) {
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    if (spec.arguments[i].is_buffer) check_argument_files(spec, i, env, loc);
  }
}

}  // namespace tuna::spec_internal
