#include "intents/grammar.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "intents/slash_command.hpp"
#include "intents/text.hpp"
#include "intents/vocabulary.hpp"

namespace contexten::intents {
namespace {

using nlohmann::json;

constexpr std::string_view kIssueVerbs[] = {"create", "assign",   "close",   "reopen",
                                            "state",  "priority", "comment", "link"};
constexpr std::string_view kReportVerbs[] = {"schedule", "list", "run"};

const CommandDoc* FindDoc(std::string_view noun, std::string_view verb) {
  for (const auto& doc : CommandDocs()) {
    if (doc.noun == noun && doc.verb == verb) return &doc;
  }
  return nullptr;
}

std::string UsageOf(std::string_view noun, std::string_view verb) {
  const CommandDoc* doc = FindDoc(noun, verb);
  if (doc == nullptr) return "";
  std::string out = "Usage: `" + doc->usage + "`";
  if (!doc->examples.empty()) out += ", e.g. `" + doc->examples.front() + "`";
  return out + ".";
}

// The closest of `names` to `word` within `budget` edits, if exactly one is closest.
std::optional<std::string_view> Closest(std::string_view word,
                                        std::span<const std::string_view> names,
                                        std::size_t budget) {
  std::optional<std::string_view> best;
  std::size_t best_distance = budget + 1;
  bool tie = false;
  for (const auto name : names) {
    const std::size_t d = EditDistance(word, name, budget);
    if (d < best_distance) {
      best = name;
      best_distance = d;
      tie = false;
    } else if (d == best_distance && d <= budget) {
      tie = true;
    }
  }
  if (!best || tie || best_distance > budget) return std::nullopt;
  return best;
}

// A parse in progress: the words after the command words, the text of later lines, and the
// Understanding being filled.
struct Parse {
  std::vector<Word> words;  // arguments only
  std::string more_lines;   // lines after the first, trimmed
  Understanding out;
  std::string noun, verb;

  bool Fail(std::string message, std::string_view offending) {
    out.error = std::move(message);
    const std::string usage = UsageOf(noun, verb);
    if (!usage.empty()) out.error += " " + usage;
    out.offending_word = std::string(offending);
    return false;
  }
  bool Missing(std::string_view entity, std::string message) {
    out.missing.emplace_back(entity);
    return Fail(std::move(message), "");
  }
};

std::string JoinWords(const std::vector<Word>& words, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < words.size(); ++i) {
    if (words[i].text.empty()) continue;
    if (!out.empty()) out += ' ';
    out += words[i].text;
  }
  return out;
}

std::optional<std::string> UserArg(std::string_view word) {
  if (auto id = AsUserMention(word)) return id;
  std::string w(word);
  if (!w.empty() && w.front() == '@') w.erase(0, 1);
  const std::string lower = AsciiLower(w);
  if (lower == "me" || lower == "myself") return std::string("me");
  if (lower == "none" || lower == "nobody" || lower == "noone") return std::string("none");
  if (w.empty() || w.size() > 64) return std::nullopt;
  for (char c : w) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return std::nullopt;
  }
  return w;
}

