// Arguments read from files (`init = "file"`) and outputs checked against expected files
// (`reference = "expected"`): the .npy and raw formats, every mistake's message (file, line, key
// and fix), the spec's hash and TOML round trip, and the check itself through the evaluator on
// the host and OpenCL backends.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "backends/common/argument_data.hpp"
#include "core/array_file.hpp"
#include "eval/correctness.hpp"
#include "support/npy_writer.hpp"
#include "tuna/backend.hpp"
#include "tuna/evaluator.hpp"
#include "unit/spec_test_support.hpp"

namespace tuna::testing {
namespace {

namespace fs = std::filesystem;

// y = 2 x, plus 1 when WRONG is set: the expected file holds 2 x.
constexpr std::string_view kScaleSource = R"(
extern "C" void scale(const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] = 2.0f * x[i] + WRONG;
}
)";

constexpr std::string_view kBase = R"toml([kernel]
name = "scale"
source = "scale.cpp"
entry = "scale"

[problem]
N = 6

[params]
WRONG = { values = [0, 1], default = 0 }

[[args]]
name = "x"
type = "f32"
count = "N"
file = "x.npy"

[[args]]
name = "y"
type = "f32"
role = "output"
expected = "y.npy"

[[args]]
name = "n"
type = "i32"
value = "N"
)toml";

const std::vector<float> kX = {0.5f, -1.0f, 2.0f, 3.5f, -4.0f, 8.0f};

std::vector<float> doubled(const std::vector<float>& x) {
  std::vector<float> y;
  for (float v : x) y.push_back(2 * v);
  return y;
}

// What fill_initial puts in a buffer of `count` elements of the argument.
std::vector<unsigned char> filled(const Argument& a, std::int64_t count, std::size_t index = 0) {
  std::vector<unsigned char> bytes(static_cast<std::size_t>(count) * dtype_size(a.dtype));
  backends::fill_initial(a, 1, index, bytes.data(), count);
  return bytes;
}

template <class T>
std::vector<unsigned char> bytes_of(const std::vector<T>& values) {
  std::vector<unsigned char> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

class ArgFiles : public SpecFolder {
 protected:
  void SetUp() override {
    SpecFolder::SetUp();
    write("scale.cpp", kScaleSource);
    write_npy(dir_ / "x.npy", kX);
    write_npy(dir_ / "y.npy", doubled(kX));
  }
  // kBase with `from` replaced by `to`.
  static std::string with(std::string_view from, std::string_view to) {
    return replaced(kBase, from, to);
  }
  static int line(std::string_view text, std::string_view needle) {
    return line_containing(text, needle);
  }
  // Loads kBase after `x.npy` was rewritten by `write_x`; expects the error at args[0].file.
  template <class WriteX>
  void expect_x_error(WriteX write_x, std::initializer_list<std::string_view> parts) {
    write_x(dir_ / "x.npy");
    expect_error(kBase, line(kBase, "file = \"x.npy\""), "args[0].file", parts);
  }
};

// --- Formats --------------------------------------------------------------------------------

TEST_F(ArgFiles, ANpyFileFillsTheBufferAndItsPathBecomesAbsolute) {
  const KernelSpec spec = load(kBase);
  const Argument& x = spec.arguments[0];
  EXPECT_TRUE(x.is_buffer);
  EXPECT_EQ(x.init, InitKind::File);
  EXPECT_EQ(x.file, dir_ / "x.npy");
  EXPECT_EQ(filled(x, 6), bytes_of(kX));
  EXPECT_EQ(spec.arguments[1].expected, dir_ / "y.npy");
}

TEST_F(ArgFiles, NpyFormatVersions2And3AreRead) {
  for (int major : {2, 3}) {
    SCOPED_TRACE(major);
    NpyHeader h;
    h.major = major;
    write_npy(dir_ / "x.npy", kX, h);
    EXPECT_EQ(filled(load(kBase).arguments[0], 6), bytes_of(kX));
  }
}

TEST_F(ArgFiles, TheDataStartsAtAMultipleOf64AsNumpyWritesIt) {
  const ArrayFileLayout layout = inspect_array_file(dir_ / "x.npy", Dtype::F32);
  EXPECT_TRUE(layout.npy);
  EXPECT_EQ(layout.descr, "<f4");
  EXPECT_EQ(layout.data_offset % 64, 0u);
  EXPECT_EQ(layout.count, 6);
}

TEST_F(ArgFiles, EveryNumpyDtypeIsReadIntoItsType) {
  struct Case {
    const char* descr;
    const char* type;
    std::size_t size;
  };
  const Case cases[] = {{"<f2", "f16", 2}, {"<f4", "f32", 4}, {"<f8", "f64", 8}, {"|i1", "i8", 1},
                        {"<i2", "i16", 2}, {"<i4", "i32", 4}, {"<i8", "i64", 8}, {"|u1", "u8", 1},
                        {"<u2", "u16", 2}, {"<u4", "u32", 4}, {"<u8", "u64", 8}, {"|b1", "u8", 1}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.descr);
    std::vector<unsigned char> data(6 * c.size);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7 + 1);
    NpyHeader h;
    h.descr = c.descr;
    h.shape = {6};
    write_npy(dir_ / "x.npy", data, h);
    const KernelSpec spec =
        load(with("type = \"f32\"\ncount", std::string("type = \"") + c.type + "\"\ncount"));
    EXPECT_EQ(filled(spec.arguments[0], 6), data);
  }
}

