#include "backends/opencl/build_log.hpp"

#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <regex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "backends/artifact_files.hpp"
#include "tuna/errors.hpp"

namespace tuna::opencl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// A diagnostic that starts with a location, "ORIGIN:LINE:COL: ...", optionally after an
// "error: " that PoCL puts first. ORIGIN is whatever the implementation calls the in-memory
// source: "<source>", "<kernel>", or a temporary file of its own cache.
const std::regex& located_diagnostic() {
  static const std::regex pattern(R"(^(error: )?([^:\s][^:]*):(\d+):(\d+):\s*(.*)$)");
  return pattern;
}

// "<source>:3:5: error: x", "error: /tmp/pocl/tempfile_x.cl:3:5: x" -> "<file_name>:3:5: error: x".
std::optional<std::string> with_file_name(std::string_view line, std::string_view file_name) {
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(line.begin(), line.end(), m, located_diagnostic())) return std::nullopt;
  std::string rest = m[5].str();
  if (m[1].matched) rest = "error: " + rest;
  return fmt::format("{}:{}:{}: {}", file_name, m[3].str(), m[4].str(), rest);
}

bool mentions_error(std::string_view line) {
  return line.find("error") != std::string_view::npos ||
         line.find("Error") != std::string_view::npos;
}

}  // namespace

std::string first_error_line(std::string_view log, std::string_view file_name) {
  const std::vector<std::string_view> lines = lines_of(log);
  for (std::string_view line : lines) {
    if (!mentions_error(line)) continue;
    if (std::optional<std::string> located = with_file_name(line, file_name)) return *located;
  }
  for (std::string_view line : lines)
    if (mentions_error(line)) return std::string(line);
  return lines.empty() ? std::string() : std::string(lines.front());
}

fs::path manifest_path(const fs::path& binary_path) {
  fs::path path = binary_path;
  return path.replace_extension(".json");
}

ProgramManifest read_manifest(const fs::path& binary_path) {
  const fs::path path = manifest_path(binary_path);
  std::ifstream in(path);
  json j = json::parse(in, nullptr, false);
  if (!in || j.is_discarded() || !j.is_object())
    throw UserError(fmt::format("the artifact manifest {} is missing or damaged. Delete the "
                                "artifact cache folder and run again.",
                                path.string()));
  ProgramManifest manifest;
  manifest.entry = j.value("entry", std::string());
  manifest.reference = j.value("reference", std::string());
  manifest.options = j.value("options", std::string());
  manifest.resources = j.value("resources", std::map<std::string, double>());
  manifest.log = j.value("log", std::string());
  return manifest;
}

void write_manifest(const fs::path& binary_path, const ProgramManifest& manifest) {
  json j = {{"entry", manifest.entry},         {"reference", manifest.reference},
            {"options", manifest.options},     {"resources", manifest.resources},
            {"log", manifest.log}};
  backends::write_file_atomically(manifest_path(binary_path), j.dump());
}

}  // namespace tuna::opencl
