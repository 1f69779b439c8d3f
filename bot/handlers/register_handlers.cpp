#include "bot/handlers/register_handlers.hpp"

#include <cctype>
#include <variant>

#include "bot/handlers/incident_handlers.hpp"
#include "bot/handlers/intent_actions.hpp"
#include "bot/handlers/new_issue.hpp"
#include "bot/handlers/status_handler.hpp"
#include "bot/handlers/subscription_handler.hpp"
#include "bot/handlers/thread_sync.hpp"
#include "bot/handlers/whoami.hpp"
#include "intents/intent.hpp"
#include "intents/slash_command.hpp"

namespace contexten::bot::handlers {

using listeners::ListenerContext;
using Source = intents::UtteranceContext::Source;

std::string StripMention(const std::string& text, const std::string& bot_user_id) {
  std::string out = text;
  const std::string mention = "<@" + bot_user_id + ">";
  if (auto pos = out.find(mention); pos != std::string::npos) out.erase(pos, mention.size());
  const auto first = out.find_first_not_of(" \t");
  return first == std::string::npos ? "" : out.substr(first);
}

namespace {

std::string FirstWord(const std::string& text, std::string* rest = nullptr) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  const auto end = text.find_first_of(" \t\r\n", start);
  std::string word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (rest) {
    const auto next = end == std::string::npos ? end : text.find_first_not_of(" \t\r\n", end);
    *rest = next == std::string::npos ? "" : text.substr(next);
  }
  return word;
}

// What to say, by where it was asked: a slash command's ack, a message in the thread, or a
// message only the asker sees.
core::Status Send(ListenerContext& context, const Reply& reply, bool slash) {
  if (slash) {
    if (reply.visibility == Reply::Visibility::kSilent) return context.Ack();
    return context.Ack(EphemeralReply(reply.text, reply.blocks));
  }
  const auto& interaction = context.interaction();
  switch (reply.visibility) {
    case Reply::Visibility::kSilent:
      return core::Ok();
    case Reply::Visibility::kOnlyRequester: {
      integrations::slack::EphemeralMessage message;
      message.channel = interaction.channel_id;
      message.user = interaction.user_id;
      message.text = reply.text;
      message.blocks = reply.blocks;
      message.thread_ts = interaction.thread_ts();
      auto sent = context.client().PostEphemeral(message);
      if (!sent) return core::Unexpected(sent.error());
      return core::Ok();
    }
    case Reply::Visibility::kPublic: {
      // In a DM top-level; in a channel in the message's thread, so channels stay readable.
      const bool dm = interaction.event && interaction.event->channel_type == "im";
      auto posted = dm && interaction.thread_ts().empty()
                        ? context.Say(reply.text, reply.blocks)
                        : context.ReplyInThread(reply.text, reply.blocks);
      if (!posted) return core::Unexpected(posted.error());
      return core::Ok();
    }
  }
  return core::Ok();
}

Utterance FromEvent(const ListenerContext& context, Source source, std::string text) {
  const auto& interaction = context.interaction();
  Utterance u;
  u.source = source;
  u.text = std::move(text);
  u.user = interaction.user_id;
  u.channel = interaction.channel_id;
  u.thread_ts = interaction.event ? interaction.event->thread_ts : "";
  u.ts = interaction.event ? interaction.event->ts : "";
  u.origin = interaction.envelope_id;
  return u;
}

// `report ...`, `subscribe | unsubscribe | subscriptions ...` and `deploy ...` for `u`: the reply
// their handlers give (a slash command's ack), or nullopt for other words. Access is the
// caller's to check; slash commands, mentions and confirmed questions all come here.
std::optional<nlohmann::json> CommandReply(const Utterance& u, const std::string& text,
                                           const HandlerDeps& deps) {
  if (auto words = ReportWords(text); words && deps.schedules) {
    ReportDeps reports{*deps.schedules, deps.report_source, deps.wake_scheduler};
    reports.scope = deps.report_scope;
    reports.start_run = [&deps, &u](const workflows::builtin::ReportRequest& request) {
      // One preview run per ask: the envelope is the ask (a redelivered one is the same run).
      const std::string ask =
          !u.origin.empty() ? u.origin : u.user + "@" + std::to_string(deps.engine.NowMs());
      auto started = workflows::builtin::StartReport(deps.engine, "report-preview:" + ask, request);
      if (!started) return core::Status(core::Unexpected(started.error()));
      if (deps.wake_outbox) deps.wake_outbox();
      return core::Ok();
    };
    return ReportReply(*words, {u.user, u.channel, deps.engine.NowMs()}, reports);
  }
  if (auto sub = SubscriptionWords(text); sub && deps.subscriptions) {
    return SubscriptionReply(*sub, {u.user, u.channel, deps.engine.NowMs()}, *deps.subscriptions);
  }
  std::string rest;
  const std::string verb = FirstWord(text, &rest);
  if (verb == kDeployCommand) {
    return EphemeralReply(StartDeploy(deps.engine, deps.deploy, rest, u.user, u.channel, u.origin));
  }
  if (verb == kRerunCommand) {
    return EphemeralReply(RerunOpenAlerts(deps.engine, rest, u.user, u.origin));
  }
  return std::nullopt;
}

core::Status SlashCommand(ListenerContext& context, CommandHandler& commands,
                          ConversationHandler& conversation, const HandlerDeps& deps) {
  const auto& interaction = context.interaction();
  Utterance u;
  u.source = Source::kSlashCommand;
  u.text = interaction.text;
  u.user = interaction.user_id;
  u.channel = interaction.channel_id;
  u.origin = interaction.envelope_id;
  u.addressed = true;
  const AccessControl& access = conversation.deps().access;
  auto refused = [&](const std::string& name) -> std::optional<core::Status> {
    const AccessDecision decision = access.Check(name, u.user, u.channel);
    if (decision.allowed) return std::nullopt;
    conversation.Record(u, name, nlohmann::json(u.text).dump(), "refused", decision.reason);
    return context.Ack(EphemeralReply(decision.reason));
  };
  if (auto words = ReportWords(interaction.text); words && deps.schedules) {
    if (auto r = refused("report")) return *r;
    conversation.Record(u, "report", nlohmann::json(std::string(*words)).dump(), "allowed", "");
    return context.Ack(*CommandReply(u, interaction.text, deps));
  }
  if (auto sub = SubscriptionWords(interaction.text); sub && deps.subscriptions) {
    const char* name = sub->verb == SubscriptionVerb::kSubscribe     ? "subscribe"
                       : sub->verb == SubscriptionVerb::kUnsubscribe ? "unsubscribe"
                                                                     : "subscriptions";
    if (auto r = refused(name)) return *r;
    auto reply = *CommandReply(u, interaction.text, deps);
    conversation.Record(u, name, nlohmann::json(interaction.text).dump(), "allowed",
                        reply.value("text", ""));
    return context.Ack(reply);
  }
  std::string rest;
  if (FirstWord(interaction.text, &rest) == "rules" && deps.reload_rules) {
    if (auto r = refused("rules")) return *r;
    if (FirstWord(rest) != "reload") {
      return context.Ack(EphemeralReply("Usage: `rules reload` reads the rules file again."));
    }
    auto reloaded = deps.reload_rules();
    const std::string text =
        reloaded ? "Rules reloaded."
                 : "Rules not reloaded, the previous rules stay: " + reloaded.error().message;
    conversation.Record(u, "rules", "\"reload\"", "allowed", text);
    return context.Ack(EphemeralReply(text));
  }
  if (FirstWord(interaction.text, &rest) == kAuditCommand) {
    if (auto r = refused(kAuditCommand)) return *r;
    std::size_t n = 10;
    if (!rest.empty()) n = std::clamp<std::size_t>(std::strtoul(rest.c_str(), nullptr, 10), 1, 50);
    conversation.Record(u, kAuditCommand, nlohmann::json(rest).dump(), "allowed",
                        "showed " + std::to_string(n) + " entries");
    return Send(context, conversation.Audit(n), true);
  }
  if (const std::string word = FirstWord(interaction.text, &rest); word == kDeployCommand) {
    if (auto r = refused(kDeployCommand)) return *r;
    auto reply = *CommandReply(u, interaction.text, deps);
    conversation.Record(u, kDeployCommand, nlohmann::json(rest).dump(), "allowed",
                        reply.value("text", ""));
    return context.Ack(reply);
  } else if (word == kTraceCommand) {
    if (auto r = refused(kTraceCommand)) return *r;
    conversation.Record(u, kTraceCommand, nlohmann::json(rest).dump(), "allowed", "showed");
    return context.Ack(TraceReply(deps.workflows, rest));
  }
  if (FirstWord(interaction.text) == "whoami") {
    FirstWord(interaction.text, &rest);
    const std::string text =
        WhoAmI(deps.engine, conversation.deps().settings.github_logins, u.user, rest, u.origin);
    conversation.Record(u, "whoami", nlohmann::json(rest).dump(), "allowed", text);
    return context.Ack(EphemeralReply(text));
  }
  // `new` needs the trigger_id; status, retry and ping answer in the ack.
  auto intent = intents::ParseSlashCommand(interaction.text);
  if (intent && std::holds_alternative<intents::NewIssueFormIntent>(*intent)) {
    if (auto r = refused("create_issue")) return *r;
    conversation.Record(u, "create_issue", "\"form\"", "allowed", "opened the form");
    return OpenNewIssueModal(context, DefaultTeamFor(deps.file_issue, interaction.channel_id), {},
                             deps.file_issue.reference);
  }
  if (intent && std::holds_alternative<intents::StatusIntent>(*intent)) {
    if (auto r = refused("status")) return *r;
    conversation.Record(u, "status", "{}", "allowed", "showed the status");
    return context.Ack(StatusReply(deps.workflows, deps.health, deps.engine.NowMs()));
  }
  if (intent) {
    if (const auto* retry = std::get_if<intents::RetryIntent>(&*intent)) {
      if (auto r = refused("retry")) return *r;
      auto reply = RetryReply(deps.workflows, *retry, deps.wake_outbox);
      conversation.Record(u, "retry", nlohmann::json(interaction.text).dump(), "allowed",
                          reply.value("text", ""));
      return context.Ack(reply);
    }
    if (std::holds_alternative<intents::PingIntent>(*intent)) {
      if (auto r = refused("ping")) return *r;
      CommandContext c;
      c.command = interaction.command;
      c.text = interaction.text;
      c.user_id = interaction.user_id;
      c.channel_id = interaction.channel_id;
      c.inbox_latency = context.inbox_latency();
      return context.Ack(commands.Handle(c));
    }
  }
  return Send(context, conversation.Handle(u), true);
}

}  // namespace

