#include "search/compare_transcript.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tuna/errors.hpp"

namespace tuna::search {
namespace {

// FIPS 180-4. The store has no cryptographic hash and a prompt hash must be one that anyone can
// recompute with standard tools (`sha256sum`), so it is written out here.
class Sha256 {
 public:
  void update(std::string_view data) {
    for (unsigned char c : data) {
      block_[fill_++] = c;
      if (fill_ == 64) {
        compress();
        fill_ = 0;
      }
    }
    length_ += data.size();
  }
  std::string hex() {
    const std::uint64_t bits = length_ * 8;
    update(std::string_view("\x80", 1));
    while (fill_ != 56) update(std::string_view("\0", 1));
    for (int i = 7; i >= 0; --i) block_[fill_++] = static_cast<unsigned char>(bits >> (8 * i));
    compress();
    std::string out;
    for (std::uint32_t word : state_) out += fmt::format("{:08x}", word);
    return out;
  }

 private:
  static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  void compress() {
    static constexpr std::array<std::uint32_t, 64> k = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::array<std::uint32_t, 64> w{};
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{block_[4 * i]} << 24) | (std::uint32_t{block_[4 * i + 1]} << 16) |
             (std::uint32_t{block_[4 * i + 2]} << 8) | std::uint32_t{block_[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::array<std::uint32_t, 8> v = state_;
    for (int i = 0; i < 64; ++i) {
      std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
      std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
      std::uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
      std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
      std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
      std::uint32_t t2 = s0 + maj;
      v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
    }
    for (int i = 0; i < 8; ++i) state_[i] += v[i];
  }

  std::array<std::uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t fill_ = 0;
  std::uint64_t length_ = 0;
};

std::string describe(const GuidedRunKey& key) {
  return fmt::format("space '{}', strategy '{}', seed {}", key.space, key.strategy, key.seed);
}

Transcript::LineKey line_key(const GuidedRunKey& key, std::size_t call) {
  return {key.space, key.strategy, key.seed, call};
}

// Passes requests to a live client and appends each exchange, failures included, to the file.
class TranscribingClient final : public llm::LlmClient {
 public:
  TranscribingClient(std::shared_ptr<llm::LlmClient> live, std::shared_ptr<TranscriptWriter> writer,
                     GuidedRunKey key)
      : live_(std::move(live)), writer_(std::move(writer)), key_(std::move(key)) {}
  std::string provider() const override { return live_->provider(); }
  std::string model() const override { return live_->model(); }

  llm::LlmReply complete(const llm::LlmRequest& request) override {
    std::lock_guard lock(mutex_);
    TranscriptLine line;
    line.key = key_;
    line.call = calls_++;
    line.model = live_->model();
    line.provider = live_->provider();
    line.prompt_sha256 = sha256_hex(llm::request_json_for_store(request, line.model));
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
  GuidedRunKey key_;
  std::mutex mutex_;
  std::size_t calls_ = 0;
};

// Answers one run's requests from its transcript lines, in call order.
class ReplayingClient final : public llm::LlmClient {
 public:
  ReplayingClient(std::shared_ptr<Transcript::Data> data, GuidedRunKey key,
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
    auto it = data_->lines.find(line_key(key_, call));
    if (it == data_->lines.end()) {
      // Not a provider failure (which a fallback would paper over): the transcript is
      // incomplete for this comparison, so the run cannot be reproduced.
      throw UserError(fmt::format(
          "--llm-replay {}: no line for {}, call {} (the transcript holds {} call{} of this "
          "run). Replay with the settings of the live comparison (--runs, --seed, --budgets, "
          "--noise, --llm-rounds, --llm-configs-per-round, ...), or run this one live with "
          "--llm-transcript",
          data_->file.string(), describe(key_), call, call, call == 1 ? "" : "s"));
    }
    const TranscriptLine& line = it->second;
    if (!line.prompt_sha256.empty() &&
        sha256_hex(llm::request_json_for_store(request, line.model)) != line.prompt_sha256) {
      ++data_->mismatches;
      if (log_)
        log_(
            fmt::format("replay: the request of call {} differs from the recorded one "
                        "(prompt_sha256); this run may diverge from the live one",
                        call));
    }
    if (!line.error.empty())
      throw llm::LlmError(fmt::format("replay: recorded call {} failed: {}", call, line.error));
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
  GuidedRunKey key_;
  std::function<void(const std::string&)> log_;
  std::string model_;
  std::mutex mutex_;
  std::size_t calls_ = 0;
};

}  // namespace

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

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
                              {"prompt_sha256", l.prompt_sha256}};
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
  l.prompt_sha256 = text_of("prompt_sha256");
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
                                                    const GuidedRunKey& key) {
  return std::make_shared<TranscribingClient>(std::move(live), std::move(writer), key);
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

std::vector<std::string> Transcript::missing_runs(const std::vector<GuidedRunKey>& runs) const {
  std::vector<std::string> missing;
  for (const GuidedRunKey& key : runs)
    if (!data_->lines.contains(line_key(key, 0))) missing.push_back(describe(key));
  return missing;
}

std::shared_ptr<llm::LlmClient> Transcript::client_for(
    const GuidedRunKey& key, std::function<void(const std::string&)> log) const {
  return std::make_shared<ReplayingClient>(data_, key, std::move(log));
}

}  // namespace tuna::search
