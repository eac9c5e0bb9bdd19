// From tuning to shipping: tune rowsum briefly, export JSON and a header, and look the config up
// from the export and from the store (docs/deploy.md).
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "json_runner.hpp"
#include "tuna/lookup.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

const std::vector<std::string> kQuick = {"--timing-budget", "5", "--min-reps", "3",
                                         "--shootout-rounds", "0", "--strategy", "random",
                                         "--quiet"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A copy of the rowsum example with another problem size: the same kernel tuned for two problems.
std::filesystem::path rowsum_with_rows(const TunaSandbox& box, int rows) {
  std::filesystem::path dir = box.dir() / ("rowsum" + std::to_string(rows));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(source_path("examples/host/rowsum/rowsum.cpp"), dir / "rowsum.cpp");
  std::string spec = read_text(source_path("examples/host/rowsum/spec.toml"));
  spec = std::regex_replace(spec, std::regex("\nR = 1024\n"), "\nR = " + std::to_string(rows) + "\n");
  std::ofstream(dir / "spec.toml") << spec;
  return dir / "spec.toml";
}

}  // namespace

TEST(Deploy, TheExportedJsonAndTheStoreGiveTheTunedConfig) {
  TunaSandbox box("deploy-json");
  std::string spec = source_path("examples/host/rowsum/spec.toml");
  SplitOutput tune = run_split(box, with({"tune", spec, "--json", "--max-evals", "4"}, kQuick));
  ASSERT_TRUE(tune.process.ok()) << tune.process.output << tune.err;
  nlohmann::json summary = nlohmann::json::parse(tune.process.output);
  const std::string device_id = summary["device"]["id"];
  const std::string device_name = summary["device"]["name"];

  std::filesystem::path exported = box.dir() / "rowsum_tuned.json";
  ProcessResult ex = box.run({"export", spec, "--format", "json", "-o", exported.string()});
  ASSERT_TRUE(ex.ok()) << ex.output;

  TunedValues from_json = lookup(exported, "rowsum", "C=4096,R=1024", device_id);
  TunedValues from_store = lookup(box.db(), "rowsum", "C=4096,R=1024", device_id);
  ASSERT_EQ(from_json.size(), 4u);
  EXPECT_EQ(from_json, from_store);
  for (const auto& [name, value] : summary["best"]["config"].items())
    EXPECT_EQ(from_json.at(name), Value(value.get<std::int64_t>())) << name;

  // Another driver or compiler version of the same device still matches, by name.
  Lookup table = Lookup::from_json_file(exported);
  LookupResult by_name = table.find("rowsum", "C=4096,R=1024", device_name + " | other compiler");
  EXPECT_EQ(by_name.match, LookupMatch::DeviceName);
  EXPECT_EQ(by_name.values, from_json);
  // A problem nobody tuned falls back to the spec's defaults carried in the export.
  LookupResult fallback = table.find("rowsum", "C=4096,R=7", device_id);
  EXPECT_EQ(fallback.match, LookupMatch::Default);
  EXPECT_EQ(fallback.values.at("VEC"), Value(1));
  EXPECT_EQ(fallback.values.at("THREADS"), Value(1));
}

TEST(Deploy, TheHeaderCarriesEveryProblemTunedAndCompiles) {
  TunaSandbox box("deploy-header");
  std::filesystem::path big = rowsum_with_rows(box, 1024), small = rowsum_with_rows(box, 256);
  for (const auto& spec : {big, small}) {
    ProcessResult t = box.run(with({"tune", spec.string(), "--max-evals", "3"}, kQuick));
    ASSERT_TRUE(t.ok()) << t.output;
  }
  std::filesystem::path header = box.dir() / "rowsum_tuned.hpp";
  ProcessResult ex = box.run({"export", big.string(), "-o", header.string()});
  ASSERT_TRUE(ex.ok()) << ex.output;
  std::string text = read_text(header);
  EXPECT_NE(text.find("\"C=4096,R=256\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"C=4096,R=1024\""), std::string::npos) << text;

  Lookup store = Lookup::from_store(box.db());
  ASSERT_EQ(store.entries().size(), 2u);
  const TunedEntry& e = store.entries().front();
  std::filesystem::path user = box.dir() / "use.cpp";
  std::ofstream(user) << "#include \"rowsum_tuned.hpp\"\n"
                      << "namespace t = tuna_tuned::rowsum;\n"
                      << "static_assert(t::kTunedCount == 2);\n"
                      << "static_assert(std::string_view(t::kProblem) == \"C=4096,R=1024\");\n"
                      << "constexpr t::Values v = t::find(" << nlohmann::json(e.device_id).dump()
                      << ", " << nlohmann::json(e.problem).dump() << ");\n"
                      << "static_assert(v.VEC == " << e.values.at("VEC").as_int() << ");\n"
                      << "static_assert(v.THREADS == " << e.values.at("THREADS").as_int() << ");\n"
                      << "static_assert(t::find(\"no such device\", \"C=4096,R=256\").VEC == "
                         "t::kDefault.VEC);\n"
                      << "static_assert(t::kDefault.VEC == 1);\n"
                      << "int main() { return static_cast<int>(t::VEC + t::kTuned[0].values.ACC) "
                         "> 0 ? 0 : 1; }\n";
  ProcessResult compiled = run_process({"c++", "-std=c++17", "-fsyntax-only", user.string()});
  EXPECT_TRUE(compiled.ok()) << compiled.output << "\n" << text;
}
