#pragma once
// Writes .npy files as numpy.save does, for tests of [[args]] data files (the test machines have
// no NumPy): the magic \x93NUMPY, the version, the header's length, the header dict padded with
// spaces and ended by '\n' so that the data starts at a multiple of 64 bytes, then the data.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace tuna::testing {

struct NpyHeader {
  std::string descr = "<f4";
  std::vector<std::int64_t> shape;
  bool fortran_order = false;
  int major = 1;     // 1: the header's length in 2 bytes; 2 and 3: in 4
  std::string dict;  // when not empty: the header dict as written, instead of the fields above
};

inline std::string npy_shape(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

// The bytes before the data.
inline std::string npy_prefix(const NpyHeader& h) {
  std::string dict = !h.dict.empty()
                         ? h.dict
                         : "{'descr': '" + h.descr +
                               "', 'fortran_order': " + (h.fortran_order ? "True" : "False") +
                               ", 'shape': " + npy_shape(h.shape) + ", }";
  const std::size_t length_bytes = h.major == 1 ? 2 : 4;
  const std::size_t before = 8 + length_bytes;
  const std::size_t total = (before + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - before - dict.size() - 1, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(h.major);
  out += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i)
    out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  return out + dict;
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy file holding `values` with header `h` (its shape defaults to one dimension).
template <class T>
void write_npy(const std::filesystem::path& path, const std::vector<T>& values, NpyHeader h = {}) {
  if (h.shape.empty()) h.shape = {static_cast<std::int64_t>(values.size())};
  write_bytes(path, npy_prefix(h) + std::string(reinterpret_cast<const char*>(values.data()),
                                                values.size() * sizeof(T)));
}

// A raw file: the elements' bytes and nothing else.
template <class T>
void write_raw(const std::filesystem::path& path, const std::vector<T>& values) {
  write_bytes(path,
              std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
}

}  // namespace tuna::testing
