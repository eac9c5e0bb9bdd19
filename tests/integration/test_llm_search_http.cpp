// `tuna tune --strategy llm` end to end against a real HTTP server on 127.0.0.1 (the fake
// provider of tests/support) speaking each protocol (openai, anthropic, openai-chat), with
// scripted replies: a steered multi-round run,
// then a replay of that run without the network, and the API key (given through an environment
// variable) found nowhere in the store, the cache, the logs or the output.
#include <chrono>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "support/fake_llm_server.hpp"

using namespace tuna;
using namespace tuna::testing;

namespace {

constexpr const char* kSecret = "sk-test-9f8e7d6c5b4a-DO-NOT-LEAK";

using tuna::test_support::FakeLlmServer;
using tuna::test_support::Protocol;

// The scripted replies of a server, then "no configs" for any request after them.
std::unique_ptr<FakeLlmServer> scripted_server(Protocol protocol,
                                               const std::vector<std::string>& replies) {
  auto server = std::make_unique<FakeLlmServer>(protocol);
  for (const std::string& reply : replies) server->push_reply(reply);
  server->set_responder([](const auto&) { return std::string(R"({"configs": []})"); });
  return server;
}

ProcessResult run_tuna(const TunaSandbox& box, const std::vector<std::string>& args) {
  RunProcessOptions options;
  options.timeout_s = 300;
  options.extra_env = box.env();
  options.extra_env.emplace_back("FAKE_LLM_KEY", kSecret);
  return run_process(box.argv(args), options);
}

std::int64_t run_id_of(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("\nrun: (\\d+)"))) return 0;
  return std::stoll(m[1]);
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file under `dir` whose bytes contain `needle`.
std::vector<std::string> files_containing(const std::filesystem::path& dir,
                                          const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && file_bytes(entry.path()).find(needle) != std::string::npos) {
      hits.push_back(entry.path().string());
    }
  }
  return hits;
}

}  // namespace

struct ProviderCase {
  Protocol protocol;
  std::string provider;
  std::string auth_header;  // where the key must appear, and nowhere else
  std::string auth_prefix;
};

class LlmSearchHttpProviders : public ::testing::TestWithParam<ProviderCase> {};

