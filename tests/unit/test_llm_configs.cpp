// Reading configs out of an LLM's reply: JSON in fences or prose, Python literals, the two
// accepted shapes, repair of values and of constraint violations, dedupe, and hostile input.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "llm/configs.hpp"
#include "tuna/space.hpp"
#include "support/int_values.hpp"

namespace tuna::llm {
namespace {

using testing::ints;

// BM x BN tiles with an unroll that must divide BM, a loop order and a switch.
Space small_space(std::vector<std::string> constraints = {"BM * BN <= 4096", "BM % UNROLL == 0"}) {
  std::vector<Parameter> p;
  p.push_back(Parameter::list("BM", ints({16, 32, 64, 128}), 32, "rows per tile"));
  p.push_back(Parameter::pow2_range("BN", 16, 128, 32));
  p.push_back(Parameter::int_range("UNROLL", 1, 4, 1, 1));
  p.push_back(Parameter::list("LOOP", {Value("ijk"), Value("ikj")}, Value("ikj")));
  p.push_back(Parameter::boolean("PACK", false));
  std::vector<Constraint> c;
  for (const auto& text : constraints) c.push_back(Constraint{Expr::parse(text), "test"});
  return Space(std::move(p), std::move(c));
}

class LlmConfigs : public ::testing::Test {
 protected:
  ParsedConfigs parse(std::string_view reply) {
    return parse_response_configs(reply, space, space.default_config());
  }
  // The configs as canonical keys, in reply order.
  std::vector<std::string> keys(const ParsedConfigs& parsed) {
    std::vector<std::string> out;
    for (const auto& c : parsed.configs) {
      EXPECT_TRUE(space.is_valid(c)) << space.key(c);
      out.push_back(space.key(c));
    }
    return out;
  }
  std::string key(std::string_view sparse) { return space.key(space.parse_key(sparse)); }
  static bool any_note_has(const ParsedConfigs& p, std::string_view text) {
    for (const auto& n : p.notes)
      if (n.find(text) != std::string::npos) return true;
    return false;
  }