TEST_F(ArgFiles, AMultiDimensionalShapeCountsEveryElement) {
  NpyHeader h;
  h.shape = {2, 3};
  write_npy(dir_ / "x.npy", kX, h);
  const KernelSpec spec = load(kBase);
  EXPECT_EQ(buffer_elements(spec.arguments[0], spec.constants), 6);
  EXPECT_EQ(filled(spec.arguments[0], 6), bytes_of(kX));
}

TEST_F(ArgFiles, AnEmptyShapeIsOneElement) {
  write_bytes(dir_ / "one.npy", npy_prefix({"<f4", {}, false, 1, ""}) + std::string(4, '\0'));
  EXPECT_EQ(inspect_array_file(dir_ / "one.npy", Dtype::F32).count, 1);
}

TEST_F(ArgFiles, OtherExtensionsAreRawLittleEndianElements) {
  const std::vector<double> values = {1.0, -2.5, 3.25, 4, 5, 6};
  write_raw(dir_ / "x.bin", values);
  const KernelSpec spec = load(with("type = \"f32\"\ncount = \"N\"\nfile = \"x.npy\"",
                                    "type = \"f64\"\ncount = \"N\"\nfile = \"x.bin\""));
  EXPECT_EQ(spec.arguments[0].file, dir_ / "x.bin");
  EXPECT_EQ(filled(spec.arguments[0], 6), bytes_of(values));
  const ArrayFileLayout layout = inspect_array_file(dir_ / "x.bin", Dtype::F64);
  EXPECT_FALSE(layout.npy);
  EXPECT_EQ(layout.count, 6);
}

TEST_F(ArgFiles, WithoutACountABufferTakesItsFilesElementCount) {
  // x: from its file; y (an output): from its expected file.
  const std::vector<float> seven = {1, 2, 3, 4, 5, 6, 7};
  write_npy(dir_ / "x.npy", seven);
  write_npy(dir_ / "y.npy", doubled(seven));
  const KernelSpec spec = load(with("count = \"N\"\n", ""));
  EXPECT_TRUE(spec.arguments[0].count.empty());
  EXPECT_EQ(buffer_elements(spec.arguments[0], spec.constants), 7);
  EXPECT_EQ(buffer_elements(spec.arguments[1], spec.constants), 7);
}

