// libFuzzer target for the spec parser: on any text, parse_spec returns a spec or throws
// UserError; nothing else (no crash, no other exception, no sanitizer report). A spec that loads
// must also survive the canonical round trip unchanged.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace {

// A folder holding the kernel sources the seeds name, so that inputs get past the check that
// the source exists and exercise everything else.
std::filesystem::path make_origin() {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tuna_fuzz_spec_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* name : {"kernel.cpp", "matmul.cpp"}) std::ofstream(dir / name) << "// seed\n";
  return dir / "spec.toml";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path origin = make_origin();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const tuna::KernelSpec spec = tuna::parse_spec(text, origin);
    const std::string canonical = tuna::spec_to_toml(spec);
    if (tuna::spec_to_toml(tuna::parse_spec(canonical, origin)) != canonical) __builtin_trap();
  } catch (const tuna::UserError&) {
    // The expected outcome for most inputs.
  }
  return 0;
}
