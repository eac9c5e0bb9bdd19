#pragma once
// The bench worker: a child process (`tuna __bench-worker`) that owns the device. It reads
// commands from fd kRequestFd and answers on fd kReplyFd (stdout and stderr go to a log file,
// so a kernel that prints cannot corrupt the protocol). Commands, as JSON objects with "cmd":
//   hello      {backend}                        -> {ok, device}
//   prepare    {spec_toml, origin, seed}        -> {ok} | {ok:false, error}
//   reference  {artifact, config_key}           -> {ok, times_ms} | {ok:false, error_class, message}
//              (no artifact with check.reference = "expected": the expected files are read)
//   run        {artifact, config_key, timing, check}
//              -> {status, times_ms, max_abs_error, resources, error_class, message, fatal}
//   exit       {}                               -> (the worker exits)
// `fatal: true` in a reference or run reply means the config broke the device context (a CUDA
// sticky error): the worker exits right after replying, and the parent must start a new one
// before the next command.
// A crash or hang of a config ends the worker; the parent notices (closed pipe or timeout),
// records the failure and starts a new one.
namespace tuna::eval {

constexpr int kRequestFd = 3;
constexpr int kReplyFd = 4;

// Entry point of the worker process; returns its exit code.
int bench_worker_main();

}  // namespace tuna::eval
