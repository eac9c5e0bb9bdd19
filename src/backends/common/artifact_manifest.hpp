#pragma once
// What a GPU backend's compile writes next to each cached artifact (`<hash>.json`), and the
// cache's two ends: finding a usable artifact and storing a new one. The host backend's shared
// objects need no manifest (their entry points have fixed names).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/backend.hpp"
#include "tuna/spec.hpp"

namespace tuna::backends {

// The symbol the evaluator asks for when it wants the reference kernel (check.reference =
// "kernel"); each backend maps it to the kernel that check.kernel names.
inline constexpr const char* kReferenceSymbol = "tuna_reference";

// A launch the compiler decided rather than the spec's [launch] (Triton: the block is num_warps
// warps, the dynamic shared memory is what the compiler laid out, and the kernel may take scratch
// pointers after the spec's arguments). The grid still comes from the spec.
struct CompilerLaunch {
  struct Scratch {
    std::int64_t bytes_per_program = 0;  // 0: the kernel gets a null pointer
    std::int64_t align = 1;
  };
  std::int64_t block_threads = 0;
  std::int64_t shared_memory_bytes = 0;
  std::vector<std::size_t> arguments;  // indexes of the spec's arguments the kernel takes, in order
  std::vector<Scratch> scratch;        // pointers passed after those arguments
};

struct ArtifactManifest {
  std::string entry;      // the symbol of the config's kernel (a lowered name for CUDA)
  std::string reference;  // the symbol of the reference kernel, or "" when none
  std::string options;    // the build options, where the artifact may have to be rebuilt
  std::map<std::string, double> resources;  // what the compiler reported about the entry
  std::string log;
  std::optional<CompilerLaunch> launch;  // absent when the spec decides the launch
};

std::filesystem::path manifest_path(const std::filesystem::path& artifact_path);
// Throws UserError when the manifest is missing or damaged.
ArtifactManifest read_manifest(const std::filesystem::path& artifact_path);

// The cached artifact at `artifact_path` as a compile outcome, when it and its manifest are
// usable (a killed compile leaves neither); nullopt when it must be compiled.
std::optional<CompileOutcome> cached_artifact(const std::filesystem::path& artifact_path,
                                              const std::string& hash);

// Writes the manifest, then the artifact (so an artifact on disk always has its manifest), each
// atomically, creating the cache folder; returns the ok outcome with the manifest's log.
// `started` is when the compile began: compile_ms counts until the files are written.
CompileOutcome store_artifact(const std::filesystem::path& artifact_path, const std::string& hash,
                              const ArtifactManifest& manifest, std::string_view bytes,
                              std::chrono::steady_clock::time_point started);

// The symbol to launch for `artifact`: its own, or for kReferenceSymbol the manifest's
// reference kernel. Throws UserError when the artifact has none; `artifact_kind` ("cubin") and
// `kernel_kind` ("__global__") word the message.
std::string resolve_symbol(const Artifact& artifact, const KernelSpec& spec,
                           std::string_view artifact_kind, std::string_view kernel_kind);

}  // namespace tuna::backends
