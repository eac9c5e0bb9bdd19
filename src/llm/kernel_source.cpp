#include "llm/kernel_source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "tuna/errors.hpp"

namespace tuna::llm {
namespace {

// Length of the UTF-8 sequence that `lead` starts, 0 when it cannot start one.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;  // a continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF (F5..FF)
}

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Overlong forms, surrogates and code points past U+10FFFF, which the lead byte alone allows.
bool second_byte_ok(unsigned char lead, unsigned char second) {
  if (lead == 0xE0) return second >= 0xA0;
  if (lead == 0xED) return second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90;
  if (lead == 0xF4) return second <= 0x8F;
  return true;
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t n = sequence_length(lead);
    if (n == 0 || i + n > text.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if (!continuation(static_cast<unsigned char>(text[i + k]))) return i;
    if (n > 1 && !second_byte_ok(lead, static_cast<unsigned char>(text[i + 1]))) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string read_kernel_source(const KernelSpec& spec) {
  if (spec.source.empty()) return {};
  std::ifstream in(spec.source, std::ios::binary);
  if (!in)
    throw UserError(
        fmt::format("cannot read the kernel source '{}' to describe it to the LLM; "
                    "check that the file exists and is readable",
                    spec.source.string()));
  std::ostringstream text;
  text << in.rdbuf();
  std::string source = text.str();
  const std::size_t bad = first_invalid_utf8(source);
  if (bad != std::string_view::npos)
    throw UserError(fmt::format(
        "{}: kernel.source '{}' is not UTF-8 text (byte {} is 0x{:02X}), so it cannot be shown "
        "to the LLM. Point kernel.source at the kernel's source file{}",
        spec.spec_path.empty() ? std::string("the spec") : spec.spec_path.string(),
        spec.source.string(), bad, static_cast<unsigned char>(source[bad]),
        spec.backend == "sim" ? " (the recording goes in kernel.recording), or leave it out"
                              : ", or convert it to UTF-8"));
  return source;
}

}  // namespace tuna::llm
