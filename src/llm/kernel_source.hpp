#pragma once
// The kernel's source text as the LLM's first prompt shows it.
#include <string>
#include <string_view>

#include "tuna/spec.hpp"

namespace tuna::llm {

// The text of spec.source; empty when the spec has none (a replay spec without the kernel's
// source: the prompt then says it is unavailable). Never the sim backend's recording, which holds
// every measured time. Throws UserError naming the file when it cannot be read or is not UTF-8
// text (a binary or compressed file given as the source by mistake).
std::string read_kernel_source(const KernelSpec& spec);

// The byte offset of the first byte that breaks UTF-8 in `text`, or npos when it is valid.
std::size_t first_invalid_utf8(std::string_view text);

}  // namespace tuna::llm
