#include "core/array_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <fstream>
#include <optional>
#include <string_view>
#include <utility>

#include "base/ascii_text.hpp"

namespace tuna {
namespace {

namespace fs = std::filesystem;

// Files hold little-endian elements and tuna hands them to kernels byte for byte.
static_assert(std::endian::native == std::endian::little,
              "array files assume a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";
// A header larger than this is not one numpy.save wrote (it writes a few hundred bytes); the
// cap keeps a damaged length field from asking for gigabytes.
constexpr std::uint64_t kMaxHeaderBytes = 1 << 20;

constexpr std::string_view kSaveFix = "Write the array again with numpy.save(path, arr)";

struct NpyType {
  std::string_view code;  // after the byte-order character
  Dtype dtype;
  const char* numpy_name;  // numpy's name of the type, for the fixes messages suggest
};
// One row per Dtype (the first row of a Dtype names it), then bool, read as u8.
constexpr std::array<NpyType, 12> kNpyTypes = {{{"f2", Dtype::F16, "float16"},
                                                {"f4", Dtype::F32, "float32"},
                                                {"f8", Dtype::F64, "float64"},
                                                {"i1", Dtype::I8, "int8"},
                                                {"i2", Dtype::I16, "int16"},
                                                {"i4", Dtype::I32, "int32"},
                                                {"i8", Dtype::I64, "int64"},
                                                {"u1", Dtype::U8, "uint8"},
                                                {"u2", Dtype::U16, "uint16"},
                                                {"u4", Dtype::U32, "uint32"},
                                                {"u8", Dtype::U64, "uint64"},
                                                {"b1", Dtype::U8, "bool"}}};

std::string quoted(const fs::path& path) { return fmt::format("'{}'", path.string()); }

[[noreturn]] void fail(const fs::path& path, std::string_view problem, std::string_view fix) {
  throw ArrayFileError(fmt::format("{} {}", quoted(path), problem), std::string(fix));
}

bool is_npy(const fs::path& path) {
  return ascii_lower(path.extension().string()) == ".npy";
}

// The file's size; a missing or special file (a FIFO or a device would block or never end) is
// an error.
std::uint64_t regular_file_size(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    const bool exists = fs::exists(path, ec);
    fail(path, exists ? "is not a regular file" : "does not exist", "Check the path");
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) fail(path, fmt::format("cannot be read: {}", ec.message()), "Check its permissions");
  return size;
}

std::ifstream open_binary(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot be opened for reading", "Check its permissions");
  return in;
}

// Reads `size` bytes at `offset` into `out`; a file shorter than that is an error.
void read_exactly(std::ifstream& in, std::uint64_t offset, std::uint64_t size, char* out,
                  const fs::path& path) {
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out, static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size)
    fail(path, "ended while it was being read (was it being written?)", kSaveFix);
}

std::string read_bytes(std::ifstream& in, std::uint64_t offset, std::uint64_t size,
                       const fs::path& path) {
  std::string bytes(size, '\0');
  read_exactly(in, offset, size, bytes.data(), path);
  return bytes;
}

std::uint64_t little_endian(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

// --- The header: a Python dict literal such as
//     {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }

struct HeaderFields {
  std::optional<std::string> descr;
  bool structured = false;  // descr is a list of fields: a structured dtype
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::int64_t>> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const fs::path& path) : text_(text), path_(path) {}

  HeaderFields parse() {
    HeaderFields fields;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr") {
        read_descr(fields);
      } else if (key == "fortran_order") {
        fields.fortran_order = boolean();
      } else if (key == "shape") {
        fields.shape = tuple();
      } else {
        malformed(fmt::format("has the unknown key '{}'", key));
      }
      skip_space();
      if (peek() == ',') ++pos_;
    }
    return fields;
  }

 private:
  [[noreturn]] void malformed(std::string_view what) const {
    fail(path_, fmt::format("has a .npy header that {} at character {}", what, pos_ + 1), kSaveFix);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) malformed(fmt::format("lacks '{}'", c));
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') malformed("lacks a quoted key or value");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) malformed("has an unclosed string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::string_view(word).size();
        return value;
      }
    }
    malformed("has fortran_order neither True nor False");
  }
  void read_descr(HeaderFields& fields) {
    if (peek() != '[') {
      fields.descr = string_literal();
      return;
    }
    // A list of (name, type) fields. Not read, only skipped: the caller reports it.
    fields.structured = true;
    int depth = 0;
    do {
      if (peek() == '\0') malformed("has an unclosed list");
      depth += peek() == '[' ? 1 : peek() == ']' ? -1 : 0;
      ++pos_;
    } while (depth > 0);
  }
  std::vector<std::int64_t> tuple() {
    expect('(');
    std::vector<std::int64_t> dims;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      dims.push_back(integer());
      skip_space();
      if (peek() == 'L') ++pos_;  // Python 2 wrote long integers as 3L
      skip_space();
      if (peek() == ',')
        ++pos_;
      else if (peek() != ')')
        malformed("has a shape that is not a tuple of integers");
    }
    ++pos_;
    return dims;
  }
  std::int64_t integer() {
    if (!std::isdigit(static_cast<unsigned char>(peek())))
      malformed("has a shape that is not a tuple of integers");
    std::int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      const int digit = peek() - '0';
      if (v > (INT64_MAX - digit) / 10) malformed("has a dimension too large to hold");
      v = v * 10 + digit;
      ++pos_;
    }
    return v;
  }

  std::string_view text_;
  const fs::path& path_;
  std::size_t pos_ = 0;
};

