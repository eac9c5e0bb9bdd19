#pragma once
// KernelSpec: everything tuna needs to know about one kernel and one problem: its source, its
// tunable parameters, its arguments, how to launch it and how to check it. Built from a
// spec.toml (load_spec) or through this C++ API; both give the same structure.
// docs/spec.md is the reference for every field.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuna/device.hpp"
#include "tuna/expr.hpp"
#include "tuna/space.hpp"

namespace tuna {

enum class Dtype { F16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64 };
const char* dtype_name(Dtype d);                              // "f32", ...
std::size_t dtype_size(Dtype d);                              // bytes
std::optional<Dtype> dtype_from_name(std::string_view name);  // also accepts "float", "int"...

// Constant: a buffer whose data is copied into a named global of the compiled code (a CUDA
// `__constant__` symbol, a host global) before the runs, instead of being passed to the kernel.
enum class ArgRole { Input, Output, InOut, Constant };
enum class InitKind { Random, Zeros, Ones, Iota, Constant, File };
const char* arg_role_name(ArgRole r);
const char* init_kind_name(InitKind k);
// "input", "output", "inout", "constant"
std::optional<ArgRole> arg_role_from_name(std::string_view name);
std::optional<InitKind> init_kind_from_name(std::string_view name);  // "random", "zeros", ...

// Data files of [[args]] are NumPy .npy files (dtype equal to the argument's type, C order,
// little-endian) or, for any other extension, raw little-endian elements of the argument's type.

struct Argument {
  std::string name;
  bool is_buffer = true;  // false: a scalar passed by value
  Dtype dtype = Dtype::F32;
  Expr count;  // buffers: number of elements
  Expr value;  // scalars: the value
  ArgRole role = ArgRole::Input;
  InitKind init = InitKind::Random;
  double init_value = 0;                     // for InitKind::Constant
  double random_lo = -1.0, random_hi = 1.0;  // for InitKind::Random (seeded, never all zeros)
  // For InitKind::File: the initial contents (absolute after load_spec). With an empty `count`,
  // the file's element count is the buffer's.
  std::filesystem::path file;
  // Outputs and inouts: the right answer, compared with Reference::Expected (absolute after
  // load_spec). An output with an empty `count` takes this file's element count.
  std::filesystem::path expected;
  // ArgRole::Constant: the global the data is copied into (`symbol` in spec.toml); empty means
  // the argument's name (see constant_symbol()).
  std::string symbol;
  int line = 0;  // line of its [[args]] table in the spec file, for errors; 0 through the API
};

// The global a constant argument fills: its symbol, or its name when no symbol is given.
const std::string& constant_symbol(const Argument& arg);
// Whether the kernel receives the argument in its parameter list: every argument but constants.
bool is_passed_to_kernel(const Argument& arg);
// Whether the argument is a buffer the kernel writes (an output or an inout): what is read back
// after a run and compared.
bool is_read_back(const Argument& arg);

// What [launch] grid counts: blocks (CUDA's convention, the default; OpenCL's global size is then
// grid * block), or the global size itself (`convention = "global"`: Kernel Tuner, KTT, T1).
enum class LaunchConvention { Blocks, Global };

struct LaunchGeometry {
  LaunchConvention convention = LaunchConvention::Blocks;
  std::array<Expr, 3> grid;   // number of blocks in x, y, z (defaults: 1)
  std::array<Expr, 3> block;  // threads per block in x, y, z (defaults: 1)
  Expr shared_memory_bytes;   // dynamic shared memory (default 0)
};

// Expected: each output that has an `expected` file is compared with it (outputs without one are
// not compared); no reference is run.
enum class Reference { DefaultConfig, Kernel, None, Expected };
const char* reference_name(Reference r);  // "default", "kernel", "none", "expected"
std::optional<Reference> reference_from_name(std::string_view name);

struct CorrectnessCheck {
  Reference reference = Reference::DefaultConfig;
  std::string reference_entry;  // with Reference::Kernel: a function in the same source file
  double atol = 1e-6;
  double rtol = 1e-5;  // scaled by the magnitude of the reference output (see docs/spec.md)
};

struct Metrics {
  Expr flops;  // empty when not given
  Expr bytes;
};

// How a parameter is declared; the Space expands it into a Parameter.
struct ParameterSpec {
  Parameter param;
  int line = 0;  // line in the spec file, for errors; 0 when built through the API
};

struct KernelSpec {
  std::string name;
  std::string backend = "host";
  std::string description;       // free text, read by the LLM
  // The kernel's source file, absolute after load_spec. On the sim backend it is optional: the
  // real kernel's source, shown to the LLM (the recording is never shown: it holds the answers).
  std::filesystem::path source;
  // sim backend only: the recorded search space replayed instead of a device (absolute).
  std::filesystem::path recording;
  // sim backend only: the recorded device as the spec's [device] table states it (name and
  // facts); nullopt when the spec states none. See device_for_spec().
  std::optional<DeviceInfo> recorded_device;
  std::string entry;             // function name, or a template such as `gemm<{BM},{BN}>`
  std::vector<std::string> compiler_flags;
  // Format of one define per parameter; {name} and {value} are substituted.
  std::string define_format = "-D{name}={value}";

