#include "integrations/slack/envelope.hpp"

#include "core/json_fields.hpp"

namespace contexten::integrations::slack {

namespace fields = core::json_fields;

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
  // Total getters: a field of an unexpected type (`"type": 1`) is a malformed frame, never an
  // exception out of the parser (found by fuzz/socket_mode_envelope_fuzzer).
  const std::string type = fields::Str(j, "type");
  if (type == "hello" || type == "disconnect") {
    ControlMessage msg;
    msg.type = type;
    msg.reason = fields::Str(j, "reason");
    msg.num_connections = static_cast<int>(fields::Int(j, "num_connections"));
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
  env.accepts_response_payload = fields::Bool(j, "accepts_response_payload");
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
