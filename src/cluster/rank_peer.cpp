#include "cluster/rank_peer.hpp"

#include <fmt/format.h>

#include "cluster/cluster_protocol.hpp"
#include "core/codec.hpp"
#include "tuna/errors.hpp"

namespace tuna::cluster {
namespace {

using nlohmann::json;

// A follower may be busy for long (a slow compile, a run up to its timeout); the wait for a
// message is in short slices so that the loop can hand out configs as capacity frees.
constexpr std::chrono::milliseconds kFollowerPoll{20};

}  // namespace

RankPeer::RankPeer(MpiSession& session, const json& joined, const KernelSpec& spec)
    : session_(session) {
  try {
    rank_ = joined.at("rank").get<int>();
    name_ = fmt::format("rank {} ({})", rank_, joined.at("host").get<std::string>());
    for (const json& d : joined.at("devices")) devices_.push_back(codec::device_from_json(d));
    capacity_ = std::max<std::size_t>(1, joined.at("capacity").get<std::size_t>());
  } catch (const json::exception& e) {
    throw InternalError(fmt::format("cluster: malformed joined message: {}", e.what()));
  }
  TUNA_ASSERT(!devices_.empty(), "cluster: " + name_ + " joined without a device");
  space_ = spec.make_space(devices_.front());
}

void RankPeer::evaluate(const JobSource& next, const eval::BatchSettings& settings,
                        const JobDone& done) {
  session_.send(rank_, json{{"type", "batch"},
                            {"timing", codec::to_json(settings.timing)},
                            {"compile_timeout_s", settings.compile_timeout_s}}
                           .dump());
  std::size_t outstanding = 0;
  bool ended = false;
  while (true) {
    while (!ended && outstanding < capacity_) {
      std::optional<EvaluationJob> job = next();
      if (!job) {
        session_.send(rank_, json{{"type", "end"}}.dump());
        ended = true;
        break;
      }
      session_.send(rank_, json{{"type", "job"}, {"index", job->index},
                                {"key", space_.key(job->config)}}
                               .dump());
      ++outstanding;
    }
    std::optional<Message> message = session_.receive(rank_, kFollowerPoll);
    if (!message) continue;
    if (handle(parse_message(message->body, rank_), outstanding, done)) return;
  }
}

bool RankPeer::handle(const json& message, std::size_t& outstanding, const JobDone& done) {
  const std::string type = message.at("type").get<std::string>();
  if (type == "result") {
    TUNA_ASSERT(outstanding > 0, "cluster: a result nobody asked for from " + name_);
    --outstanding;
    done(message.at("index").get<std::size_t>(),
         codec::result_from_json(message.at("result"), space_));
    return false;
  }
  if (type == "batch_done") {
    TUNA_ASSERT(outstanding == 0, fmt::format("cluster: {} finished a batch with {} configs "
                                              "unanswered", name_, outstanding));
    return true;
  }
  if (type == "batch_failed") {
    throw UserError(fmt::format("{} failed: {}", name_, message.value("error", "(no message)")));
  }
  throw InternalError(fmt::format("cluster: unexpected '{}' message from {}", type, name_));
}

}  // namespace tuna::cluster
