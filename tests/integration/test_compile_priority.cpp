// The compile children give way to the bench workers (`--compile-nice`, issue 17): a device
// waits whenever its worker waits for a core, so when every core compiles the compilers must
// yield; the reference, which every device waits for before its first run, compiles at tuna's
// own priority. Observed through the host backend's compiler, a wrapper that records its
// niceness.
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cli_runner.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

// One compile the wrapper saw: its niceness, and whether it was the reference (the default
// config, VEC=1 among its defines).
struct SeenCompile {
  int niceness;
  bool reference;
};

// Runs one non-default config of the rowsum example with TUNA_CXX set to a script that appends
// its niceness and arguments to a file when it compiles (it has an -o; tuna also asks the
// compiler its version, from its own process), then runs the real c++. Two compiles: the config
// and the reference (the default config).
std::vector<SeenCompile> compiles(const TunaSandbox& box, const std::vector<std::string>& flags) {
  const std::filesystem::path log = box.dir() / "nice.log";
  const std::filesystem::path wrapper = box.dir() / "cxx-wrapper.sh";
  {
    std::ofstream script(wrapper);
    script << "#!/bin/sh\ncase \" $* \" in *' -o '*) echo \"$(nice) $*\" >> '" << log.string()
           << "' ;; esac\nexec c++ \"$@\"\n";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  std::filesystem::remove(log);
  std::vector<std::string> args = {"run", source_path("examples/host/rowsum/spec.toml"),
                                   "--config", "VEC=4,ACC=2,ROWS=1,THREADS=1"};
  args.insert(args.end(), flags.begin(), flags.end());
  RunProcessOptions options;
  options.timeout_s = 300;
  options.extra_env = box.env();
  options.extra_env.push_back({"TUNA_CXX", wrapper.string()});
  ProcessResult run = run_process(box.argv(args), options);
  EXPECT_TRUE(run.ok()) << run.output;
  std::vector<SeenCompile> seen;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);)
    seen.push_back({std::stoi(line), line.find(" -DVEC=1 ") != std::string::npos});
  return seen;
}

int own_niceness() {
  errno = 0;
  const int value = ::getpriority(PRIO_PROCESS, 0);
  EXPECT_EQ(errno, 0);
  return value;
}

// The config compiled `increment` nicer than tuna, the reference at tuna's own priority.
void expect_niceness(const std::vector<SeenCompile>& seen, int increment) {
  ASSERT_EQ(seen.size(), 2u) << "expected the config's compile and the reference's";
  for (const SeenCompile& compile : seen)
    EXPECT_EQ(compile.niceness,
              compile.reference ? own_niceness() : std::min(19, own_niceness() + increment))
        << (compile.reference ? "the reference" : "the config");
  EXPECT_NE(seen[0].reference, seen[1].reference);
}

}  // namespace

TEST(CompilePriority, ConfigsCompileTenNicerThanTunaAndTheReferenceAtItsOwnPriority) {
  TunaSandbox box("compile-nice-default");
  expect_niceness(compiles(box, {}), 10);
}

TEST(CompilePriority, TheFlagSetsTheIncrementAndZeroKeepsTunasOwn) {
  TunaSandbox box("compile-nice-flag");
  for (int increment : {3, 0}) {
    SCOPED_TRACE(increment);
    expect_niceness(compiles(box, {"--compile-nice", std::to_string(increment), "--cache-dir",
                                   (box.dir() / std::to_string(increment)).string()}),
                    increment);
  }
}

TEST(CompilePriority, ANicenessOutsideZeroToNineteenIsAUserError) {
  TunaSandbox box("compile-nice-range");
  ProcessResult run =
      box.run({"run", source_path("examples/host/rowsum/spec.toml"), "--compile-nice", "25"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--compile-nice"), std::string::npos) << run.output;
}
