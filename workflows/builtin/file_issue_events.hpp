#pragma once
// The names and keys of the events FileIssueWorkflow takes (shared with the code that routes
// Slack clicks and Linear webhooks to it).

#include <string>

namespace contexten::workflows::builtin {

inline constexpr char kFileIssueType[] = "file_issue";
inline constexpr char kLinearIssueEvent[] = "linear.issue";
inline constexpr char kLinearCommentEvent[] = "linear.comment";
inline constexpr char kSlackAssignEvent[] = "slack.assign";
// A person's reply in the issue's home thread that is not a command: {user, text, ts}. It
// becomes a Linear comment ("via Slack, by <name>"); its echo (Linear's Comment webhook for it)
// is not posted back.
inline constexpr char kSlackReplyEvent[] = "slack.reply";
// That reply edited in Slack (a message_changed event): {user, text, ts} with the reply's own ts.
// The Linear comment that mirrors it gets the new text; a reply never synced is ignored.
inline constexpr char kSlackReplyEditEvent[] = "slack.reply_edit";
// That reply deleted in Slack (a message_deleted event): {ts}. Its Linear comment is deleted.
inline constexpr char kSlackReplyDeleteEvent[] = "slack.reply_delete";
// Someone in Slack asked for the issue to move (a close, reopen or move confirmed through an
// intent_action run, which makes the change): {user, state_name | state_type}. Linear's webhook
// for the move names the API key's user as its actor; the thread's line names this person.
inline constexpr char kSlackStateRequestEvent[] = "slack.state_request";
// Someone in Slack linked a pull request to the issue (`/ctx issue link ENG-1 owner/repo#12`):
// {user, repo, number}. The run reads the PR from GitHub and links it as one that names the
// issue would be (Linear attachment, card, thread line), with relation "links".
inline constexpr char kSlackLinkRequestEvent[] = "slack.link_request";

// The wait key of a Linear issue (by UUID or identifier).
inline std::string LinearIssueKey(const std::string& id_or_identifier) {
  return "linear_issue:" + id_or_identifier;
}

}  // namespace contexten::workflows::builtin
