#include "workflows/builtin/intent_action.hpp"

#include <algorithm>

#include "core/json_fields.hpp"
#include "integrations/linear/linear_ids.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/present/button.hpp"
#include "workflows/present/fit_text.hpp"
#include "workflows/present/human_duration.hpp"
#include "workflows/present/issue_card.hpp"

namespace contexten::workflows::builtin {
namespace {

using core::json_fields::Str;
using engine::DecideContext;
using engine::Decision;
using engine::Event;
using nlohmann::json;
using present::FitEscaped;

constexpr std::size_t kMaxTeamButtons = 10;

int PriorityNumber(const std::string& name) {
  if (name == "urgent") return 1;
  if (name == "high") return 2;
  if (name == "medium") return 3;
  if (name == "low") return 4;
  return 0;
}

// Slack user ids: upper-case letters and digits, starting with U or W.
bool IsSlackUserId(const std::string& id) {
  return id.size() >= 3 && id.size() <= 32 && (id[0] == 'U' || id[0] == 'W') &&
         std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::string Issue(const json& entities) { return FitEscaped(Str(entities, "issue"), 40); }

std::string Assignee(const json& entities) {
  const std::string a = Str(entities, "assignee");
  if (a == "me") return "you";
  if (IsSlackUserId(a)) return "<@" + a + ">";
  return FitEscaped(a, 80);
}

class Step {
 public:
  Step(const DecideContext& context, const json& state) : context_(context) {
    decision.state = state.is_object() ? state : json::object();
  }
  json& state() { return decision.state; }
  json& entities() { return state()["entities"]; }
  std::string Intent() { return Str(state(), "intent"); }
  std::string Requester() { return Str(state(), "requester"); }
  std::string Channel() { return Str(state(), "channel"); }
  std::string Phase() { return Str(state(), "phase"); }

  std::string NextStep(const std::string& prefix) {
    const int seq = state().value("seq", 0) + 1;
    state()["seq"] = seq;
    return prefix + "-" + std::to_string(seq);
  }
  std::string SlackKey() { return "slack:" + Channel() + "/" + context_.run_id; }
  std::string LinearKey() { return "linear:" + context_.run_id; }
  // Arguments as the executors read them (engine/effect.hpp documents each kind's). The typed
  // actions of engine::effects would be better here; this workflow predates them.
  void Effect(std::string step, const char* lane, const char* kind, std::string key, json args) {
    decision.effects.push_back(
        {std::move(step), std::move(key), engine::effects::Raw{lane, kind, std::move(args)}});
  }

  // A message where the request was made: its thread when it was made in one.
  void Say(const std::string& text, json blocks = nullptr, const std::string& step = "") {
    json args = {{"channel", Channel()}, {"text", text}};
    if (!Str(state(), "thread_ts").empty()) args["thread_ts"] = state()["thread_ts"];
    if (!blocks.is_null()) args["blocks"] = std::move(blocks);
    Effect(step.empty() ? NextStep("say") : step, outbox::kSlackLane, outbox::kSlackPostMessage,
           SlackKey(), std::move(args));
  }
  void TellOnly(const std::string& user, const std::string& text) {
    json args = {{"channel", Channel()}, {"user", user}, {"text", text}};
    if (!Str(state(), "thread_ts").empty()) args["thread_ts"] = state()["thread_ts"];
    Effect(NextStep("ephemeral"), outbox::kSlackLane, outbox::kSlackPostEphemeral, SlackKey(),
           std::move(args));
  }
  // The prompt's text in place of its buttons, once answered. An ephemeral prompt is replaced
  // by the click listener instead (bot/handlers/intent_actions.cpp).
  void ClosePrompt(const std::string& text) {
    if (!state()["prompt"].is_object() || state()["prompt"].value("ephemeral", false)) return;
    Effect(
        NextStep("prompt-update"), outbox::kSlackLane, outbox::kSlackUpdateMessage, SlackKey(),
        {{"channel", state()["prompt"]["channel"]},
         {"ts", state()["prompt"]["ts"]},
         {"text", text},
         {"blocks",
          json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}}})}});
  }
  void Finish(bool ok) {
    decision.outcome = ok ? Decision::Outcome::kCompleted : Decision::Outcome::kFailed;
  }

  Decision decision;
  const DecideContext& context_;
};

