#pragma once
// The effect kinds the executors in this folder perform. The vocabulary (lanes, kinds, their
// arguments and results, and the typed actions workflows return) lives with the Effect variant
// in workflows/engine/effect.hpp; these names keep the executors' spelling short.

#include "workflows/engine/effect.hpp"

namespace contexten::workflows::outbox {

using engine::kGitHubCreateComment;
using engine::kGitHubDispatchWorkflow;
using engine::kGitHubLane;
using engine::kGitHubListCheckRuns;
using engine::kGitHubListPullRequests;
using engine::kGitHubListWorkflowRuns;
using engine::kGitHubRerunFailedJobs;
using engine::kLinearCreateComment;
using engine::kLinearCreateIssue;
using engine::kLinearGetIssue;
using engine::kLinearLane;
using engine::kLinearLinkPullRequest;
using engine::kLinearListTeams;
using engine::kLinearSearchIssues;
using engine::kLinearUpdateIssue;
using engine::kLinearUserByEmail;
using engine::kSlackLane;
using engine::kSlackPostEphemeral;
using engine::kSlackPostMessage;
using engine::kSlackUpdateMessage;
using engine::kSlackUserInfo;

// A read with no typed action in engine/effect.hpp (workflows ask for it with effects::Raw on
// kGitHubLane): args {repo: "owner/name"}, result {full_name, default_branch, url}.
inline constexpr char kGitHubGetRepository[] = "github.get_repository";

// A read, sent as Raw on kGitHubLane: args {repo, number}; result a github.pr event's fields
// (workflows/builtin/github_events.hpp): {repo, number, title, url, state, merged, draft, author,
// branch}.
inline constexpr char kGitHubGetPullRequest[] = "github.get_pull_request";

// A team's workflow states, in Linear's order: args {team_key}; result {states: [{id, name,
// type}]}. A read (repeats safely); typed actions do not cover it, workflows send it as Raw.
inline constexpr char kLinearListStates[] = "linear.list_states";

// Synced threads (issue 10): a synced Slack reply edited or deleted in Slack follows into the
// Linear comment that mirrors it. Workflows send them as Raw on kLinearLane.
//   update: args {id, body}; result {id, updated: true} or, when the comment is gone (deleted in
//           Linear meanwhile), {id, updated: false, missing: true}
//   delete: args {id};       result {id, deleted: true} or, when it is gone already (a
//           redelivery, a relay retry whose first answer was lost), {id, deleted: false,
//           missing: true}
// "Gone" is a success with nothing to do, never a dead letter: the comment's fate is what the
// person asked for either way. Both repeat safely, so the relay needs no Lookup for them.
inline constexpr char kLinearUpdateComment[] = "linear.update_comment";
inline constexpr char kLinearDeleteComment[] = "linear.delete_comment";

// Metadata event_type on messages the relay posts (Slack docs: /metadata/using).
inline constexpr char kSlackEffectEventType[] = "contexten_effect";

}  // namespace contexten::workflows::outbox