TEST_F(ArgFiles, InitFileIsImpliedByFileAndMayBeWritten) {
  EXPECT_EQ(load(with("file = \"x.npy\"", "init = \"file\"\nfile = \"x.npy\"")).arguments[0].init,
            InitKind::File);
}

TEST_F(ArgFiles, AnInoutStartsFromItsFileAndIsComparedWithItsExpectedFile) {
  const KernelSpec spec = load(with("count = \"N\"\nfile = \"x.npy\"",
                                    "count = \"N\"\nrole = \"inout\"\nfile = \"x.npy\"\n"
                                    "expected = \"y.npy\""));
  EXPECT_EQ(spec.arguments[0].role, ArgRole::InOut);
  EXPECT_EQ(spec.arguments[0].expected, dir_ / "y.npy");
  EXPECT_EQ(filled(spec.arguments[0], 6), bytes_of(kX));
}

// --- The reference ------------------------------------------------------------------------

TEST_F(ArgFiles, ExpectedFilesMakeExpectedTheDefaultReference) {
  EXPECT_EQ(load(kBase).check.reference, Reference::Expected);
  EXPECT_EQ(load(std::string(kBase) + "\n[check]\natol = 1e-3\n").check.reference,
            Reference::Expected);
  EXPECT_EQ(load(std::string(kBase) + "\n[check]\nreference = \"expected\"\n").check.reference,
            Reference::Expected);
  EXPECT_STREQ(reference_name(Reference::Expected), "expected");
  EXPECT_EQ(reference_from_name("expected"), Reference::Expected);
}

TEST_F(ArgFiles, TheExpectedReferenceHoldsOnlyOutputsWithAnExpectedFile) {
  // A second output, z, without an expected file: not compared.
  const std::string text =
      std::string(kBase) +
      "\n[[args]]\nname = \"z\"\ntype = \"f32\"\ncount = 2\nrole = \"output\"\n";
  const KernelSpec spec = load(text);
  const eval::ReferenceOutputs reference = eval::expected_reference(spec, spec.constants);
  ASSERT_EQ(reference.buffers.size(), 1u);
  EXPECT_EQ(reference.buffers[0].name, "y");
  EXPECT_EQ(reference.buffers[0].bytes, bytes_of(doubled(kX)));
  EXPECT_EQ(reference.max_magnitude[0], 16.0);

  OutputBuffer y{"y", Dtype::F32, bytes_of(doubled(kX))};
  OutputBuffer z{"z", Dtype::F32, bytes_of(std::vector<float>{1e9f, -1e9f})};
  EXPECT_TRUE(eval::check_outputs(reference, {y, z}, 1e-6, 0).ok);
  std::vector<float> off = doubled(kX);
  off[3] += 1;
  y.bytes = bytes_of(off);
  const eval::CheckOutcome check = eval::check_outputs(reference, {y, z}, 1e-6, 0);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.message.find("y[3] = 8, expected 7"), std::string::npos) << check.message;
}

TEST_F(ArgFiles, RtolScalesWithTheExpectedOutputsLargestMagnitude) {
  const KernelSpec spec = load(kBase);
  const eval::ReferenceOutputs reference = eval::expected_reference(spec, spec.constants);
  std::vector<float> off = doubled(kX);
  off[0] += 0.1f;  // within 1e-2 * max|y| = 0.16, not within 1e-3 * 16
  const OutputBuffer y{"y", Dtype::F32, bytes_of(off)};
  EXPECT_TRUE(eval::check_outputs(reference, {y}, 0, 1e-2).ok);
  EXPECT_FALSE(eval::check_outputs(reference, {y}, 0, 1e-3).ok);
}

// --- Hash and round trip ------------------------------------------------------------------

