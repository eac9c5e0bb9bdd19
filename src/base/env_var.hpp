#pragma once
// An environment variable's value, for the settings tuna reads from the environment (search
// paths, a vendor's ICD folder, ...). Never for secrets: API keys are read where they are used,
// so that no copy of them outlives the request.
#include <string>

namespace tuna {

// The variable's value, or "" when it is not set.
std::string env_or_empty(const char* name);

}  // namespace tuna
