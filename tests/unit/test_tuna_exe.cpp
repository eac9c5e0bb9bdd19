// Where the evaluator finds the tuna binary it starts children of (base/paths.hpp): $TUNA_EXE,
// then the tuna installed with the package an application was built against (registered before
// main by the source tunaConfig.cmake adds; docs/package.md), then the tuna beside the program.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "base/paths.hpp"

namespace fs = std::filesystem;

namespace {

class TunaExe : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* env = std::getenv("TUNA_EXE")) saved_ = env;
    ::unsetenv("TUNA_EXE");
    dir_ = fs::temp_directory_path() / ("tuna-exe-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "bin");
    installed_ = dir_ / "bin" / "tuna";
    std::ofstream(installed_) << "#!/bin/sh\n";
  }
  void TearDown() override {
    tuna::register_installed_tuna_exe(nullptr);
    if (saved_) ::setenv("TUNA_EXE", saved_->c_str(), 1);
    fs::remove_all(dir_);
  }

  std::optional<std::string> saved_;
  fs::path dir_, installed_;
};

TEST_F(TunaExe, EnvironmentWins) {
  tuna::register_installed_tuna_exe(installed_.c_str());
  ::setenv("TUNA_EXE", "/opt/elsewhere/tuna", 1);
  EXPECT_EQ(tuna::default_tuna_exe(), fs::path("/opt/elsewhere/tuna"));
}

TEST_F(TunaExe, InstalledTunaComesBeforeTheOneBesideTheProgram) {
  // This test program sits in build/tests/, one folder under build/tuna.
  tuna::register_installed_tuna_exe(installed_.c_str());
  EXPECT_EQ(tuna::default_tuna_exe(), installed_);
}

TEST_F(TunaExe, MissingInstalledTunaFallsBackToTheOneBesideTheProgram) {
  tuna::register_installed_tuna_exe((dir_ / "gone" / "tuna").c_str());
  EXPECT_EQ(fs::canonical(tuna::default_tuna_exe()), fs::canonical(TUNA_BINARY));
}

TEST_F(TunaExe, NothingRegisteredFindsTheOneBesideTheProgram) {
  EXPECT_EQ(fs::canonical(tuna::default_tuna_exe()), fs::canonical(TUNA_BINARY));
}

}  // namespace