TEST_F(ArgFiles, TheContentHashFollowsTheBytesOfEveryDataFile) {
  const std::string h = load(kBase).content_hash();
  std::vector<float> changed = kX;
  changed[5] = 9;
  write_npy(dir_ / "x.npy", changed);
  EXPECT_NE(load(kBase).content_hash(), h);
  write_npy(dir_ / "x.npy", kX);
  EXPECT_EQ(load(kBase).content_hash(), h);
  write_npy(dir_ / "y.npy", doubled(changed));
  EXPECT_NE(load(kBase).content_hash(), h);
  write_npy(dir_ / "y.npy", doubled(kX));
  // Moving the kernel's folder keeps the hash, as it does for the source.
  fs::create_directories(dir_ / "moved");
  for (const char* name : {"scale.cpp", "x.npy", "y.npy"})
    fs::copy_file(dir_ / name, dir_ / "moved" / name);
  EXPECT_EQ(load(kBase, "moved/spec.toml").content_hash(), h);
}

TEST_F(ArgFiles, SpecTextRoundTripsFileExpectedAndAnOmittedCount) {
  const KernelSpec spec = load(kBase);
  const std::string text = spec_to_toml(spec);
  EXPECT_NE(text.find("file = \"" + (dir_ / "x.npy").string() + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("expected = \"" + (dir_ / "y.npy").string() + "\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("init = \"file\""), std::string::npos) << text;
  const KernelSpec back = parse_spec(text, dir_ / "elsewhere" / "spec.toml");
  EXPECT_EQ(back.arguments[0].file, dir_ / "x.npy");
  EXPECT_TRUE(back.arguments[1].count.empty());
  EXPECT_EQ(back.arguments[1].expected, dir_ / "y.npy");
  EXPECT_EQ(back.check.reference, Reference::Expected);
  EXPECT_EQ(spec_to_toml(back), text);
  EXPECT_EQ(back.content_hash(), spec.content_hash());
}

// --- Mistakes in the spec -----------------------------------------------------------------

TEST_F(ArgFiles, AMissingFileNamesItAndTheSpecFolder) {
  const std::string text = with("file = \"x.npy\"", "file = \"data/nope.npy\"");
  expect_error(text, line(text, "nope.npy"), "args[0].file",
               {"data file '" + (dir_ / "data" / "nope.npy").string() + "' does not exist",
                "relative to the spec file's folder (" + dir_.string() + ")"});
}

TEST_F(ArgFiles, AFolderIsNotAFile) {
  fs::create_directories(dir_ / "x.npy.d");
  const std::string text = with("file = \"x.npy\"", "file = \"x.npy.d\"");
  expect_error(text, line(text, "x.npy.d"), "args[0].file", {"x.npy.d' is not a regular file"});
}

TEST_F(ArgFiles, AnUnreadableFileSaysSo) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  ::chmod((dir_ / "x.npy").c_str(), 0);
  expect_error(kBase, line(kBase, "file = \"x.npy\""), "args[0].file",
               {"x.npy' cannot be opened for reading", "Check its permissions"});
}

TEST_F(ArgFiles, ATruncatedFileSaysHowMuchIsMissing) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, kX);
        fs::resize_file(p, fs::file_size(p) - 3);
      },
      {"x.npy' is truncated", "declares 6 elements of shape (6,) (24 bytes)",
       "only 21 bytes of data", "numpy.save(path, arr)"});
  expect_x_error(
      [](const fs::path& p) {
        write_bytes(p, npy_prefix({"<f4", {6}}).substr(0, 40));
      },
      {"x.npy' is truncated: its header of", "ends past the end of the file"});
}

TEST_F(ArgFiles, BytesAfterTheDataAreAnError) {
  expect_x_error(
      [](const fs::path& p) {
        std::vector<float> seven = kX;
        seven.push_back(1);
        write_npy(p, seven, {"<f4", {6}});
      },
      {"x.npy' has 4 bytes after the 6 elements its header declares"});
}

TEST_F(ArgFiles, ANpyFileWithoutTheMagicIsNotRead) {
  expect_x_error([](const fs::path& p) { write_raw(p, kX); },
                 {"does not start with the .npy magic bytes", "another extension"});
}

