#include "search/compare_transcript.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/hash.hpp"
#include "tuna/errors.hpp"

namespace tuna::search {
namespace {

std::string describe(const CompareRunKey& key) {
  return fmt::format("space '{}', strategy '{}', seed {}", key.space, key.strategy, key.seed);
}

// The request as the store keeps it, hashed with the store's own content hash.
std::string prompt_hash(const llm::LlmRequest& request, const std::string& model) {
  return content_hash_hex(llm::request_json_for_store(request, model));
}

Transcript::LineKey line_key(const CompareRunKey& key, std::size_t call) {
  return {key.space, key.strategy, key.seed, call};
}

// Passes requests to a live client and appends each exchange, failures included, to the file.
// `first_call` numbers the first exchange (a continuation's live part starts after the calls
// it replayed).
class TranscribingClient final : public llm::LlmClient {
 public:
  TranscribingClient(std::shared_ptr<llm::LlmClient> live, std::shared_ptr<TranscriptWriter> writer,
                     CompareRunKey key, std::size_t first_call = 0)
      : live_(std::move(live)), writer_(std::move(writer)), key_(std::move(key)),
        calls_(first_call) {}
  std::string provider() const override { return live_->provider(); }
  std::string model() const override { return live_->model(); }

  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard lock(mutex_);
    TranscriptLine line;
    line.key = key_;
    line.call = calls_++;
    line.model = live_->model();
    line.provider = live_->provider();
    line.prompt_hash = prompt_hash(request, line.model);
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    try {
      llm::LlmReply reply = live_->complete(request);
      line.reply = reply.text;
      line.input_tokens = reply.input_tokens;
      line.output_tokens = reply.output_tokens;
      // The provider's latency (retries included) when it reports one. Handed on in the reply
      // too, so that the search records the same figure the replay will give it.
      if (reply.latency_s <= 0) reply.latency_s = elapsed();
      line.latency_s = reply.latency_s;
      writer_->append(line);
      return reply;
    } catch (const llm::LlmError& e) {
      line.error = e.what();
      line.latency_s = elapsed();
      writer_->append(line);
      throw;
    }
  }

 private:
  std::shared_ptr<llm::LlmClient> live_;
  std::shared_ptr<TranscriptWriter> writer_;
  CompareRunKey key_;
  std::mutex mutex_;
  std::size_t calls_;
};

// Answers one run's requests from its transcript lines, in call order.
class ReplayingClient final : public llm::LlmClient {
 public:
  ReplayingClient(std::shared_ptr<Transcript::Data> data, CompareRunKey key,
                  std::function<void(const std::string&)> log)
      : data_(std::move(data)), key_(std::move(key)), log_(std::move(log)) {
    auto first = data_->lines.find(line_key(key_, 0));
    model_ = first != data_->lines.end() ? first->second.model : "replay";
  }
  std::string provider() const override { return "replay"; }
  std::string model() const override { return model_; }

  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard lock(mutex_);
    const std::size_t call = calls_++;
    const TranscriptLine* line = recorded(call);
    if (!line) {
      // Not a provider failure (which a fallback would paper over): the transcript is
      // incomplete for this comparison, so the run cannot be reproduced.
      throw UserError(fmt::format(
          "--llm-replay {}: no line for {}, call {} (the transcript holds {} call{} of this "
          "run). Replay with the settings of the live comparison (--runs, --seed, --budgets, "
          "--noise, --llm-rounds, --llm-configs-per-round, ...), or run this one live with "
          "--llm-transcript",
          data_->file.string(), describe(key_), call, call, call == 1 ? "" : "s"));
    }
    return answer(request, *line);
  }

  // The line of call `call` of this run, or nullptr when the transcript has none.
  const TranscriptLine* recorded(std::size_t call) const {
    auto it = data_->lines.find(line_key(key_, call));
    return it == data_->lines.end() ? nullptr : &it->second;
  }

