// Looks up the tuned config of a kernel for one device and one problem, as a shipped application
// would at start-up (docs/deploy.md). Links tuna::runtime only.
//
//   lookup_tuned SOURCE KERNEL DEVICE NAME=VALUE...
//
// SOURCE is a tuna store (tuna.db) or a `tuna export --format json` file; DEVICE a device id or
// name; NAME=VALUE the problem's sizes. Prints how the lookup was answered and the values.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <string>

#include <tuna/errors.hpp>
#include <tuna/lookup.hpp>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s SOURCE KERNEL DEVICE NAME=VALUE...\n", argv[0]);
    return 2;
  }
  try {
    std::map<std::string, tuna::Value> sizes;
    for (int i = 4; i < argc; ++i) {
      std::string item = argv[i];
      std::size_t eq = item.find('=');
      if (eq == std::string::npos) throw tuna::UserError("expected NAME=VALUE, got " + item);
      sizes[item.substr(0, eq)] = tuna::Value(std::int64_t{std::stoll(item.substr(eq + 1))});
    }
    const std::filesystem::path source = argv[1];
    const tuna::Lookup table = source.extension() == ".json"
                                   ? tuna::Lookup::from_json_file(source)
                                   : tuna::Lookup::from_store(source);
    const std::string problem = tuna::problem_key(sizes);
    const tuna::LookupResult r = table.find(argv[2], problem, argv[3]);
    std::printf("problem: %s\nmatch: %s\n", problem.c_str(), tuna::lookup_match_name(r.match));
    std::string values;
    for (const auto& [name, value] : r.values) {
      values += (values.empty() ? "" : ",") + name + "=" + value.to_string();
    }
    std::printf("values: %s\n", values.c_str());
    if (r.entry) std::printf("median_ms: %.4f\n", r.entry->median_ms);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lookup_tuned: %s\n", e.what());
    return 1;
  }
}