TEST_F(ArgFiles, AnUnknownFormatVersionIsNamed) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, kX, {"<f4", {}, false, 4});
      },
      {"x.npy' has .npy format version 4.0; tuna reads 1.0, 2.0 and 3.0"});
}

TEST_F(ArgFiles, AMalformedHeaderIsAnError) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, kX, {"<f4", {6}, false, 1, "{'descr': <f4, 'shape': (6,)}"});
      },
      {"x.npy' has a .npy header that", "numpy.save"});
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, kX, {"<f4", {6}, false, 1, "{'descr': '<f4', 'shape': (6,), }"});
      },
      {"without 'descr', 'fortran_order' or 'shape'"});
}

TEST_F(ArgFiles, FortranOrderIsRefusedWithTheFix) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, kX, {"<f4", {2, 3}, true});
      },
      {"x.npy' holds its array in Fortran (column-major) order",
       "numpy.save(path, numpy.ascontiguousarray(arr))"});
}

TEST_F(ArgFiles, BigEndianIsRefusedWithTheFix) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, kX, {">f4", {6}});
      },
      {"x.npy' is big-endian (dtype >f4)", "numpy.save(path, arr.astype('<f4'))"});
}

TEST_F(ArgFiles, ObjectAndStructuredDtypesAreRefused) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, std::vector<std::uint64_t>(6), {"|O", {6}});
      },
      {"x.npy' holds Python objects (dtype object)", "arr.astype(numpy.float32)"});
  expect_x_error(
      [](const fs::path& p) {
        write_npy(
            p, kX,
            {"",
             {},
             false,
             1,
             "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (3,), }"});
      },
      {"x.npy' has a structured dtype", "arr['name']"});
}

TEST_F(ArgFiles, AnUnsupportedDtypeListsWhatIsRead) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, std::vector<float>(12), {"<c8", {6}});
      },
      {"x.npy' has dtype '<c8', which tuna does not read", "float16/32/64",
       "arr.astype(numpy.float32)"});
}

TEST_F(ArgFiles, ADtypeOtherThanTheArgumentsTypeSaysHowToConvert) {
  expect_x_error(
      [](const fs::path& p) { write_npy(p, std::vector<double>(kX.begin(), kX.end()), {"<f8"}); },
      {"x.npy' has dtype <f8 (f64), but the argument's type is f32",
       "Write it with arr.astype(numpy.float32), or set the argument's type = \"f64\""});
  write_npy(dir_ / "x.npy", std::vector<std::uint8_t>(6, 1), {"|b1", {6}});
  const std::string text = with("type = \"f32\"\ncount", "type = \"i8\"\ncount");
  expect_error(
      text, line(text, "file = \"x.npy\""), "args[0].file",
      {"dtype |b1 (bool, read as u8), but the argument's type is i8", "arr.astype(numpy.int8)"});
}

TEST_F(ArgFiles, ACountOtherThanTheFilesSaysBoth) {
  const std::string text = with("N = 6", "N = 7");
  expect_error(text, line(text, "file = \"x.npy\""), "args[0].file",
               {"x.npy' holds 6 elements (shape (6,)), but the argument's count 'N' is 7",
                "Save an array of 7 elements, or change count"});
}

TEST_F(ArgFiles, AnExpectedFileOfAnotherSizeIsAnError) {
  write_npy(dir_ / "y.npy", std::vector<float>(5));
  std::string text = with("role = \"output\"", "role = \"output\"\ncount = \"N\"");
  expect_error(text, line(text, "expected = \"y.npy\""), "args[1].expected",
               {"y.npy' holds 5 elements (shape (5,)), but the argument's count 'N' is 6"});
  // Without counts, the expected file is held to the input file's count.
  text = with("count = \"N\"\n", "");
  text = replaced(text, "name = \"y\"", "name = \"y\"\nfile = \"x.npy\"");
  text = replaced(text, "role = \"output\"", "role = \"inout\"");
  expect_error(text, line(text, "expected = \"y.npy\""), "args[1].expected",
               {"y.npy' holds 5 elements", "but the argument's file", "x.npy' holds 6 elements"});
}