json Button(const std::string& text, const std::string& action_id, const std::string& value,
            present::ButtonStyle style = present::ButtonStyle::kDefault) {
  return present::ButtonJson(text, action_id, value, style);
}

json PromptBlocks(const std::string& text, json buttons) {
  return json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}},
                      {{"type", "actions"}, {"elements", std::move(buttons)}}});
}

// A question to a slash command's author is theirs alone, as the command was (Slack never
// shows a slash command to the channel): an ephemeral message, whose buttons the click listener
// replaces over the response_url (chat.update cannot edit an ephemeral message).
bool AskPrivately(Step& s) { return Str(s.state(), "source") == "slash_command"; }

void Ask(Step& s, const std::string& text, json buttons) {
  json blocks = PromptBlocks(text, std::move(buttons));
  if (!AskPrivately(s)) return s.Say(text, std::move(blocks), "prompt");
  json args = {{"channel", s.Channel()},
               {"user", s.Requester()},
               {"text", text},
               {"blocks", std::move(blocks)}};
  if (!Str(s.state(), "thread_ts").empty()) args["thread_ts"] = s.state()["thread_ts"];
  s.state()["prompt"] = {{"ephemeral", true}};
  s.Effect("prompt", outbox::kSlackLane, outbox::kSlackPostEphemeral, s.SlackKey(),
           std::move(args));
}

void PostYesNo(Step& s, const std::string& text, const std::string& yes, bool danger) {
  const std::string run = s.context_.run_id;
  json buttons =
      json::array({Button(yes, kIntentYesAction, run,
                          danger ? present::ButtonStyle::kDanger : present::ButtonStyle::kPrimary),
                   Button(s.Phase() == "confirm" ? "Cancel" : "No", kIntentNoAction, run)});
  Ask(s, text, std::move(buttons));
}

std::string YesLabel(const std::string& intent, const json& entities) {
  const std::string issue = Str(entities, "issue");
  if (intent == "close") return issue.empty() ? "Close it" : "Close " + issue;
  if (intent == "deploy") return "Deploy";
  if (intent == "rerun") return "Re-run";
  if (intent == "unsubscribe") return "Unsubscribe";
  return "Confirm";
}

// Reads the issue first: every action needs its UUID and team (states are per team).
void Perform(Step& s) {
  s.state()["phase"] = "performing";
  if (HandsBack(s.Intent())) {
    s.state()["phase"] = "handoff";  // the handler runs it (HandsBack)
    s.Finish(true);
    return;
  }
  if (!PerformsIntent(s.Intent())) {
    s.state()["phase"] = "done";
    s.Say(NotAvailableText(s.Intent(), s.entities()));
    s.Finish(true);
    return;
  }
  s.Effect(s.NextStep("get-issue"), outbox::kLinearLane, outbox::kLinearGetIssue, s.LinearKey(),
           {{"identifier", Str(s.entities(), "issue")}});
}

void UpdateIssue(Step& s, json args) {
  const json& issue = s.state()["issue"];
  args["issue_id"] = issue["id"];
  args["team_key"] = issue["team_key"];
  s.Effect(s.NextStep("update"), outbox::kLinearLane, outbox::kLinearUpdateIssue, s.LinearKey(),
           std::move(args));
}

