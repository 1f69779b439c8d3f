#pragma once
// The file-issue workflow: `/ctx issue create ENG ...` or the "New issue" form becomes a Linear
// issue, filed through the outbox, with a card in the channel that is kept current in place and
// a home thread for everything that happens to the issue (DESIGN.md §3).
//
// Events it takes (besides the engine's effect results and timers):
//   start          {team_key, title, description, priority, channel, reporter}
//   linear.issue   {issue: {id, identifier, title, url, priority, state{name,type}, assignee},
//                   actor, changed: [field names]}    (a Linear Issue webhook for the issue)
//   linear.comment {comment: {id, body, user}, action} (a Linear Comment webhook on it: create,
//                                                      update or remove; the thread reply that
//                                                      mirrors it follows edits and deletions)
//   slack.assign   {user}                             ("Assign to me" clicked on the card)
//   slack.reply    {user, text, ts}                   (a reply in the home thread, synced to
//                                                      Linear as a comment)
//   slack.reply_edit {user, text, ts} / slack.reply_delete {ts}
//                                                     (that reply edited or deleted in Slack:
//                                                      its Linear comment follows)
//   slack.state_request {user, state_name | state_type} (who asked for the next move: the
//                                                      webhook's line names them; 10 min)
// It waits on "linear_issue:<uuid>" and "linear_issue:<identifier>" once the issue exists.

#include "workflows/builtin/file_issue_events.hpp"
#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

class FileIssueWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kFileIssueType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

// A stable UUID for the issue a run files, so a retry after a crash reuses it (Linear refuses a
// second entity with one id, and the relay looks it up by it).
std::string IssueUuidFor(const std::string& run_id);

}  // namespace contexten::workflows::builtin