// `key:value` with a known key, outside quotes.
std::optional<std::pair<std::string, std::string>> OptionOf(
    const Word& word, std::span<const std::string_view> keys) {
  if (word.quoted) return std::nullopt;
  const auto colon = word.text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string key = AsciiLower(std::string_view(word.text).substr(0, colon));
  if (!key.empty() && key.front() == '+') key.erase(0, 1);
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) return std::nullopt;
  return std::make_pair(key, word.text.substr(colon + 1));
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || c == ' ') {
      if (!cur.empty()) out.push_back(AsciiLower(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(AsciiLower(cur));
  return out;
}

bool IssueAt(Parse& p, std::size_t i, std::string_view what = "issue") {
  if (i >= p.words.size()) {
    return p.Missing("issue",
                     "Missing the " + std::string(what) + " (a Linear id such as ENG-123).");
  }
  auto id = AsIssueId(p.words[i].text, false);
  if (!id) {
    return p.Fail("`" + p.words[i].text + "` is not a Linear issue id such as ENG-123.",
                  p.words[i].text);
  }
  p.out.entities["issue"] = *id;
  return true;
}

bool ParseCreate(Parse& p) {
  static constexpr std::string_view kKeys[] = {"priority", "assignee", "label", "labels", "team"};
  std::vector<std::string> title;
  json labels = json::array();
  for (std::size_t i = 0; i < p.words.size(); ++i) {
    const Word& word = p.words[i];
    if (auto option = OptionOf(word, kKeys)) {
      auto [key, value] = *option;
      // "priority: high" with a space.
      if (value.empty() && i + 1 < p.words.size() && !p.words[i + 1].quoted) {
        value = p.words[++i].text;
      }
      if (key == "priority") {
        const std::string priority = NormalizePriority(value);
        if (priority.empty()) {
          return p.Fail("Unknown priority `" + value + "`: use urgent, high, medium, low or none.",
                        value);
        }
        p.out.entities["priority"] = priority;
      } else if (key == "assignee") {
        auto user = UserArg(value);
        if (!user) return p.Fail("`" + value + "` is not a person: use @name or me.", value);
        p.out.entities["assignee"] = *user;
      } else if (key == "team") {
        if (!IsTeamKey(value, false)) {
          return p.Fail("`" + value + "` is not a Linear team key such as ENG.", value);
        }
        p.out.entities["team"] = AsciiUpper(value);
      } else {
        for (auto& label : SplitList(value)) labels.push_back(label);
      }
      continue;
    }
    if (!p.out.entities.contains("team")) {
      if (word.quoted || !IsTeamKey(word.text, false)) {
        p.out.missing.emplace_back("team");
        return p.Fail(
            "Missing team: the first word after `issue create` is a Linear team key "
            "such as ENG (`" +
                word.text + "` is not one).",
            word.text);
      }
      p.out.entities["team"] = AsciiUpper(word.text);
      continue;
    }
    if (!word.text.empty()) title.push_back(word.text);
  }
  if (!labels.empty()) p.out.entities["labels"] = labels;
  if (!p.more_lines.empty()) p.out.entities["body"] = p.more_lines;
  if (!p.out.entities.contains("team")) {
    p.out.missing.emplace_back("team");
    p.out.missing.emplace_back("title");
    return p.Fail("Missing team and title.", "");
  }
  if (title.empty()) return p.Missing("title", "Missing title after the team.");
  std::string joined;
  for (const auto& t : title) joined += (joined.empty() ? "" : " ") + t;
  p.out.entities["title"] = joined;
  return true;
}

bool ParseIssueVerb(Parse& p) {
  const std::string& v = p.verb;
  if (v == "create") return ParseCreate(p);
  if (v == "close") {
    if (p.words.size() > 1) {
      json issues = json::array();
      for (const auto& word : p.words) {
        auto id = AsIssueId(word.text, false);
        if (!id) {
          return p.Fail("`" + word.text + "` is not a Linear issue id such as ENG-123.", word.text);
        }
        issues.push_back(*id);
      }
      p.out.entities["issues"] = issues;
      return true;
    }
    return IssueAt(p, 0);
  }
  if (!IssueAt(p, 0)) return false;
  if (v == "reopen") return true;
  if (v == "assign") {
    if (p.words.size() < 2)
      return p.Missing("assignee", "Missing whom to assign: @name, me or none.");
    auto user = UserArg(p.words[1].text);
    if (!user) {
      return p.Fail("`" + p.words[1].text + "` is not a person: use @name, me or none.",
                    p.words[1].text);
    }
    p.out.entities["assignee"] = *user;
    return true;
  }
  if (v == "state") {
    const std::string state = AsciiLower(JoinWords(p.words, 1, p.words.size()));
    if (state.empty()) return p.Missing("state", "Missing the state, e.g. \"in progress\".");
    p.out.entities["state"] = state;
    return true;
  }
  if (v == "priority") {
    if (p.words.size() < 2) {
      return p.Missing("priority", "Missing the priority: urgent, high, medium, low or none.");
    }
    const std::string priority = NormalizePriority(p.words[1].text);
    if (priority.empty()) {
      return p.Fail(
          "Unknown priority `" + p.words[1].text + "`: use urgent, high, medium, low or none.",
          p.words[1].text);
    }
    p.out.entities["priority"] = priority;
    return true;
  }
  if (v == "comment") {
    std::string body = JoinWords(p.words, 1, p.words.size());
    if (!p.more_lines.empty()) body += (body.empty() ? "" : "\n") + p.more_lines;
    if (body.empty()) return p.Missing("body", "Missing the comment text.");
    p.out.entities["body"] = body;
    return true;
  }
  if (v == "link") {
    if (p.words.size() < 2) {
      return p.Missing("pr", "Missing what to link: a PR such as acme/web#12 or another issue.");
    }
    const std::string& target = p.words[1].text;
    if (IsPrRef(target)) {
      p.out.entities["pr"] = target;
    } else if (auto other = AsIssueId(target, false)) {
      p.out.entities["issues"] = json::array({p.out.entities["issue"], *other});
      p.out.entities.erase("issue");
    } else {
      return p.Fail("`" + target + "` is neither a PR (acme/web#12) nor an issue (ENG-123).",
                    target);
    }
    return true;
  }
  return false;
}

bool ParseTrace(Parse& p) {
  if (p.words.empty()) {
    return p.Missing("issue", "Missing what to trace: ENG-123, acme/web#12 or a Slack link.");
  }
  std::string target = p.words[0].text;
  if (target.size() > 2 && target.front() == '<' && target.back() == '>') {
    target = target.substr(1, target.size() - 2);
    target = target.substr(0, target.find('|'));
  }
  if (auto id = AsIssueId(target, false)) {
    p.out.entities["issue"] = *id;
  } else if (IsPrRef(target)) {
    p.out.entities["pr"] = target;
  } else if (target.starts_with("https://") || target.starts_with("http://")) {
    p.out.entities["url"] = target;
  } else {
    return p.Fail("`" + p.words[0].text +
                      "` is not something to trace: use ENG-123, acme/web#12 or a Slack link.",
                  p.words[0].text);
  }
  return true;
}

bool RepoAt(Parse& p, std::size_t i) {
  if (i >= p.words.size()) return p.Missing("repo", "Missing the repository (owner/repo).");
  if (!IsRepo(p.words[i].text)) {
    return p.Fail("`" + p.words[i].text + "` is not a repository such as acme/web.",
                  p.words[i].text);
  }
  p.out.entities["repo"] = p.words[i].text;
  return true;
}

bool ParseDeploy(Parse& p) {
  if (!RepoAt(p, 0)) return false;
  // "deploy acme/web to staging" reads as well as "deploy acme/web staging".
  if (p.words.size() > 2 && !p.words[1].quoted &&
      (AsciiLower(p.words[1].text) == "to" || AsciiLower(p.words[1].text) == "on")) {
    p.words.erase(p.words.begin() + 1);
  }
  if (p.words.size() < 2) return p.Missing("environment", "Missing the environment, e.g. staging.");
  p.out.entities["environment"] = AsciiLower(p.words[1].text);
  if (p.words.size() > 2) p.out.entities["ref"] = p.words[2].text;
  if (p.words.size() > 3) {
    return p.Fail("Unexpected `" + p.words[3].text + "` after the ref.", p.words[3].text);
  }
  return true;
}

bool ParseRerun(Parse& p) {
  if (!p.words.empty() && IsPrRef(p.words[0].text)) {
    p.out.entities["pr"] = p.words[0].text;
    return true;
  }
  if (!RepoAt(p, 0)) return false;
  if (p.words.size() < 2) return true;  // every open CI alert of the repository
  if (p.words.size() == 2 && IsAllDigits(p.words[1].text)) {
    p.out.entities["run"] = p.words[1].text;
  } else {
    p.out.entities["workflow"] = JoinWords(p.words, 1, p.words.size());
  }
  return true;
}

bool ParseSubscribe(Parse& p) {
  std::size_t i = 0;
  if (!p.words.empty() && AsciiLower(p.words[0].text) == "linear") {
    if (p.words.size() < 2 || !IsTeamKey(p.words[1].text, false)) {
      const std::string word = p.words.size() < 2 ? "" : p.words[1].text;
      if (word.empty()) return p.Missing("team", "Missing the Linear team key, e.g. ENG.");
      return p.Fail("`" + word + "` is not a Linear team key such as ENG.", word);
    }
    p.out.entities["team"] = AsciiUpper(p.words[1].text);
    i = 2;
  } else {
    if (!RepoAt(p, 0)) return false;
    i = 1;
  }
  json features = json::array();
  json filters = json::array();
  for (; i < p.words.size(); ++i) {
    const Word& word = p.words[i];
    const auto colon = word.text.find(':');
    // "+bots", "-label:x", "priority>=high": filters too, not features.
    const bool signed_word = word.text.size() > 1 && (word.text[0] == '+' || word.text[0] == '-');
    if (!word.quoted && ((colon != std::string::npos && colon > 0) || signed_word ||
                         word.text.find(">=") != std::string::npos)) {
      std::string filter = word.text;
      if (filter.front() == '+') filter.erase(0, 1);
      filters.push_back(filter);
      continue;
    }
    for (auto& feature : SplitList(word.text)) {
      if (p.out.entities.contains("repo") && !IsSubscriptionFeature(feature)) {
        return p.Fail("Unknown feature `" + feature + "`: use " + SubscriptionFeatureList() + ".",
                      feature);
      }
      features.push_back(feature);
    }
  }
  if (!features.empty()) p.out.entities["features"] = features;
  if (!filters.empty()) p.out.entities["filters"] = filters;
  return true;
}

bool IsCronField(std::string_view field) {
  if (field.empty() || field.size() > 20) return false;
  return std::all_of(field.begin(), field.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '*' || c == '/' || c == ',' || c == '-' ||
           (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

bool IsCron(std::string_view text) {
  std::size_t fields = 0;
  std::size_t start = 0;
  text = TrimSpace(text);
  while (start < text.size()) {
    const auto end = std::min(text.find(' ', start), text.size());
    if (end > start) {
      if (!IsCronField(text.substr(start, end - start))) return false;
      ++fields;
    }
    start = end + 1;
  }
  return fields == 5;
}

bool KindAt(Parse& p, std::size_t i) {
  if (i >= p.words.size()) {
    return p.Missing("kind", "Missing the report kind: " + ReportKindList() + ".");
  }
  const std::string kind = NormalizeReportKind(p.words[i].text);
  if (kind.empty()) {
    return p.Fail("Unknown report `" + p.words[i].text + "`: use " + ReportKindList() + ".",
                  p.words[i].text);
  }
  p.out.entities["kind"] = kind;
  return true;
}

bool ParseReport(Parse& p) {
  p.out.entities["action"] = p.verb;
  if (p.verb == "list") return true;
  if (!KindAt(p, 0)) return false;
  if (p.verb == "run") return true;
  // schedule <kind> <cron> [tz:Area/City] [in #channel]
  std::size_t i = 1;
  std::string cron;
  if (i < p.words.size() && p.words[i].quoted) {
    cron = p.words[i++].text;
  } else {
    std::vector<std::string> fields;
    while (i < p.words.size() && fields.size() < 5 && !p.words[i].quoted &&
           IsCronField(p.words[i].text) && p.words[i].text.find(':') == std::string::npos) {
      fields.push_back(p.words[i++].text);
    }
    for (const auto& f : fields) cron += (cron.empty() ? "" : " ") + f;
  }
  if (cron.empty()) {
    return p.Missing("schedule", "Missing the schedule, a cron line such as \"0 9 * * 1-5\".");
  }
  if (!IsCron(cron)) {
    return p.Fail("`" + cron + "` is not a cron line of five fields such as \"0 9 * * 1-5\".",
                  cron);
  }
  p.out.entities["schedule"] = cron;
  for (; i < p.words.size(); ++i) {
    const std::string& text = p.words[i].text;
    const std::string lower = AsciiLower(text);
    if (lower.starts_with("tz:")) {
      const std::string tz = text.substr(3);
      if (tz.find('/') == std::string::npos && tz != "UTC") {
        return p.Fail("`" + tz + "` is not a time zone such as Europe/Berlin.", tz);
      }
      p.out.entities["tz"] = tz;
    } else if (lower == "in") {
      continue;
    } else if (auto channel = AsChannelMention(text)) {
      p.out.entities["channel"] = *channel;
    } else {
      return p.Fail("Unexpected `" + text +
                        "`: after the schedule come tz:Area/City and "
                        "in #channel.",
                    text);
    }
  }
  return true;
}

// One-word commands and those outside the vocabulary keep their own intent names.
bool ParseOther(Parse& p) {
  const std::string& n = p.noun;
  if (n == "help") {
    const std::string topic = AsciiLower(JoinWords(p.words, 0, p.words.size()));
    if (!topic.empty()) p.out.entities["topic"] = topic;
    return true;
  }
  if (n == "retry") {
    const std::string target = p.words.empty() ? "" : AsciiLower(p.words[0].text);
    if (target == "all") {
      p.out.entities["effect_id"] = "all";
      return true;
    }
    if (IsAllDigits(target) && target.size() < 19) {
      p.out.entities["effect_id"] = target;
      return true;
    }
    return p.Fail("Retry what? `retry all` or `retry <effect id>` (ids are in `status`).", target);
  }
  if (n == "whoami") {
    if (p.words.size() == 2 && AsciiLower(p.words[0].text) == "github") {
      p.out.entities["github"] = p.words[1].text;
      return true;
    }
    if (p.words.empty()) return true;
    return p.Fail("Say `whoami github <login>` to tell me your GitHub login.", p.words[0].text);
  }
  if (n == "audit") {
    if (p.words.empty()) return true;
    if (IsAllDigits(p.words[0].text) && p.words[0].text.size() < 6) {
      p.out.entities["count"] = p.words[0].text;
      return true;
    }
    return p.Fail("`" + p.words[0].text + "` is not a number of entries.", p.words[0].text);
  }
  return true;  // ping, status, new, subscriptions: arguments are ignored
}

struct NounSpec {
  std::string_view noun;
  std::string_view intent;  // for nouns without verbs
};

constexpr std::array<NounSpec, 16> kNouns = {{
    {"issue", ""},
    {"trace", "trace"},
    {"deploy", "deploy"},
    {"rerun", "rerun"},
    {"subscribe", "subscribe"},
    {"unsubscribe", "unsubscribe"},
    {"subscriptions", "subscriptions"},
    {"report", "report"},
    {"help", "help"},
    {"ping", "ping"},
    {"status", "status"},
    {"retry", "retry"},
    {"new", "new_issue_form"},
    {"whoami", "whoami"},
    {"audit", "audit"},
    {"rules", "rules"},
}};

std::vector<std::string_view> NounNames() {
  std::vector<std::string_view> out;
  for (const auto& n : kNouns) out.push_back(n.noun);
  return out;
}

std::string_view IssueIntent(std::string_view verb) {
  if (verb == "create") return "create_issue";
  if (verb == "state") return "change_state";
  if (verb == "priority") return "change_priority";
  return verb;  // assign, close, reopen, comment, link
}

}  // namespace

const std::vector<CommandDoc>& CommandDocs() {
  static const std::vector<CommandDoc> docs = {
      {"issue",
       "create",
       "create_issue",
       "issue create <TEAM> <title> [priority:high] [assignee:@name] [labels:bug,ui]",
       "File a Linear issue; lines after the first are its description",
       {"issue create ENG Login fails on Safari priority:high",
        "issue create OPS \"Disk full on db-2\" assignee:me labels:infra"}},
      {"issue",
       "assign",
       "assign",
       "issue assign <ISSUE> <@name|me|none>",
       "Assign an issue (none unassigns)",
       {"issue assign ENG-12 @alice", "issue assign ENG-12 me"}},
      {"issue",
       "close",
       "close",
       "issue close <ISSUE> [ISSUE...]",
       "Close issues (asks to confirm)",
       {"issue close ENG-12"}},
      {"issue",
       "reopen",
       "reopen",
       "issue reopen <ISSUE>",
       "Reopen a closed issue",
       {"issue reopen ENG-12"}},
      {"issue",
       "state",
       "change_state",
       "issue state <ISSUE> <state>",
       "Move an issue to a workflow state",
       {"issue state ENG-12 \"in progress\""}},
      {"issue",
       "priority",
       "change_priority",
       "issue priority <ISSUE> <urgent|high|medium|low|none>",
       "Change an issue's priority",
       {"issue priority ENG-12 urgent"}},
      {"issue",
       "comment",
       "comment",
       "issue comment <ISSUE> <text>",
       "Comment on an issue",
       {"issue comment ENG-12 Reproduced on 2.3.1"}},
      {"issue",
       "link",
       "link",
       "issue link <ISSUE> <owner/repo#N|ISSUE>",
       "Link an issue to a pull request or another issue",
       {"issue link ENG-12 acme/web#34"}},
      {"trace",
       "",
       "trace",
       "trace <ISSUE|owner/repo#N|Slack link>",
       "Everything linked to an issue, PR or thread",
       {"trace ENG-1", "trace acme/web#12"}},
      {"deploy",
       "",
       "deploy",
       "deploy <owner/repo> <environment> [ref]",
       "Deploy a ref to an environment (asks to confirm)",
       {"deploy acme/web staging", "deploy acme/web production v1.4.2"}},
      {"rerun",
       "",
       "rerun",
       "rerun <owner/repo> [run id|workflow]",
       "Re-run a GitHub Actions run or workflow (asks to confirm)",
       {"rerun acme/web 123456789", "rerun acme/web ci"}},
      {"subscribe",
       "",
       "subscribe",
       "subscribe <owner/repo> [features] [filters] | subscribe linear <TEAM> [features]",
       "Post a repository's or a Linear team's activity in this channel. Filters: +label:x "
       "(each required), -label:x, -author:x, +bots, branch:<glob>, drafts:off, ci:failures; "
       "threads:off, broadcast:states",
       {"subscribe acme/web pulls,ci", "subscribe acme/web pulls +label:frontend -label:wip",
        "subscribe acme/web pulls,ci -author:dependabot[bot] ci:failures",
        "subscribe linear ENG created,states priority>=high"}},
      {"unsubscribe",
       "",
       "unsubscribe",
       "unsubscribe <owner/repo> [features] | unsubscribe linear <TEAM>",
       "Stop posting a repository's or team's activity here (asks to confirm)",
       {"unsubscribe acme/web ci", "unsubscribe linear ENG"}},
      {"subscriptions",
       "",
       "subscriptions",
       "subscriptions",
       "This channel's subscriptions",
       {"subscriptions"}},
      {"report",
       "schedule",
       "report",
       "report schedule <kind> <cron> [tz:Area/City] [in #channel]",
       "Post a report on a schedule (kinds: digest, stale_prs, ci_failures, health)",
       {"report schedule digest \"0 9 * * 1-5\" tz:Europe/Berlin"}},
      {"report", "list", "report", "report list", "The scheduled reports", {"report list"}},
      {"report",
       "run",
       "report",
       "report run <kind>",
       "Post a report now",
       {"report run stale_prs"}},
      {"help",
       "",
       "help",
       "help [topic]",
       "The commands, or one command with examples",
       {"help issue", "help deploy"}},
      {"ping", "", "ping", "ping", "Check that Contexten is alive", {"ping"}},
      {"status", "", "status", "status", "Integrations, queued work and dead letters", {"status"}},
      {"retry",
       "",
       "retry",
       "retry all|<effect id>",
       "Send dead-lettered work again",
       {"retry all", "retry 42"}},
      {"new", "", "new_issue_form", "new", "Open a form to file a new issue", {"new"}},
      {"whoami",
       "",
       "whoami",
       "whoami github <login>",
       "Tell Contexten your GitHub login",
       {"whoami github octocat"}},
      {"audit", "", "audit", "audit [n]", "The last n audited commands (admins)", {"audit 20"}},
      {"rules",
       "",
       "rules",
       "rules reload",
       "Read the rules file again (a bad file keeps the rules in force)",
       {"rules reload"}},
  };
  return docs;
}

std::string HelpText(std::string_view topic) {
  const std::string t = AsciiLower(TrimSpace(topic));
  if (t.empty()) {
    std::string out = "Contexten commands:";
    for (const auto& doc : CommandDocs()) out += "\n`" + doc.usage + "`  " + doc.summary;
    out += "\nSay `help <command>` for examples, e.g. `help issue`.";
    return out;
  }
  std::string out;
  for (const auto& doc : CommandDocs()) {
    const std::string full = doc.verb.empty() ? doc.noun : doc.noun + " " + doc.verb;
    if (t != doc.noun && t != full && t != doc.intent) continue;
    out += (out.empty() ? "" : "\n\n") + std::string("`") + doc.usage + "`\n" + doc.summary;
    for (const auto& example : doc.examples) out += "\n  e.g. `" + example + "`";
  }
  if (out.empty()) {
    out = "No help for `" + t + "`. Topics:";
    std::string last;
    for (const auto& doc : CommandDocs()) {
      if (doc.noun != last) out += " " + doc.noun;
      last = doc.noun;
    }
  }
  return out;
}

bool StartsWithCommandNoun(std::string_view text) {
  text = TrimSpace(text);
  const std::string first = AsciiLower(text.substr(0, text.find_first_of(" \t\n")));
  return std::any_of(kNouns.begin(), kNouns.end(),
                     [&](const NounSpec& n) { return n.noun == first; });
}

Understanding ParseCommand(std::string_view text) {
  Parse p;
  const auto newline = text.find('\n');
  const std::string_view first_line = text.substr(0, newline);
  if (newline != std::string_view::npos)
    p.more_lines = std::string(TrimSpace(text.substr(newline)));

  auto words = SplitWords(first_line);
  if (!words) {
    p.out.error = words.error().message;
    return p.out;
  }
  if (words->empty()) {
    if (p.more_lines.empty()) {
      p.out.intent = "help";
      p.out.confidence = 1;
      return p.out;
    }
    return ParseCommand(p.more_lines);
  }
  std::size_t consumed = 1;
  const std::string typed_noun = (*words)[0].text;
  p.noun = AsciiLower(typed_noun);
  std::string typo;
  const auto nouns = NounNames();
  if (std::find(nouns.begin(), nouns.end(), p.noun) == nouns.end()) {
    const auto closest = Closest(p.noun, nouns, std::max<std::size_t>(TypoBudget(p.noun), 1));
    if (!closest) {
      p.out.error = "Unknown command `" + typed_noun + "`. Try `help` for the list.";
      p.out.offending_word = typed_noun;
      return p.out;
    }
    typo = typed_noun;
    p.noun = std::string(*closest);
  }
  const auto spec = std::find_if(kNouns.begin(), kNouns.end(),
                                 [&](const NounSpec& n) { return n.noun == p.noun; });
  if (p.noun == "issue" || p.noun == "report") {
    const bool issue = p.noun == "issue";
    const std::span<const std::string_view> verbs =
        issue ? std::span<const std::string_view>(kIssueVerbs)
              : std::span<const std::string_view>(kReportVerbs);
    p.out.intent = issue ? "create_issue" : "report";
    if (words->size() < 2) {
      p.out.error = std::string("Missing what to do with `") + p.noun + "`: " +
                    (issue ? "create, assign, close, reopen, state, priority, comment or link."
                           : "schedule, list or run.") +
                    " Try `help " + p.noun + "`.";
      return p.out;
    }
    const std::string typed_verb = (*words)[1].text;
    p.verb = AsciiLower(typed_verb);
    if (issue && p.verb == "new") p.verb = "create";
    if (std::find(verbs.begin(), verbs.end(), p.verb) == verbs.end()) {
      const auto closest = Closest(p.verb, verbs, std::max<std::size_t>(TypoBudget(p.verb), 1));
      if (!closest) {
        p.out.error =
            "Unknown `" + p.noun + "` command `" + typed_verb + "`. Try `help " + p.noun + "`.";
        p.out.offending_word = typed_verb;
        return p.out;
      }
      if (typo.empty()) typo = typed_verb;
      p.verb = std::string(*closest);
    }
    p.out.intent = issue ? std::string(IssueIntent(p.verb)) : "report";
    consumed = 2;
  } else {
    p.out.intent = std::string(spec->intent);
  }
  p.words.assign(words->begin() + static_cast<std::ptrdiff_t>(consumed), words->end());
  p.out.confidence = 1;
  bool ok = true;
  if (p.noun == "issue") {
    ok = ParseIssueVerb(p);
  } else if (p.noun == "report") {
    ok = ParseReport(p);
  } else if (p.noun == "trace") {
    ok = ParseTrace(p);
  } else if (p.noun == "deploy") {
    ok = ParseDeploy(p);
  } else if (p.noun == "rerun") {
    ok = ParseRerun(p);
  } else if (p.noun == "subscribe" || p.noun == "unsubscribe") {
    ok = ParseSubscribe(p);
  } else {
    ok = ParseOther(p);
  }
  if (!ok) p.out.confidence = p.out.missing.empty() ? 0 : 0.9;
  if (!typo.empty()) {
    p.out.suggestion = p.verb.empty() ? p.noun : p.noun + " " + p.verb;
    if (p.out.offending_word.empty()) p.out.offending_word = typo;
    p.out.confidence = std::min(p.out.confidence, 0.5);
  }
  return std::move(p.out);
}

}  // namespace contexten::intents