void OnIssue(Step& s, const json& issue) {
  s.state()["issue"] = issue;
  const std::string intent = s.Intent();
  const json& e = s.entities();
  if (intent == "close") return UpdateIssue(s, {{"state_type", "completed"}});
  if (intent == "reopen") return UpdateIssue(s, {{"state_type", "unstarted"}});
  if (intent == "change_state") return UpdateIssue(s, {{"state_name", Str(e, "state")}});
  if (intent == "change_priority") {
    return UpdateIssue(s, {{"priority", PriorityNumber(Str(e, "priority"))}});
  }
  if (intent == "comment") {
    s.Effect(s.NextStep("comment"), outbox::kLinearLane, outbox::kLinearCreateComment,
             s.LinearKey(),
             {{"id", integrations::linear::UuidFromKey(s.context_.run_id + "/comment")},
              {"issue_id", issue["id"]},
              {"body", Str(e, "body") + "\n\n— from Slack"}});
    return;
  }
  if (intent == "assign") {
    const std::string who = Str(e, "assignee");
    if (who == "me" || IsSlackUserId(who)) {
      const std::string slack_user = who == "me" ? s.Requester() : who;
      s.Effect(s.NextStep("assign-email"), outbox::kSlackLane, outbox::kSlackUserInfo, s.SlackKey(),
               {{"user", slack_user}});
    } else {
      s.Effect(s.NextStep("assign-user"), outbox::kLinearLane, outbox::kLinearUserByEmail,
               s.LinearKey(), {{"name", who}});
    }
  }
}

std::string Done(Step& s, const json& issue) {
  const std::string id = "*" + FitEscaped(Str(issue, "identifier"), 40) + "*";
  const std::string who = "<@" + s.Requester() + ">";
  const std::string state =
      issue.contains("state") && issue["state"].is_object() ? Str(issue["state"], "name") : "";
  const std::string intent = s.Intent();
  if (intent == "close") return who + " closed " + id + " (now " + FitEscaped(state, 60) + ").";
  if (intent == "reopen") return who + " reopened " + id + " (now " + FitEscaped(state, 60) + ").";
  if (intent == "change_state") return who + " moved " + id + " to " + FitEscaped(state, 60) + ".";
  if (intent == "change_priority") {
    return who + " set the priority of " + id + " to " +
           present::PriorityName(issue.value("priority", 0)) + ".";
  }
  if (intent == "assign") {
    const std::string name = issue["assignee"].is_object() ? Str(issue["assignee"], "name") : "";
    return id + " is assigned to " + FitEscaped(name, 80) + " (asked by " + who + ").";
  }
  return who + " updated " + id + ".";
}

