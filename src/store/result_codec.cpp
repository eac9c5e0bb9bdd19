#include "store/result_codec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/codec.hpp"

namespace tuna::store {
namespace {

// JSON has no NaN or infinity; such a time is stored as null and read back as NaN, which keeps
// the list's length (the repetition count) intact.
nlohmann::json times_to_json(const std::vector<double>& times) {
  nlohmann::json list = nlohmann::json::array();
  for (double t : times)
    list.push_back(std::isfinite(t) ? nlohmann::json(t) : nlohmann::json(nullptr));
  return list;
}

// Counts (registers, bytes) are whole numbers: written as integers they read as such in the
// shell ("registers":64 rather than 64.0), and they still read back as the same double.
nlohmann::json resource_to_json(double value) {
  if (!std::isfinite(value)) return nullptr;
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (value == std::floor(value) && std::fabs(value) < kExactIntegers)
    return static_cast<std::int64_t>(value);
  return value;
}

// dump() with replacement: a message cut in the middle of a UTF-8 sequence (from a compiler's
// output) must not make the whole result unstorable.
std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parse_column(const ResultRow& row, std::string_view column,
                            const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(
        fmt::format("stored result for `{}`: column {} is not valid JSON ({}); "
                    "delete that row or fix it in the sqlite3 shell",
                    row.config_key, column, e.what()));
  }
}

std::vector<double> times_from_json(const ResultRow& row) {
  nlohmann::json list = parse_column(row, "times_json", row.times_json);
  if (!list.is_array())
    throw UserError(
        fmt::format("stored result for `{}`: times_json is not a JSON list", row.config_key));
  std::vector<double> times;
  times.reserve(list.size());
  for (const nlohmann::json& t : list) {
    if (t.is_number())
      times.push_back(t.get<double>());
    else if (t.is_null())
      times.push_back(std::numeric_limits<double>::quiet_NaN());
    else
      throw UserError(fmt::format("stored result for `{}`: times_json holds {}, not a number",
                                  row.config_key, t.dump()));
  }
  return times;
}

std::map<std::string, double> resources_from_json(const ResultRow& row) {
  nlohmann::json object = parse_column(row, "resources_json", row.resources_json);
  if (!object.is_object())
    throw UserError(
        fmt::format("stored result for `{}`: resources_json is not a JSON object", row.config_key));
  std::map<std::string, double> resources;
  for (const auto& [name, value] : object.items()) {
    if (value.is_number())
      resources[name] = value.get<double>();
    else if (value.is_null())
      resources[name] = std::numeric_limits<double>::quiet_NaN();
    else
      throw UserError(fmt::format("stored result for `{}`: resource `{}` is {}, not a number",
                                  row.config_key, name, value.dump()));
  }
  return resources;
}

}  // namespace

std::string config_to_json(const Config& config) {
  nlohmann::json list = nlohmann::json::array();
  for (const Value& v : config.values()) list.push_back(codec::to_json(v));
  return dump(list);
}

ResultRow encode_result(const Result& result) {
  ResultRow row;
  row.config_key = result.key;
  row.config_json = config_to_json(result.config);
  row.status = status_name(result.status);
  row.error_class = result.error_class;
  row.message = result.message;
  row.compile_ms = result.compile_ms;
  row.times_json = dump(times_to_json(result.times_ms));
  row.median_ms = result.median_ms;
  row.max_abs_error = result.max_abs_error;
  nlohmann::json resources = nlohmann::json::object();
  for (const auto& [name, value] : result.resources) resources[name] = resource_to_json(value);
  row.resources_json = dump(resources);
  row.device = result.device;
  row.started_at = result.started_at;
  row.finished_at = result.finished_at;
  return row;
}

std::optional<Result> decode_result(const ResultRow& row) {
  std::optional<Status> status = status_from_name(row.status);
  if (!status) return std::nullopt;
  Result result;
  result.key = row.config_key;
  result.status = *status;
  result.error_class = row.error_class;
  result.message = row.message;
  result.compile_ms = row.compile_ms;
  result.times_ms = times_from_json(row);
  result.median_ms = row.median_ms;
  result.max_abs_error = row.max_abs_error;
  result.resources = resources_from_json(row);
  result.device = row.device;
  result.started_at = row.started_at;
  result.finished_at = row.finished_at;
  result.reused = true;
  return result;
}

std::vector<std::string> config_key_names(const std::string& key) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t comma = key.find(',', start);
    std::string item =
        key.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t eq = item.find('=');
    if (eq != std::string::npos) names.push_back(item.substr(0, eq));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace tuna::store
