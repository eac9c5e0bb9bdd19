// --devices parsing, the environment each device's worker gets, and what "all" stands for.
#include <gtest/gtest.h>

#include "eval/device_selection.hpp"
#include "tuna/errors.hpp"

using namespace tuna;
using namespace tuna::eval;

namespace {

DeviceInfo device(const std::string& backend, std::int64_t count, std::int64_t platform = 0) {
  DeviceInfo d;
  d.backend = backend;
  d.facts.set("device_count", count);
  d.facts.set("platform_index", platform);
  d.facts.set("index", std::int64_t{0});
  return d;
}

std::string value_of(const EnvList& env, const std::string& name) {
  for (const auto& [k, v] : env) {
    if (k == name) return v;
  }
  return "<unset>";
}

}  // namespace

TEST(DeviceRequest, EmptyMeansTheBackendsDefaultDevice) {
  DeviceRequest r = parse_device_request("  ");
  EXPECT_FALSE(r.all);
  EXPECT_TRUE(r.selectors.empty());
}

TEST(DeviceRequest, AListKeepsItsOrderAndTrimsSpaces) {
  DeviceRequest r = parse_device_request("2, 0 ,Tesla");
  EXPECT_EQ(r.selectors, (std::vector<std::string>{"2", "0", "Tesla"}));
}

TEST(DeviceRequest, AllIsAWordOfItsOwn) {
  EXPECT_TRUE(parse_device_request("all").all);
  EXPECT_THROW(parse_device_request("all,1"), UserError);
}

TEST(DeviceRequest, MistakesAreUserErrorsThatSayWhatToWrite) {
  try {
    parse_device_request("0,,1");
    FAIL() << "an empty item was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--devices 0,1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_device_request("1,1"), UserError);
  EXPECT_THROW(parse_device_request("0,"), UserError);
}

TEST(SelectorEnv, EachBackendReadsItsOwnVariable) {
  EXPECT_EQ(value_of(selector_env("cuda", "1", {}), "TUNA_CUDA_DEVICE"), "1");
  EXPECT_EQ(value_of(selector_env("opencl", "2", {}), "TUNA_OPENCL_DEVICE"), "2");
  EXPECT_TRUE(selector_env("host", "1", {}).empty());
}

TEST(SelectorEnv, TheSelectorReplacesASingleDeviceChoiceAndKeepsTheRest) {
  EnvList base = {{"TUNA_CUDA_DEVICE", "0"}, {"OTHER", "x"}};
  EnvList env = selector_env("cuda", "3", base);
  EXPECT_EQ(value_of(env, "TUNA_CUDA_DEVICE"), "3");
  EXPECT_EQ(value_of(env, "OTHER"), "x");
  EXPECT_EQ(env.size(), 2u);
}

TEST(ExpandAll, CountsEveryDeviceTheBackendSees) {
  EnvList base;
  EXPECT_EQ(expand_all(device("cuda", 4), base), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_TRUE(base.empty());
}

TEST(ExpandAll, OpenClStaysOnTheChosenDevicesPlatform) {
  EnvList base;
  EXPECT_EQ(expand_all(device("opencl", 2, 1), base).size(), 2u);
  EXPECT_EQ(value_of(base, "TUNA_OPENCL_PLATFORM"), "1");
}

TEST(ExpandAll, HostAndSimHaveOneDevice) {
  EnvList base;
  EXPECT_EQ(expand_all(device("host", 8), base).size(), 1u);
  EXPECT_EQ(expand_all(device("sim", 3), base).size(), 1u);
}

TEST(DeviceLabel, NamesTheBackendAndTheSelectorOrTheDevicesIndex) {
  EXPECT_EQ(device_label(device("cuda", 2), "1"), "cuda:1");
  EXPECT_EQ(device_label(device("cuda", 2), ""), "cuda:0");
}
