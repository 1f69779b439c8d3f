#include "bot/handlers/conversation_handler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/command_words.hpp"
#include "bot/handlers/github_handlers.hpp"
#include "bot/handlers/link_request.hpp"
#include "bot/handlers/state_request.hpp"
#include "bot/version.hpp"
#include "core/logging.hpp"
#include "core/redactor.hpp"
#include "integrations/slack/block_kit/text.hpp"
#include "integrations/slack/block_kit/truncate.hpp"
#include "intents/grammar.hpp"
#include "intents/slash_command.hpp"
#include "intents/small_talk.hpp"
#include "workflows/builtin/file_issue_events.hpp"
#include "workflows/builtin/intent_action.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;
using Source = intents::UtteranceContext::Source;
using Visibility = Reply::Visibility;
namespace bk = integrations::slack::blocks;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("conversation");
  return log;
}

Reply Say(Visibility visibility, std::string text, json blocks = nullptr) {
  return Reply{visibility, std::move(text), std::move(blocks)};
}

bool InVocabulary(const std::string& intent) {
  return std::any_of(std::begin(intents::kVocabulary), std::end(intents::kVocabulary),
                     [&](std::string_view v) { return v == intent; });
}

bool TouchesLinear(const std::string& intent) { return workflows::builtin::PerformsIntent(intent); }

bool NeedsIssue(const std::string& intent) {
  return intent == "close" || intent == "reopen" || intent == "change_state" ||
         intent == "change_priority" || intent == "assign" || intent == "comment";
}

std::string Utc(std::int64_t at_ms) {
  const std::time_t t = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string Join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

// What to ask for a missing entity, in the words of the person asking.
std::string AskFor(const std::string& intent, const std::vector<std::string>& missing,
                   const std::string& command) {
  const std::string first = missing.empty() ? "" : missing.front();
  if (first == "issue") {
    return "Which issue? Name it (for example ENG-123), or say it in the issue's own thread.";
  }
  if (first == "title") {
    return "What should the issue be called? For example `@contexten create a bug in ENG: Login "
           "fails on Safari`, or open the form with `" +
           command + " new`.";
  }
  if (first == "state") return "Which state should it move to (for example In Progress)?";
  if (first == "priority") return "Which priority: urgent, high, medium or low?";
  if (first == "assignee") return "Assign it to whom? `me`, a @mention, or a Linear name.";
  if (first == "body") return "What should the comment say?";
  return "I need the " + Join(missing, ", ") + " for `" + intent + "`.";
}

}  // namespace

std::string AuditSourceName(Source source) {
  switch (source) {
    case Source::kSlashCommand:
      return "slash_command";
    case Source::kMention:
      return "mention";
    case Source::kDirectMessage:
      return "direct_message";
    case Source::kThreadReply:
      return "thread_reply";
  }
  return "mention";
}

std::string CommandAccessName(const intents::CommandDoc& doc) {
  // The form files an issue: the same allow-list as `issue create`.
  return doc.intent == "new_issue_form" ? "create_issue" : doc.intent;
}

void ConversationHandler::Record(const Utterance& u, const std::string& action,
                                 const std::string& args, const std::string& decision,
                                 const std::string& outcome) {
  if (!deps_.audit) return;
  store::AuditEntry entry;
  entry.at_ms = deps_.engine.NowMs();
  entry.actor = u.user;
  entry.action = action;
  entry.channel = u.channel;
  entry.source = AuditSourceName(u.source);
  // Secrets never reach the store (DESIGN.md §3): registered values and token shapes alike.
  entry.args = core::Redactor::Global().Redact(args);
  entry.decision = decision;
  entry.outcome = core::Redactor::Global().Redact(outcome);
  if (auto appended = deps_.audit->Append(entry); !appended) {
    Log()->error("audit entry for {} {} not written: {}", u.user, action,
                 appended.error().Describe());
  }
}

