// `tuna import`: a recording put into the store, as one run of its own.
#include <fmt/format.h>

#include "base/hash.hpp"
#include "store/import_store.hpp"
#include "tuna/errors.hpp"

namespace tuna::store {

StoreContext recording_context(const Recording& rec, const Space& space) {
  StoreContext ctx;
  ctx.kernel_name = rec.kernel_name.empty() ? rec.file.stem().stem().string() : rec.kernel_name;
  // The space is what makes two recordings comparable, so it is what the "spec" hash covers.
  ContentHasher h;
  h.field(ctx.kernel_name);
  for (const auto& p : space.params()) {
    h.field(p.name);
    for (const auto& v : p.values) h.field(v.to_string());
  }
  for (const auto& c : space.constraints()) h.field(c.expr.text());
  ctx.spec_hash = h.hex();
  ctx.problem = rec.problem;
  ctx.device_name = rec.device_name.empty() ? "unknown device" : rec.device_name;
  ctx.device_id = "recorded:" + ctx.device_name;
  ctx.backend = "sim";
  return ctx;
}

std::int64_t put_recording(Store& store, const Recording& rec, const Space& space) {
  StoreContext ctx = recording_context(rec, space);
  nlohmann::ordered_json options = {{"import", rec.file.string()}, {"format", rec.format}};
  std::int64_t run = store.begin_run(ctx, "import", options.dump());
  try {
    for (const auto& e : rec.entries) store.put_result(run, ctx, recorded_result(space, e));
  } catch (...) {
    store.end_run(run, "failed: import stopped part-way");
    throw;
  }
  store.end_run(run, "completed");
  return run;
}

}  // namespace tuna::store
