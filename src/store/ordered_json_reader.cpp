// A SAX handler that builds nlohmann::ordered_json bottom-up: each object's members are gathered
// in a vector with movable keys and the object is made once, at its final size.
#include "store/ordered_json_reader.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace tuna::store {

namespace {

using json = nlohmann::ordered_json;
using Members = std::vector<std::pair<std::string, json>>;

// Sorted once per object: no object pays a search per key, however many members it has.
bool has_duplicate_keys(const Members& members) {
  std::vector<std::string_view> keys;
  keys.reserve(members.size());
  for (const auto& member : members) keys.emplace_back(member.first);
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

json object_of(Members&& members) {
  json object(json::value_t::object);
  auto& map = object.get_ref<json::object_t&>();
  if (has_duplicate_keys(members)) {
    // As nlohmann's parser: the first place, the last value.
    for (auto& [key, value] : members) map[key] = std::move(value);
    return object;
  }
  auto& slots = static_cast<json::object_t::Container&>(map);
  slots.reserve(members.size());
  for (auto& [key, value] : members) slots.emplace_back(std::move(key), std::move(value));
  return object;
}

// An object or array whose closing bracket has not been read yet.
struct OpenContainer {
  bool is_object = false;
  Members members;
  std::string next_key;
  json::array_t elements;
};

class OrderedBuilder {
 public:
  explicit OrderedBuilder(JsonSyntaxError& error) : error_(error) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool value) { return add(json(value)); }
  bool number_integer(json::number_integer_t value) { return add(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return add(json(value)); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return add(json(value));
  }
  bool string(json::string_t& value) { return add(json(std::move(value))); }
  bool binary(json::binary_t& value) { return add(json::binary(std::move(value))); }

  bool start_object(std::size_t /*size*/) {
    open_.emplace_back().is_object = true;
    return true;
  }
  bool key(json::string_t& name) {
    open_.back().next_key = std::move(name);
    return true;
  }
  bool end_object() { return add(object_of(std::move(close().members))); }
  bool start_array(std::size_t /*size*/) {
    open_.emplace_back();
    return true;
  }
  bool end_array() { return add(json(std::move(close().elements))); }

  bool parse_error(std::size_t byte, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    error_ = JsonSyntaxError{byte, e.what()};
    return false;
  }

  json take_document() { return std::move(document_); }

 private:
  OpenContainer close() {
    OpenContainer done = std::move(open_.back());
    open_.pop_back();
    return done;
  }

  bool add(json value) {
    if (open_.empty()) {
      document_ = std::move(value);
      return true;
    }
    OpenContainer& top = open_.back();
    if (top.is_object)
      top.members.emplace_back(std::move(top.next_key), std::move(value));
    else
      top.elements.push_back(std::move(value));
    return true;
  }

  JsonSyntaxError& error_;
  std::vector<OpenContainer> open_;
  json document_;
};

}  // namespace

std::optional<json> read_ordered_json(std::string_view text, JsonSyntaxError& error) {
  OrderedBuilder builder(error);
  if (!json::sax_parse(text.begin(), text.end(), &builder)) return std::nullopt;
  return builder.take_document();
}

}  // namespace tuna::store
