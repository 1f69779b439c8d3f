#pragma once
// One thing a person asked for in Slack, by command, mention, DM, thread reply or button, that
// acts on a Linear issue or needs an answer first (DESIGN.md §3: deciding is separate from
// doing). The run asks when it must, waits for the requester's click as a durable wait (a row,
// not a thread), then acts through outbox effects and says what happened where it was asked.
//
//   start         {intent, entities, requester, channel, thread_ts, source,
//                  ask: none | confirm | clarify | team}
//                 confirm: a destructive intent, "Confirm"/"Cancel" naming exactly what happens;
//                 clarify: a low-confidence reading, "Did you mean: ...? [Yes] [No]";
//                 team: create_issue without a team, one button per Linear team.
//                 question_ttl_ms (default 15 min): an unanswered question expires then.
//                 narrated: true when the card thread will say the move itself
//                 (the request was made in that thread and its run was told who asked).
//   slack.choice  {user, choice: yes | no | team, team?, narrated?}   (a click on the prompt)
//   timer "expire" the question was not answered in time: its buttons are replaced by a line
//                 saying so and the run ends; nothing is performed.
//
// Intents performed here: close (the team's state of type completed), reopen (type unstarted),
// change_state, change_priority, assign (me, a Slack user id or a Linear name), comment.
// create_issue is handed back once answered (state `phase: handoff`): the handler starts the
// file_issue run for it, so that one workflow files issues.

#include <nlohmann/json.hpp>
#include <string>

#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

inline constexpr char kIntentActionType[] = "intent_action";
inline constexpr char kSlackChoiceEvent[] = "slack.choice";

// The prompt's buttons. Yes/No values are the run id; team buttons' values "run_id|TEAM".
inline constexpr char kIntentYesAction[] = "intent_yes";
inline constexpr char kIntentNoAction[] = "intent_no";
inline constexpr char kIntentTeamActionPrefix[] = "intent_team_";

class IntentActionWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kIntentActionType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

// What `intent` with `entities` will do, in words for a confirmation ("close ENG-1: it moves
// to its team's completed state (Done in most teams)"). mrkdwn, user text escaped.
std::string DescribeAction(const std::string& intent, const nlohmann::json& entities);

// Whether a run in `phase` (its state's "phase") still waits for the requester's answer: a
// click then counts; after it (answered, cancelled, expired) it does not.
bool IsOpenQuestion(const std::string& phase);

// Whether this workflow performs `intent` in Linear (create_issue by handing it back).
bool PerformsIntent(const std::string& intent);

// The intents a confirmed run hands back to the handler (phase "handoff") instead of performing:
// create_issue (the handler starts file_issue), subscribe, unsubscribe, report, deploy and
// rerun (their commands' handlers run them: bot/handlers/command_words.hpp).
bool HandsBack(const std::string& intent);

// The honest answer for an intent no workflow serves yet (deploy, rerun, subscribe,
// unsubscribe, link, trace, report): what is not configured, and that nothing happened.
std::string NotAvailableText(const std::string& intent, const nlohmann::json& entities);

}  // namespace contexten::workflows::builtin