void OnEffectDone(Step& s, const Event& event) {
  const std::string step = Str(event.data, "step");
  const json result = event.data.contains("result") ? event.data["result"] : json();
  if (step == "prompt") {
    if (!s.state()["prompt"].is_object()) {
      s.state()["prompt"] = {{"channel", Str(result, "channel")}, {"ts", Str(result, "ts")}};
    }
    return;
  }
  if (step.rfind("teams-", 0) == 0) {
    json buttons = json::array();
    const json teams = result.value("teams", json::array());
    for (std::size_t i = 0; i < teams.size() && i < kMaxTeamButtons; ++i) {
      const std::string key = Str(teams[i], "key");
      buttons.push_back(
          Button(key, kIntentTeamActionPrefix + std::to_string(i), s.context_.run_id + "|" + key));
    }
    buttons.push_back(Button("Cancel", kIntentNoAction, s.context_.run_id));
    const std::string text = "<@" + s.Requester() + ">, which Linear team should *" +
                             FitEscaped(Str(s.entities(), "title"), 200) + "* go to?";
    Ask(s, text, std::move(buttons));
    return;
  }
  if (step.rfind("get-issue", 0) == 0) return OnIssue(s, result);
  if (step.rfind("assign-email", 0) == 0) {
    const std::string email = Str(result, "email");
    if (email.empty()) {
      s.Say("I can't see an email on that Slack profile, so I can't tell which Linear user it is.");
      return s.Finish(false);
    }
    s.Effect(s.NextStep("assign-user"), outbox::kLinearLane, outbox::kLinearUserByEmail,
             s.LinearKey(), {{"email", email}});
    return;
  }
  if (step.rfind("assign-user", 0) == 0) {
    if (!result.value("found", false)) {
      s.Say("I found no Linear user for " + Assignee(s.entities()) + ", so " + Issue(s.entities()) +
            " is unchanged.");
      return s.Finish(false);
    }
    return UpdateIssue(s, {{"assignee_id", result["user"]["id"]}});
  }
  if (step.rfind("update", 0) == 0) {
    s.state()["phase"] = "done";
    const std::string intent = s.Intent();
    const bool moved = intent == "close" || intent == "reopen" || intent == "change_state" ||
                       intent == "assign" || intent == "change_priority";
    // The card's run says the change in this thread when Linear's webhook reports it, naming the
    // requester: a second line here would repeat it.
    if (moved && s.state().value("narrated", false)) {
      s.decision.note = "moved; the card's thread says it";
    } else if (moved && s.state().value("card_tells", false) && AskPrivately(s)) {
      // A slash command is the requester's alone, and the card's thread tells the channel:
      // the confirmation goes to them only, not as a second post in the channel.
      s.TellOnly(s.Requester(), Done(s, result));
    } else {
      s.Say(Done(s, result));
    }
    return s.Finish(true);
  }
  if (step.rfind("comment", 0) == 0) {
    s.state()["phase"] = "done";
    const std::string text =
        "<@" + s.Requester() + "> commented on *" + Issue(s.entities()) + "* in Linear.";
    // A slash command's confirmation is the requester's alone; the issue's thread shows the
    // comment itself when the issue has a card.
    if (AskPrivately(s)) {
      s.TellOnly(s.Requester(), text);
    } else {
      s.Say(text);
    }
    return s.Finish(true);
  }
  if (step.rfind("say", 0) == 0 || step.rfind("prompt-update", 0) == 0 ||
      step.rfind("ephemeral", 0) == 0) {
    return;
  }
}

void OnEffectDead(Step& s, const Event& event) {
  const std::string step = Str(event.data, "step");
  const std::string error = Str(event.data, "error");
  if (step.rfind("say", 0) == 0 || step.rfind("ephemeral", 0) == 0 ||
      step.rfind("prompt-update", 0) == 0) {
    return;  // nowhere left to tell
  }
  if (step == "prompt") {
    s.TellOnly(s.Requester(), "I could not ask you here: " + error);
    return s.Finish(false);
  }
  if (step.rfind("teams-", 0) == 0) {
    s.Say("<@" + s.Requester() + ">, which team? I could not list the Linear teams (" + error +
          "); say it again with the team's key, or use the form (`/ctx new`).");
    return s.Finish(false);
  }
  s.state()["phase"] = "failed";
  s.Say("Linear did not take that (" + DescribeAction(s.Intent(), s.entities()) +
        "): " + FitEscaped(error, 500));
  s.Finish(false);
}

constexpr std::int64_t kDefaultQuestionTtlMs = 15 * 60 * 1000;
constexpr char kExpireTimer[] = "expire";

// A question waits for its answer at most the configured time (a timer row, not a thread).
void ExpireLater(Step& s, const Event& start) {
  std::int64_t ttl = kDefaultQuestionTtlMs;
  if (start.data.contains("question_ttl_ms") && start.data["question_ttl_ms"].is_number_integer()) {
    ttl = std::max<std::int64_t>(1000, start.data["question_ttl_ms"].get<std::int64_t>());
  }
  s.state()["question_ttl_ms"] = ttl;
  s.decision.timers.push_back({kExpireTimer, s.context_.now_ms + ttl});
}

