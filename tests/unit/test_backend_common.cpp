// What the backends share (src/backends/common/): the timing loop, compiler-log reading, config
// defines, half-precision rounding, argument layout and staging, the artifact cache's manifest,
// and run-time library loading. Each is exercised without a device.
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "backends/common/argument_layout.hpp"
#include "backends/common/artifact_manifest.hpp"
#include "backends/common/compiler_log.hpp"
#include "backends/common/dynamic_library.hpp"
#include "backends/common/half_float.hpp"
#include "backends/common/kernel_defines.hpp"
#include "backends/common/staged_arguments.hpp"
#include "backends/common/timing_loop.hpp"
#include "tuna/errors.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;
using namespace backends;

TimingOptions timing(int warmup, int min_repetitions, int max_repetitions, double budget_ms) {
  TimingOptions t;
  t.warmup = warmup;
  t.min_repetitions = min_repetitions;
  t.max_repetitions = max_repetitions;
  t.budget_ms = budget_ms;
  return t;
}

TEST(TimingLoop, NextChunkUsesTheRestOfTheBudgetWithinTheLimits) {
  const TimingOptions t = timing(0, 3, 1000, 100);
  EXPECT_EQ(next_chunk(t, 0, 0, 0, 64), 3);     // nothing known: the missing minimum
  EXPECT_EQ(next_chunk(t, 3, 10, 1, 64), 64);   // 90 launches wanted, capped by the chunk
  EXPECT_EQ(next_chunk(t, 3, 10, 30, 64), 3);   // 90 ms left at 30 ms each
  EXPECT_EQ(next_chunk(t, 3, 100, 1, 64), 0);   // the minimum done and the budget spent
  EXPECT_EQ(next_chunk(t, 1, 500, 1, 64), 2);   // the budget spent, the minimum not yet
  EXPECT_EQ(next_chunk(t, 998, 0, 1, 64), 2);   // what is left of the maximum
  EXPECT_EQ(next_chunk(t, 1000, 0, 1, 64), 0);  // the maximum reached
  EXPECT_EQ(next_chunk(t, 3, 10, 1, 1), 1);     // one at a time
}

TEST(TimingLoop, RunsTheWarmUpThenChunksUntilTheMaximum) {
  int warmed = -1;
  std::vector<int> chunks;
  TimedLaunches launches;
  launches.max_chunk = 4;
  launches.warm_up = [&](int count) {
    warmed = count;
    return 0.5;
  };
  launches.run_chunk = [&](int count, std::vector<double>& times) {
    chunks.push_back(count);
    for (int i = 0; i < count; ++i) times.push_back(0.5);
  };
  std::vector<double> times = time_repetitions(launches, timing(2, 1, 10, 1e6));
  EXPECT_EQ(warmed, 2);
  EXPECT_EQ(times.size(), 10u);
  EXPECT_EQ(chunks, (std::vector<int>{4, 4, 2}));
}

TEST(TimingLoop, StopsAtTheMinimumOnceTheBudgetIsSpent) {
  TimedLaunches launches;
  launches.max_chunk = 1;
  launches.warm_up = [](int) { return 0.0; };
  launches.run_chunk = [](int count, std::vector<double>& times) {
    for (int i = 0; i < count; ++i) times.push_back(1.0);
  };
  EXPECT_EQ(time_repetitions(launches, timing(0, 5, 100, 0)).size(), 5u);
}

TEST(TimingLoop, ABackendThatTimesNothingEndsTheLoop) {
  TimedLaunches launches;
  launches.warm_up = [](int) { return 0.0; };
  launches.run_chunk = [](int, std::vector<double>&) {};
  EXPECT_TRUE(time_repetitions(launches, timing(0, 5, 100, 1e6)).empty());
}

TEST(CompilerLog, PrefersDiagnosticsThenErrorsThenTheFirstLine) {
  auto is_diagnostic = [](const std::string& line) {
    return line.find(": error:") != std::string::npos;
  };
  auto diagnostic =
      find_error_line("note: x\nld: error happened\n  a.cpp:1:2: error: bad  \n", is_diagnostic);
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->text, "a.cpp:1:2: error: bad");
  EXPECT_EQ(diagnostic->kind, ErrorLineKind::Diagnostic);
  auto mention = find_error_line("note: x\nld: error happened\n", is_diagnostic);
  ASSERT_TRUE(mention.has_value());
  EXPECT_EQ(mention->kind, ErrorLineKind::MentionsError);
  EXPECT_EQ(mention->text, "ld: error happened");
  auto first = find_error_line("\n\n  something odd\n", is_diagnostic);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->kind, ErrorLineKind::FirstLine);
  EXPECT_EQ(first->text, "something odd");
  EXPECT_FALSE(find_error_line(" \n\n", is_diagnostic).has_value());
}