TEST_P(LlmSearchHttpProviders, SteeredRunThenReplayWithoutTheNetworkAndNoKeyAnywhere) {
  const ProviderCase& provider = GetParam();
  TunaSandbox box("llm-http-" + provider.provider);
  std::string spec = source_path("tests/integration/kernels/llm_steer.toml");
  // Without filling: how many of the surrogate's configs join each prompt while the model
  // thinks depends on the speeds, and a replay, answered at once, would not repeat them.
  std::vector<std::string> common = {"tune", spec, "--strategy", "llm", "--llm-initial-random",
                                     "2", "--llm-configs-per-round", "3", "--timing-budget", "3",
                                     "--shootout-rounds", "2", "--fresh", "--llm-no-fill"};
  std::string steered_run_output;
  std::int64_t run_id = 0;
  std::vector<std::string> proposals = {
      R"({"configs": [{"A": 5, "B": 2}, {"A": 3, "B": 4}]})",
      R"(```json
{"configs": [{"A": 6, "B": 2}, {"A": 5, "B": 4}]}
```)",
      R"({"configs": [{"A": 6, "B": 4}]})",
      R"({"configs": [{"A": 6, "B": 4}, {"A": 5, "B": 2}]})"};
  {
    auto server = scripted_server(provider.protocol, proposals);
    std::vector<std::string> args = common;
    for (const char* a : {"--llm-model", "m", "--llm-api-key-env", "FAKE_LLM_KEY"}) {
      args.push_back(a);
    }
    args.insert(args.end(), {"--llm-provider", provider.provider, "--llm-base-url",
                             server->base_url()});
    ProcessResult r = run_tuna(box, args);
    ASSERT_TRUE(r.ok()) << r.describe() << "\n" << r.output;
    steered_run_output = r.output;
    EXPECT_NE(r.output.find("A=6,B=4"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("LLM search stats: 4 LLM calls"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("round 3 brought no new config"), std::string::npos) << r.output;
    auto requests = server->requests();
    ASSERT_EQ(requests.size(), 4u);
    std::vector<std::size_t> counts;
    for (const auto& request : requests) counts.push_back(request.turns.size());
    EXPECT_EQ(counts, (std::vector<std::size_t>{2, 4, 6, 8}));
    // The kernel source goes to the provider; the key goes only into its header.
    EXPECT_NE(requests[0].body.find("llm_steer(const float* x"), std::string::npos);
    for (const auto& request : requests) {
      EXPECT_EQ(request.header(provider.auth_header), provider.auth_prefix + kSecret);
      EXPECT_EQ(request.body.find(kSecret), std::string::npos);
      EXPECT_EQ(request.path, tuna::test_support::protocol_path(provider.protocol));
    }
    run_id = run_id_of(r.output);
    ASSERT_GT(run_id, 0) << r.output;
  }

  // The server is gone: the replay answers from the store and proposes the same configs.
  std::vector<std::string> args = common;
  args.push_back("--llm-replay");
  args.push_back(std::to_string(run_id));
  ProcessResult replay = run_tuna(box, args);
  ASSERT_TRUE(replay.ok()) << replay.describe() << "\n" << replay.output;
  EXPECT_NE(replay.output.find("round 3 brought no new config"), std::string::npos)
      << replay.output;
  std::int64_t replay_id = run_id_of(replay.output);
  Store store(box.db());
  std::vector<LlmExchange> recorded = store.llm_exchanges(run_id);
  std::vector<LlmExchange> replayed = store.llm_exchanges(replay_id);
  ASSERT_EQ(recorded.size(), 4u);
  ASSERT_EQ(replayed.size(), recorded.size());
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    EXPECT_EQ(replayed[i].response_text, recorded[i].response_text) << i;
    EXPECT_EQ(replayed[i].provider, "replay");
  }
  std::regex measured("configs: (\\d+) \\((\\d+) measured");
  std::smatch a, b;
  ASSERT_TRUE(std::regex_search(steered_run_output, a, measured));
  ASSERT_TRUE(std::regex_search(replay.output, b, measured));
  EXPECT_EQ(a[1], b[1]);

  // The key appears nowhere: not in the output of either run, the store, or the cache.
  EXPECT_EQ(steered_run_output.find(kSecret), std::string::npos);
  EXPECT_EQ(replay.output.find(kSecret), std::string::npos);
  EXPECT_TRUE(files_containing(box.dir(), kSecret).empty());
  EXPECT_TRUE(files_containing(box.dir(), "9f8e7d6c5b4a").empty());
}

INSTANTIATE_TEST_SUITE_P(
    EachProtocol, LlmSearchHttpProviders,
    ::testing::Values(ProviderCase{Protocol::OpenAiResponses, "openai", "authorization", "Bearer "},
                      ProviderCase{Protocol::AnthropicMessages, "anthropic", "x-api-key", ""},
                      ProviderCase{Protocol::ChatCompletions, "openai-chat", "authorization",
                                   "Bearer "}),
    [](const auto& info) {
      std::string name = info.param.provider;
      for (char& c : name) c = c == '-' ? '_' : c;
      return name;
    });

TEST(LlmSearchHttp, RowsumEndToEndWithOneRound) {
  TunaSandbox box("llm-http-rowsum");
  auto server = scripted_server(Protocol::ChatCompletions,
                                {R"({"configs": [{"VEC": 8, "ACC": 4}, {"VEC": 16, "ACC": 2}]})"});
  ProcessResult r = run_tuna(
      box, {"tune", source_path("examples/host/rowsum/spec.toml"), "--strategy", "llm",
            "--llm-provider", "openai-chat", "--llm-base-url", server->base_url(), "--llm-model", "m",
            "--llm-effort", "quick", "--llm-initial-random", "1", "--timing-budget", "5",
            "--shootout-rounds", "1"});
  ASSERT_TRUE(r.ok()) << r.describe() << "\n" << r.output;
  EXPECT_EQ(server->request_count(), 1u);
  EXPECT_NE(r.output.find("all 1 LLM rounds done"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("VEC=8,ACC=4"), std::string::npos) << r.output;
}

TEST(LlmSearchHttp, AnUnreachableProviderAbortsUnlessAFallbackIsGiven) {
  TunaSandbox box("llm-http-down");
  std::string spec = source_path("tests/integration/kernels/llm_steer.toml");
  std::vector<std::string> args = {"tune", spec, "--strategy", "llm", "--llm-provider",
                                   "openai-chat", "--llm-base-url", "http://127.0.0.1:9",
                                   "--llm-model", "m", "--llm-initial-random", "1",
                                   "--llm-timeout", "5", "--max-evals", "6", "--timing-budget",
                                   "3", "--shootout-rounds", "0"};
  ProcessResult aborted = run_tuna(box, args);
  EXPECT_EQ(aborted.exit_code, 2) << aborted.output;
  EXPECT_NE(aborted.output.find("LLM provider 'openai-chat'"), std::string::npos)
      << aborted.output;
  EXPECT_NE(aborted.output.find("--llm-fallback"), std::string::npos) << aborted.output;
  args.push_back("--llm-fallback");
  args.push_back("random");
  ProcessResult fell_back = run_tuna(box, args);
  ASSERT_TRUE(fell_back.ok()) << fell_back.output;
  EXPECT_NE(fell_back.output.find("continuing with the 'random' strategy"), std::string::npos)
      << fell_back.output;
  EXPECT_NE(fell_back.output.find("configs: 6"), std::string::npos) << fell_back.output;
}
