#include "bot/handlers/intent_actions.hpp"

#include <spdlog/spdlog.h>

#include <regex>

#include "bot/handlers/command_words.hpp"
#include "bot/handlers/state_request.hpp"
#include "bot/handlers/tell_clicker.hpp"
#include "core/logging.hpp"
#include "intents/intent.hpp"
#include "workflows/builtin/intent_action.hpp"
#include "workflows/present/issue_card.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::listeners::ListenerContext;
using integrations::slack::listeners::ListenerRegistry;
using nlohmann::json;
namespace builtin = workflows::builtin;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("intent_actions");
  return log;
}

Utterance ClickUtterance(const ListenerContext& context) {
  const auto& interaction = context.interaction();
  Utterance u;
  u.source = intents::UtteranceContext::Source::kSlashCommand;
  u.user = interaction.user_id;
  u.channel = interaction.channel_id;
  u.thread_ts = interaction.message_thread_ts;
  u.origin = interaction.envelope_id;
  return u;
}

// The file_issue run for a create_issue the requester has answered: its id derives from the
// intent run, so a second click or a replay reaches the same run.
void HandOff(ListenerContext& context, ConversationHandler& conversation, const std::string& run_id,
             const json& state, Utterance u) {
  const json entities = state.value("entities", json::object());
  const std::string intent = state.value("intent", "");
  if (intent != "create_issue") {
    // Its slash command's path (command_words.hpp), as the requester: the run's id stands for
    // the ask, so a second click or a replay starts nothing new (a deploy's run derives from it).
    u.user = state.value("requester", u.user);
    u.channel = state.value("channel", u.channel);
    u.origin = run_id;
    auto reply = conversation.RunCommand(u, CommandWords(intent, entities));
    const std::string text = reply ? reply->text : builtin::NotAvailableText(intent, entities);
    conversation.Record(u, intent, entities.dump(), "allowed", text);
    if (!text.empty()) TellClicker(context, text);
    return;
  }
  FileIssueRequest request;
  request.team_key = entities.value("team", "");
  request.title = entities.value("title", "");
  request.description = entities.value("body", "");
  request.priority = intents::ParsePriority(entities.value("priority", "")).value_or(0);
  request.channel = state.value("channel", "");
  request.reporter = state.value("requester", "");
  auto started =
      StartFileIssue(conversation.deps().engine, conversation.deps().file_issue, run_id, request);
  if (!started) Log()->error("hand-off of {} failed: {}", run_id, started.error().Describe());
}

// An ephemeral prompt (a slash command's question) cannot be edited by chat.update: the answer
// replaces it over the click's response_url, here, as the run's ClosePrompt would.
void ReplaceEphemeralPrompt(ListenerContext& context, const json& state) {
  const std::string phase = state.value("phase", "");
  const std::string what =
      builtin::DescribeAction(state.value("intent", ""), state.value("entities", json::object()));
  std::string text;
  if (phase == "cancelled") {
    text = "Cancelled: " + what + " will not happen.";
  } else if (phase == "expired") {
    text = "That question expired; nothing was done.";
  } else if (builtin::IsOpenQuestion(phase)) {
    return;  // not answered (a click that did not count): the buttons stay
  } else {
    text = "You chose: " + what + ".";
  }
  json body = {
      {"replace_original", true},
      {"text", text},
      {"blocks",
       json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}}})}};
  if (auto replaced = context.Respond(body); !replaced) {
    Log()->warn("could not replace an answered ephemeral question: {}",
                replaced.error().Describe());
  }
}

// A confirmed move (the requester's Yes on an open question): the issue's card run hears who
// asked before the run makes the move, and says it itself when the question was asked in its
// thread (bot/handlers/state_request.hpp).
void NoteConfirmedMove(ConversationHandler& conversation, const std::string& run_id,
                       const integrations::slack::Interaction& interaction, json& data) {
  auto run = conversation.deps().engine.store().LoadRun(run_id);
  if (!run || !*run) return;
  const json state = json::parse((*run)->state_json, nullptr, false);
  if (!state.is_object()) return;
  const std::string phase = state.value("phase", "");
  const std::string intent = state.value("intent", "");
  if (!builtin::IsOpenQuestion(phase) || phase == "team" || !MovesIssue(intent) ||
      state.value("requester", "") != interaction.user_id) {
    return;
  }
  const json entities = state.value("entities", json::object());
  const std::size_t told =
      NoteStateRequest(conversation.deps().engine, intent, entities, interaction.user_id,
                       "slack:" + interaction.envelope_id + ":state_request");
  if (told > 0) data["card_tells"] = true;
  if (told > 0 &&
      conversation.ThreadIssue(state.value("channel", ""), state.value("thread_ts", "")) ==
          entities.value("issue", "")) {
    data["narrated"] = true;
  }
}

