#pragma once
// Writes a KernelSpec as canonical TOML: every key explicit, in a fixed order, parameters and
// constraints in declaration order, so that equal specs give equal text (content_hash relies
// on it) and parse_spec reads the text back into an equal spec.
#include <string>

#include "tuna/spec.hpp"

namespace tuna::spec_internal {

// How paths are written: the source, the recording and the arguments' data files.
enum class SourcePath {
  Absolute,      // for spec_to_toml: the text works from any folder
  FileNameOnly,  // for content_hash: moving a kernel's folder keeps its hash
};

std::string spec_to_toml_text(const KernelSpec& spec, SourcePath source_path);

// A TOML basic string, quoted and escaped.
std::string toml_quote(std::string_view text);

}  // namespace tuna::spec_internal
