#include "cluster/cluster_protocol.hpp"

#include <fmt/format.h>

#include "tuna/errors.hpp"

namespace tuna::cluster {

std::string remote_label(int rank, const std::string& host, const std::string& local_label) {
  // A compile failure never reached a device: it carries only the rank that compiled it.
  if (local_label.empty()) return fmt::format("r{}@{}", rank, host);
  return fmt::format("r{}@{}/{}", rank, host, local_label);
}

nlohmann::json parse_message(const std::string& body, int source) {
  nlohmann::json message = nlohmann::json::parse(body, nullptr, false);
  if (message.is_discarded() || !message.is_object() || !message.contains("type") ||
      !message.at("type").is_string()) {
    throw InternalError(fmt::format("cluster: rank {} sent a malformed message: {:.200}", source,
                                    body));
  }
  return message;
}

}  // namespace tuna::cluster
