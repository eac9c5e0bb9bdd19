#include "cluster/leader.hpp"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cluster/cluster_protocol.hpp"
#include "cluster/rank_peer.hpp"
#include "tuna/errors.hpp"

namespace tuna::cluster {
namespace {

using nlohmann::json;

// A rank starts its bench workers and learns its devices before it answers; that takes seconds,
// more on a loaded machine. Progress is said every this long.
constexpr std::chrono::milliseconds kJoinSlice{1000};

}  // namespace

std::vector<std::shared_ptr<eval::Peer>> gather_followers(MpiSession& session,
                                                          const KernelSpec& spec) {
  std::map<int, json> answers;
  while (static_cast<int>(answers.size()) < session.size() - 1) {
    std::optional<Message> m = session.receive(-1, kJoinSlice);
    if (!m) continue;
    answers[m->source] = parse_message(m->body, m->source);
  }
  std::string problems;
  const std::string hash = spec.content_hash();
  for (const auto& [rank, answer] : answers) {
    const std::string type = answer.at("type").get<std::string>();
    std::string host = answer.value("host", "?");
    if (type == "failed") {
      problems += fmt::format("\n  rank {} ({}): {}", rank, host, answer.value("error", "?"));
    } else if (type != "joined") {
      throw InternalError(fmt::format("cluster: rank {} sent '{}' instead of joining", rank, type));
    } else if (answer.value("spec_hash", "") != hash) {
      problems += fmt::format("\n  rank {} ({}): its copy of {} (or of the kernel source) differs "
                              "from rank 0's; every rank must read the same files",
                              rank, host, spec.spec_path.string());
    }
  }
  if (!problems.empty()) {
    release_followers(session);
    throw UserError("cluster mode: some ranks cannot take part:" + problems);
  }
  std::vector<std::shared_ptr<eval::Peer>> peers;
  for (const auto& [rank, answer] : answers) {
    peers.push_back(std::make_shared<RankPeer>(session, answer, spec));
  }
  return peers;
}

void release_followers(MpiSession& session) {
  for (int rank = 1; rank < session.size(); ++rank) {
    session.send(rank, json{{"type", "stop"}}.dump());
  }
}

}  // namespace tuna::cluster
