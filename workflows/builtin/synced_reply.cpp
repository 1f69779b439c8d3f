#include "workflows/builtin/synced_reply.hpp"

#include "core/json_fields.hpp"
#include "integrations/linear/linear_ids.hpp"

namespace contexten::workflows::builtin {

using core::json_fields::Str;

std::string SyncedReplyAuthor(const nlohmann::json& user_info) {
  std::string name = Str(user_info, "display_name");
  if (name.empty()) name = Str(user_info, "real_name");
  if (name.empty()) name = Str(user_info, "name");
  if (name.empty()) name = "a Slack user";
  return name;
}

std::string SyncedReplyBody(const std::string& text, const std::string& author) {
  return text + "\n\n_via Slack, by " + author + "_";
}

engine::effects::LinearCreateComment SyncedReplyComment(const std::string& run_id,
                                                        const nlohmann::json& reply,
                                                        const nlohmann::json& user_info,
                                                        const std::string& issue_id) {
  engine::effects::LinearCreateComment comment;
  comment.id = integrations::linear::UuidFromKey(run_id + "/slack-reply/" + Str(reply, "ts"));
  comment.issue_id = issue_id;
  comment.body = SyncedReplyBody(Str(reply, "text"), SyncedReplyAuthor(user_info));
  return comment;
}

std::string LinearCommentLine(const std::string& who, const std::string& identifier,
                              const std::string& body, bool edited) {
  std::string cut = body;
  if (cut.size() > 500) cut = cut.substr(0, 500) + "…";
  // Quote every line of the comment.
  std::string quoted = "> ";
  for (char c : cut) {
    quoted += c;
    if (c == '\n') quoted += "> ";
  }
  return (who.empty() ? std::string("Someone") : who) + " commented on *" + identifier + "*" +
         (edited ? " (edited in Linear)" : "") + ":\n" + quoted;
}

std::string LinearCommentTombstone(const std::string& who, const std::string& identifier) {
  return ":wastebasket: " + (who.empty() ? std::string("Someone") : who) + "'s comment on *" +
         identifier + "*: _comment deleted in Linear_";
}

}  // namespace contexten::workflows::builtin