core::Status Choose(ListenerContext& context, ConversationHandler& conversation,
                    const std::string& choice) {
  (void)context.Ack();  // the button must not spin; the run does the work
  const auto& interaction = context.interaction();
  const auto* action = interaction.action();
  std::string run_id = action ? action->value : "";
  std::string team;
  if (choice == "team") {
    const auto bar = run_id.rfind('|');
    if (bar == std::string::npos) return core::Ok();
    team = run_id.substr(bar + 1);
    run_id = run_id.substr(0, bar);
  }
  if (run_id.empty()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "the button carries no run id"));
  }
  auto& engine = conversation.deps().engine;
  json data = {{"user", interaction.user_id}, {"choice", choice}};
  if (!team.empty()) data["team"] = team;
  if (choice == "yes") NoteConfirmedMove(conversation, run_id, interaction, data);
  auto delivered = engine.Deliver(
      run_id, {builtin::kSlackChoiceEvent, data, "slack:" + interaction.envelope_id});
  if (!delivered) {
    TellClicker(context, delivered.error().kind == core::ErrorKind::kNotFound
                             ? "That question has expired."
                             : "I could not take that click just now; please try again.");
    return core::Unexpected(delivered.error());
  }
  auto run = engine.store().LoadRun(run_id);
  if (!run || !*run) return core::Ok();
  const json state = json::parse((*run)->state_json, nullptr, false);
  if (!state.is_object()) return core::Ok();
  const std::string phase = state.value("phase", "");
  if (interaction.message_is_ephemeral) ReplaceEphemeralPrompt(context, state);
  if (phase == "expired") {
    if (interaction.message_is_ephemeral) return core::Ok();  // replaced with the same words
    // A click that raced the expiry's edit of the prompt: its run has ended.
    TellClicker(context, "That question expired; nothing was done.");
    return core::Ok();
  }
  if (state.value("requester", "") != interaction.user_id) return core::Ok();
  const Utterance u = ClickUtterance(context);
  const std::string intent = state.value("intent", "");
  const std::string args = state.value("entities", json::object()).dump();
  if (phase == "cancelled") {
    conversation.Record(u, intent, args, "cancelled", "cancelled by the requester in " + run_id);
  } else if (phase == "handoff" || phase == "performing" || phase == "done") {
    conversation.Record(u, intent, args, "confirmed", "confirmed by the requester in " + run_id);
    if (phase == "handoff") HandOff(context, conversation, run_id, state, u);
  }
  return core::Ok();
}

// The card's Close / Reopen and its state select: the same path as saying it in the thread
// (close confirms first; a move acts at once).
core::Status CardAction(ListenerContext& context, ConversationHandler& conversation,
                        const std::string& intent) {
  (void)context.Ack();
  const auto& interaction = context.interaction();
  const auto* action = interaction.action();
  std::string identifier = action ? action->value : "";
  nlohmann::json entities = {{"issue", identifier}};
  if (intent == "change_state") {
    // The select's value is the state; the issue is the card's (the card is its thread's root).
    identifier = conversation.ThreadIssue(interaction.channel_id, interaction.message_ts);
    if (identifier.empty() || !action || action->value.empty()) {
      TellClicker(context, "I no longer track the issue of this card.");
      return core::Ok();
    }
    entities = {{"issue", identifier}, {"state", action->value}};
  }
  if (identifier.empty()) return core::Ok();
  Utterance u = ClickUtterance(context);
  u.source = intents::UtteranceContext::Source::kThreadReply;
  u.thread_ts = interaction.message_ts;  // the card is its thread's root
  u.addressed = true;
  intents::Understanding understood;
  understood.intent = intent;
  understood.confidence = 1.0;
  understood.entities = entities;
  ConversationDeps deps = conversation.deps();
  deps.understand = [understood](std::string_view, const intents::UtteranceContext&) {
    return understood;
  };
  ConversationHandler once(deps);
  const Reply reply = once.Handle(u);
  if (!reply.text.empty()) TellClicker(context, reply.text);
  return core::Ok();
}

}  // namespace

void RegisterIntentActionListeners(ListenerRegistry& registry, ConversationHandler& conversation) {
  registry.Action(builtin::kIntentYesAction, [&conversation](ListenerContext& context) {
    return Choose(context, conversation, "yes");
  });
  registry.Action(builtin::kIntentNoAction, [&conversation](ListenerContext& context) {
    return Choose(context, conversation, "no");
  });
  registry.Action(
      std::regex(std::string(builtin::kIntentTeamActionPrefix) + "[0-9]+"),
      [&conversation](ListenerContext& context) { return Choose(context, conversation, "team"); });
  registry.Action(std::string(workflows::present::kIssueCardCloseAction),
                  [&conversation](ListenerContext& context) {
                    return CardAction(context, conversation, "close");
                  });
  registry.Action(std::string(workflows::present::kIssueCardReopenAction),
                  [&conversation](ListenerContext& context) {
                    return CardAction(context, conversation, "reopen");
                  });
  registry.Action(std::string(workflows::present::kIssueCardStateAction),
                  [&conversation](ListenerContext& context) {
                    return CardAction(context, conversation, "change_state");
                  });
}

}  // namespace contexten::bot::handlers