TEST(CompilerLog, StripsDirectoriesAndShortensMessages) {
  const std::string line = "/a/b/x.cpp:3:1: error: in a/b";
  EXPECT_EQ(strip_directories(line, line.find(':')), "x.cpp:3:1: error: in a/b");
  EXPECT_EQ(strip_directories("x.cpp:3: error", 1), "x.cpp:3: error");
  EXPECT_EQ(strip_directories("no path", std::string::npos), "no path");
  EXPECT_EQ(shorten_message(std::string(400, 'x')).size(), 300u);
  EXPECT_EQ(shorten_message(std::string(400, 'x')).substr(297), "...");
  EXPECT_EQ(shorten_message("short"), "short");
  EXPECT_EQ(trim(" \t a b \r\n"), "a b");
}

TEST(KernelDefines, FormatsOneDefinePerParameterAndFillsPlaceholders) {
  KernelSpec spec;
  spec.define_format = "-D{name}={value}";
  spec.check.reference = Reference::Kernel;
  spec.check.reference_entry = "ref<{BM}, {MODE}>";
  Space space({Parameter::list("BM", {Value(32), Value(64)}, Value(32)),
               Parameter::list("MODE", {Value("a"), Value("b")}, Value("a"))},
              {});
  const Config config({Value(64), Value("b")});
  const std::vector<std::string> defines = define_options(spec, space, config);
  ASSERT_EQ(defines.size(), 2u);
  EXPECT_EQ(defines[0], "-DBM=64");
  EXPECT_EQ(defines[1].rfind("-DMODE=", 0), 0u);
  EXPECT_EQ(reference_entry(spec, space, config), "ref<64, " + config[1].to_define() + ">");
  spec.check.reference = Reference::DefaultConfig;
  EXPECT_EQ(reference_entry(spec, space, config), "");
  EXPECT_EQ(format_define("-DTUNA_{name}=({value})", "X", "1"), "-DTUNA_X=(1)");
}

TEST(HalfFloat, RoundsToNearestEven) {
  EXPECT_EQ(float_to_half_bits(0.0f), 0x0000);
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half_bits(65504.0f), 0x7BFF);            // the largest half
  EXPECT_EQ(float_to_half_bits(1e6f), 0x7C00);                // overflow to infinity
  EXPECT_EQ(float_to_half_bits(1.0f + 1.0f / 2048), 0x3C00);  // a tie, rounded to even
  EXPECT_EQ(float_to_half_bits(5.96046448e-8f), 0x0001);      // the smallest subnormal
  EXPECT_EQ(float_to_half_bits(std::nanf("")) & 0x7E00, 0x7E00);
}

Argument buffer(std::string name, std::string count, ArgRole role, Dtype dtype = Dtype::F32) {
  Argument a;
  a.name = std::move(name);
  a.dtype = dtype;
  a.count = Expr::parse(count);
  a.role = role;
  a.init = InitKind::Iota;
  return a;
}

Argument scalar(std::string name, std::string value) {
  Argument a;
  a.name = std::move(name);
  a.is_buffer = false;
  a.dtype = Dtype::I32;
  a.value = Expr::parse(value);
  return a;
}

KernelSpec spec_with(std::vector<Argument> arguments) {
  KernelSpec spec;
  spec.name = "k";
  spec.constants.set("N", 4);
  spec.arguments = std::move(arguments);
  return spec;
}

TEST(ArgumentLayout, SizesBuffersFromTheConstantsAndChecksScalars) {
  const KernelSpec spec =
      spec_with({buffer("x", "2 * N", ArgRole::Input, Dtype::F64), scalar("n", "N"),
                 buffer("h", "N", ArgRole::Output, Dtype::F16)});
  std::vector<ArgumentLayout> layouts = lay_out_arguments(spec, DeviceInfo{}, {});
  ASSERT_EQ(layouts.size(), 3u);
  EXPECT_EQ(layouts[0].count, 8);
  EXPECT_EQ(layouts[0].bytes, 64u);
  EXPECT_EQ(layouts[1].bytes, 0u);
  EXPECT_EQ(layouts[2].bytes, 8u);
  // Outputs start poisoned (a quiet NaN for f16), inputs from their init.
  std::vector<unsigned char> poison = starting_bytes(layouts[2], 1, 2);
  std::uint16_t first = 0;
  std::memcpy(&first, poison.data(), 2);
  EXPECT_EQ(first, 0x7E00);
  EXPECT_TRUE(is_read_back(layouts[2].arg));
  EXPECT_FALSE(is_read_back(layouts[0].arg));

  EXPECT_THROW(lay_out_arguments(
                   spec_with({scalar("n", "N")}), DeviceInfo{},
                   [](const Argument& arg) { throw UserError("args." + arg.name + ": refused"); }),
               UserError);
  Argument no_value = scalar("m", "1");
  no_value.value = Expr();
  EXPECT_THROW(lay_out_arguments(spec_with({no_value}), DeviceInfo{}, {}), UserError);
}

