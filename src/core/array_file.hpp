#pragma once
// Arrays read from files, for the data files of [[args]] (`init = "file"`, `expected`): NumPy
// .npy files (format versions 1.0, 2.0 and 3.0; little-endian, C order) and, for any other
// extension, raw little-endian elements whose count is the file's size over the element size.
// A front end that holds NumPy arrays (Kernel Tuner's tune_kernel convention) writes them with
// numpy.save, so the common case needs no conversion at all.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tuna/errors.hpp"
#include "tuna/spec.hpp"

namespace tuna {

// A file that cannot serve as an argument's data: what is wrong (naming the file) and how to
// fix it, kept apart so that a spec error can put its own file, line and key in front.
class ArrayFileError : public UserError {
 public:
  ArrayFileError(std::string problem, std::string fix);
  const std::string& problem() const { return problem_; }
  const std::string& fix() const { return fix_; }

 private:
  std::string problem_;
  std::string fix_;
};

struct ArrayFileLayout {
  bool npy = false;                 // false: raw elements
  std::string descr;                // npy: the dtype as written ("<f4"); raw: empty
  std::vector<std::int64_t> shape;  // npy: as written; raw: {count}
  std::int64_t count = 0;           // elements: the product of the shape
  std::uint64_t data_offset = 0;    // bytes before the first element
};

// Reads the header of `path` (.npy) or its size (raw) and checks that the file holds a
// non-empty array of elements of `type` (`|b1`, NumPy's bool, counts as u8), in C order and
// little-endian, with all its data and nothing after it. Throws ArrayFileError.
ArrayFileLayout inspect_array_file(const std::filesystem::path& path, Dtype type);

// The `count` elements of `type` that `path` holds (inspect_array_file's checks, and that it
// holds exactly `count`), written to `out` (count * dtype_size(type) bytes). Throws
// ArrayFileError.
void read_array_file(const std::filesystem::path& path, Dtype type, std::int64_t count,
                     unsigned char* out);

// "(3, 4)" as NumPy writes a shape; "(5,)" for one dimension.
std::string shape_text(const std::vector<std::int64_t>& shape);

// NumPy's name of a dtype ("float32"), for the fixes messages suggest (arr.astype(numpy.float32)).
const char* numpy_type_name(Dtype type);

}  // namespace tuna
