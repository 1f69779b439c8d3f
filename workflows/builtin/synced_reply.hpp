#pragma once
// Synced threads (DESIGN.md §1): a person's reply in an issue's Slack thread as the Linear comment
// it becomes, for every run that keeps such a thread (file_issue, the subscription feed).

#include <nlohmann/json.hpp>
#include <string>

#include "workflows/engine/effect.hpp"

namespace contexten::workflows::builtin {

// `reply` {text, ts} as the run kept it; `user_info` Slack's users.info answer for its author.
// The comment's id comes from the run and the message's ts, so a retry never files it twice and
// the run knows the comment's webhook as its own.
engine::effects::LinearCreateComment SyncedReplyComment(const std::string& run_id,
                                                        const nlohmann::json& reply,
                                                        const nlohmann::json& user_info,
                                                        const std::string& issue_id);

}  // namespace contexten::workflows::builtin
