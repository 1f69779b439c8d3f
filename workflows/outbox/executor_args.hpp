#pragma once
// Reading an effect's JSON arguments: a malformed row is a non-retryable error, never a throw.

#include <cstdint>
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
// Milliseconds since the epoch of an ISO 8601 UTC time as GitHub and Linear send them
// ("2026-03-11T09:00:00Z", fractions ignored); 0 when unreadable.
std::int64_t EpochMsFromIso8601(const std::string& text);

}  // namespace contexten::workflows::outbox
