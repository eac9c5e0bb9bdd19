// A run killed with SIGKILL loses nothing it measured, and the next run resumes from there.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <set>
#include <thread>

#include "cli_runner.hpp"

extern char** environ;

using namespace tuna;
using namespace tuna::testing;

namespace {

pid_t spawn_tuna(const TunaSandbox& box, const std::vector<std::string>& args) {
  std::vector<std::string> argv = box.argv(args);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (auto& [k, v] : box.env()) env_strings.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

TEST(Resume, SigkillLosesNothingAndTheNextRunReusesEverything) {
  TunaSandbox box("resume");
  std::string spec = source_path("tests/integration/kernels/slow_sum.toml");
  std::vector<std::string> args = {"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                                   "--timing-budget", "150", "--shootout-rounds", "0", "-j", "1",
                                   "--batch", "1"};
  pid_t pid = spawn_tuna(box, args);
  ASSERT_GT(pid, 0);

  // Wait until some results are stored, then kill tuna without warning.
  std::size_t before_kill = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!std::filesystem::exists(box.db())) continue;
    before_kill = stored_results(box.db(), spec).size();
    if (before_kill >= 4) break;
  }
  ASSERT_GE(before_kill, 4u) << "tuna stored too few results before the deadline";
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  std::vector<Result> after_kill = stored_results(box.db(), spec);
  ASSERT_GE(after_kill.size(), before_kill) << "results were lost by the kill";
  ASSERT_LT(after_kill.size(), 24u) << "the run finished before it could be killed";
  for (const Result& r : after_kill) EXPECT_TRUE(r.ok()) << r.key << ": " << r.message;

  // Start again: everything stored is reused, the rest measured, and all 24 configs end stored.
  ProcessResult again = box.run(args);
  ASSERT_TRUE(again.ok()) << again.describe() << "\n" << again.output;
  std::string reused = std::to_string(after_kill.size()) + " reused from the store";
  EXPECT_NE(again.output.find(reused), std::string::npos) << again.output;
  std::vector<Result> final_results = stored_results(box.db(), spec);
  EXPECT_EQ(final_results.size(), 24u);
  std::set<std::string> keys;
  for (const Result& r : final_results) keys.insert(r.key);
  for (const Result& r : after_kill) EXPECT_TRUE(keys.count(r.key)) << r.key;
}

TEST(Resume, FreshRemeasuresInsteadOfReusing) {
  TunaSandbox box("fresh");
  std::string spec = source_path("tests/integration/kernels/slow_sum.toml");
  std::vector<std::string> args = {"tune", spec, "--max-evals", "3", "--timing-budget", "5",
                                   "--shootout-rounds", "0"};
  ProcessResult first = box.run(args);
  ASSERT_TRUE(first.ok()) << first.output;
  EXPECT_NE(first.output.find("3 measured, 0 reused"), std::string::npos) << first.output;
  ProcessResult second = box.run(args);
  ASSERT_TRUE(second.ok()) << second.output;
  EXPECT_NE(second.output.find("0 measured, 3 reused"), std::string::npos) << second.output;
  args.push_back("--fresh");
  ProcessResult third = box.run(args);
  ASSERT_TRUE(third.ok()) << third.output;
  EXPECT_NE(third.output.find("3 measured, 0 reused"), std::string::npos) << third.output;
}

// Ctrl-C: the run stops after the configs in flight, even in the middle of a large batch, and
// ends as "interrupted" with everything it measured stored.
TEST(Resume, SigintStopsAfterTheConfigsInFlight) {
  TunaSandbox box("sigint");
  std::string spec = source_path("tests/integration/kernels/slow_sum.toml");
  // One batch holds all 23 configs after the default (host backend: compiled in rounds of -j,
  // then run); --sync-batches, so that lookahead does not cut it into smaller ones.
  std::vector<std::string> args = {"tune", spec, "--strategy", "exhaustive", "--max-evals", "0",
                                   "--timing-budget", "150", "--shootout-rounds", "0", "-j", "2",
                                   "--batch", "24", "--sync-batches"};
  pid_t pid = spawn_tuna(box, args);
  ASSERT_GT(pid, 0);
  std::size_t before = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && before < 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::filesystem::exists(box.db())) before = stored_results(box.db(), spec).size();
  }
  ASSERT_GE(before, 3u) << "tuna stored too few results before the deadline";
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "tuna died of the signal instead of stopping";
  EXPECT_EQ(WEXITSTATUS(status), 130);
  std::size_t after = stored_results(box.db(), spec).size();
  // At most the configs in flight were added: a round of -j compiles and their runs.
  EXPECT_LE(after, before + 2) << "the batch went on after Ctrl-C";
  EXPECT_LT(after, 24u);
  Store store(box.db());
  std::optional<std::pair<RunRecord, StoreContext>> run = store.run(1);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->first.outcome, "interrupted");
}
