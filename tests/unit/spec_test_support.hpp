#pragma once
// Shared by test_spec.cpp and test_spec_errors.cpp: a temporary folder holding a kernel source
// and spec files, and helpers to load a spec and capture the error it raises.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna::testing {

// A host matmul spec that uses every section; the error tests edit one line of it.
inline constexpr std::string_view kMatmulSpec = R"toml([kernel]
name = "matmul"
backend = "host"
source = "matmul.cpp"
entry = "matmul"
description = "C = A * B for row-major matrices"
flags = ["-O3", "-ffast-math"]

[problem]
M = 64
N = 64
K = 32
alpha = 1.5

[params]
BM = { values = [8, 16, 32], default = 16, description = "rows of C per tile" }
BN = { pow2 = [4, 32], default = 8 }
UNROLL = { range = [1, 4], step = 1, default = 2 }
LOOP = { values = ["ijk", "ikj"], default = "ikj" }
PACK = { type = "bool", default = false }

[constraints]
tile_divides_m = "M % BM == 0"
small_tile = "BM * BN <= 512"

[[args]]
name = "A"
type = "f32"
count = "M * K"
role = "input"
init = "random"
range = [-2.0, 2.0]

[[args]]
name = "B"
type = "float"
count = "K * N"

[[args]]
name = "C"
type = "f32"
count = "M * N"
role = "output"

[[args]]
name = "n"
type = "i32"
value = "M"

[check]
reference = "default"
atol = 1e-5
rtol = 1e-4

[metrics]
flops = "2 * M * N * K"
bytes = "4 * (M * K + K * N + M * N)"
)toml";

// The 1-based line of the first line of `text` that contains `needle` (0 if none).
inline int line_containing(std::string_view text, std::string_view needle) {
  int line = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (text.substr(start, end - start).find(needle) != std::string_view::npos) return line;
    start = end + 1;
    ++line;
  }
  return 0;
}

// `text` with the first occurrence of `from` replaced by `to`; fails the test when absent.
inline std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  const std::size_t at = out.find(from);
  EXPECT_NE(at, std::string::npos) << "the base spec has no '" << from << "'";
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

class SpecFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tuna_spec_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    write("matmul.cpp", "extern \"C\" void matmul(const float*, const float*, float*, int) {}\n");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path write(const std::string& name, std::string_view text) const {
    const auto path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  KernelSpec load(std::string_view text, const std::string& name = "spec.toml") const {
    return load_spec(write(name, text));
  }
  // The message of the UserError that loading `text` raises ("" and a test failure if none).
  std::string error_of(std::string_view text) const {
    try {
      load(text);
    } catch (const UserError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the spec loaded without error:\n" << text;
    return {};
  }
  // Loads `text`, expects a UserError that starts with `spec.toml:<line>: <key>` and contains
  // every one of `parts`.
  void expect_error(std::string_view text, int line, std::string_view key,
                    std::initializer_list<std::string_view> parts) const {
    const std::string message = error_of(text);
    const std::string head = (dir_ / "spec.toml").string() + ":" + std::to_string(line) + ": ";
    EXPECT_EQ(message.rfind(head, 0), 0u) << "expected to start with '" << head << "': " << message;
    EXPECT_NE(message.find(std::string(key) + ": "), std::string::npos)
        << "no key '" << key << "' in: " << message;
    for (auto part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << "no '" << part << "' in: " << message;
  }

  std::filesystem::path dir_;
};

}  // namespace tuna::testing
