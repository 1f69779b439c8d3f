#pragma once
// Validates a whole webhook body (simdjson: strict JSON, UTF-8) and keeps the few top-level
// fields ingress needs before it stores the body (action, zen, webhookTimestamp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contexten::bot::webhooks {

struct TopLevelFields {
  std::string action;                           // empty when absent or not a string
  std::string zen;                              // GitHub ping
  std::optional<int64_t> webhook_timestamp_ms;  // Linear; integral numbers only
  bool has_webhook_timestamp = false;           // present, whatever its type
};

// nullopt when `body` is not valid JSON or its root is not an object.
std::optional<TopLevelFields> ScanTopLevel(std::string_view body);

}  // namespace contexten::bot::webhooks
