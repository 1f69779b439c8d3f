#pragma once
// Reading an effect's JSON arguments: a malformed row is a non-retryable error, never a throw.

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "store/workflow_store.hpp"

namespace contexten::workflows::outbox {

core::Result<nlohmann::json> ParseArgs(const store::EffectRecord& effect);
// A required string argument; kInvalidInput naming it when missing or empty.
core::Result<std::string> RequiredString(const nlohmann::json& args, const char* name,
                                         const store::EffectRecord& effect);
std::string OptionalString(const nlohmann::json& args, const char* name);
core::Error UnknownKind(const store::EffectRecord& effect);

}  // namespace contexten::workflows::outbox