std::string ConversationHandler::ThreadIssue(const std::string& channel,
                                             const std::string& thread_ts) {
  if (channel.empty() || thread_ts.empty()) return "";
  auto links = deps_.workflows.LinksOf("slack_thread:" + channel + "/" + thread_ts);
  if (!links) {
    Log()->warn("thread lookup failed: {}", links.error().Describe());
    return "";
  }
  constexpr std::string_view kIssuePrefix = "linear_issue:";
  for (const auto& link : *links) {
    for (const std::string* key : {&link.from_key, &link.to_key}) {
      if (key->rfind(kIssuePrefix, 0) == 0) return key->substr(kIssuePrefix.size());
    }
  }
  return "";
}

std::string ConversationHandler::ThreadFor(const Utterance& u) const {
  if (!u.thread_ts.empty()) return u.thread_ts;
  // A mention in a channel is answered in its own thread; slash commands and DMs top-level.
  return u.source == Source::kMention ? u.ts : "";
}

Reply ConversationHandler::Handle(const Utterance& u, bool* chatter) {
  if (chatter) *chatter = false;
  intents::UtteranceContext context;
  context.source = u.source;
  context.thread_issue = ThreadIssue(u.channel, u.thread_ts);
  intents::Understanding understood;
  try {
    understood = deps_.understand(u.text, context);
  } catch (const std::exception& e) {  // Understand never throws; a stand-in might
    understood = {};
    understood.error = "I could not read that.";
    Log()->error("understanding threw: {}", e.what());
  }
  const bool chatter_ok =
      u.addressed || u.source == Source::kSlashCommand || u.source == Source::kDirectMessage;
  if (!understood.error.empty() || understood.intent == "none") {
    if (!chatter_ok) {  // plain chatter in a channel or thread: no reply
      if (chatter) *chatter = true;
      return {};
    }
    // The parser's words quote what was typed and its usage ("whoami github <login>"): Slack
    // would read "<...>" as a link (Slack docs, "Escaping text").
    std::string text = bk::EscapeMrkdwn(understood.error);
    if (!understood.suggestion.empty() &&
        understood.error.find(understood.suggestion) == std::string::npos) {
      text += (text.empty() ? "" : " ") + std::string("Did you mean `") +
              bk::EscapeMrkdwn(understood.suggestion) + "`?";
    }
    const intents::SmallTalk small_talk =
        understood.error.empty() ? intents::ClassifySmallTalk(u.text) : intents::SmallTalk::kNone;
    if (small_talk == intents::SmallTalk::kThanks) {
      text = "You're welcome!";
    } else if (small_talk == intents::SmallTalk::kGreeting) {
      text = "Hi <@" + u.user + ">! I file and update Linear issues, follow PRs and CI, and post " +
             "reports here. Try `" + deps_.settings.command +
             " help`, or ask like `@contexten create a bug in ENG: Login fails`.";
    }
    if (text.empty()) {
      text = "I'm not sure what you mean. Try `" + deps_.settings.command +
             " help` for what I can do, or ask like `@contexten create a bug in ENG: Login "
             "fails`.";
    }
    if (!understood.error.empty()) Record(u, "none", json(u.text).dump(), "answered", text);
    return Say(u.source == Source::kSlashCommand ? Visibility::kOnlyRequester : Visibility::kPublic,
               text);
  }
  return Act(u, understood);
}

