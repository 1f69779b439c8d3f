#pragma once
// Total member access for JSON from peers (Slack payloads, GitHub and Linear bodies, the
// sandboxes' request arguments): a missing key, a value of another type or a parent that is not
// an object gives an empty value, never an exception. Parsers then decide what is required and
// say so in their own errors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace contexten::core::json_fields {

// The member, or null.
const nlohmann::json& At(const nlohmann::json& j, std::string_view key);
// The member if it is an object / array, else an empty one.
const nlohmann::json& Obj(const nlohmann::json& j, std::string_view key);
const nlohmann::json& Arr(const nlohmann::json& j, std::string_view key);
std::string Str(const nlohmann::json& j, std::string_view key);
// Integers only (a float id would be a peer's bug worth not papering over).
std::optional<std::int64_t> OptInt(const nlohmann::json& j, std::string_view key);
std::int64_t Int(const nlohmann::json& j, std::string_view key);
bool Bool(const nlohmann::json& j, std::string_view key);

}  // namespace contexten::core::json_fields
