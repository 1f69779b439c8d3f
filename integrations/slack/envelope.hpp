#pragma once
// A Socket Mode envelope as Slack sends it over the WebSocket.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace contexten::integrations::slack {

struct Envelope {
  std::string envelope_id;
  std::string type;  // events_api | slash_commands | interactive
  nlohmann::json payload;
  bool accepts_response_payload = false;
  int retry_attempt = 0;
  std::string retry_reason;

  // The inner event id for events_api envelopes (stable across Slack's retries).
  std::optional<std::string> event_id() const;
  // The key under which this delivery is deduplicated: the event id when there is one (a
  // retried event may come in a new envelope), else the envelope id.
  std::string DedupeKey() const;
};

// Messages Slack sends on the socket that are not envelopes.
struct ControlMessage {
  std::string type;    // hello | disconnect
  std::string reason;  // for disconnect: warning | refresh_requested | link_disabled | ...
  int num_connections = 0;
};

using SocketMessage = std::variant<Envelope, ControlMessage>;

// Parses one WebSocket text frame. kInvalidInput with the reason for anything unusable.
core::Result<SocketMessage> ParseSocketMessage(std::string_view text);

// {"envelope_id": id} or {"envelope_id": id, "payload": payload}
std::string SerializeAck(std::string_view envelope_id, const nlohmann::json* payload);

}  // namespace contexten::integrations::slack