  // The recorded reply (or failure) of `line`, noting in the log when `request` is not the
  // question it answered.
  llm::LlmReply answer(const llm::LlmRequest& request, const TranscriptLine& line) const {
    if (!line.prompt_hash.empty() && prompt_hash(request, line.model) != line.prompt_hash) {
      ++data_->mismatches;
      if (log_)
        log_(
            fmt::format("replay: the request of call {} differs from the recorded one "
                        "(prompt_hash); this run may diverge from the live one",
                        line.call));
    }
    if (!line.error.empty())
      throw llm::LlmError(
          fmt::format("replay: recorded call {} failed: {}", line.call, line.error));
    llm::LlmReply reply;
    reply.text = line.reply;
    // The live run's cost, so that a replayed report shows what the comparison cost.
    reply.input_tokens = line.input_tokens;
    reply.output_tokens = line.output_tokens;
    reply.latency_s = line.latency_s;
    return reply;
  }

 private:
  std::shared_ptr<Transcript::Data> data_;
  CompareRunKey key_;
  std::function<void(const std::string&)> log_;
  std::string model_;
  std::mutex mutex_;
  std::size_t calls_ = 0;
};

// The first `calls` requests of a run from its transcript (each copied to `writer`), the rest
// from a live client, transcribed to `writer` under their own call numbers.
class ContinuingClient final : public llm::LlmClient {
 public:
  ContinuingClient(std::shared_ptr<ReplayingClient> recorded, std::size_t calls,
                   std::shared_ptr<llm::LlmClient> live, std::shared_ptr<TranscriptWriter> writer,
                   CompareRunKey key, std::function<void(const std::string&)> log)
      : recorded_(std::move(recorded)), calls_(calls), live_(std::move(live)),
        writer_(std::move(writer)), key_(std::move(key)), log_(std::move(log)) {}
  std::string provider() const override { return live_->provider(); }
  std::string model() const override { return live_->model(); }

  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::shared_ptr<llm::LlmClient> asked;
    const TranscriptLine* line = nullptr;
    std::size_t call = 0;
    {
      std::lock_guard lock(mutex_);
      call = next_++;
      // Once live, the run stays live: its conversation has left the transcript's.
      if (!transcribing_) {
        line = call < calls_ ? recorded_->recorded(call) : nullptr;
        if (!line && call < calls_ && log_)
          log_(fmt::format("continuation: the transcript has no call {}; asking the model", call));
        // Made at the first live call, so that its exchanges are numbered from there on.
        if (!line) transcribing_ = writer_ ? transcribing_client(live_, writer_, key_, call) : live_;
      }
      if (!line) asked = transcribing_;
    }
    if (asked) return asked->complete(request);
    if (writer_) writer_->append(*line);
    return recorded_->answer(request, *line);
  }

 private:
  std::shared_ptr<ReplayingClient> recorded_;
  std::size_t calls_;
  std::shared_ptr<llm::LlmClient> live_;
  std::shared_ptr<TranscriptWriter> writer_;
  CompareRunKey key_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::size_t next_ = 0;
  std::shared_ptr<llm::LlmClient> transcribing_;  // the live client, once the run went live
};

}  // namespace

std::string transcript_line_json(const TranscriptLine& l) {
  // In the order people read them: which run and call, then what came back.
  nlohmann::ordered_json j = {{"space", l.key.space},
                              {"strategy", l.key.strategy},
                              {"seed", l.key.seed},
                              {"call", l.call},
                              {"model", l.model},
                              {"provider", l.provider},
                              {"reply", l.reply},
                              {"input_tokens", l.input_tokens},
                              {"output_tokens", l.output_tokens},
                              {"latency_s", l.latency_s},
                              {"error", l.error},
                              {"prompt_hash", l.prompt_hash}};
  // A reply is the model's text: bytes that are not UTF-8 are replaced rather than fail the run.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

TranscriptLine parse_transcript_line(const std::string& text, const std::string& origin) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    throw UserError(
        fmt::format("{}: not a JSON object; a transcript holds one JSON object per "
                    "line, as `tuna compare --llm-transcript` writes it",
                    origin));
  }
  auto need = [&](const char* field, bool ok) {
    if (!ok || !j.contains(field))
      throw UserError(
          fmt::format("{}: field '{}' is missing or of the wrong type (see "
                      "docs/llm.md, \"Comparing LLM strategies offline\")",
                      origin, field));
  };
  need("space", j.contains("space") && j["space"].is_string());
  need("strategy", j.contains("strategy") && j["strategy"].is_string());
  need("seed", j.contains("seed") && j["seed"].is_number_unsigned());
  need("call", j.contains("call") && j["call"].is_number_unsigned());
  need("reply", j.contains("reply") && j["reply"].is_string());
  TranscriptLine l;
  l.key = {j["space"].get<std::string>(), j["strategy"].get<std::string>(),
           j["seed"].get<std::uint64_t>()};
  l.call = j["call"].get<std::size_t>();
  l.reply = j["reply"].get<std::string>();
  auto text_of = [&](const char* field) {
    return j.contains(field) && j[field].is_string() ? j[field].get<std::string>() : "";
  };
  auto int_of = [&](const char* field) {
    return j.contains(field) && j[field].is_number() ? j[field].get<std::int64_t>() : 0;
  };
  l.model = text_of("model");
  l.provider = text_of("provider");
  l.error = text_of("error");
  l.prompt_hash = text_of("prompt_hash");
  l.input_tokens = int_of("input_tokens");
  l.output_tokens = int_of("output_tokens");
  l.latency_s =
      j.contains("latency_s") && j["latency_s"].is_number() ? j["latency_s"].get<double>() : 0.0;
  return l;
}

