#include "store/recorded_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "store/import_recording.hpp"
#include "store/import_store.hpp"
#include "tuna/errors.hpp"

namespace tuna::sim {

namespace {

store::Recording read_any(const std::filesystem::path& file) {
  if (!store::is_sqlite_file(file)) return store::read_recording(file);
  std::vector<StoreContext> contexts = store::all_contexts(file);
  if (contexts.size() == 1) return store::recording_from_store(file, contexts.front());
  std::string list;
  for (const auto& c : contexts)
    list += fmt::format("\n  {} on {} ({})", c.kernel_name, c.device_name, c.problem);
  throw UserError(
      fmt::format("{} holds {} kernel/device contexts; a recorded space is one of "
                  "them: export it first with `tuna export --format kt-cache`{}",
                  file.string(), contexts.size(), list));
}

std::string short_name(const std::filesystem::path& file) {
  std::string name = file.filename().string();
  for (const char* ext : {".gz", ".json", ".db"})
    if (name.size() > std::string(ext).size() && name.ends_with(ext))
      name.resize(name.size() - std::string(ext).size());
  return name;
}

}  // namespace

const RecordedConfig* RecordedSpace::find(const std::string& key) const {
  auto it = index.find(key);
  return it == index.end() ? nullptr : &configs[it->second];
}

double RecordedSpace::optimum_ms() const {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& c : configs)
    if (c.status == Status::Ok && space.is_valid(c.config)) best = std::min(best, c.time_ms);
  return best;
}

std::vector<double> RecordedSpace::sorted_ok_times() const {
  std::vector<double> times;
  for (const auto& c : configs)
    if (c.status == Status::Ok && space.is_valid(c.config)) times.push_back(c.time_ms);
  std::sort(times.begin(), times.end());
  return times;
}

Result replay(const RecordedSpace& recorded, const Config& config, ReplayNoise noise,
              std::mt19937_64& rng) {
  Result r;
  r.config = config;
  r.key = recorded.space.key(config);
  const RecordedConfig* rc = recorded.space.is_valid(config) ? recorded.find(r.key) : nullptr;
  if (!rc) {
    r.status = Status::Invalid;
    r.error_class = "constraint";
    r.message = "not in the recorded space: only the configurations of the recording are valid";
    return r;
  }
  r.status = rc->status;
  r.error_class = rc->error_class;
  if (rc->status != Status::Ok) r.message = "recorded as " + rc->error_class;
  r.compile_ms = rc->compile_ms;
  r.resources["run_ms"] = rc->run_ms;
  if (rc->status != Status::Ok) return r;
  if (noise == ReplayNoise::OneRepetition && !rc->times_ms.empty()) {
    std::uniform_int_distribution<std::size_t> pick(0, rc->times_ms.size() - 1);
    r.median_ms = rc->times_ms[pick(rng)];
    r.times_ms = {r.median_ms};
  } else {
    r.median_ms = rc->time_ms;
    r.times_ms = rc->times_ms.empty() ? std::vector<double>{rc->time_ms} : rc->times_ms;
  }
  return r;
}

double charged_ms(const Result& replayed) {
  auto run = replayed.resources.find("run_ms");
  return replayed.compile_ms + (run == replayed.resources.end() ? 0.0 : run->second);
}

RecordedSpace load_recorded_space(const std::filesystem::path& file,
                                  const std::optional<std::filesystem::path>& t1_file) {
  store::Recording rec = read_any(file);
  std::optional<store::T1Space> t1;
  if (t1_file) t1 = store::read_t1(*t1_file);
  RecordedSpace out;
  out.space = store::recording_space(rec, t1 ? &*t1 : nullptr);
  out.name = short_name(file);
  out.device_name = rec.device_name;
  out.kernel_name = rec.kernel_name;
  out.source_format = rec.format;
  out.configs.reserve(rec.entries.size());
  for (const auto& e : rec.entries) {
    RecordedConfig c;
    c.config = Config(e.values);
    c.key = out.space.key(c.config);
    c.status = e.status;
    c.error_class = e.error_class;
    c.times_ms = e.times_ms;
    c.time_ms = e.objective_ms();
    c.compile_ms = e.compile_ms;
    c.run_ms = e.benchmark_ms + e.verification_ms;
    c.framework_ms = e.framework_ms;
    if (!out.index.emplace(c.key, out.configs.size()).second)
      throw UserError(fmt::format("{}: configuration {} is recorded twice", file.string(), c.key));
    out.configs.push_back(std::move(c));
  }
  return out;
}

}  // namespace tuna::sim