Reply ConversationHandler::Act(const Utterance& u, const intents::Understanding& understood) {
  const std::string& intent = understood.intent;
  const std::string args = understood.entities.dump(-1, ' ', false, json::error_handler_t::replace);
  const AccessDecision access = deps_.access.Check(intent, u.user, u.channel);
  if (!access.allowed) {
    Record(u, intent, args, "refused", access.reason);
    return Say(Visibility::kOnlyRequester, access.reason);
  }
  if (intent == "help") {
    const std::string topic = understood.entities.value("topic", "");
    if (!topic.empty()) return HelpTopic(u, topic, args);
    Record(u, intent, args, "allowed", "listed the commands");
    return Help(u.user, u.channel);
  }
  if (!InVocabulary(intent)) {
    // ping, status, retry, new_issue_form: commands the slash listener answers itself.
    return Say(Visibility::kOnlyRequester, "Type `" + deps_.settings.command + " " +
                                               (intent == "new_issue_form" ? "new" : intent) +
                                               "` for that.");
  }
  if (TouchesLinear(intent) && !deps_.file_issue.linear_enabled) {
    const std::string text = "Linear is not configured here (linear.api_key), so I can't do that.";
    Record(u, intent, args, "allowed", text);
    return Say(Visibility::kOnlyRequester, text);
  }
  std::vector<std::string> missing = understood.missing;
  if (NeedsIssue(intent) && !understood.entities.contains("issue") &&
      std::find(missing.begin(), missing.end(), "issue") == missing.end()) {
    missing.insert(missing.begin(), "issue");
  }
  if (!missing.empty()) {
    const bool only_team = missing.size() == 1 && missing.front() == "team";
    if (intent == "create_issue" && only_team) return StartRun(u, understood, "team");
    const std::string text = AskFor(intent, missing, deps_.settings.command);
    Record(u, intent, args, "asked", text);
    return Say(u.source == Source::kSlashCommand ? Visibility::kOnlyRequester : Visibility::kPublic,
               text);
  }
  // Subscriptions, reports and deploys said in prose run their slash command's own path. A
  // deploy confirms by its own button, which only allowed people may press; unsubscribe (and
  // anything understood below the threshold) asks first and runs when the requester says yes
  // (bot/handlers/intent_actions.cpp, HandOff).
  const bool sure = understood.confidence >= deps_.settings.confidence_threshold;
  if (intent == "deploy" || (sure && !intents::IsDestructive(intent))) {
    if (auto reply = RunCommand(u, CommandWords(intent, understood.entities))) {
      Record(u, intent, args, "allowed", reply->text);
      return *reply;
    }
  }
  // Both ends of a link are written out (ENG-1, owner/repo#12): nothing to guess or confirm, and
  // Linear's attachment can be removed.
  if (intent == "link") return Link(u, understood.entities, args);
  // A destructive intent always confirms by button, whatever the source and confidence.
  if (intents::IsDestructive(intent)) return StartRun(u, understood, "confirm");
  if (understood.confidence < deps_.settings.confidence_threshold) {
    return StartRun(u, understood, "clarify");
  }
  if (intent == "create_issue") {
    FileIssueRequest request;
    request.team_key = understood.entities.value("team", "");
    request.title = understood.entities.value("title", "");
    request.description = understood.entities.value("body", "");
    const std::string priority = understood.entities.value("priority", "");
    request.priority = intents::ParsePriority(priority).value_or(0);
    request.channel = u.channel.empty() ? u.user : u.channel;
    request.reporter = u.user;
    auto started = StartFileIssue(deps_.engine, deps_.file_issue, u.origin, request);
    Record(u, intent, args, "allowed",
           started ? "filing in " + request.team_key : started.error().message);
    if (!started) return Say(Visibility::kOnlyRequester, started.error().message);
    return {};  // the card appears in the channel
  }
  if (intent == "trace") return Trace(u, understood.entities, args);
  if (TouchesLinear(intent)) return StartRun(u, understood, "none");
  const std::string text = workflows::builtin::NotAvailableText(intent, understood.entities);
  Record(u, intent, args, "allowed", text);
  return Say(u.source == Source::kSlashCommand ? Visibility::kOnlyRequester : Visibility::kPublic,
             text);
}

