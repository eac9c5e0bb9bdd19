#pragma once
// JSON forms of the types that cross process boundaries (compile children, the bench worker)
// and the store. One place, so every side agrees on the field names.
#include <nlohmann/json.hpp>

#include "tuna/backend.hpp"
#include "tuna/device.hpp"
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

}  // namespace tuna::codec