TranscriptWriter::TranscriptWriter(std::filesystem::path file)
    : path_(std::move(file)), out_(path_, std::ios::binary | std::ios::app) {
  if (!out_) {
    throw UserError(
        fmt::format("--llm-transcript {}: cannot open it for appending: {}; check "
                    "that its folder exists and is writable",
                    path_.string(), std::strerror(errno)));
  }
}

void TranscriptWriter::append(const TranscriptLine& line) {
  std::lock_guard lock(mutex_);
  out_ << transcript_line_json(line) << '\n';
  out_.flush();
  if (!out_) {
    throw UserError(
        fmt::format("--llm-transcript {}: writing failed (disk full?)", path_.string()));
  }
}

std::shared_ptr<llm::LlmClient> transcribing_client(std::shared_ptr<llm::LlmClient> live,
                                                    std::shared_ptr<TranscriptWriter> writer,
                                                    const CompareRunKey& key,
                                                    std::size_t first_call) {
  return std::make_shared<TranscribingClient>(std::move(live), std::move(writer), key,
                                              first_call);
}

Transcript Transcript::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw UserError(
        fmt::format("--llm-replay {}: cannot read it: {}; give the file that "
                    "`tuna compare --llm-transcript` wrote",
                    file.string(), std::strerror(errno)));
  }
  Transcript t;
  t.data_ = std::make_shared<Data>();
  t.data_->file = file;
  std::string text;
  for (std::size_t n = 1; std::getline(in, text); ++n) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    TranscriptLine line = parse_transcript_line(text, fmt::format("{}:{}", file.string(), n));
    t.data_->lines[line_key(line.key, line.call)] = std::move(line);
  }
  if (t.data_->lines.empty()) {
    throw UserError(
        fmt::format("--llm-replay {}: the file holds no transcript lines; run the "
                    "comparison live with --llm-transcript {} first",
                    file.string(), file.string()));
  }
  return t;
}

std::vector<std::string> Transcript::missing_runs(const std::vector<CompareRunKey>& runs) const {
  std::vector<std::string> missing;
  for (const CompareRunKey& key : runs)
    if (!data_->lines.contains(line_key(key, 0))) missing.push_back(describe(key));
  return missing;
}

std::shared_ptr<llm::LlmClient> Transcript::client_for(
    const CompareRunKey& key, std::function<void(const std::string&)> log) const {
  return std::make_shared<ReplayingClient>(data_, key, std::move(log));
}

std::shared_ptr<llm::LlmClient> Transcript::continuation_for(
    const CompareRunKey& key, std::size_t calls, std::shared_ptr<llm::LlmClient> live,
    std::shared_ptr<TranscriptWriter> writer, std::function<void(const std::string&)> log) const {
  auto recorded = std::make_shared<ReplayingClient>(data_, key, log);
  return std::make_shared<ContinuingClient>(std::move(recorded), calls, std::move(live),
                                            std::move(writer), key, std::move(log));
}

}  // namespace tuna::search