void OnTimer(Step& s, const Event& event) {
  if (Str(event.data, "name") != kExpireTimer || !IsOpenQuestion(s.Phase())) return;
  s.state()["phase"] = "expired";
  const std::string text =
      "This question to <@" + s.Requester() + "> expired after " +
      present::HumanDuration(s.state().value("question_ttl_ms", kDefaultQuestionTtlMs)) +
      " without an answer, so nothing was done (" + DescribeAction(s.Intent(), s.entities()) +
      "). Ask again if you still want it.";
  if (s.state()["prompt"].is_object() && !s.state()["prompt"].value("ephemeral", false)) {
    s.ClosePrompt(text);
  } else {
    s.TellOnly(s.Requester(), text);  // an ephemeral prompt cannot be edited from here
  }
  s.Finish(true);
}

void OnStart(Step& s, const Event& event) {
  const json& d = event.data;
  s.state() = {{"intent", Str(d, "intent")},
               {"entities", d.contains("entities") && d["entities"].is_object() ? d["entities"]
                                                                                : json::object()},
               {"requester", Str(d, "requester")},
               {"channel", Str(d, "channel")},
               {"thread_ts", Str(d, "thread_ts")},
               {"source", Str(d, "source")},
               {"seq", 0}};
  if (d.value("narrated", false)) s.state()["narrated"] = true;
  if (d.value("card_tells", false)) s.state()["card_tells"] = true;
  const std::string ask = Str(d, "ask");
  const std::string intent = s.Intent();
  const std::string who = "<@" + s.Requester() + ">";
  if (ask == "confirm") {
    s.state()["phase"] = "confirm";
    PostYesNo(s, who + ", please confirm: " + DescribeAction(intent, s.entities()) + ".",
              YesLabel(intent, s.entities()), true);
  } else if (ask == "clarify") {
    s.state()["phase"] = "clarify";
    PostYesNo(s, who + ", did you mean: " + DescribeAction(intent, s.entities()) + "?", "Yes",
              false);
  } else if (ask == "team") {
    s.state()["phase"] = "team";
    s.Effect(s.NextStep("teams"), outbox::kLinearLane, outbox::kLinearListTeams, s.LinearKey(),
             json::object());
  } else {
    Perform(s);
  }
  if (IsOpenQuestion(s.Phase())) ExpireLater(s, event);
  s.decision.note = ask.empty() || ask == "none" ? intent : ask + " " + intent;
}

void OnChoice(Step& s, const Event& event) {
  const std::string phase = s.Phase();
  if (!IsOpenQuestion(phase)) return;  // answered already (an expired question's run has ended)
  const std::string user = Str(event.data, "user");
  if (user != s.Requester()) {
    s.TellOnly(user, "Only <@" + s.Requester() + "> can answer this; it was their request.");
    return;
  }
  const std::string choice = Str(event.data, "choice");
  if (choice == "no") {
    s.decision.cancel_timers.push_back(kExpireTimer);
    s.state()["phase"] = "cancelled";
    s.ClosePrompt("Cancelled by <@" + user + ">: " + DescribeAction(s.Intent(), s.entities()) +
                  " will not happen.");
    return s.Finish(true);
  }
  if (choice == "team") {
    if (phase != "team" || Str(event.data, "team").empty()) return;
    s.entities()["team"] = Str(event.data, "team");
  } else if (choice != "yes" || phase == "team") {
    return;
  }
  if (event.data.value("narrated", false)) s.state()["narrated"] = true;
  if (event.data.value("card_tells", false)) s.state()["card_tells"] = true;
  s.decision.cancel_timers.push_back(kExpireTimer);
  s.ClosePrompt((phase == "confirm" ? "Confirmed by <@" : "<@") + user +
                (phase == "confirm" ? ">: " : "> chose: ") +
                DescribeAction(s.Intent(), s.entities()) + ".");
  Perform(s);
}

}  // namespace

bool IsOpenQuestion(const std::string& phase) {
  return phase == "confirm" || phase == "clarify" || phase == "team";
}

bool HandsBack(const std::string& intent) {
  return intent == "create_issue" || intent == "subscribe" || intent == "unsubscribe" ||
         intent == "report" || intent == "deploy" || intent == "rerun";
}