  Space space = small_space();
};

TEST_F(LlmConfigs, ReadsStrictJsonAndLaysEachConfigOverTheDefault) {
  auto p = parse(R"({"configs":[{"BM":64},{"BN":64,"PACK":true,"LOOP":"ijk"}]})");
  EXPECT_TRUE(p.found_json);
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=64"), key("BN=64,PACK=true,LOOP=ijk")}));
  EXPECT_TRUE(p.notes.empty());
  EXPECT_EQ(p.proposed, 2);
  EXPECT_EQ(p.repaired, 0);
  // Values take the space's own kinds, so keys match those of configs built elsewhere.
  EXPECT_TRUE(p.configs[0][0].is_int());
}

TEST_F(LlmConfigs, FindsJsonInFencesAndProse) {
  EXPECT_EQ(keys(parse("Here you go:\n```json\n{\"configs\": [{\"BM\": 64}]}\n```\nGood luck.")),
            std::vector<std::string>{key("BM=64")});
  EXPECT_EQ(keys(parse("```\n[{\"BM\": 16}]\n```")), std::vector<std::string>{key("BM=16")});
  EXPECT_EQ(keys(parse("I suggest {\"configs\": [{\"UNROLL\": 2}]} as a start.")),
            std::vector<std::string>{key("UNROLL=2")});
  // Braces in prose that are not JSON come first; the real block after them is still found.
  EXPECT_EQ(keys(parse("Pick {good} tiles [carefully]. {\"configs\": [{\"BM\": 16}]}")),
            std::vector<std::string>{key("BM=16")});
  // A first fence that does not parse is passed over for the next.
  EXPECT_EQ(keys(parse("```json\n{oops\n```\n```json\n{\"configs\": [{\"BM\": 128, \"BN\": 32}]}\n```")),
            std::vector<std::string>{key("BM=128,BN=32")});
  // Only the inner block parses when the outer one has an unquoted value.
  EXPECT_EQ(keys(parse("{answer: see [{\"BM\": 64}]}")), std::vector<std::string>{key("BM=64")});
}

TEST_F(LlmConfigs, ToleratesPythonLiterals) {
  auto p = parse("{'configs': [{'PACK': True, 'BM': 64,}, {'LOOP': 'ijk', 'BN': None},],}");
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=64,PACK=true"), key("LOOP=ijk")}));
  EXPECT_TRUE(any_note_has(p, "BN is null"));
  EXPECT_EQ(keys(parse("{\"configs\": [{\"PACK\": False}, {\"BM\": 16}]}  # done")),
            (std::vector<std::string>{key(""), key("BM=16")}));
  EXPECT_EQ(keys(parse("{configs: [{BM: 64, // bigger\n UNROLL: +2}]}")),
            std::vector<std::string>{key("BM=64,UNROLL=2")});
}

TEST_F(LlmConfigs, AcceptsABareListAndOtherWrappers) {
  EXPECT_EQ(keys(parse(R"([{"BM": 64}, {"BM": 16}])")),
            (std::vector<std::string>{key("BM=64"), key("BM=16")}));
  EXPECT_EQ(keys(parse(R"({"suggestions": [{"BM": 64}]})")), std::vector<std::string>{key("BM=64")});
  EXPECT_EQ(keys(parse(R"({"BM": 64, "BN": 16})")), std::vector<std::string>{key("BM=64,BN=16")});
  EXPECT_EQ(keys(parse(R"({"Configs": {"BM": 16}})")), std::vector<std::string>{key("BM=16")});
}

TEST_F(LlmConfigs, ReadsNumericStringsBooleansAndOneElementLists) {
  auto p = parse(R"({"configs": [{"BM": "64", "PACK": "yes", "UNROLL": 2.0, "BN": [64]}]})");
  EXPECT_EQ(keys(p), std::vector<std::string>{key("BM=64,PACK=true,UNROLL=2,BN=64")});
  EXPECT_EQ(p.repaired, 0);
  EXPECT_TRUE(any_note_has(p, "one-element list"));
  EXPECT_EQ(keys(parse(R"([{"PACK": 1}, {"PACK": "False", "BM": 16}])")),
            (std::vector<std::string>{key("PACK=true"), key("BM=16")}));
}

TEST_F(LlmConfigs, RepairsOutOfRangeAndOffListValuesToTheNearestAllowedOne) {
  auto p = parse(R"([{"BM": 1000, "BN": 16}, {"BM": 48}, {"UNROLL": 0, "BM": 64}, {"BN": 100}, {"BM": 1e999, "BN": 16}])");
  // 1000 and +inf clamp to 128 (the same config, so the second is a duplicate); 48 is as far
  // from 32 as from 64 and goes to the smaller; 0 clamps up to 1; 100 is nearest to 128.
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=128,BN=16"), key("BM=32"),
                                               key("BM=64,UNROLL=1"), key("BN=128")}));
  EXPECT_EQ(p.duplicates, 1);
  EXPECT_TRUE(any_note_has(p, "BM=1000 is outside the allowed range [16, 128]; using 128"));
  EXPECT_TRUE(any_note_has(p, "BM=48 is not an allowed value; using the nearest, 32"));
  EXPECT_GE(p.repaired, 4);

  auto words = parse(R"([{"LOOP": "IJK"}, {"LOOP": "ijq", "BM": 16}, {"LOOP": "zzzzzz", "BM": 64}])");
  EXPECT_EQ(keys(words), (std::vector<std::string>{key("LOOP=ijk"), key("LOOP=ijk,BM=16"),
                                                   key("BM=64")}));
  EXPECT_TRUE(any_note_has(words, "using the closest, 'ijk'"));
  EXPECT_TRUE(any_note_has(words, "'zzzzzz' is not an allowed value; kept the default"));
}

TEST_F(LlmConfigs, RepairsAConfigThatBreaksAConstraint) {
  auto p = parse(R"({"configs": [{"BM": 128, "BN": 128}, {"BM": 16, "UNROLL": 3}]})");
  ASSERT_EQ(p.configs.size(), 2u);
  for (const auto& c : p.configs) EXPECT_TRUE(space.is_valid(c));
  EXPECT_EQ(p.repaired, 2);
  EXPECT_TRUE(any_note_has(p, "config 1: BM=128, BN=128 breaks BM * BN <= 4096; repaired to"));
  EXPECT_TRUE(any_note_has(p, "config 2: BM=16, UNROLL=3 breaks BM % UNROLL == 0"));
}

TEST_F(LlmConfigs, DropsAConfigNoRepairCanSave) {
  space = small_space({"BM < 0"});  // nothing is valid, so repair has nowhere to go
  auto p = parse(R"([{"BM": 64}])");
  EXPECT_TRUE(p.configs.empty());
  EXPECT_EQ(p.dropped, 1);
  EXPECT_TRUE(any_note_has(p, "config 1: dropped: BM=64 breaks BM < 0"));
}

