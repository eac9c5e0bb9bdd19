#pragma once
// `--json` output of tune, run, show and compare: one JSON document per command on stdout, every
// document with "schema_version" and "command". docs/json.md gives every field; change both
// together, and raise kJsonSchemaVersion when a field changes meaning or goes away.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "search/compare.hpp"
#include "tuna/driver.hpp"
#include "tuna/result.hpp"
#include "tuna/spec.hpp"
#include "tuna/store.hpp"

namespace tuna::report {

constexpr int kJsonSchemaVersion = 1;

using Json = nlohmann::ordered_json;

// One result: key, config (typed values by name), status, times and resources.
Json result_json(const Result& result, const Space& space);
Json throughput_json(const Throughput& t);
Json device_json(const DeviceInfo& device);

Json tune_json(const TuneSummary& summary, const KernelSpec& spec, const Space& space,
               const std::string& store_path);
Json run_json(const Result& result, const KernelSpec& spec, const Space& space,
              const DeviceInfo& device, std::int64_t run_id, const std::string& store_path);

// The results of one stored context as `tuna show` lists them.
struct ShownContext {
  StoreContext context;
  std::vector<Result> results;  // every stored result, best first
};
// `limit` (0: all) and `failures` select the rows as the text output does; totals count all.
Json show_json(const std::string& kernel, const std::vector<ShownContext>& contexts,
               const Space& space, std::size_t limit, bool failures);

// `noise` is the flag's text ("median", "one-repetition").
Json compare_json(const search::CompareReport& report, const std::string& noise);

// Writes the document and a newline to stdout, and flushes.
void print_json(const Json& document);

}  // namespace tuna::report