  std::vector<ParameterSpec> parameters;
  std::vector<Constraint> constraints;
  // The names of the constraints (the keys of [constraints]), parallel to `constraints`.
  // May be left shorter when building a spec by hand: constraint i is then called
  // "constraint_<i+1>" (see constraint_name()).
  std::vector<std::string> constraint_names;
  Env constants;  // problem constants, e.g. M, N, K

  std::vector<Argument> arguments;
  LaunchGeometry launch;
  CorrectnessCheck check;
  Metrics metrics;

  std::filesystem::path spec_path;  // empty when built through the API

  // The Space for this spec on a device: parameters, constraints, and the constants plus
  // the device's facts as names the constraints may read. Throws UserError (with file and line
  // when known) when the default violates a constraint or no config is valid.
  Space make_space(const DeviceInfo& device) const;
  // Problem constants, device facts and a config's values, for evaluating the spec's
  // expressions (sizes, launch geometry, metrics) for that config.
  Env env_for(const Space& space, const Config& config, const DeviceInfo& device) const;
  // The entry with `{NAME}` placeholders replaced by the config's values.
  std::string entry_for(const Space& space, const Config& config) const;
  // A stable hash of everything that affects measurements (source text and the bytes of the
  // arguments' data files included). 32 hex digits. The files' folders are not part of it:
  // moving a kernel's folder keeps its results. Throws UserError when a file cannot be read.
  std::string content_hash() const;

  // Name of constraint `i`: constraint_names[i], or "constraint_<i+1>" when not given.
  std::string constraint_name(std::size_t i) const;
  // Canonical text of the problem constants, `K=512,M=512,N=512` (sorted by name): the
  // `problem` of a StoreContext.
  std::string problem_key() const;
};

// The device a spec's expressions, prompts and store see: on the sim backend, the recorded device
// of its [device] table when it has one (backend "sim", id "sim:<name>"); otherwise the device
// the backend reported. Applied where a backend's device meets the spec (DeviceWorker::start,
// the bench worker's prepare); make_space and env_for take the device as given.
DeviceInfo device_for_spec(const KernelSpec& spec, const DeviceInfo& backend_device);

// Launch geometry evaluated for one config; empty expressions count as 1 (grid, block) and
// 0 (shared memory).
struct LaunchDims {
  std::array<std::int64_t, 3> grid{1, 1, 1};  // blocks; with the global convention, rounded up
  std::array<std::int64_t, 3> global{1, 1, 1};  // work-items: grid * block, or as written
  std::array<std::int64_t, 3> block{1, 1, 1};
  std::int64_t shared_memory_bytes = 0;
};
// Evaluates the geometry in `env` (see KernelSpec::env_for). Throws UserError naming the
// expression when one fails or gives a value below 1 (below 0 for shared memory).
LaunchDims launch_dims(const LaunchGeometry& launch, const Env& env);
// Number of elements of a buffer argument in `env`; without a count, that of its data file
// (`file`, else `expected`). Throws UserError when the count fails to evaluate or is not a
// positive integer, or the file cannot be read.
std::int64_t buffer_elements(const Argument& arg, const Env& env);

// Parses a spec.toml. Relative paths in it are relative to the file. Throws UserError with
// `file:line: key.path: what is wrong. How to fix it.` for any mistake (see docs/spec.md).
KernelSpec load_spec(const std::filesystem::path& path);
// Same, from text (for tests and tools); `origin` names the text in messages.
KernelSpec parse_spec(std::string_view toml_text, const std::filesystem::path& origin);

// Writes a spec back as TOML text that parse_spec reads into an equal spec (used to hand a spec to
// child processes, and by `tuna show`). Paths are written absolute.
std::string spec_to_toml(const KernelSpec& spec);

// Validates a spec built through the API the same way load_spec validates a file (every check
// of docs/spec.md, the source file's existence included). Messages name the key path, e.g.
// `params.BM: ...`, prefixed with the spec file when spec_path is set.
void validate_spec(const KernelSpec& spec);

}  // namespace tuna
