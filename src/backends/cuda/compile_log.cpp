// Reading what NVRTC and ptxas say: the architecture a source needs, the first error of a log,
// and the per-function resource lines of `ptxas -v`.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <regex>
#include <sstream>

#include "backends/common/compiler_log.hpp"
#include "backends/cuda/cuda_compiler.hpp"

namespace tuna::cuda {
namespace {

// "/abs/dir/add.cu(12): error: ..." -> "add.cu(12): error: ...".
std::string strip_nvrtc_directories(const std::string& line) {
  std::size_t paren = line.find("): ");
  return backends::strip_directories(line, paren == std::string::npos ? line.find(':') : paren);
}

bool is_nvrtc_diagnostic(const std::string& line) {
  return line.find("): error") != std::string::npos ||
         line.find("): catastrophic error") != std::string::npos ||
         line.find(": fatal error") != std::string::npos;
}

// The number just before `unit` in `line` ("Used 32 registers" with unit " registers").
bool number_before(const std::string& line, const std::string& unit, double& value) {
  std::size_t at = line.find(unit);
  if (at == std::string::npos) return false;
  std::size_t begin = at;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(line[begin - 1]))) --begin;
  if (begin == at) return false;
  value = std::stod(line.substr(begin, at - begin));
  return true;
}

}  // namespace

std::string select_architecture(std::string_view source_text, int compute_capability) {
  // wgmma and setmaxnreg exist only in sm_90a (and the later "a" targets): code built for the
  // plain architecture fails to assemble. Matching the source text catches inline PTX and the
  // CUTLASS-style wrappers whose names carry the instruction.
  static const std::regex kArchSpecific(R"(\bwgmma|setmaxnreg)");
  bool specific = compute_capability >= 90 &&
                  std::regex_search(source_text.begin(), source_text.end(), kArchSpecific);
  return fmt::format("sm_{}{}", compute_capability, specific ? "a" : "");
}

bool flags_choose_architecture(const std::vector<std::string>& flags) {
  return std::any_of(flags.begin(), flags.end(), [](const std::string& flag) {
    return flag.rfind("-arch", 0) == 0 || flag.rfind("--gpu-architecture", 0) == 0;
  });
}

std::map<std::string, double> parse_ptxas_resources(std::string_view log,
                                                    std::string_view function) {
  std::map<std::string, double> resources;
  std::istringstream in{std::string(log)};
  bool inside = false;
  // ptxas prints, per function: "Compiling entry function 'F'", "Function properties for F",
  // the stack/spill line, then "Used N registers, ... N bytes smem".
  for (std::string line; std::getline(in, line);) {
    if (line.find("Compiling entry function") != std::string::npos ||
        line.find("Function properties for") != std::string::npos) {
      std::string quoted = "'" + std::string(function) + "'";
      std::string plain = "for " + std::string(function);
      inside = line.find(quoted) != std::string::npos ||
               (line.size() >= plain.size() &&
                line.compare(line.size() - plain.size(), plain.size(), plain) == 0);
      continue;
    }
    if (!inside) continue;
    double value = 0;
    if (number_before(line, " bytes stack frame", value)) resources["stack_frame_bytes"] = value;
    if (number_before(line, " bytes spill stores", value)) resources["spill_stores_bytes"] = value;
    if (number_before(line, " bytes spill loads", value)) resources["spill_loads_bytes"] = value;
    if (number_before(line, " registers", value)) {
      resources["registers"] = value;
      resources["static_shared_bytes"] = number_before(line, " bytes smem", value) ? value : 0;
      if (number_before(line, " barriers", value)) resources["barriers"] = value;
    }
  }
  return resources;
}

std::string first_error_line(std::string_view log) {
  std::optional<backends::ErrorLine> line = backends::find_error_line(log, is_nvrtc_diagnostic);
  if (!line) return {};
  if (line->kind == backends::ErrorLineKind::FirstLine)
    return backends::shorten_message(line->text);
  return backends::shorten_message(strip_nvrtc_directories(line->text));
}

}  // namespace tuna::cuda
