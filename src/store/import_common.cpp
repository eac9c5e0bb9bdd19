// What every reader of recordings shares: reading (gzipped) files, JSON values, recognising the
// format, and turning a recording into a Space and Results.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#if defined(TUNA_HAVE_ZLIB)
#include <zlib.h>
#endif

#include "store/import_json.hpp"
#include "store/import_recording.hpp"
#include "store/ordered_json_reader.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

#if defined(TUNA_HAVE_ZLIB)
// RAII for a gzFile.
class GzFile {
 public:
  explicit GzFile(const std::filesystem::path& path) : f_(gzopen(path.c_str(), "rb")) {}
  ~GzFile() {
    if (f_) gzclose(f_);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;
  gzFile get() const { return f_; }

 private:
  gzFile f_;
};

std::string read_gzip(const std::filesystem::path& file) {
  GzFile gz(file);
  if (!gz.get())
    throw UserError(
        fmt::format("cannot open {}: check that the file exists and is readable", file.string()));
  std::string out;
  char buffer[1 << 16];
  while (true) {
    int n = gzread(gz.get(), buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      const char* why = gzerror(gz.get(), &code);
      throw UserError(fmt::format("{}: not a valid gzip file ({}); gunzip it to check",
                                  file.string(), why ? why : "read error"));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}
#endif

std::string first_chars(const std::string& text, std::size_t n) {
  std::string out;
  for (char c : text) {
    if (out.size() >= n) break;
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

}  // namespace

Value value_from_json(const nlohmann::ordered_json& j, std::string_view where) {
  if (j.is_number_integer()) return Value(j.get<std::int64_t>());
  if (j.is_number()) return Value(j.get<double>());
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_string()) return Value(j.get<std::string>());
  throw UserError(fmt::format("{}: expected a number or a string, found {}", where, j.dump()));
}

nlohmann::ordered_json value_to_json(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Int:
      return v.as_int();
    case ValueKind::Float:
      return v.as_double();
    case ValueKind::Bool:
      return v.truthy();
    case ValueKind::String:
      return v.as_string();
  }
  return nullptr;
}

double number_or(const nlohmann::ordered_json& object, const char* key, double fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::vector<double> numbers_in(const nlohmann::ordered_json& object, const char* key) {
  std::vector<double> numbers;
  if (auto array = object.find(key); array != object.end() && array->is_array())
    for (const auto& item : *array)
      if (item.is_number()) numbers.push_back(item.get<double>());
  return numbers;
}

nlohmann::ordered_json parse_json_file(const std::filesystem::path& file, const std::string& text) {
  JsonSyntaxError error;
  std::optional<nlohmann::ordered_json> doc = read_ordered_json(text, error);
  if (!doc)
    throw UserError(
        fmt::format("{}: not valid JSON (byte {}): {}", file.string(), error.byte, error.message));
  return std::move(*doc);
}

void add_distinct(std::vector<Value>& values, const Value& v) {
  if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
}

std::string read_maybe_gzipped(const std::filesystem::path& file) {
  if (ends_with(file.string(), ".gz")) {
#if defined(TUNA_HAVE_ZLIB)
    return read_gzip(file);
#else
    throw UserError(fmt::format("{}: this tuna was built without zlib: gunzip {} first",
                                file.string(), file.string()));
#endif
  }
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw UserError(
        fmt::format("cannot open {}: check that the file exists and is readable", file.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Recording read_recording(const std::filesystem::path& file) {
  std::string text = read_maybe_gzipped(file);
  // Recognise the format from the first keys rather than the file name: names vary.
  {
    if (first_chars(text, 1) != "{")
      throw UserError(
          fmt::format("{}: not a recording (expected a JSON object: a Kernel Tuner "
                      "cache, T4 results or KTT output)",
                      file.string()));
  }
  nlohmann::ordered_json doc = parse_json_file(file, text);
  if (doc.contains("cache") && doc.contains("tune_params_keys"))
    return read_kernel_tuner_cache(file, doc);
  if (doc.contains("results") && doc["results"].is_array()) return read_t4_results(file, doc);
  if (doc.contains("Results") && doc.contains("Metadata")) return read_ktt_output(file, doc);
  if (doc.contains("ConfigurationSpace"))
    throw UserError(
        fmt::format("{} is a T1 input file (a search space without measurements); "
                    "pass it with --t1 beside a recording",
                    file.string()));
  throw UserError(
      fmt::format("{}: not a recording tuna knows: expected a Kernel Tuner cache "
                  "(\"cache\", \"tune_params_keys\"), T4 results (\"results\") or "
                  "KTT output (\"Metadata\", \"Results\")",
                  file.string()));
}

}  // namespace tuna::store
