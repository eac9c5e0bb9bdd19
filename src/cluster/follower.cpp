#include "cluster/follower.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cluster/cluster_protocol.hpp"
#include "core/codec.hpp"
#include "tuna/errors.hpp"

namespace tuna::cluster {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kLeaderPoll{100};

// The configs of the current batch, as they arrive from the leader; the local evaluator's
// compile threads wait here for the next one.
class ArrivingJobs {
 public:
  void push(EvaluationJob job) {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    changed_.notify_one();
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  std::optional<EvaluationJob> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !jobs_.empty() || closed_; });
    if (jobs_.empty()) return std::nullopt;
    EvaluationJob job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<EvaluationJob> jobs_;
  bool closed_ = false;
};

json wait_from_leader(MpiSession& session) {
  while (true) {
    if (std::optional<Message> m = session.receive(kLeader, kLeaderPoll)) {
      return parse_message(m->body, kLeader);
    }
  }
}

class Follower {
 public:
  Follower(MpiSession& session, Evaluator& evaluator)
      : session_(session), evaluator_(evaluator) {}

  void join(const KernelSpec& spec) {
    json devices = json::array();
    json labels = json::array();
    for (const DeviceInfo& d : evaluator_.devices()) devices.push_back(codec::to_json(d));
    for (const std::string& l : evaluator_.device_labels()) labels.push_back(l);
    session_.send(kLeader, json{{"type", "joined"},
                                {"rank", session_.rank()},
                                {"host", session_.host()},
                                {"devices", devices},
                                {"labels", labels},
                                {"capacity", evaluator_.parallelism()},
                                {"spec_hash", spec.content_hash()}}
                               .dump());
  }

  // Serves batches until stop.
  void serve() {
    while (true) {
      json message = wait_from_leader(session_);
      const std::string type = message.at("type").get<std::string>();
      if (type == "stop") return;
      if (type != "batch")
        throw InternalError(fmt::format("cluster: rank {} expected a batch, got '{}'",
                                        session_.rank(), type));
      if (run_batch(message)) return;
    }
  }

 private:
  // Returns true when the leader said stop during the batch (it gave up on the run).
  bool run_batch(const json& batch) {
    evaluator_.set_compile_timeout_s(batch.at("compile_timeout_s").get<double>());
    TimingOptions timing = codec::timing_from_json(batch.at("timing"));
    ArrivingJobs jobs;
    std::jthread measuring([&] {
      try {
        evaluator_.evaluate_stream([&] { return jobs.pop(); }, timing,
                                   [&](std::size_t index, const Result& r) { send_result(index, r); });
        session_.send(kLeader, json{{"type", "batch_done"}}.dump());
      } catch (const std::exception& e) {
        session_.send(kLeader, json{{"type", "batch_failed"},
                                    {"error", fmt::format("{}", e.what())}}.dump());
      }
    });
    return receive_jobs(jobs);
  }

  // Until the leader's `end` (or `stop`: returns true): the measuring thread works on what has
  // arrived meanwhile.
  bool receive_jobs(ArrivingJobs& jobs) {
    const Space& space = evaluator_.space();
    while (true) {
      json message = wait_from_leader(session_);
      const std::string type = message.at("type").get<std::string>();
      if (type == "end" || type == "stop") {
        jobs.close();
        return type == "stop";
      }
      if (type != "job")
        throw InternalError(fmt::format("cluster: rank {} expected a job, got '{}'",
                                        session_.rank(), type));
      jobs.push({message.at("index").get<std::size_t>(),
                 space.parse_key(message.at("key").get<std::string>())});
    }
  }

  void send_result(std::size_t index, Result result) {
    result.device = remote_label(session_.rank(), session_.host(), result.device);
    session_.send(kLeader, json{{"type", "result"},
                                {"index", index},
                                {"result", codec::to_json(result)}}
                               .dump());
  }

  MpiSession& session_;
  Evaluator& evaluator_;
};

}  // namespace

int serve_leader(MpiSession& session, const std::function<KernelSpec()>& load_spec,
                 const std::function<EvaluatorOptions()>& evaluator_options) {
  std::optional<KernelSpec> spec;
  std::optional<Evaluator> evaluator;
  try {
    spec = load_spec();
    evaluator.emplace(*spec, evaluator_options());
  } catch (const UserError& e) {
    session.send(kLeader, json{{"type", "failed"},
                               {"rank", session.rank()},
                               {"host", session.host()},
                               {"error", e.what()}}
                              .dump());
    // Stay until the leader ends the run, so that it can report every rank's problem at once.
    while (wait_from_leader(session).at("type") != "stop") {
    }
    // Rank 0 reports the problem and gives the job its exit status. A non-zero status here would
    // make mpirun kill rank 0 before it could print why.
    return 0;
  }
  Follower follower(session, *evaluator);
  follower.join(*spec);
  follower.serve();
  return 0;
}

}  // namespace tuna::cluster
