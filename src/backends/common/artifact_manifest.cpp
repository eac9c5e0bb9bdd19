#include "backends/common/artifact_manifest.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "backends/common/artifact_files.hpp"
#include "tuna/errors.hpp"

namespace tuna::backends {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json launch_json(const CompilerLaunch& launch) {
  json scratch = json::array();
  for (const auto& s : launch.scratch)
    scratch.push_back({{"bytes_per_program", s.bytes_per_program}, {"align", s.align}});
  return {{"block_threads", launch.block_threads},
          {"shared_memory_bytes", launch.shared_memory_bytes},
          {"arguments", launch.arguments},
          {"scratch", scratch}};
}

CompilerLaunch launch_from_json(const json& j) {
  CompilerLaunch launch;
  launch.block_threads = j.at("block_threads").get<std::int64_t>();
  launch.shared_memory_bytes = j.at("shared_memory_bytes").get<std::int64_t>();
  launch.arguments = j.at("arguments").get<std::vector<std::size_t>>();
  for (const json& s : j.at("scratch"))
    launch.scratch.push_back({s.at("bytes_per_program").get<std::int64_t>(),
                              s.at("align").get<std::int64_t>()});
  return launch;
}

void write_manifest(const fs::path& artifact_path, const ArtifactManifest& manifest) {
  json j = {{"entry", manifest.entry},
            {"reference", manifest.reference},
            {"options", manifest.options},
            {"resources", manifest.resources},
            {"log", manifest.log}};
  if (manifest.launch) j["launch"] = launch_json(*manifest.launch);
  write_file_atomically(manifest_path(artifact_path), j.dump());
}

}  // namespace

fs::path manifest_path(const fs::path& artifact_path) {
  fs::path path = artifact_path;
  return path.replace_extension(".json");
}

ArtifactManifest read_manifest(const fs::path& artifact_path) {
  const fs::path path = manifest_path(artifact_path);
  std::ifstream in(path);
  json j = json::parse(in, nullptr, false);
  if (!in || j.is_discarded() || !j.is_object())
    throw UserError(
        fmt::format("the artifact manifest {} is missing or damaged. Delete the "
                    "artifact cache folder and run again.",
                    path.string()));
  auto damaged = [&](const std::string& what) {
    return UserError(fmt::format("the artifact manifest {} is damaged ({}). Delete the artifact "
                                 "cache folder and run again.",
                                 path.string(), what));
  };
  ArtifactManifest manifest;
  try {
    manifest.entry = j.value("entry", std::string());
    manifest.reference = j.value("reference", std::string());
    manifest.options = j.value("options", std::string());
    manifest.resources = j.value("resources", std::map<std::string, double>());
    manifest.log = j.value("log", std::string());
    if (j.contains("launch")) manifest.launch = launch_from_json(j.at("launch"));
  } catch (const json::exception& e) {
    throw damaged(e.what());
  }
  return manifest;
}

std::optional<CompileOutcome> cached_artifact(const fs::path& artifact_path,
                                              const std::string& hash) {
  if (!cached_file_usable(artifact_path) || !cached_file_usable(manifest_path(artifact_path)))
    return std::nullopt;
  const ArtifactManifest manifest = read_manifest(artifact_path);
  CompileOutcome outcome;
  outcome.ok = true;
  outcome.cached = true;
  outcome.artifact = Artifact{artifact_path, manifest.entry, hash, manifest.resources};
  return outcome;
}

CompileOutcome store_artifact(const fs::path& artifact_path, const std::string& hash,
                              const ArtifactManifest& manifest, std::string_view bytes,
                              std::chrono::steady_clock::time_point started) {
  create_cache_folder(artifact_path.parent_path());
  write_manifest(artifact_path, manifest);
  write_file_atomically(artifact_path, bytes);
  CompileOutcome outcome;
  outcome.ok = true;
  outcome.artifact = Artifact{artifact_path, manifest.entry, hash, manifest.resources};
  outcome.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  outcome.log = manifest.log;
  return outcome;
}

std::string resolve_symbol(const Artifact& artifact, const KernelSpec& spec,
                           std::string_view artifact_kind, std::string_view kernel_kind) {
  if (artifact.symbol != kReferenceSymbol) return artifact.symbol;
  std::string symbol = read_manifest(artifact.path).reference;
  if (symbol.empty())
    throw UserError(fmt::format(
        "the {} {} has no reference kernel: check.reference = \"kernel\" needs check.kernel (now "
        "'{}') to name a {} function of {}.",
        artifact_kind, artifact.path.filename().string(), spec.check.reference_entry, kernel_kind,
        spec.source.filename().string()));
  return symbol;
}

}  // namespace tuna::backends