bool PerformsIntent(const std::string& intent) {
  return intent == "close" || intent == "reopen" || intent == "change_state" ||
         intent == "change_priority" || intent == "assign" || intent == "comment" ||
         intent == "create_issue";
}

std::string NotAvailableText(const std::string& intent, const json& entities) {
  const std::string repo = FitEscaped(Str(entities, "repo"), 100);
  const std::string where = repo.empty() ? "here" : "for " + repo;
  if (intent == "deploy") {
    return "Deploys are not configured " + where + " (no deploy workflow is set up), so nothing " +
           "was deployed.";
  }
  if (intent == "rerun") {
    return "Re-running CI jobs is not set up " + where + " yet, so nothing was re-run.";
  }
  if (intent == "subscribe" || intent == "unsubscribe") {
    return "Channel subscriptions are not offered here, so this channel's subscriptions are "
           "unchanged.";
  }
  if (intent == "link") {
    return "Linking two Linear issues from Slack is not available yet; nothing was linked.";
  }
  if (intent == "trace") return "Tracing an issue to its PRs and deploys is not available yet.";
  if (intent == "report") return "Scheduled reports are not configured here yet.";
  return "`" + FitEscaped(intent, 40) + "` is not available yet.";
}

std::string DescribeAction(const std::string& intent, const json& entities) {
  const std::string issue = Issue(entities);
  if (intent == "create_issue") {
    std::string out = "create an issue";
    if (!Str(entities, "team").empty()) out += " in " + FitEscaped(Str(entities, "team"), 20);
    if (!Str(entities, "title").empty()) {
      out += " titled “" + FitEscaped(Str(entities, "title"), 200) + "”";
    }
    return out;
  }
  if (intent == "close") {
    return "close *" + issue + "*: it moves to its team's completed state in Linear";
  }
  if (intent == "reopen") return "reopen *" + issue + "* (its team's first unstarted state)";
  if (intent == "change_state") {
    return "move *" + issue + "* to " + FitEscaped(Str(entities, "state"), 60);
  }
  if (intent == "change_priority") {
    return "set the priority of *" + issue + "* to " + FitEscaped(Str(entities, "priority"), 20);
  }
  if (intent == "assign") return "assign *" + issue + "* to " + Assignee(entities);
  if (intent == "comment") {
    return "comment on *" + issue + "*: “" + FitEscaped(Str(entities, "body"), 200) + "”";
  }
  if (intent == "deploy") {
    std::string out = "deploy";
    if (!Str(entities, "repo").empty()) out += " " + FitEscaped(Str(entities, "repo"), 100);
    if (!Str(entities, "ref").empty()) out += " at " + FitEscaped(Str(entities, "ref"), 100);
    if (!Str(entities, "environment").empty()) {
      out += " to " + FitEscaped(Str(entities, "environment"), 60);
    }
    return out;
  }
  if (intent == "rerun") {
    const std::string what =
        Str(entities, "pr").empty() ? Str(entities, "repo") : Str(entities, "pr");
    return "re-run the failed jobs" + (what.empty() ? "" : " of " + FitEscaped(what, 100));
  }
  if (intent == "unsubscribe") {
    return "unsubscribe this channel" +
           (Str(entities, "repo").empty() ? "" : " from " + FitEscaped(Str(entities, "repo"), 100));
  }
  return FitEscaped(intent, 40);
}

Decision IntentActionWorkflow::Decide(const DecideContext& context, const json& state,
                                      const Event& event) const {
  Step s(context, state);
  if (event.type == "start") {
    OnStart(s, event);
  } else if (event.type == kSlackChoiceEvent) {
    OnChoice(s, event);
  } else if (event.type == engine::kEffectDone) {
    OnEffectDone(s, event);
  } else if (event.type == engine::kEffectDead) {
    OnEffectDead(s, event);
  } else if (event.type == engine::kTimerFired) {
    OnTimer(s, event);
  }
  return std::move(s.decision);
}

}  // namespace contexten::workflows::builtin
