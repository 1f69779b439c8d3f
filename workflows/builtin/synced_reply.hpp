#pragma once
// Synced threads (DESIGN.md §1): a person's reply in an issue's Slack thread as the Linear comment
// it becomes, for every run that keeps such a thread (file_issue, the subscription feed), and a
// Linear comment as the thread reply that mirrors it. Edits and deletions follow both ways
// (issue 10); these are the texts both sides get. Pure.

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

// The name a synced reply is signed with: Slack's display name, else real name, else handle.
std::string SyncedReplyAuthor(const nlohmann::json& user_info);

// The Linear comment's body for a Slack reply `text` by `author` (also after an edit in Slack).
std::string SyncedReplyBody(const std::string& text, const std::string& author);

// The thread line that mirrors a Linear comment: "<who> commented on *ENG-1*:" and the body
// quoted (cut at 500 characters). `edited`: the comment was edited in Linear since, said as
// "(edited in Linear)" so people who read the first version see that it changed.
std::string LinearCommentLine(const std::string& who, const std::string& identifier,
                              const std::string& body, bool edited = false);

// What the mirror of a comment deleted in Linear becomes: a line saying so, without the body.
std::string LinearCommentTombstone(const std::string& who, const std::string& identifier);

}  // namespace contexten::workflows::builtin