Reply ConversationHandler::StartRun(const Utterance& u, const intents::Understanding& understood,
                                    const std::string& ask) {
  const std::string& intent = understood.intent;
  const std::string args = understood.entities.dump(-1, ' ', false, json::error_handler_t::replace);
  json start = {
      {"intent", intent},
      {"entities", understood.entities},
      {"requester", u.user},
      {"channel", u.channel.empty() ? u.user : u.channel},
      {"thread_ts", ThreadFor(u)},
      {"source", AuditSourceName(u.source)},
      {"ask", ask},
      {"question_ttl_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(deps_.settings.question_ttl).count()}};
  const std::string run_id =
      std::string(workflows::builtin::kIntentActionType) + ":slack:" + u.origin;
  // A move made at once: the issue's card run hears who asked, and says the move itself when
  // the request was made in its thread (bot/handlers/state_request.hpp).
  if (ask == "none" && MovesIssue(intent)) {
    const std::size_t told = NoteStateRequest(deps_.engine, intent, understood.entities, u.user,
                                              "slack:" + u.origin + ":state_request");
    const std::string issue = understood.entities.value("issue", "");
    if (told > 0 && ThreadIssue(u.channel, ThreadFor(u)) == issue) start["narrated"] = true;
    if (told > 0) start["card_tells"] = true;
  }
  auto started =
      deps_.engine.Start(workflows::builtin::kIntentActionType, run_id, {"start", start, ""});
  if (!started) {
    Log()->error("{} for {} not started: {}", intent, u.origin, started.error().Describe());
    const std::string text =
        "I could not take that just now (my store is unavailable). Please try again in a minute.";
    Record(u, intent, args, ask == "none" ? "allowed" : "asked", text);
    return Say(Visibility::kOnlyRequester, text);
  }
  Record(u, intent, args, ask == "none" ? "allowed" : "asked",
         (ask == "none" ? "started " : "asking (" + ask + ") in ") + run_id);
  return {};  // the run posts its question or its result where it was asked
}

Reply ConversationHandler::Link(const Utterance& u, const json& entities, const std::string& args) {
  auto answer = [&](const std::string& decision, const std::string& text) {
    Record(u, "link", args, decision, text);
    return Say(Visibility::kOnlyRequester, text);
  };
  if (entities.contains("issues")) {
    return answer("allowed",
                  "Linking two Linear issues from Slack is not available yet; relate them in "
                  "Linear (the issue's Relations). Nothing was linked.");
  }
  const std::string issue = entities.value("issue", "");
  const auto pr = ParsePullRequestRef(entities.value("pr", ""));
  if (issue.empty() || !pr) {
    return answer("asked", "Which issue and which pull request? For example `" +
                               deps_.settings.command + " issue link ENG-12 acme/web#34`.");
  }
  if (!deps_.file_issue.linear_enabled) {
    return answer("allowed", "Linear is not configured here (linear.api_key), so I can't do that.");
  }
  const std::string name = pr->repo + "#" + std::to_string(pr->number);
  const std::string shown = bk::EscapeMrkdwn(name);
  const std::size_t told =
      NoteLinkRequest(deps_.engine, issue, *pr, u.user, "slack:" + u.origin + ":link");
  if (told == 0) {
    return answer("allowed", "No card in Slack follows *" + bk::EscapeMrkdwn(issue) +
                                 "*, so nothing was linked. Name it in " + shown +
                                 "'s title, body or branch and I link it when GitHub tells me.");
  }
  return answer("allowed", "Linking " + shown + " to *" + bk::EscapeMrkdwn(issue) +
                               "*: its card's thread says when it is done.");
}

Reply ConversationHandler::Trace(const Utterance& u, const json& entities,
                                 const std::string& args) {
  // "what's the status of ENG-1?" is `/ctx trace ENG-1`: the same answer, read from the store.
  std::string target;
  for (const char* key : {"issue", "pr", "url"}) {
    target = entities.value(key, "");
    if (!target.empty()) break;
  }
  const json reply = TraceReply(deps_.workflows, target);
  const std::string text = reply.value("text", "");
  Record(u, "trace", args, "allowed", target.empty() ? text : "showed " + target);
  return Say(u.source == Source::kSlashCommand ? Visibility::kOnlyRequester : Visibility::kPublic,
             text, reply.contains("blocks") ? reply["blocks"] : json());
}

Reply ConversationHandler::HelpTopic(const Utterance& u, const std::string& topic,
                                     const std::string& args) {
  // Help about a command the person may not run says why, as running it would: help shows
  // nobody a command their allow-list keeps from them.
  std::optional<AccessDecision> refusal;
  bool any_allowed = false;
  for (const auto& doc : intents::CommandDocs()) {
    const std::string full = doc.verb.empty() ? doc.noun : doc.noun + " " + doc.verb;
    if (topic != doc.noun && topic != full && topic != doc.intent) continue;
    AccessDecision access = deps_.access.Check(CommandAccessName(doc), u.user, u.channel);
    if (access.allowed) {
      any_allowed = true;
    } else if (!refusal) {
      refusal = std::move(access);
    }
  }
  if (refusal && !any_allowed) {
    Record(u, "help", args, "refused", refusal->reason);
    return Say(Visibility::kOnlyRequester, refusal->reason);
  }
  Record(u, "help", args, "allowed", "help on " + topic);
  return Say(Visibility::kOnlyRequester, bk::EscapeMrkdwn(intents::HelpText(topic)));
}

Reply ConversationHandler::Help(const std::string& user, const std::string& channel) const {
  const std::string& command = deps_.settings.command;
  std::string lines;
  std::string plain = "Contexten commands:";
  json blocks = json::array(
      {{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", "Contexten commands"}}}}});
  // A section's text holds 3,000 characters (Block Kit): the list goes into as many sections as
  // it needs, a command never split between two.
  auto flush = [&] {
    if (lines.empty()) return;
    lines.pop_back();
    blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", lines}}}});
    lines.clear();
  };
  // The grammar's own list (intents/grammar.hpp), so help never lags behind what parses; each
  // command is checked under the name its handler checks (the intent's).
  for (const auto& doc : intents::CommandDocs()) {
    if (!deps_.access.Check(CommandAccessName(doc), user, channel).allowed) continue;
    // Usages name arguments in angle brackets, which mrkdwn would read as links or mentions.
    std::string line = "`" + bk::EscapeMrkdwn(command + " " + doc.usage) + "`  " +
                       bk::EscapeMrkdwn(doc.summary) + "\n";
    if (lines.size() + line.size() > 3000) flush();
    lines += bk::TruncateForSlack(line, 3000);
    plain += "\n" + command + " " + doc.usage + " - " + doc.summary;
  }
  flush();
  blocks.push_back(
      {{"type", "context"},
       {"elements",
        json::array({{{"type", "mrkdwn"},
                      {"text",
                       "Or just ask: `@contexten create a bug in ENG: Login fails`, "
                       "`@contexten close ENG-1`, or \"close it\" in an issue's thread. "
                       "Contexten " +
                           std::string(Version())}}})}});
  return Say(Visibility::kOnlyRequester, plain, std::move(blocks));
}

Reply ConversationHandler::Audit(std::size_t n) {
  if (!deps_.audit) return Say(Visibility::kOnlyRequester, "The audit log is not kept here.");
  auto entries = deps_.audit->Recent(n);
  if (!entries) {
    return Say(Visibility::kOnlyRequester,
               "I could not read the audit log just now; try again in a minute.");
  }
  if (entries->empty()) return Say(Visibility::kOnlyRequester, "The audit log is empty.");
  std::string text = "Audit log, newest first:";
  for (const auto& e : *entries) {
    std::string line = "\n`" + std::to_string(e.id) + "` " + Utc(e.at_ms) + " <@" + e.actor + "> " +
                       bk::EscapeMrkdwn(e.action) + " (" + bk::EscapeMrkdwn(e.source) +
                       (e.channel.empty() ? "" : " in <#" + e.channel + ">") + ") *" +
                       bk::EscapeMrkdwn(e.decision) + "*";
    if (!e.args.empty() && e.args != "{}" && e.args != "null") {
      line += " " + bk::EscapeMrkdwn(bk::TruncateForSlack(e.args, 200));
    }
    if (!e.outcome.empty()) line += ": " + bk::EscapeMrkdwn(bk::TruncateForSlack(e.outcome, 300));
    text += line;
  }
  json blocks =
      json::array({{{"type", "section"},
                    {"text", {{"type", "mrkdwn"}, {"text", bk::TruncateForSlack(text, 3000)}}}}});
  return Say(Visibility::kOnlyRequester, bk::TruncateForSlack(text, 3000), std::move(blocks));
}

}  // namespace contexten::bot::handlers
