#pragma once
// JSON forms of the types that cross process boundaries (compile children, the bench worker)
// and the store. One place, so every side agrees on the field names.
#include <nlohmann/json.hpp>

#include "tuna/backend.hpp"
#include "tuna/device.hpp"
#include "tuna/result.hpp"
#include "tuna/space.hpp"
#include "tuna/value.hpp"

namespace tuna::codec {

nlohmann::json to_json(const Value& v);
Value value_from_json(const nlohmann::json& j);

nlohmann::json to_json(const Env& env);
Env env_from_json(const nlohmann::json& j);

nlohmann::json to_json(const DeviceInfo& d);
DeviceInfo device_from_json(const nlohmann::json& j);

nlohmann::json to_json(const TimingOptions& t);
TimingOptions timing_from_json(const nlohmann::json& j);

nlohmann::json to_json(const Artifact& a);
Artifact artifact_from_json(const nlohmann::json& j);

nlohmann::json to_json(const CompileOutcome& c);
CompileOutcome compile_outcome_from_json(const nlohmann::json& j);

nlohmann::json to_json(const RunOutcome& r);
RunOutcome run_outcome_from_json(const nlohmann::json& j);

// A whole Result, every field kept, for results that travel between processes (MPI ranks).
// JSON has no NaN or infinity: such numbers are written as null and read back as NaN, except
// max_abs_error, whose null means "no finite error" (the evaluator's reading) and comes back as
// infinity. The config is not written; the reader rebuilds it from the key in its own space.
// Reading throws InternalError naming the field for a missing field, a wrong type, an unknown
// status or a key the space rejects: both ends run the same tuna on the same spec, so any of
// these is a bug, not a user's mistake.
nlohmann::json to_json(const Result& r);
Result result_from_json(const nlohmann::json& j, const Space& space);

}  // namespace tuna::codec
