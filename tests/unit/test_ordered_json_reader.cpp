// The recordings' JSON reader must give exactly what nlohmann's own parser gives (members in the
// text's order, a repeated key in its first place with its last value, the same syntax errors at
// the same byte), only faster on objects of many members.
#include <gtest/gtest.h>

#include <string>

#include "store/ordered_json_reader.hpp"

namespace tuna::store {
namespace {

using json = nlohmann::ordered_json;

json read_or_fail(const std::string& text) {
  JsonSyntaxError error;
  std::optional<json> doc = read_ordered_json(text, error);
  EXPECT_TRUE(doc.has_value()) << "byte " << error.byte << ": " << error.message;
  return doc.value_or(json());
}

// Both parsers agree on the value and on the order of every object's members (dump() keeps it).
void expect_same_as_nlohmann(const std::string& text) {
  SCOPED_TRACE(text.substr(0, 80));
  const json expected = json::parse(text);
  const json got = read_or_fail(text);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got.dump(), expected.dump());
}

TEST(OrderedJsonReader, EveryKindOfValueReadsAsNlohmannReadsIt) {
  expect_same_as_nlohmann(R"({"b": 1, "a": -2, "u": 18446744073709551615, "f": 2.5e-3,
      "s": "t\u00e9\n\"x\"", "t": true, "n": null, "e": {}, "l": [], "nested":
      {"z": [1, [2, {"y": 3, "x": [4.0, "5"]}]], "m": {"k": false}}})");
  expect_same_as_nlohmann("[1, 2, {\"b\": [], \"a\": {}}]");
  expect_same_as_nlohmann("  \"a lone string\"  ");
  expect_same_as_nlohmann("42");
  expect_same_as_nlohmann("null");
}

TEST(OrderedJsonReader, AnObjectOfManyMembersKeepsTheTextsOrder) {
  // Keys in descending order, more than the reader checks pairwise for duplicates.
  std::string text = "{\"cache\": {";
  for (int i = 999; i >= 0; --i) {
    text += "\"k" + std::to_string(i) + "\": {\"time\": " + std::to_string(i) + ", \"bx\": 1}";
    if (i > 0) text += ", ";
  }
  text += "}, \"after\": 1}";
  const json doc = read_or_fail(text);
  ASSERT_EQ(doc.at("cache").size(), 1000u);
  EXPECT_EQ(doc.at("cache").begin().key(), "k999");
  EXPECT_EQ(doc.at("cache").items().begin().value().at("time"), 999);
  EXPECT_EQ(doc.begin().key(), "cache");
  expect_same_as_nlohmann(text);
}

TEST(OrderedJsonReader, ARepeatedKeyKeepsItsFirstPlaceAndItsLastValue) {
  const json small = read_or_fail(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_EQ(small.size(), 2u);
  EXPECT_EQ(small.begin().key(), "a");
  EXPECT_EQ(small.at("a"), 3);
  expect_same_as_nlohmann(R"({"a": 1, "b": 2, "a": 3})");

  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  many += "\"k7\": \"again\"}";
  const json doc = read_or_fail(many);
  EXPECT_EQ(doc.size(), 40u);
  EXPECT_EQ(doc.at("k7"), "again");
  expect_same_as_nlohmann(many);
}

TEST(OrderedJsonReader, ASyntaxErrorIsReportedAtNlohmannsByteWithItsMessage) {
  for (const std::string text :
       {std::string(R"({"a": [1, 2})"), std::string(R"({"a": 1} trailing)"),
        std::string(R"({"a": tru})"), std::string(""), std::string(R"({"a" 1})"),
        std::string("{\"cache\": {\"k\": {\"time\": 1.5,}}}")}) {
    SCOPED_TRACE(text);
    JsonSyntaxError error;
    EXPECT_FALSE(read_ordered_json(text, error).has_value());
    try {
      const json accepted = json::parse(text);
      (void)accepted;
      ADD_FAILURE() << "nlohmann accepted it";
    } catch (const json::parse_error& e) {
      EXPECT_EQ(error.byte, e.byte);
      EXPECT_EQ(error.message, e.what());
    }
  }
}

}  // namespace
}  // namespace tuna::store
