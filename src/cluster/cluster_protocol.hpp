#pragma once
// The messages of cluster mode, between the leader (rank 0, which runs the search) and each
// follower (every other rank, which compiles and measures on its own devices). One JSON object
// per MPI message, with a "type":
//
//   follower -> leader   joined {rank, host, devices, labels, capacity, spec_hash}
//                        failed {rank, host, error}          (could not start: no device, ...)
//                        result {index, result}              (one per config, as it finishes)
//                        batch_done {} | batch_failed {error}
//   leader -> follower   batch {timing, compile_timeout_s}   (a batch begins)
//                        job {index, key}                    (one config; as many as capacity)
//                        end {}                              (no more configs in this batch)
//                        stop {}                             (the run is over)
//
// A follower takes part in one batch at a time and says batch_done once every config it was
// given has its result; the leader starts the next batch only then.
#include <string>

#include <nlohmann/json.hpp>

namespace tuna::cluster {

inline constexpr int kLeader = 0;

// "r2@node7/cuda:1": a device label as results from other ranks carry it ("r2@node7" for a
// config that failed to compile there, which no device ran).
std::string remote_label(int rank, const std::string& host, const std::string& local_label);

// Parses a message body; throws InternalError naming the sender when it is not a JSON object
// with a string "type" (only another tuna sends these, so a bad one is a bug).
nlohmann::json parse_message(const std::string& body, int source);

}  // namespace tuna::cluster
