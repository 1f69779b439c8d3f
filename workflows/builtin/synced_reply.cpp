#include "workflows/builtin/synced_reply.hpp"

#include "core/json_fields.hpp"
#include "integrations/linear/linear_ids.hpp"

namespace contexten::workflows::builtin {

using core::json_fields::Str;

engine::effects::LinearCreateComment SyncedReplyComment(const std::string& run_id,
                                                        const nlohmann::json& reply,
                                                        const nlohmann::json& user_info,
                                                        const std::string& issue_id) {
  std::string name = Str(user_info, "display_name");
  if (name.empty()) name = Str(user_info, "real_name");
  if (name.empty()) name = Str(user_info, "name");
  if (name.empty()) name = "a Slack user";
  engine::effects::LinearCreateComment comment;
  comment.id = integrations::linear::UuidFromKey(run_id + "/slack-reply/" + Str(reply, "ts"));
  comment.issue_id = issue_id;
  comment.body = Str(reply, "text") + "\n\n_via Slack, by " + name + "_";
  return comment;
}

}  // namespace contexten::workflows::builtin