// --- Checks of what the header says against the argument's type.

std::string type_phrase(std::string_view descr, Dtype read_as) {
  return descr.ends_with("b1") ? fmt::format("{} (bool, read as u8)", descr)
                               : fmt::format("{} ({})", descr, dtype_name(read_as));
}

std::string little_endian_descr(Dtype type) {
  for (const auto& t : kNpyTypes) {
    if (t.dtype == type) return fmt::format("{}{}", dtype_size(type) == 1 ? '|' : '<', t.code);
  }
  return {};
}

// The dtype a descr stands for, after rejecting the kinds tuna cannot hand to a kernel.
Dtype dtype_of_descr(const std::string& descr, Dtype wanted, const fs::path& path) {
  const std::string astype = fmt::format("arr.astype(numpy.{})", numpy_type_name(wanted));
  const char order = descr.empty() ? '\0' : descr[0];
  const std::string code = descr.size() > 1 ? descr.substr(1) : std::string();
  if (code.starts_with("O"))
    fail(path, "holds Python objects (dtype object), which have no fixed binary layout",
         fmt::format("Save an array of numbers instead: numpy.save(path, {})", astype));
  const auto known = std::find_if(kNpyTypes.begin(), kNpyTypes.end(),
                                  [&](const NpyType& t) { return t.code == code; });
  if (known == kNpyTypes.end() || std::string_view("<>|=").find(order) == std::string_view::npos)
    fail(path,
         fmt::format("has dtype '{}', which tuna does not read (it reads float16/32/64, "
                     "int8/16/32/64, uint8/16/32/64 and bool)",
                     descr),
         fmt::format("Convert it: numpy.save(path, {})", astype));
  const bool one_byte = dtype_size(known->dtype) == 1;
  if (order == '>' && !one_byte)
    fail(path, fmt::format("is big-endian (dtype {})", descr),
         fmt::format("Write it little-endian: numpy.save(path, arr.astype('{}'))",
                     little_endian_descr(wanted)));
  if (order == '|' && !one_byte)
    fail(path, fmt::format("has dtype '{}' without a byte order", descr), kSaveFix);
  return known->dtype;
}

void check_type(const std::string& descr, Dtype wanted, const fs::path& path) {
  const Dtype found = dtype_of_descr(descr, wanted, path);
  if (found == wanted) return;
  fail(path,
       fmt::format("has dtype {}, but the argument's type is {}", type_phrase(descr, found),
                   dtype_name(wanted)),
       fmt::format("Write it with arr.astype(numpy.{}), or set the argument's type = \"{}\"",
                   numpy_type_name(wanted), dtype_name(found)));
}

std::int64_t element_count(const std::vector<std::int64_t>& shape, const fs::path& path) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) {
    if (d != 0 && count > INT64_MAX / d)
      fail(path, fmt::format("has shape {}, too many elements to hold", shape_text(shape)),
           "Use a smaller array");
    count *= d;
  }
  if (count == 0)
    fail(path, fmt::format("holds no elements (shape {})", shape_text(shape)),
         "A buffer holds at least one element: save a non-empty array");
  return count;
}

// The data after the header must be exactly the elements the header declares.
void check_data_size(const ArrayFileLayout& layout, Dtype type, std::uint64_t file_size,
                     const fs::path& path) {
  const std::uint64_t element = dtype_size(type);
  const std::uint64_t present = file_size - layout.data_offset;
  const auto declared = static_cast<std::uint64_t>(layout.count);
  if (declared > present / element)
    fail(path,
         fmt::format("is truncated: its header declares {} elements of shape {} ({} bytes), but "
                     "only {} bytes of data follow it",
                     layout.count, shape_text(layout.shape), declared * element, present),
         kSaveFix);
  if (present != declared * element)
    fail(path,
         fmt::format("has {} bytes after the {} elements its header declares",
                     present - declared * element, layout.count),
         kSaveFix);
}