TEST_F(ArgFiles, ARawFileOfPartialElementsIsAnError) {
  write_bytes(dir_ / "x.bin", std::string(7, '\1'));
  std::string text = with("file = \"x.npy\"", "file = \"x.bin\"");
  expect_error(text, line(text, "x.bin"), "args[0].file",
               {"x.bin' has 7 bytes, not a whole number of f32 elements (4 bytes each)",
                "arr.astype(numpy.float32).tofile(path)"});
  write_bytes(dir_ / "x.bin", "");
  expect_error(text, line(text, "x.bin"), "args[0].file", {"x.bin' is empty"});
}

TEST_F(ArgFiles, AnEmptyArrayIsAnError) {
  expect_x_error(
      [](const fs::path& p) {
        write_npy(p, std::vector<float>{}, {"<f4", {0, 3}});
      },
      {"x.npy' holds no elements (shape (0, 3))"});
}

TEST_F(ArgFiles, InitFileNeedsAFileAndAFileNeedsInitFile) {
  std::string text = with("file = \"x.npy\"", "init = \"file\"");
  expect_error(text, line(text, "init = \"file\""), "args[0].init",
               {"init = \"file\" needs the file to read", "Add file = \"<name>.npy\""});
  text = with("file = \"x.npy\"", "init = \"random\"\nfile = \"x.npy\"");
  expect_error(text, line(text, "file = \"x.npy\""), "args[0].file",
               {"file is read with init = \"file\", but init is 'random'", "set init = \"file\""});
  text = with("file = \"x.npy\"", "file = \"\"");
  expect_error(text, line(text, "file = \"\""), "args[0].file", {"the path is empty"});
}

TEST_F(ArgFiles, AnOutputHasNoFileToStartFrom) {
  const std::string text = with("expected = \"y.npy\"", "file = \"x.npy\"\nexpected = \"y.npy\"");
  expect_error(
      text, line(text, "name = \"y\"") - 1, "args[1].init",
      {"'y' is an output: it starts every run from a poison pattern", "Set role = \"inout\""});
}

TEST_F(ArgFiles, AnInputHasNoExpectedOutput) {
  const std::string text = with("file = \"x.npy\"", "file = \"x.npy\"\nexpected = \"y.npy\"");
  expect_error(text, line(text, "expected = \"y.npy\""), "args[0].expected",
               {"'x' is an input", "Set role = \"output\" (or \"inout\")"});
}

TEST_F(ArgFiles, ReferenceExpectedNeedsAnExpectedFile) {
  const std::string text =
      with("expected = \"y.npy\"", "count = \"N\"") + "\n[check]\nreference = \"expected\"\n";
  expect_error(text, line(text, "reference = "), "check.reference",
               {"no argument has expected", "Add expected = \"<name>.npy\" to the output buffers"});
}

TEST_F(ArgFiles, ExpectedFilesWithAnotherReferenceAreAnError) {
  const std::string text = std::string(kBase) + "\n[check]\nreference = \"default\"\n";
  expect_error(text, line(text, "expected = \"y.npy\""), "args[1].expected",
               {"compared only with [check] reference = \"expected\", but reference is 'default'",
                "Set reference = \"expected\" in [check] (or leave reference out"});
}

TEST_F(ArgFiles, AnUnknownInitListsFile) {
  const std::string text = with("file = \"x.npy\"", "init = \"fil\"");
  expect_error(text, line(text, "init = \"fil\""), "args[0].init",
               {"did you mean 'file'?", "'file'"});
}

