#pragma once
// The leader's view of one follower rank: an eval::Peer whose configs travel as MPI messages
// (cluster_protocol.hpp). The follower compiles, runs and checks them on its own devices.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/mpi_session.hpp"
#include "eval/peer.hpp"
#include "tuna/space.hpp"
#include "tuna/spec.hpp"

namespace tuna::cluster {

class RankPeer final : public eval::Peer {
 public:
  // From the follower's `joined` message. The space (made from the spec and the follower's
  // device, which is of the run's model) rebuilds configs from the keys results carry.
  RankPeer(MpiSession& session, const nlohmann::json& joined, const KernelSpec& spec);

  std::string name() const override { return name_; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }
  std::size_t capacity() const override { return capacity_; }
  void evaluate(const JobSource& next, const eval::BatchSettings& settings,
                const JobDone& done) override;

  int rank() const { return rank_; }

 private:
  // Handles one message of the batch; returns true when it was batch_done.
  bool handle(const nlohmann::json& message, std::size_t& outstanding, const JobDone& done);

  MpiSession& session_;
  Space space_;
  int rank_ = 0;
  std::string name_;
  std::vector<DeviceInfo> devices_;
  std::size_t capacity_ = 1;
};

}  // namespace tuna::cluster
