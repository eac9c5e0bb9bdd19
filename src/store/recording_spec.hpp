#pragma once
// The KernelSpec under which a recorded space is replayed on the sim backend (`tuna import
// --write-spec`, `tuna compare`).
#include <filesystem>
#include <optional>

#include "store/recorded_space.hpp"
#include "tuna/spec.hpp"

namespace tuna::sim {

// The spec of a recorded space already loaded, without a recording path or source (`tuna
// compare` keeps the space in memory): what spec_from_recording writes, less those two.
KernelSpec spec_from_recorded_space(const RecordedSpace& recorded);

// A spec that replays `recording` on the sim backend: one list parameter per recorded parameter,
// the T1 restrictions (when given) as constraints, no arguments and no correctness check;
// `source` (optional) the kernel's real source for the LLM; the recorded device's facts when
// known_recorded_device() knows it by name, else its name alone.
KernelSpec spec_from_recording(const std::filesystem::path& recording,
                               const std::optional<std::filesystem::path>& t1_file = {},
                               const std::optional<std::filesystem::path>& source = {});

}  // namespace tuna::sim