TEST_F(ArgFiles, ACountReadingDeviceFactsIsCheckedOnTheDevice) {
  const std::string text = with("count = \"N\"", "count = \"3 * device.cores\"");
  const KernelSpec spec = load(text);  // the count is unknown until a device says
  DeviceInfo two, three;
  two.facts.set("cores", Value(2));
  three.facts.set("cores", Value(3));
  EXPECT_NO_THROW(spec.make_space(two));
  try {
    spec.make_space(three);
    ADD_FAILURE() << "a count of 9 for a file of 6 elements was accepted";
  } catch (const UserError& e) {
    const std::string message = e.what();
    const std::string head = (dir_ / "spec.toml").string() + ":" +
                             std::to_string(line(text, "[[args]]")) + ": args[0].file: ";
    EXPECT_EQ(message.rfind(head, 0), 0u) << message;
    EXPECT_NE(message.find("count '3 * device.cores' is 9"), std::string::npos) << message;
  }
}

TEST_F(ArgFiles, ASpecBuiltThroughTheApiNamesTheKernel) {
  KernelSpec spec = load(kBase);
  spec.spec_path.clear();
  spec.arguments[0].file = dir_ / "gone.npy";
  try {
    validate_spec(spec);
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("kernel spec 'scale': args[0].file: data file", 0), 0u)
        << e.what();
  }
  spec.arguments[0].file.clear();
  EXPECT_THROW(validate_spec(spec), UserError);  // init = file without a file
}

// --- When a run reads the files -------------------------------------------------------------

TEST_F(ArgFiles, AFileChangedAfterLoadingIsNamedWhenTheRunReadsIt) {
  const KernelSpec spec = load(kBase);
  write_npy(dir_ / "x.npy", std::vector<float>(5));
  try {
    filled(spec.arguments[0], 6);
    ADD_FAILURE() << "a file of 5 elements filled 6";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("args.x.file: '" + (dir_ / "x.npy").string() +
                                              "' holds 5 elements, but the argument has 6",
                                          0),
              0u)
        << e.what();
  }
  write_npy(dir_ / "y.npy", std::vector<double>(6), {"<f8"});
  try {
    eval::expected_reference(spec, spec.constants);
    ADD_FAILURE() << "an f64 expected file was read for an f32 output";
  } catch (const UserError& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind("args.y.expected: '" + (dir_ / "y.npy").string() +
                                        "' has dtype <f8 (f64), but the argument's type is f32",
                                    0),
        0u)
        << e.what();
  }
}

// --- Through the evaluator: every backend checks against the expected file -----------------

EvaluatorOptions evaluator_options(const fs::path& dir) {
  EvaluatorOptions o;
  o.exe = TUNA_BINARY;
  o.cache_dir = dir / "cache";
  o.compile_jobs = 2;
  o.run_timeout_s = 60;
  o.timing.budget_ms = 5;
  o.timing.min_repetitions = 2;
  return o;
}

// WRONG=0 computes the expected output and WRONG=1 does not. The default is the wrong one, so a
// check against the default config would get both verdicts backwards.
void expect_verdicts(const KernelSpec& spec, const fs::path& dir) {
  Evaluator evaluator(spec, evaluator_options(dir));
  const Space& space = evaluator.space();
  const std::vector<Result> results =
      evaluator.evaluate({space.parse_key("WRONG=0"), space.parse_key("WRONG=1")});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, Status::Ok) << results[0].error_class << ": " << results[0].message;
  EXPECT_EQ(results[0].max_abs_error, 0);
  EXPECT_EQ(results[1].status, Status::WrongResult) << results[1].message;
  EXPECT_EQ(results[1].error_class, "mismatch");
  EXPECT_NE(results[1].message.find("y[0] = 2, expected 1"), std::string::npos)
      << results[1].message;
}

TEST_F(ArgFiles, TheHostBackendChecksEveryConfigAgainstTheExpectedFile) {
  expect_verdicts(load(with("default = 0", "default = 1")), dir_);
}