TEST_F(LlmConfigs, IgnoresUnknownParametersWithANoteAndMatchesNamesIgnoringCase) {
  auto p = parse(R"([{"BM": 64, "FOO": 1}, {"bm": 16, "FOO": 2, "threads": 4}])");
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=64"), key("BM=16")}));
  EXPECT_TRUE(any_note_has(p, "ignored unknown parameter 'FOO' (in 2 configs)"));
  EXPECT_TRUE(any_note_has(p, "ignored unknown parameter 'threads' (in 1 config)"));
}

TEST_F(LlmConfigs, DedupesWithinAReply) {
  auto p = parse(R"([{"BM": 64}, {"BM": "64"}, {"BM": 64, "BN": 32}, {"BN": 64}])");
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=64"), key("BN=64")}));
  EXPECT_EQ(p.duplicates, 2);
  EXPECT_TRUE(any_note_has(p, "config 2: same as config 1"));
}

TEST_F(LlmConfigs, SkipsEntriesThatAreNotObjects) {
  auto p = parse(R"({"configs": [1, "BM=64", {"BM": 16}, [2], {"BM": {"x": 1}}]})");
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=16"), key("")}));
  EXPECT_EQ(p.dropped, 3);
  EXPECT_TRUE(any_note_has(p, "BM is not a single value"));
}

TEST_F(LlmConfigs, HandlesEmptyGarbageAndWrongShapes) {
  for (std::string_view reply : {"", "   ", "lorem ipsum dolor", "{", "]]]}}}", "null", "42",
                                 "\"configs\"", "{\"note\": \"no configs today\"}", "[1, 2, 3]"}) {
    auto p = parse(reply);
    EXPECT_TRUE(p.configs.empty()) << reply;
    EXPECT_FALSE(p.notes.empty()) << reply;
  }
  EXPECT_FALSE(parse("lorem ipsum").found_json);
  EXPECT_TRUE(parse("{\"note\": 1}").found_json);
  auto empty = parse("{\"configs\": []}");
  EXPECT_TRUE(empty.found_json);
  EXPECT_TRUE(empty.configs.empty());
  EXPECT_TRUE(empty.notes.empty());
}

TEST_F(LlmConfigs, KeepsTheCompleteConfigsOfATruncatedReply) {
  auto p = parse(R"({"configs":[{"BM":64},{"BM":16,"LOOP":"ijk"},{"BN":)");
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(keys(p), (std::vector<std::string>{key("BM=64"), key("BM=16,LOOP=ijk")}));
  EXPECT_TRUE(any_note_has(p, "cut off"));
  // Cut inside a number: "12" may have been "128", so that config is not guessed at.
  EXPECT_EQ(keys(parse("```json\n[{\"BM\": 64}, {\"BM\": 12")), std::vector<std::string>{key("BM=64")});
}

TEST_F(LlmConfigs, StaysBoundedOnHugeAndDeeplyNestedInput) {
  const auto start = std::chrono::steady_clock::now();
  auto braces = parse(std::string(2 << 20, '{'));
  EXPECT_TRUE(braces.configs.empty());
  EXPECT_TRUE(any_note_has(braces, "only the first"));
  auto deep = parse(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_TRUE(deep.configs.empty());
  std::string many = "[";
  for (int i = 0; i < 300; ++i) many += "{\"BM\": 64}, ";
  many += "{}]";
  auto capped = parse(many);
  EXPECT_EQ(capped.proposed, 301);
  EXPECT_EQ(capped.configs.size(), 1u);
  EXPECT_EQ(capped.duplicates, kMaxConfigsPerReply - 1);
  EXPECT_LE(capped.notes.size(), kMaxNotes);
  // A valid answer after a megabyte of prose is beyond the part that is read.
  auto late = parse(std::string(1 << 20, 'x') + "{\"configs\": [{\"BM\": 64}]}");
  EXPECT_TRUE(late.configs.empty());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0);
}

TEST_F(LlmConfigs, UsesTheSpaceDefaultWhenTheGivenDefaultDoesNotFit) {
  auto p = parse_response_configs(R"([{"BM": 64}])", space, Config());
  EXPECT_EQ(keys(p), std::vector<std::string>{key("BM=64")});
}

}  // namespace
}  // namespace tuna::llm
