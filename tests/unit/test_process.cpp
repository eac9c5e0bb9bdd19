// run_process: exit codes, captured output, stdin, timeouts that kill the whole process group,
// signals, environment and working directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "base/process.hpp"

namespace tuna {
namespace {

ProcessResult sh(const std::string& script, RunProcessOptions options = {}) {
  return run_process({"/bin/sh", "-c", script}, options);
}

// A zombie counts as dead: it was killed, and whether its new parent reaps it soon is not ours
// to test (PID 1 in a container may not).
bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         line[close_paren + 2] != 'Z' && line[close_paren + 2] != 'X';
}

TEST(RunProcess, ReportsExitCodes) {
  ProcessResult zero = sh("exit 0");
  EXPECT_TRUE(zero.started);
  EXPECT_TRUE(zero.ok());
  EXPECT_EQ(zero.exit_code, 0);
  EXPECT_EQ(zero.signal, 0);

  ProcessResult three = sh("exit 3");
  EXPECT_FALSE(three.ok());
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.describe(), "exit status 3");
}

TEST(RunProcess, CapturesStdoutAndStderrInterleaved) {
  ProcessResult r = sh("echo one; echo two >&2; echo three");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output, "one\ntwo\nthree\n");
  EXPECT_FALSE(r.output_truncated);
}

TEST(RunProcess, CapturesLargeOutputWithoutDeadlock) {
  // Far more than a pipe buffer (64 KiB): the child must never block on a full pipe.
  ProcessResult r = sh("i=0; while [ $i -lt 20000 ]; do echo 0123456789abcdef; i=$((i+1)); done");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output.size(), 20000u * 17u);
}

TEST(RunProcess, TruncatesOutputBeyondTheLimitButKeepsTheStart) {
  RunProcessOptions options;
  options.max_output_bytes = 10;
  ProcessResult r = sh("echo first-line; echo second-line", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output, "first-line");
  EXPECT_TRUE(r.output_truncated);
}

TEST(RunProcess, FeedsStdin) {
  RunProcessOptions options;
  options.stdin_text = "hello\nworld\n";
  ProcessResult r = run_process({"cat"}, options);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.output, "hello\nworld\n");
}

TEST(RunProcess, FeedsLargeStdinToAReaderThatAlsoWrites) {
  RunProcessOptions options;
  options.stdin_text.assign(1 << 20, 'x');
  ProcessResult r = run_process({"wc", "-c"}, options);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(std::stoul(r.output), 1u << 20);
}

TEST(RunProcess, ReaderThatStopsEarlyDoesNotHurtTheCaller) {
  RunProcessOptions options;
  options.stdin_text.assign(4 << 20, 'y');
  ProcessResult r = run_process({"head", "-c", "3"}, options);
  ASSERT_TRUE(r.started);
  EXPECT_EQ(r.output, "yyy");
}

TEST(RunProcess, StdinIsEmptyWhenNotGiven) {
  ProcessResult r = run_process({"cat"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output, "");
}

TEST(RunProcess, TimeoutKillsTheWholeProcessGroup) {
  auto dir =
      std::filesystem::temp_directory_path() / ("tuna_test_process_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto pid_file = dir / "child.pid";
  RunProcessOptions options;
  options.timeout_s = 0.5;
  // The shell starts a sleeping child, records its pid, then waits: both must die.
  auto start = std::chrono::steady_clock::now();
  ProcessResult r =
      sh("sleep 30 & echo $! > '" + pid_file.string() + "'; echo started; wait", options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.output, "started\n");
  EXPECT_LT(seconds, 5.0);
  EXPECT_GE(r.elapsed_ms, 450.0);
  EXPECT_NE(r.describe().find("timed out"), std::string::npos);

  pid_t child = 0;
  std::ifstream(pid_file) >> child;
  ASSERT_GT(child, 0);
  // The sleeper was a child of the killed shell; init reaps it shortly after SIGKILL.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !process_alive(child);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the grandchild " << child << " survived the timeout";
  std::filesystem::remove_all(dir);
}

TEST(RunProcess, LeftoverBackgroundProcessesDoNotBlockTheCall) {
  // The shell exits at once but its background child holds the output pipe open.
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = sh("sleep 30 & echo done");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, "done\n");
  EXPECT_LT(seconds, 5.0);
}

TEST(RunProcess, ReportsTheSignalThatKilledTheCommand) {
  ProcessResult r = sh("kill -SEGV $$");
  EXPECT_TRUE(r.started);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.describe(), "killed by SIGSEGV");
}

TEST(RunProcess, MissingCommandIsReportedNotThrown) {
  ProcessResult r = run_process({"tuna-no-such-command-xyz"});
  EXPECT_FALSE(r.started);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.spawn_error.find("tuna-no-such-command-xyz"), std::string::npos);
}

TEST(RunProcess, PassesExtraEnvironmentAndOverridesExisting) {
  RunProcessOptions options;
  options.extra_env = {{"TUNA_TEST_VALUE", "forty two"}, {"HOME", "/nonexistent-home"}};
  ProcessResult r = sh("echo \"$TUNA_TEST_VALUE|$HOME\"", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output, "forty two|/nonexistent-home\n");
}

TEST(RunProcess, RunsInTheGivenWorkingDirectory) {
  RunProcessOptions options;
  options.working_dir = std::filesystem::temp_directory_path();
  ProcessResult r = run_process({"pwd", "-P"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output, std::filesystem::canonical(options.working_dir).string() + "\n");
}

TEST(RunProcess, RunsInItsOwnProcessGroup) {
  ProcessResult r = sh("cut -d' ' -f5 /proc/$$/stat");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(std::stol(r.output), static_cast<long>(::getpgrp()));
}

}  // namespace
}  // namespace tuna
