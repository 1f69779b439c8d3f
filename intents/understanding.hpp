#pragma once
// What a person meant, in one shape for every way of saying it: a slash command, a mention, a
// direct message or a reply in a thread (../shared/DESIGN.md §2, intents/). Pure: text and
// context in, Understanding out; no I/O, no Slack types. Handlers turn it into an action after
// access control and, for destructive intents, a confirmation by button.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contexten::intents {

// The stable intent vocabulary (used by `contexten intents --eval`). Commands outside it that
// the bot also knows (status, ping, retry, new_issue_form, ...) use their own names.
inline constexpr std::string_view kVocabulary[] = {
    "create_issue", "assign", "close", "reopen", "change_state", "change_priority",
    "comment",      "link",   "trace", "deploy", "rerun",        "subscribe",
    "unsubscribe",  "report", "help",  "none"};

struct UtteranceContext {
  enum class Source { kSlashCommand, kMention, kDirectMessage, kThreadReply };
  Source source = Source::kMention;
  // The Linear identifier ("ENG-1") whose home thread this was said in, or "": lets "close it"
  // mean that issue.
  std::string thread_issue;
  // Linear team keys known to exist; empty means any key-shaped word is accepted as a team.
  std::vector<std::string> team_keys;
};

struct Understanding {
  std::string intent = "none";
  double confidence = 0;  // 0..1; callers ask before acting below their threshold
  // Entities by key: team, title, body, priority (urgent|high|medium|low), assignee (handle, "me"
  // or "none"), labels (list), issue ("ENG-123"), issues (list), state (lower case), repo
  // ("owner/repo"), pr ("owner/repo#12"), environment, ref, kind, schedule, features (list).
  // Also: url (trace of a Slack link), run (Actions run id) and workflow (rerun), filters (list of
  // "key:value", subscribe), action (report: schedule|list|run), tz ("Area/City"), channel (Slack
  // channel id), topic (help), and for commands outside the vocabulary effect_id (retry), github
  // (whoami) and count (audit). All values are strings or lists of strings.
  nlohmann::json entities = nlohmann::json::object();
  std::vector<std::string> missing;  // required entities not found, e.g. {"team"}
  std::string error;                 // malformed input, pointing at the offending word; "" if none
  std::string suggestion;            // a typo'd command's closest match ("issue create"), or ""
  // The word the error or the suggestion is about, as the person typed it ("isue"), or "".
  std::string offending_word;
  // The next-best readings, best first (at most a few, each without alternatives of its own):
  // what clarifying buttons offer when confidence is below kAskBelow.
  std::vector<Understanding> alternatives;
};

// Below this confidence a caller asks ("Did you mean ...? [Yes] [No]") rather than acts.
inline constexpr double kAskBelow = 0.7;

// {"intent","confidence","entities"} plus "missing", "error", "suggestion", "offending_word" and
// "alternatives" (intents and confidences) when they are set. Never throws: every string in an
// Understanding is valid UTF-8.
nlohmann::json ToJson(const Understanding& understanding);

// Parses the source names the `contexten intents` tool and the corpus use: "command", "mention",
// "dm", "thread".
std::optional<UtteranceContext::Source> SourceFromName(std::string_view name);
std::string_view SourceName(UtteranceContext::Source source);

// Never throws; any text (however long, hostile or not UTF-8) gives an intent or an error.
Understanding Understand(std::string_view text, const UtteranceContext& context);

// close, deploy, rerun, unsubscribe: these never run without a confirmation.
bool IsDestructive(std::string_view intent);

}  // namespace contexten::intents