// A policy over plain vectors that logs what the staging asks of it.
struct LoggingMemory {
  using Buffer = std::vector<unsigned char>;
  std::vector<std::string>* log;
  Buffer allocate(std::size_t bytes, const std::string& what) {
    log->push_back("allocate " + what);
    return Buffer(bytes);
  }
  void write(Buffer& to, const unsigned char* from, std::size_t bytes, bool wait,
             const std::string& what) {
    log->push_back(std::string(wait ? "write-wait " : "write ") + what);
    std::memcpy(to.data(), from, bytes);
  }
  void copy(Buffer& to, const Buffer& from, std::size_t bytes, const std::string& what) {
    log->push_back("copy " + what);
    std::memcpy(to.data(), from.data(), bytes);
  }
  void read(unsigned char* to, const Buffer& from, std::size_t bytes, const std::string& what) {
    log->push_back("read " + what);
    std::memcpy(to, from.data(), bytes);
  }
  void wait(const std::string&) { log->push_back("wait"); }
  void poison(Buffer& to, Dtype dtype, std::int64_t count) {
    log->push_back(std::string("poison ") + dtype_name(dtype));
    fill_poison(dtype, to.data(), count);
  }
};

TEST(StagedArguments, KeepsPristineInputsAndPoisonsOutputsOnEveryReset) {
  std::vector<std::string> log;
  StagedArguments<LoggingMemory> arguments(LoggingMemory{&log});
  const KernelSpec spec = spec_with(
      {buffer("x", "N", ArgRole::InOut), scalar("n", "N"), buffer("y", "N", ArgRole::Output)});
  arguments.prepare(spec, DeviceInfo{}, 7);
  EXPECT_EQ(
      log, (std::vector<std::string>{
               "allocate args.x", "allocate the initial copy of args.x",
               "write-wait copying the initial contents of args.x to the device", "allocate args.y",
               "copy restoring args.x", "poison f32", "wait"}));
  // A kernel scribbles on both buffers; a reset brings back the inout's initial contents.
  for (auto& slot : arguments.slots())
    if (slot.arg().is_buffer) std::fill(slot.data.begin(), slot.data.end(), 0);
  arguments.reset_outputs();
  std::vector<OutputBuffer> outputs = arguments.read_outputs();
  ASSERT_EQ(outputs.size(), 2u);
  float x[4];
  std::memcpy(x, outputs[0].bytes.data(), sizeof x);
  EXPECT_EQ(x[3], 3.0f);  // iota
  EXPECT_TRUE(std::isnan(reinterpret_cast<const float*>(outputs[1].bytes.data())[0]));

  Env env;
  env.set("N", 4);
  std::vector<void*> pointers = arguments.pointers(
      env, [](std::vector<unsigned char>& data) -> void* { return data.data(); });
  ASSERT_EQ(pointers.size(), 3u);
  EXPECT_EQ(pointers[0], arguments.slots()[0].data.data());
  EXPECT_EQ(*static_cast<std::int32_t*>(pointers[1]), 4);
}

using tuna::testing::TempDir;

TEST(ArtifactManifest, AStoredArtifactIsFoundWithItsManifest) {
  TempDir dir;
  const fs::path artifact = dir.path() / "cache" / "abc.bin";
  EXPECT_FALSE(cached_artifact(artifact, "abc").has_value());
  ArtifactManifest manifest;
  manifest.entry = "k_lowered";
  manifest.reference = "ref_lowered";
  manifest.resources = {{"registers", 32}};
  manifest.log = "ptxas info";
  CompileOutcome stored =
      store_artifact(artifact, "abc", manifest, "BYTES", std::chrono::steady_clock::now());
  EXPECT_TRUE(stored.ok);
  EXPECT_FALSE(stored.cached);
  EXPECT_EQ(stored.log, "ptxas info");
  std::optional<CompileOutcome> cached = cached_artifact(artifact, "abc");
  ASSERT_TRUE(cached.has_value());
  EXPECT_TRUE(cached->cached);
  EXPECT_EQ(cached->artifact.symbol, "k_lowered");
  EXPECT_EQ(cached->artifact.resources.at("registers"), 32);

  KernelSpec spec;
  Artifact reference = cached->artifact;
  reference.symbol = kReferenceSymbol;
  EXPECT_EQ(resolve_symbol(reference, spec, "cubin", "__global__"), "ref_lowered");
  EXPECT_EQ(resolve_symbol(cached->artifact, spec, "cubin", "__global__"), "k_lowered");

  // A manifest without a reference kernel makes asking for one a user error.
  manifest.reference.clear();
  store_artifact(artifact, "abc", manifest, "BYTES", std::chrono::steady_clock::now());
  EXPECT_THROW(resolve_symbol(reference, spec, "cubin", "__global__"), UserError);
  // An artifact whose manifest is gone is compiled again.
  fs::remove(manifest_path(artifact));
  EXPECT_FALSE(cached_artifact(artifact, "abc").has_value());
}

