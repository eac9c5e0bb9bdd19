// A SAX handler that builds nlohmann::ordered_json bottom-up: each object's members are gathered
// in a vector with movable keys and the object is made once, at its final size.
#include "store/ordered_json_reader.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace tuna::store {

namespace {

using OrderedJson = nlohmann::ordered_json;
using Members = std::vector<std::pair<std::string, OrderedJson>>;

// Sorted once per object: no object pays a search per key, however many members it has.
bool has_duplicate_keys(const Members& members) {
  std::vector<std::string_view> keys;
  keys.reserve(members.size());
  for (const auto& member : members) keys.emplace_back(member.first);
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

OrderedJson object_of(Members&& members) {
  OrderedJson object(OrderedJson::value_t::object);
  auto& map = object.get_ref<OrderedJson::object_t&>();
  if (has_duplicate_keys(members)) {
    // As nlohmann's parser: the first place, the last value.
    for (auto& [key, value] : members) map[key] = std::move(value);
    return object;
  }
  auto& slots = static_cast<OrderedJson::object_t::Container&>(map);
  slots.reserve(members.size());
  for (auto& [key, value] : members) slots.emplace_back(std::move(key), std::move(value));
  return object;
}

// An object or array whose closing bracket has not been read yet.
struct OpenContainer {
  bool is_object = false;
  Members members;
  std::string next_key;
  OrderedJson::array_t elements;
};

class OrderedBuilder {
 public:
  explicit OrderedBuilder(JsonSyntaxError& error) : error_(error) {}

  bool null() { return add(OrderedJson(nullptr)); }
  bool boolean(bool value) { return add(OrderedJson(value)); }
  bool number_integer(OrderedJson::number_integer_t value) { return add(OrderedJson(value)); }
  bool number_unsigned(OrderedJson::number_unsigned_t value) { return add(OrderedJson(value)); }
  bool number_float(OrderedJson::number_float_t value, const OrderedJson::string_t& /*text*/) {
    return add(OrderedJson(value));
  }
  bool string(OrderedJson::string_t& value) { return add(OrderedJson(std::move(value))); }
  bool binary(OrderedJson::binary_t& value) { return add(OrderedJson::binary(std::move(value))); }

  bool start_object(std::size_t /*size*/) {
    open_.emplace_back().is_object = true;
    return true;
  }
  bool key(OrderedJson::string_t& name) {
    open_.back().next_key = std::move(name);
    return true;
  }
  bool end_object() { return add(object_of(std::move(close().members))); }
  bool start_array(std::size_t /*size*/) {
    open_.emplace_back();
    return true;
  }
  bool end_array() { return add(OrderedJson(std::move(close().elements))); }

  bool parse_error(std::size_t byte, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    error_ = JsonSyntaxError{byte, e.what()};
    return false;
  }

  OrderedJson take_document() { return std::move(document_); }

 private:
  OpenContainer close() {
    OpenContainer done = std::move(open_.back());
    open_.pop_back();
    return done;
  }

  bool add(OrderedJson value) {
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
  OrderedJson document_;
};

}  // namespace

std::optional<OrderedJson> read_ordered_json(std::string_view text, JsonSyntaxError& error) {
  OrderedBuilder builder(error);
  if (!OrderedJson::sax_parse(text.begin(), text.end(), &builder)) return std::nullopt;
  return builder.take_document();
}

}  // namespace tuna::store
