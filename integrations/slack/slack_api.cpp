#include "integrations/slack/slack_api.hpp"

namespace contexten::integrations::slack {

bool MetadataMatches(const nlohmann::json& metadata, const std::string& event_type,
                     const std::string& key_field, const std::string& key_value) {
  if (!metadata.is_object()) return false;
  const auto type = metadata.find("event_type");
  if (type == metadata.end() || !type->is_string() || type->get<std::string>() != event_type) {
    return false;
  }
  const auto payload = metadata.find("event_payload");
  if (payload == metadata.end() || !payload->is_object()) return false;
  const auto value = payload->find(key_field);
  if (value == payload->end()) return false;
  if (value->is_string()) return value->get<std::string>() == key_value;
  return value->is_number() && value->dump() == key_value;
}

}  // namespace contexten::integrations::slack