ArrayFileLayout inspect_npy(const fs::path& path, Dtype type, std::uint64_t file_size) {
  std::ifstream in = open_binary(path);
  if (file_size < 10)
    fail(path, fmt::format("is too short ({} bytes) to be a .npy file", file_size), kSaveFix);
  const std::string prefix = read_bytes(in, 0, std::min<std::uint64_t>(file_size, 12), path);
  if (!prefix.starts_with(kMagic))
    fail(path, "has the .npy extension but does not start with the .npy magic bytes (\\x93NUMPY)",
         "Save it with numpy.save, or give it another extension to read it as raw "
         "little-endian elements");
  const int major = static_cast<unsigned char>(prefix[6]);
  const int minor = static_cast<unsigned char>(prefix[7]);
  if (major < 1 || major > 3)
    fail(path,
         fmt::format("has .npy format version {}.{}; tuna reads 1.0, 2.0 and 3.0", major, minor),
         kSaveFix);
  // 1.0 stores the header's length in 2 bytes; 2.0 and 3.0 (a UTF-8 header) in 4.
  const std::uint64_t length_bytes = major == 1 ? 2 : 4;
  if (file_size < 8 + length_bytes)
    fail(path, fmt::format("is too short ({} bytes) to be a .npy file", file_size), kSaveFix);
  const std::uint64_t header_len = little_endian(std::string_view(prefix).substr(8, length_bytes));
  ArrayFileLayout layout;
  layout.npy = true;
  layout.data_offset = 8 + length_bytes + header_len;
  if (header_len > kMaxHeaderBytes || layout.data_offset > file_size)
    fail(path,
         fmt::format("is truncated: its header of {} bytes ends past the end of the file "
                     "({} bytes)",
                     header_len, file_size),
         kSaveFix);
  const std::string header = read_bytes(in, 8 + length_bytes, header_len, path);
  HeaderFields fields = HeaderParser(header, path).parse();
  if (fields.structured)
    fail(path, "has a structured dtype (named fields), not an array of numbers",
         "Save one field at a time: numpy.save(path, arr['name'])");
  if (!fields.descr || !fields.fortran_order || !fields.shape)
    fail(path, "has a .npy header without 'descr', 'fortran_order' or 'shape'", kSaveFix);
  layout.descr = *fields.descr;
  check_type(layout.descr, type, path);
  if (*fields.fortran_order)
    fail(path, "holds its array in Fortran (column-major) order; tuna reads C order only",
         "Save a C-ordered copy: numpy.save(path, numpy.ascontiguousarray(arr))");
  layout.shape = std::move(*fields.shape);
  layout.count = element_count(layout.shape, path);
  check_data_size(layout, type, file_size, path);
  return layout;
}

ArrayFileLayout inspect_raw(const fs::path& path, Dtype type, std::uint64_t file_size) {
  const std::uint64_t element = dtype_size(type);
  const std::string fix = fmt::format(
      "A file without the .npy extension is read as raw little-endian {} elements: write it "
      "with arr.astype(numpy.{}).tofile(path), or save it with numpy.save as a .npy file",
      dtype_name(type), numpy_type_name(type));
  if (file_size == 0) fail(path, "is empty", fix);
  if (file_size % element != 0)
    fail(path,
         fmt::format("has {} bytes, not a whole number of {} elements ({} bytes each)", file_size,
                     dtype_name(type), element),
         fix);
  open_binary(path);  // readable, as the run will need it
  ArrayFileLayout layout;
  layout.count = static_cast<std::int64_t>(file_size / element);
  layout.shape = {layout.count};
  return layout;
}

}  // namespace

ArrayFileError::ArrayFileError(std::string problem, std::string fix)
    : UserError(fmt::format("{}. {}.", problem, fix)),
      problem_(std::move(problem)),
      fix_(std::move(fix)) {}

ArrayFileLayout inspect_array_file(const fs::path& path, Dtype type) {
  const std::uint64_t size = regular_file_size(path);
  return is_npy(path) ? inspect_npy(path, type, size) : inspect_raw(path, type, size);
}

void read_array_file(const fs::path& path, Dtype type, std::int64_t count, unsigned char* out) {
  const ArrayFileLayout layout = inspect_array_file(path, type);
  if (layout.count != count)
    fail(path, fmt::format("holds {} elements, but the argument has {}", layout.count, count),
         "Write the array with as many elements as the argument's count");
  std::ifstream in = open_binary(path);
  read_exactly(in, layout.data_offset, static_cast<std::uint64_t>(count) * dtype_size(type),
               reinterpret_cast<char*>(out), path);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

const char* numpy_type_name(Dtype type) {
  const auto row = std::find_if(kNpyTypes.begin(), kNpyTypes.end(),
                                [&](const NpyType& t) { return t.dtype == type; });
  TUNA_ASSERT(row != kNpyTypes.end(), "unknown Dtype");
  return row->numpy_name;
}

}  // namespace tuna
