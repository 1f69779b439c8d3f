#pragma once
// The pieces of Slack's interactive payloads that the sandbox builds when a simulated user
// clicks or submits: finding the clicked element in Block Kit JSON, the `actions[]` entry,
// and view.state.values with each input element's shape (as in Slack's own payloads, see
// ../shared/contracts/slack/fixtures/payload_*.json).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace contexten::sandbox {

// One clickable thing found in blocks: the `actions[]` entry Slack would send for it.
struct ClickTarget {
  nlohmann::json action;  // action_id, block_id, type, text/value or selected_option, action_ts
  std::string block_id;
};

// The first button whose text or action_id is `label_or_action_id`, or the first overflow /
// static_select option whose text (or value) is it, in document order. Looks in actions
// blocks' elements and section accessories.
std::optional<ClickTarget> FindClickTarget(const nlohmann::json& blocks,
                                           const std::string& label_or_action_id,
                                           const std::string& action_ts);

// view.state.values for a submission of `view` with `values` keyed by action_id or block_id.
// Every input block appears (unset ones with null, as Slack sends them). kInvalidInput when a
// required input has no value or a select is given a value none of its options has;
// kNotFound when a key names no input.
core::Result<nlohmann::json> BuildStateValues(const nlohmann::json& view,
                                              const std::map<std::string, std::string>& values);

// Slack's `user` and `team` objects in interactive payloads.
nlohmann::json PayloadUser(const std::string& user_id, const std::string& team_id);
nlohmann::json PayloadTeam(const std::string& team_id);

}  // namespace contexten::sandbox
