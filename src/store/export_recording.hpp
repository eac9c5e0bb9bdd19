#pragma once
// Exporters: a recording (usually read from tuna's store) written in another tuner's format, so
// tuna's measurements can be fed to Kernel Tuner's simulation mode or to T4 tools.
#include <string>

#include "store/import_recording.hpp"

namespace tuna::store {

// A Kernel Tuner cache (export_kernel_tuner.cpp). "time" is the mean of the repetitions, as
// Kernel Tuner writes it; failures carry Kernel Tuner's failure words.
std::string export_kernel_tuner_cache(const Recording& recording);
// T4 results (export_t4.cpp), times in milliseconds.
std::string export_t4(const Recording& recording);

// Kernel Tuner's word for a failed status: CompilationFailedConfig, RuntimeFailedConfig or
// InvalidConfig (the recorded word when it is one of these).
std::string kernel_tuner_failure_word(const RecordedEntry& entry);

}  // namespace tuna::store
