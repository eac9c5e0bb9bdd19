// The replay provider: answers from exchanges recorded in the store, in order, so a run can be
// repeated without the network. A recorded failure is replayed as the same failure, so a run that
// fell back or aborted does so again at the same point.
#include <fmt/format.h>

#include <chrono>
#include <mutex>

#include "llm/providers.hpp"

namespace tuna::llm {
namespace {

class ReplayLlmClient final : public LlmClient {
 public:
  explicit ReplayLlmClient(const ProviderSettings& settings)
      : exchanges_(settings.replay),
        model_(!settings.model.empty() ? settings.model : exchanges_.front().model) {}

  std::string provider() const override { return "replay"; }
  std::string model() const override { return model_; }

  LlmReply complete(const LlmRequest&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (next_ >= exchanges_.size()) {
      throw LlmError(fmt::format(
          "replay: the recording holds {} exchange{}, all used; this run asked for more. Replay "
          "a run with the same settings (rounds, configs per round) as the recorded one.",
          exchanges_.size(), exchanges_.size() == 1 ? "" : "s"));
    }
    const LlmExchange& exchange = exchanges_[next_++];
    if (!exchange.error.empty())
      throw LlmError(fmt::format("replay: recorded exchange {} failed: {}", next_, exchange.error));
    LlmReply reply;
    reply.text = exchange.response_text;
    // No tokens were spent by this run: replayed exchanges cost nothing.
    return reply;
  }

 private:
  std::vector<LlmExchange> exchanges_;
  std::string model_;
  std::size_t next_ = 0;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<LlmClient> make_replay_client(const ProviderSettings& settings) {
  return std::make_unique<ReplayLlmClient>(settings);
}

}  // namespace tuna::llm