TEST(DynamicLibrary, LooksUpFunctionsAndNamesTheMissingOnes) {
  OpenedLibrary none = open_first({"libtuna_no_such_library.so", "/no/such/lib.so"});
  EXPECT_FALSE(none.library.valid());
  EXPECT_NE(none.tried.find("libtuna_no_such_library.so ("), std::string::npos) << none.tried;
  EXPECT_NE(none.tried.find("; /no/such/lib.so ("), std::string::npos) << none.tried;

  OpenedLibrary libc = open_first({"libtuna_no_such_library.so", "libc.so.6"});
  ASSERT_TRUE(libc.library.valid()) << libc.tried;
  EXPECT_EQ(libc.path, "libc.so.6");
  SymbolTable symbols(libc.library);
  auto length = symbols.get<std::size_t (*)(const char*)>("strlen");
  ASSERT_NE(length, nullptr);
  EXPECT_EQ(length("four"), 4u);
  EXPECT_EQ((symbols.get_first<int (*)()>({"tuna_no_such_v2", "getpid"}))(), ::getpid());
  EXPECT_EQ(symbols.get<void (*)()>("tuna_no_such_function"), nullptr);
  EXPECT_EQ(symbols.get_first<void (*)()>({"tuna_none_v2", "tuna_none"}), nullptr);
  EXPECT_EQ(symbols.missing(), (std::vector<std::string>{"tuna_no_such_function", "tuna_none"}));
  EXPECT_FALSE(folder_of_symbol(reinterpret_cast<void*>(length)).empty());
}

// Found by the sanitized test suite (docs/building.md): NVRTC and the OpenCL loader, unloaded
// when their handle closed, left their static storage to LeakSanitizer as leaks of an unknown
// module. Libraries opened by open_first now stay loaded.
TEST(DynamicLibrary, ALibraryOpenedByOpenFirstStaysLoadedAfterItsHandleCloses) {
  const char* name = "libanl.so.1";  // a glibc library that nothing here links
  if (void* loaded = ::dlopen(name, RTLD_LAZY | RTLD_NOLOAD)) {
    ::dlclose(loaded);
    GTEST_SKIP() << name << " is already loaded";
  }
  {
    OpenedLibrary opened = open_first({name});
    if (!opened.library.valid()) GTEST_SKIP() << name << " is not installed: " << opened.tried;
  }
  void* still = ::dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
  EXPECT_NE(still, nullptr) << name << " was unloaded when its handle closed";
  if (still != nullptr) ::dlclose(still);
}

// Devices poison outputs in place with a 1-, 2- or 4-byte memset of poison_word: it must be the
// same bytes fill_poison writes on the host, and a NaN for every float type.
TEST(Poison, EveryDtypesPoisonIsOneRepeatedWordAndFloatsAreNan) {
  for (Dtype dtype : {Dtype::F16, Dtype::F32, Dtype::F64, Dtype::I8, Dtype::I16, Dtype::I32,
                      Dtype::I64, Dtype::U8, Dtype::U16, Dtype::U32, Dtype::U64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const backends::PoisonWord word = backends::poison_word(dtype);
    ASSERT_TRUE(word.bytes == 1 || word.bytes == 2 || word.bytes == 4);
    ASSERT_EQ(dtype_size(dtype) % word.bytes, 0u);
    std::vector<unsigned char> filled(3 * dtype_size(dtype));
    backends::fill_poison(dtype, filled.data(), 3);
    for (std::size_t at = 0; at < filled.size(); at += word.bytes)
      ASSERT_EQ(std::memcmp(filled.data() + at, &word.value, word.bytes), 0) << at;
  }
  float f;
  backends::fill_poison(Dtype::F32, reinterpret_cast<unsigned char*>(&f), 1);
  EXPECT_TRUE(std::isnan(f));
  double d;
  backends::fill_poison(Dtype::F64, reinterpret_cast<unsigned char*>(&d), 1);
  EXPECT_TRUE(std::isnan(d));
  std::uint64_t bits;
  std::memcpy(&bits, &d, 8);
  EXPECT_EQ(bits, 0x7FF800007FF80000ull);
  std::int64_t i64;
  backends::fill_poison(Dtype::I64, reinterpret_cast<unsigned char*>(&i64), 1);
  EXPECT_EQ(i64, 0x7EADBEEF7EADBEEFll);
}

}  // namespace
}  // namespace tuna
