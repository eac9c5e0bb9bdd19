#pragma once
// Tuned configurations at run time: an application loads what `tuna tune` measured (the store)
// or what `tuna export --format json` wrote, and asks for the config of one kernel on one device
// and one problem, with the default as the fallback. docs/deploy.md describes the workflow and
// the matching rule.
//
// A Lookup is immutable once built, so any number of threads may call find() on one object at
// once; the application keeps it (there is no global table).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tuna/value.hpp"

namespace tuna {

// Parameter name -> value, with the types the spec declared (int, float, bool, string).
using TunedValues = std::map<std::string, Value>;

// How a lookup was answered, best first.
enum class LookupMatch {
  Exact,       // same kernel, problem and device id (name plus driver/compiler versions)
  DeviceName,  // same kernel and problem; same device name, other versions
  Default,     // nothing measured for this device and problem: the defaults
};
const char* lookup_match_name(LookupMatch m);  // "exact", "device_name", "default"

// The best measured config of one kernel on one device for one problem.
struct TunedEntry {
  std::string kernel;
  std::string device_name;
  std::string device_id;
  std::string backend;
  std::string problem;     // canonical problem key, e.g. "K=512,M=512,N=512"
  TunedValues values;
  std::string key;         // the config's canonical key
  double median_ms = 0;
  double measured_at = 0;  // seconds since the Unix epoch; breaks ties between device versions
};

struct LookupResult {
  TunedValues values;
  LookupMatch match = LookupMatch::Default;
  const TunedEntry* entry = nullptr;  // what matched (owned by the Lookup); null for Default
};

class Lookup {
 public:
  Lookup() = default;

  // Reads the best correct result of every (kernel, problem, device) in a tuna store. Where a
  // kernel's spec changed and several versions measured the same problem and device, the most
  // recent measurement wins. Throws UserError naming the file when it is missing or not a tuna
  // store.
  static Lookup from_store(const std::filesystem::path& db_path);
  // Reads a file written by `tuna export --format json` (its "entries" and "defaults").
  // Throws UserError naming the file and the field when it is malformed.
  static Lookup from_json_file(const std::filesystem::path& path);
  // Same, from text; `origin` names the text in messages.
  static Lookup from_json_text(const std::string& text, const std::string& origin);

  // Adds the entries and defaults of another Lookup (e.g. one export file per kernel). Only
  // while building: not safe while other threads call find().
  void merge(const Lookup& other);

  // The tuned config of `kernel` for `problem` on `device` (a device id or a device name, as
  // DeviceInfo::id and DeviceInfo::name say). Rule: an entry whose device id equals `device`
  // wins; else entries whose device name equals `device` or the name part of it, the most
  // recent first. The problem must match exactly: a config tuned for another size may violate
  // that size's constraints. When nothing matches, `defaults` (or, when empty, the defaults an
  // exported JSON file carries) come back with LookupMatch::Default. Values present in the
  // defaults but missing from the entry are filled in from the defaults.
  LookupResult find(const std::string& kernel, const std::string& problem,
                    const std::string& device, const TunedValues& defaults = {}) const;

  const std::vector<TunedEntry>& entries() const { return entries_; }
  // The defaults of a kernel carried by an exported file; empty when unknown.
  TunedValues defaults_of(const std::string& kernel) const;

 private:
  std::vector<TunedEntry> entries_;
  std::map<std::string, TunedValues> defaults_;  // kernel -> its spec's default config
};

// The convenience form of Lookup::find for one call: loads `source` (a .json export or a store;
// chosen by the file's first bytes) and returns the values. Programs that look up more than
// once should keep a Lookup instead of re-reading the file.
TunedValues lookup(const std::filesystem::path& source, const std::string& kernel,
                   const std::string& problem, const std::string& device,
                   const TunedValues& defaults = {});

// Canonical problem key from named sizes, the same text tuna stores: sorted by name,
// `K=512,M=512,N=512`.
std::string problem_key(const std::map<std::string, Value>& constants);

}  // namespace tuna
