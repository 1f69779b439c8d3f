#pragma once
// The effect kinds the platform executors perform, with their arguments and results (JSON).
// Workflows name these; the executors in this folder implement them.

namespace contexten::workflows::outbox {

inline constexpr char kSlackLane[] = "slack";
inline constexpr char kLinearLane[] = "linear";
inline constexpr char kGitHubLane[] = "github";

// {channel, text, blocks?, thread_ts?, broadcast?} -> {channel, ts}. Carries the idempotency key
// in Slack message metadata so an unknown outcome can be looked up instead of posted twice.
inline constexpr char kSlackPostMessage[] = "slack.post_message";
// {channel, ts, text, blocks?} -> {channel, ts}. Idempotent.
inline constexpr char kSlackUpdateMessage[] = "slack.update_message";
// {channel, user, text, blocks?, thread_ts?} -> {ts}. Only the user sees it.
inline constexpr char kSlackPostEphemeral[] = "slack.post_ephemeral";
// {user} -> {id, name, real_name, display_name, email}
inline constexpr char kSlackUserInfo[] = "slack.user_info";

// {id (client-chosen UUID), team_key, title, description?, priority?, assignee_id?} -> issue.
// Looked up by its id after an unknown outcome (Linear refuses a second entity with an id).
inline constexpr char kLinearCreateIssue[] = "linear.create_issue";
// {issue_id, assignee_id?, state_name? | state_type?, team_key (with a state), priority?, title?}
// -> issue. state_type (completed, unstarted, ...) picks the team's first state of that type, so
// "close" never depends on what a team named its states. Idempotent.
inline constexpr char kLinearUpdateIssue[] = "linear.update_issue";
// {email} or {name} (name or display name, any case) -> {found, user?: {id, name, display_name,
// email}}
inline constexpr char kLinearUserByEmail[] = "linear.user_by_email";
// {identifier ("ENG-1") or id} -> issue (IssueJson), kNotFound when there is none. Read only.
inline constexpr char kLinearGetIssue[] = "linear.get_issue";
// {} -> {teams: [{id, key, name}]}. Read only.
inline constexpr char kLinearListTeams[] = "linear.list_teams";
// {id (client-chosen UUID), issue_id, body} -> {id, url}
inline constexpr char kLinearCreateComment[] = "linear.create_comment";

// Metadata event_type on messages the relay posts (Slack docs: /metadata/using).
inline constexpr char kSlackEffectEventType[] = "contexten_effect";

}  // namespace contexten::workflows::outbox
