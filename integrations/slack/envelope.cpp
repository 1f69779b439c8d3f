#include "integrations/slack/envelope.hpp"

namespace contexten::integrations::slack {

std::optional<std::string> Envelope::event_id() const {
  if (type != "events_api" || !payload.is_object()) return std::nullopt;
  auto it = payload.find("event_id");
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string Envelope::DedupeKey() const {
  if (auto id = event_id()) return "event:" + *id;
  return "envelope:" + envelope_id;
}

core::Result<SocketMessage> ParseSocketMessage(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, "frame is not JSON"));
  }
  if (!j.is_object()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "frame is not a JSON object"));
  }
  const std::string type = j.value("type", "");
  if (type == "hello" || type == "disconnect") {
    ControlMessage msg;
    msg.type = type;
    msg.reason = j.value("reason", "");
    msg.num_connections = j.value("num_connections", 0);
    return SocketMessage{std::move(msg)};
  }
  auto id = j.find("envelope_id");
  if (id == j.end() || !id->is_string() || id->get<std::string>().empty()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                            "message of type '" + type + "' has no envelope_id"));
  }
  Envelope env;
  env.envelope_id = id->get<std::string>();
  env.type = type;
  if (auto p = j.find("payload"); p != j.end()) env.payload = std::move(*p);
  env.accepts_response_payload = j.value("accepts_response_payload", false);
  if (auto r = j.find("retry_attempt"); r != j.end() && r->is_number_integer()) {
    env.retry_attempt = r->get<int>();
  }
  if (auto r = j.find("retry_reason"); r != j.end() && r->is_string()) {
    env.retry_reason = r->get<std::string>();
  }
  return SocketMessage{std::move(env)};
}

std::string SerializeAck(std::string_view envelope_id, const nlohmann::json* payload) {
  nlohmann::json ack = {{"envelope_id", envelope_id}};
  if (payload != nullptr && !payload->is_null()) ack["payload"] = *payload;
  return ack.dump();
}

}  // namespace contexten::integrations::slack
