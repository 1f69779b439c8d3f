#pragma once
// Links as JSON, for a workflow's persisted state and the links table:
// {"from": "<key>", "to": "<key>", "kind": "closes", "evidence": {"event", "field", "excerpt"}}
// where a key is EntityRef::Key() ("linear_issue:ENG-1").

#include <nlohmann/json.hpp>
#include <optional>

#include "workflows/correlation/entity.hpp"

namespace contexten::workflows::correlation {

nlohmann::json ToJson(const Link& link);

// nullopt when a key or the kind is missing or unknown; missing evidence members read as "".
std::optional<Link> LinkFromJson(const nlohmann::json& json);

}  // namespace contexten::workflows::correlation
