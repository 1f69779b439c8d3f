#pragma once
// Checks raw Block Kit JSON against Slack's limits (limits.hpp). The builders run this on what
// they produce, and the sandbox Slack runs it on what clients send so that it can answer
// `invalid_blocks` the way Slack does.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::integrations::slack::blocks {

enum class Surface { kMessage, kModal, kHome };

struct Violation {
  std::string path;     // "blocks[3].text.text"
  std::string pointer;  // "/blocks/3/text/text", the form Slack puts in `[json-pointer:...]`
  std::string message;  // "blocks[3].text.text is 3012 characters; Slack allows 3000"
};

// Every violation in `payload`, in document order. `payload` is one of:
//  - a JSON array of blocks (paths start at "blocks[i]"),
//  - for kMessage, a message object {text?, blocks?, ...} (chat.postMessage arguments),
//  - for kModal/kHome, a view object {type, title?, blocks, ...}.
// Block and element types this checker does not know (rich_text, video, ...) are accepted;
// only their block_id/action_id are checked.
std::vector<Violation> FindViolations(const nlohmann::json& payload, Surface surface);

// Ok, or kInvalidInput whose message is the first violation (plus how many more there are).
core::Status Validate(const nlohmann::json& payload, Surface surface);

}  // namespace contexten::integrations::slack::blocks
