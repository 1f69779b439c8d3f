#pragma once
// What the sandbox Slack records and tells observers about: messages, views, acks, events.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace contexten::sandbox {

struct SandboxMessage {
  std::string channel;
  std::string ts;
  std::string thread_ts;  // empty for a top-level message
  std::string user;       // author user id (the bot's user id for bot posts)
  std::string text;
  nlohmann::json blocks;   // null or array
  bool ephemeral = false;  // visible only to `visible_to` (slash-command replies)
  std::string visible_to;
  bool from_bot = false;
  bool reply_broadcast = false;
  std::vector<std::string> reactions;  // names, in the order they were added
  nlohmann::json metadata;             // {"event_type","event_payload"} from the poster, or null
};

// A member of the sandbox workspace, as users.info describes them.
struct SandboxUser {
  std::string id;
  std::string name;
  std::string real_name;
  std::string tz = "UTC";
  std::string email;  // profile.email (Slack needs users:read.email for it); empty for bots
  bool is_bot = false;
};

// One modal in a user's view stack.
struct SandboxView {
  std::string id;
  std::string callback_id;
  std::string user;
  std::string hash;
  nlohmann::json view;    // the view object as Slack would send it (id, hash, state, ...)
  nlohmann::json errors;  // the last response_action errors ({block_id: message}), or null
  int depth = 0;          // 1 = root of the stack
};

struct AckRecord {
  std::string envelope_id;
  std::string type;
  std::uint64_t connection = 0;
  std::chrono::steady_clock::time_point sent_at;
  std::optional<std::chrono::steady_clock::time_point> acked_at;
  nlohmann::json payload;  // the ack's payload, if any
  int ack_count = 0;       // more than one is a client bug worth seeing in tests
  int deliveries = 0;      // 1 + redeliveries

  std::optional<std::chrono::microseconds> latency() const;
};

// What observers (the console) hear about.
struct SandboxEvent {
  enum class Kind {
    kMessagePosted,
    kAcked,
    kConnectionOpened,
    kConnectionClosed,
    kMessageUpdated,
    kMessageDeleted,
    kViewOpened,
    kViewUpdated,
    kViewClosed,
    kViewErrors,
    kReactionAdded,
  } kind;
  std::optional<SandboxMessage> message;
  std::optional<AckRecord> ack;
  int open_connections = 0;  // for kConnectionOpened/kConnectionClosed: how many are open now
  std::optional<SandboxView> view = std::nullopt;  // kView*: the view concerned
};

}  // namespace contexten::sandbox
