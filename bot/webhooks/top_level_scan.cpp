#include "bot/webhooks/top_level_scan.hpp"

#include <cmath>

#include "integrations/json/simd_json.hpp"

namespace contexten::bot::webhooks {
namespace {

// Some senders serialise integral milliseconds as 1.7e12; accept those, not fractions.
std::optional<std::int64_t> IntegralMillis(simdjson::dom::element value) {
  std::int64_t integer = 0;
  if (value.get_int64().get(integer) == simdjson::SUCCESS) return integer;
  double number = 0;
  if (value.is_double() && value.get_double().get(number) == simdjson::SUCCESS &&
      number == std::floor(number) && std::fabs(number) < 9e15) {
    return static_cast<std::int64_t>(number);
  }
  return std::nullopt;
}

}  // namespace

std::optional<TopLevelFields> ScanTopLevel(std::string_view body) {
  const integrations::json::ParsedJson parsed = integrations::json::ParseJson(body);
  simdjson::dom::object object;
  if (!parsed.ok() || parsed.root.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  TopLevelFields fields;
  // A walk over the members rather than at_key: with a repeated key the last one wins, as
  // nlohmann (the Linear parser) reads it.
  for (const auto member : object) {
    std::string_view text;
    if (member.key == "action") {
      if (member.value.get_string().get(text) == simdjson::SUCCESS) fields.action = text;
    } else if (member.key == "zen") {
      if (member.value.get_string().get(text) == simdjson::SUCCESS) fields.zen = text;
    } else if (member.key == "webhookTimestamp") {
      fields.has_webhook_timestamp = true;
      fields.webhook_timestamp_ms = IntegralMillis(member.value);
    }
  }
  return fields;
}

}  // namespace contexten::bot::webhooks
