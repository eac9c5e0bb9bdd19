#pragma once
// Stops a run in which every config fails to compile the same way: a flag the compiler rejects
// (`flags = ["-fno-such-flag"]`), a syntax error that no parameter value touches, a missing
// header. Such a run would otherwise spend its whole budget collecting one compiler message,
// config after config. A failure that depends on the config (some values fail, others compile)
// never stops the run: one config that compiles, or one other message, disarms the watch.
#include <cstddef>
#include <string>
#include <string_view>

#include "tuna/result.hpp"

namespace tuna::search {

// The compiler message with what differs from config to config replaced by '#': numbers
// (parameter values, line numbers alike), `-D` flags, hash-named files, directories of paths,
// and the config's own string values. Two configs that fail for one reason give one text.
std::string normalise_compile_message(std::string_view message, const Config& config);

class CompileFailureWatch {
 public:
  // Failures needed, the default config's among them, all with one normalised message and no
  // config compiled. Eight: a failure confined to part of the space that the default is in
  // reaches seven more configs too with probability p^7 when a fraction p of the space fails
  // (under 1% for half of it), while a broken flag or source costs only a few seconds of
  // compiles more (a compile that fails at once takes well under a second, and a batch
  // compiles as many at a time as there are cores).
  static constexpr std::size_t kFailures = 8;

  explicit CompileFailureWatch(std::string default_key, std::size_t failures = kFailures);

  // Takes every result of the run as it is recorded. Throws UserError, quoting the default's
  // compiler message, once `failures` configs (the default among them) failed to compile with
  // the same message before any config compiled.
  void observe(const Result& r);

  bool armed() const { return armed_; }

 private:
  std::string default_key_;
  std::size_t failures_needed_;
  bool armed_ = true;
  bool default_failed_ = false;
  std::size_t failures_ = 0;
  std::string normalised_;     // the message every failure so far gave
  std::string first_message_;  // quoted: the default's message, else the first one
};

}  // namespace tuna::search