TEST_F(ArgFiles, AnInoutIsRestoredFromItsFileBeforeEachCheckedRun) {
  // acc += 2 x (+ 1 when WRONG): starts from acc.npy, compared with acc + 2 x.
  write("accumulate.cpp", R"(
extern "C" void accumulate(const float* x, float* acc, int n) {
  for (int i = 0; i < n; ++i) acc[i] += 2.0f * x[i] + WRONG;
}
)");
  const std::vector<float> acc0 = {1, 1, 1, 1, 1, 1};
  std::vector<float> want = doubled(kX);
  for (float& v : want) v += 1;
  write_npy(dir_ / "acc.npy", acc0);
  write_npy(dir_ / "acc_expected.npy", want);
  std::string text = with("default = 0", "default = 1");
  text = replaced(text, "source = \"scale.cpp\"\nentry = \"scale\"",
                  "source = \"accumulate.cpp\"\nentry = \"accumulate\"");
  text = replaced(text, "name = \"y\"\ntype = \"f32\"\nrole = \"output\"\nexpected = \"y.npy\"",
                  "name = \"y\"\ntype = \"f32\"\nrole = \"inout\"\nfile = \"acc.npy\"\n"
                  "expected = \"acc_expected.npy\"");
  const KernelSpec spec = load(text);
  Evaluator evaluator(spec, evaluator_options(dir_));
  const Space& space = evaluator.space();
  // Each config runs several times after its check; a worker that did not restore the file's
  // contents before the next check would fail the second config.
  const std::vector<Result> results = evaluator.evaluate(
      {space.parse_key("WRONG=0"), space.parse_key("WRONG=1"), space.parse_key("WRONG=0")});
  EXPECT_EQ(results[0].status, Status::Ok) << results[0].message;
  EXPECT_EQ(results[1].status, Status::WrongResult) << results[1].message;
  EXPECT_NE(results[1].message.find("y[0] = 3, expected 2"), std::string::npos)
      << results[1].message;
}

constexpr std::string_view kScaleOpenCl = R"(
__kernel void scale(__global const float* x, __global float* y, int n) {
  int i = get_global_id(0);
  if (i < n) y[i] = 2.0f * x[i] + WRONG;
}
)";

TEST_F(ArgFiles, TheOpenClBackendChecksEveryConfigAgainstTheExpectedFile) {
#if !defined(TUNA_HAVE_OPENCL)
  GTEST_SKIP() << "this tuna was built without the OpenCL backend";
#endif
  try {
    make_backend("opencl");
  } catch (const UserError& e) {
    GTEST_SKIP() << "no OpenCL device: " << e.what();
  }
  write("scale.cl", kScaleOpenCl);
  std::string text = with("default = 0", "default = 1");
  text = replaced(text, "source = \"scale.cpp\"", "backend = \"opencl\"\nsource = \"scale.cl\"");
  text += "\n[launch]\ngrid = [\"N\"]\nblock = [1]\n";
  expect_verdicts(load(text), dir_);
}

constexpr std::string_view kScaleCuda = R"(
extern "C" __global__ void scale(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = 2.0f * x[i] + WRONG;
}
)";

TEST_F(ArgFiles, TheCudaBackendChecksEveryConfigAgainstTheExpectedFile) {
#if !defined(TUNA_HAVE_CUDA)
  GTEST_SKIP() << "this tuna was built without the CUDA backend";
#endif
  try {
    make_backend("cuda")->device_info();  // opens the driver and the device
  } catch (const UserError& e) {
    GTEST_SKIP() << "no CUDA device: " << e.what();
  }
  write("scale.cu", kScaleCuda);
  std::string text = with("default = 0", "default = 1");
  text = replaced(text, "source = \"scale.cpp\"", "backend = \"cuda\"\nsource = \"scale.cu\"");
  text += "\n[launch]\ngrid = [\"N\"]\nblock = [1]\n";
  expect_verdicts(load(text), dir_);
}

}  // namespace
}  // namespace tuna::testing
