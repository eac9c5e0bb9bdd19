#include "core/spec_diag.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "core/expr_suggest.hpp"
#include "tuna/errors.hpp"

namespace tuna::spec_internal {
namespace {

// Parses the line out of an origin such as "spec.toml:14".
int line_of_origin(std::string_view origin) {
  const auto colon = origin.rfind(':');
  if (colon == std::string_view::npos) return 0;
  int line = 0;
  const auto* first = origin.data() + colon + 1;
  const auto* last = origin.data() + origin.size();
  auto [ptr, ec] = std::from_chars(first, last, line);
  return (ec == std::errc() && ptr == last) ? line : 0;
}

}  // namespace

SpecLocations::SpecLocations(std::string file, std::string kernel_name)
    : file_(std::move(file)), kernel_name_(std::move(kernel_name)) {}

SpecLocations SpecLocations::for_spec(const KernelSpec& spec) {
  SpecLocations loc(spec.spec_path.string(), spec.name);
  for (const auto& p : spec.parameters) {
    if (p.line > 0) loc.set("params." + p.param.name, p.line);
  }
  for (std::size_t i = 0; i < spec.constraints.size(); ++i) {
    const int line = line_of_origin(spec.constraints[i].origin);
    if (line > 0) loc.set("constraints." + spec.constraint_name(i), line);
  }
  for (std::size_t i = 0; i < spec.arguments.size(); ++i) {
    if (spec.arguments[i].line > 0) loc.set(fmt::format("args[{}]", i), spec.arguments[i].line);
  }
  return loc;
}

void SpecLocations::set(std::string key_path, int line) { lines_[std::move(key_path)] = line; }

int SpecLocations::line_of(std::string_view key_path) const {
  for (std::string key(key_path); !key.empty(); key = parent_key(key)) {
    if (auto it = lines_.find(key); it != lines_.end() && it->second > 0) return it->second;
  }
  return file_.empty() ? 0 : 1;
}

std::string SpecLocations::where(std::string_view key_path) const {
  std::string head;
  const int line = key_path.empty() ? 0 : line_of(key_path);  // the whole spec: no line
  if (!file_.empty()) {
    head = line > 0 ? fmt::format("{}:{}", file_, line) : file_;
  } else {
    head = fmt::format("kernel spec '{}'", kernel_name_);
  }
  return key_path.empty() ? head : fmt::format("{}: {}", head, key_path);
}

void SpecLocations::fail(std::string_view key_path, std::string_view what,
                         std::string_view fix) const {
  auto end_sentence = [](std::string& text) {
    if (!text.empty() && text.back() != '.' && text.back() != '?') text += '.';
  };
  std::string message = fmt::format("{}: {}", where(key_path), what);
  end_sentence(message);
  if (!fix.empty()) {
    message += fmt::format(" {}", fix);
    end_sentence(message);
  }
  throw SpecError(message);
}

std::string parent_key(std::string_view key_path) {
  const auto cut = key_path.find_last_of(".[");
  return cut == std::string_view::npos ? std::string() : std::string(key_path.substr(0, cut));
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  // About one typo per three characters; two for names of four or more characters, so that
  // swapped letters ("cdua" -> "cuda") are caught.
  const std::size_t limit = name.size() >= 4 ? std::max<std::size_t>(2, name.size() / 3) : 1;
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t d = tuna::edit_distance(name, c);
    const bool prefix = c.size() >= 3 && name.size() > c.size() && name.rfind(c, 0) == 0;
    const std::size_t score = prefix ? std::min(d, limit) : d;  // "entrypoint" -> "entry"
    if (score < best_distance) {
      best = &c;
      best_distance = score;
    }
  }
  return best ? fmt::format("; did you mean '{}'?", *best) : std::string();
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += fmt::format("'{}'", items[i]);
  }
  return out;
}

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!alpha(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) { return alpha(c) || digit(c); });
}

std::string spec_path_fix(const KernelSpec& spec) {
  if (spec.spec_path.empty()) return "Check the path";
  std::error_code ec;
  std::filesystem::path folder = std::filesystem::absolute(spec.spec_path, ec).parent_path();
  if (ec) folder = spec.spec_path.parent_path();
  return fmt::format("Check the path; it is relative to the spec file's folder ({})",
                     folder.string());
}

}  // namespace tuna::spec_internal
