#pragma once
// Everything a person says to the bot, by slash command, mention, direct message or reply in one
// of its threads, goes through intents::Understand and comes out here as one decision: answer,
// refuse (access control), ask (a confirmation for destructive intents, "did you mean" below the
// confidence threshold, buttons for a missing team) or act (a workflow run). Every decision is
// written to the audit log. Pending questions are workflow runs waiting for a click (durable),
// never memory (../shared/DESIGN.md §3).

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "bot/handlers/access_control.hpp"
#include "bot/handlers/file_issue_handlers.hpp"
#include "intents/grammar.hpp"
#include "intents/understanding.hpp"
#include "store/audit_log.hpp"
#include "store/workflow_store.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

using UnderstandFn =
    std::function<intents::Understanding(std::string_view, const intents::UtteranceContext&)>;

struct ConversationSettings {
  std::string command = "/ctx";       // the configured slash command, for help and pointers
  double confidence_threshold = 0.7;  // below it the bot asks before acting
  std::map<std::string, std::string> github_logins;  // identity.github: Slack user id -> login
  std::chrono::minutes question_ttl{15};             // an unanswered question closes after this
};

struct ConversationDeps {
  workflows::engine::Engine& engine;
  store::WorkflowStore& workflows;
  store::AuditLog* audit = nullptr;  // null: nothing is recorded (tests of other parts)
  const AccessControl& access;
  FileIssueSettings file_issue;
  ConversationSettings settings;
  UnderstandFn understand = intents::Understand;
};

// One thing said to the bot.
struct Utterance {
  intents::UtteranceContext::Source source = intents::UtteranceContext::Source::kMention;
  std::string text;  // without the bot's mention
  std::string user;
  std::string channel;
  std::string thread_ts;  // the thread it was said in, or ""
  std::string ts;         // the message's own ts ("" for slash commands)
  std::string origin;     // the Slack delivery's envelope id: runs started for it derive from it
  // Said to the bot on purpose: a DM, a slash command, a message that starts with the mention.
  // An addressed message the bot does not understand gets a short pointer to help; otherwise
  // it is chatter and gets silence.
  bool addressed = false;
};

struct Reply {
  enum class Visibility { kSilent, kOnlyRequester, kPublic } visibility = Visibility::kSilent;
  std::string text;
  nlohmann::json blocks;  // null or an array
};

class ConversationHandler {
 public:
  explicit ConversationHandler(ConversationDeps deps) : deps_(std::move(deps)) {}

  // Decides, starts what is to be started and returns what to say at once (the workflow runs
  // say the rest in the channel or thread). `chatter`, when given, is set to whether it was
  // people talking (nothing the bot understood, not addressed to it): silence here, and a
  // synced thread's comment for the caller (bot/handlers/thread_sync.hpp).
  Reply Handle(const Utterance& utterance, bool* chatter = nullptr);

  // The Linear identifier ("ENG-1") whose home thread `channel`/`thread_ts` is (the card the
  // file_issue run posted), or "".
  std::string ThreadIssue(const std::string& channel, const std::string& thread_ts);

  // `help`: the commands this person may run here.
  Reply Help(const std::string& user, const std::string& channel) const;
  // `help <topic>`: usage and examples of the matching commands, or why this person may not
  // run them.
  Reply HelpTopic(const Utterance& u, const std::string& topic, const std::string& args);
  // `trace` asked in words ("where is ENG-44 at?"): what `/ctx trace` shows.
  Reply Trace(const Utterance& u, const nlohmann::json& entities, const std::string& args);
  // `issue link ENG-1 owner/repo#12`: the issue's card run links the PR (link_request.hpp).
  Reply Link(const Utterance& u, const nlohmann::json& entities, const std::string& args);
  // `audit [n]`: the newest n entries (admins only; the caller checks access).
  Reply Audit(std::size_t n);

  // Records one decision; secrets in `args` are redacted first.
  void Record(const Utterance& u, const std::string& action, const std::string& args,
              const std::string& decision, const std::string& outcome);

  const ConversationDeps& deps() const { return deps_; }

  // Runs a slash command's words (command_words.hpp) through the command's own handler, as
  // `/ctx <words>` would, for `u`; nullopt when no handler takes them. Access is checked by the
  // caller. Set once, by RegisterHandlers, which owns those handlers.
  using CommandRunner =
      std::function<std::optional<Reply>(const Utterance& u, const std::string& words)>;
  void SetCommandRunner(CommandRunner run) { run_command_ = std::move(run); }
  std::optional<Reply> RunCommand(const Utterance& u, const std::string& words) const {
    return run_command_ && !words.empty() ? run_command_(u, words) : std::nullopt;
  }

 private:
  Reply Act(const Utterance& u, const intents::Understanding& understood);
  Reply StartRun(const Utterance& u, const intents::Understanding& understood,
                 const std::string& ask);
  std::string ThreadFor(const Utterance& u) const;

  ConversationDeps deps_;
  CommandRunner run_command_;
};

// The access-control name of a help line's command: its intent, as the handlers check it (the
// form files issues: create_issue).
std::string CommandAccessName(const intents::CommandDoc& doc);

// "slash_command", "mention", "direct_message", "thread_reply".
std::string AuditSourceName(intents::UtteranceContext::Source source);

}  // namespace contexten::bot::handlers
