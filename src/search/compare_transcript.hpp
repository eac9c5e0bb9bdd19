#pragma once
// LLM transcripts of `tuna compare`: reproducible comparisons without a model.
//
// A live comparison (`--llm-transcript FILE.jsonl`) appends one JSON line per LLM exchange:
//   {"space", "strategy", "seed", "call" (0-based within that run), "model", "provider",
//    "reply", "input_tokens", "output_tokens", "latency_s", "error", "prompt_hash"}
// A replay (`--llm-replay FILE.jsonl`) answers each run's requests from the lines with the same
// (space, strategy, seed, call). Given its seed and the replies, a search is deterministic, so
// the replay proposes the same configs and scores the same as the live run. prompt_hash is the
// content hash (core/hash.hpp) of the request as stored (llm::request_json_for_store): a
// replayed request whose hash differs was not the question the reply answered, which the run's
// log notes.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "llm/transport.hpp"
#include "search/compare.hpp"

namespace tuna::search {

struct TranscriptLine {
  CompareRunKey key;
  std::size_t call = 0;
  std::string model, provider, reply, error, prompt_hash;
  std::int64_t input_tokens = 0, output_tokens = 0;
  double latency_s = 0;
};

std::string transcript_line_json(const TranscriptLine& line);
// Throws UserError naming `origin` (file:line) and the field that is wrong.
TranscriptLine parse_transcript_line(const std::string& text, const std::string& origin);

// Appends lines to a transcript file; safe to share between runs on several threads. Each line
// is flushed as it is written, so an interrupted comparison keeps every finished exchange.
class TranscriptWriter {
 public:
  explicit TranscriptWriter(std::filesystem::path file);  // throws UserError when unwritable
  void append(const TranscriptLine& line);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
  std::mutex mutex_;
};

// A live client whose every exchange of run `key` is appended to `writer`, numbered from
// `first_call`.
std::shared_ptr<llm::LlmClient> transcribing_client(std::shared_ptr<llm::LlmClient> live,
                                                    std::shared_ptr<TranscriptWriter> writer,
                                                    const CompareRunKey& key,
                                                    std::size_t first_call = 0);

// A transcript read back for replay.
class Transcript {
 public:
  // Throws UserError when the file cannot be read or a line is not a transcript line. A key
  // written twice (the file was appended to by two live comparisons) keeps its last line.
  static Transcript load(const std::filesystem::path& file);

  // The runs among `runs` that have no line at all, as "space 'x', strategy 'llm', seed 3".
  std::vector<std::string> missing_runs(const std::vector<CompareRunKey>& runs) const;
  // Answers run `key`'s requests in order. A request beyond the recorded ones throws UserError
  // naming the missing line; a recorded failure is replayed as the same provider failure.
  // `log` receives a note when a request differs from the recorded one.
  std::shared_ptr<llm::LlmClient> client_for(const CompareRunKey& key,
                                             std::function<void(const std::string&)> log) const;
  // A counterfactual continuation of run `key`: its first `calls` requests are answered from
  // the transcript, the later ones by `live`. With a `writer`, every exchange, the replayed
  // ones included, is appended to it, so the new transcript replays the continuation alone.
  // Why: a change that acts from round `calls` on is compared from the same state, without
  // the spread of the model's earlier answers (docs/llm.md, "Comparing LLM strategies
  // offline"). A replayed call the transcript lacks goes to `live` as well.
  std::shared_ptr<llm::LlmClient> continuation_for(const CompareRunKey& key, std::size_t calls,
                                                   std::shared_ptr<llm::LlmClient> live,
                                                   std::shared_ptr<TranscriptWriter> writer,
                                                   std::function<void(const std::string&)> log) const;
  // Replayed requests whose prompt hash differed from the recorded one, so far.
  std::size_t prompt_mismatches() const { return data_->mismatches.load(); }
  std::size_t size() const { return data_->lines.size(); }

  using LineKey = std::tuple<std::string, std::string, std::uint64_t, std::size_t>;
  struct Data {
    std::filesystem::path file;
    std::map<LineKey, TranscriptLine> lines;
    std::atomic<std::size_t> mismatches{0};
  };

 private:
  std::shared_ptr<Data> data_;
};

}  // namespace tuna::search