void RegisterHandlers(listeners::ListenerRegistry& registry, CommandHandler& commands,
                      ConversationHandler& conversation, const std::string& command,
                      HandlerDeps deps) {
  auto& engine = deps.engine;
  const FileIssueSettings settings = deps.file_issue;
  registry.Command(command, [&commands, &conversation, deps](ListenerContext& context) {
    return SlashCommand(context, commands, conversation, deps);
  });
  conversation.SetCommandRunner(
      [deps](const Utterance& u, const std::string& words) -> std::optional<Reply> {
        auto reply = CommandReply(u, words, deps);
        if (!reply) return std::nullopt;
        return Reply{Reply::Visibility::kOnlyRequester, reply->value("text", ""),
                     reply->value("blocks", nlohmann::json())};
      });

  registry.Event("app_mention", [&commands, &conversation](ListenerContext& context) {
    const auto& interaction = context.interaction();
    const std::string raw = interaction.event->text;
    const std::string text = StripMention(raw, context.bot_user_id());
    const std::string mention = "<@" + context.bot_user_id() + ">";
    Utterance u = FromEvent(context, Source::kMention, text);
    // "@contexten ..." at the start is said to the bot; a mention inside a sentence may not be.
    u.addressed = raw.find_first_not_of(" \t") == raw.find(mention);
    // `ping` keeps its round-trip answer in the thread.
    if (FirstWord(text) == "ping") {
      CommandContext c;
      c.command = "@contexten";
      c.text = text;
      c.user_id = interaction.user_id;
      c.channel_id = interaction.channel_id;
      c.inbox_latency = context.inbox_latency();
      const auto reply = commands.Handle(c);
      nlohmann::json blocks = reply.contains("blocks") ? reply["blocks"] : nlohmann::json();
      auto posted = context.ReplyInThread(reply.value("text", ""), std::move(blocks));
      if (!posted) return core::Status(core::Unexpected(posted.error()));
      return core::Ok();
    }
    Reply reply = conversation.Handle(u);
    if (reply.visibility == Reply::Visibility::kOnlyRequester && !reply.blocks.is_null()) {
      // Help asked for by mention: shown in the thread, as before.
      reply.visibility = Reply::Visibility::kPublic;
    }
    return Send(context, reply, false);
  });

  // Direct messages, and replies in the threads the bot keeps (an issue's card). A message that
  // mentions the bot is answered as an app_mention (Slack sends both), so not here.
  registry.Event("message", [&conversation, &engine](ListenerContext& context) {
    const auto& interaction = context.interaction();
    const auto& event = *interaction.event;
    if (event.channel_type == "im") {
      // Slack sends no app_mention in a DM: a mention there is just part of the text.
      Utterance u = FromEvent(context, Source::kDirectMessage,
                              StripMention(event.text, context.bot_user_id()));
      u.addressed = true;
      return Send(context, conversation.Handle(u), false);
    }
    if (!context.bot_user_id().empty() &&
        event.text.find("<@" + context.bot_user_id() + ">") != std::string::npos) {
      return core::Status(core::Ok());
    }
    if (event.thread_ts.empty() || event.thread_ts == event.ts) return core::Status(core::Ok());
    // Only the bot's own threads: elsewhere people talk among themselves.
    if (conversation.ThreadIssue(interaction.channel_id, event.thread_ts).empty()) {
      return core::Status(core::Ok());
    }
    Utterance u = FromEvent(context, Source::kThreadReply, event.text);
    bool chatter = false;
    Reply said = conversation.Handle(u, &chatter);
    if (chatter) {
      // Synced threads: what people say in an issue's thread goes to Linear as a comment.
      ThreadReply reply{u.channel, u.thread_ts, u.ts, u.user, u.text};
      auto synced = SyncThreadReply(engine, conversation.deps().workflows, reply);
      if (!synced && synced.error().kind != core::ErrorKind::kNotFound) return synced;
      return core::Status(core::Ok());
    }
    return Send(context, said, false);
  });

  // Synced threads (issue 10): a reply edited or deleted in an issue's thread; the run finds the
  // Linear comment that mirrors it. Our own chat.update never gets here (the registry drops a
  // bot's message_changed), so a reply the bot edits for Linear does not come back.
  registry.MessageEdits([&conversation, &engine](ListenerContext& context) {
    const auto& interaction = context.interaction();
    const auto& event = *interaction.event;
    if (event.thread_ts.empty() || event.thread_ts == event.edited_ts) {
      return core::Status(core::Ok());  // not a thread reply: nothing of it is synced
    }
    ThreadReplyChange change;
    change.channel = interaction.channel_id;
    change.thread_ts = event.thread_ts;
    change.ts = event.edited_ts;
    change.event_ts = event.ts;
    change.user = event.user;
    change.text = event.text;
    change.deleted = event.subtype == "message_deleted";
    auto synced = SyncThreadReplyChange(engine, conversation.deps().workflows, change);
    if (!synced && synced.error().kind != core::ErrorKind::kNotFound) return synced;
    return core::Status(core::Ok());
  });

  RegisterNewIssueListeners(registry, engine, settings);
  RegisterIssueCardListeners(registry, engine);
  RegisterIncidentListeners(registry, engine);
  RegisterGitHubListeners(registry, engine, conversation.deps().access);
  RegisterIntentActionListeners(registry, conversation);
}

}  // namespace contexten::bot::handlers
