#include "intents/cues.hpp"

#include <algorithm>

#include "intents/text.hpp"

namespace contexten::intents {
namespace {

// Word forms -> the cue they stand for. Inflected forms ("closed", "deploying") are left out
// on purpose: they narrate ("I closed the browser") rather than ask.
struct Lexeme {
  std::string_view word;
  std::string_view cue;
};
constexpr Lexeme kLexicon[] = {
    {"create", "create"},
    {"file", "create"},
    {"log", "create"},
    {"open", "open"},
    {"make", "make"},
    {"new", "new"},
    {"raise", "raise"},
    {"issue", "noun"},
    {"ticket", "noun"},
    {"bug", "noun"},
    {"task", "noun"},
    {"assign", "assign"},
    {"reassign", "assign"},
    {"unassign", "unassign"},
    {"assigned", "assigned"},
    {"give", "give"},
    {"take", "take"},
    {"hand", "give"},
    {"mine", "mine"},
    {"pick", "pick"},
    {"close", "close"},
    {"resolve", "close"},
    {"closed", "closed"},
    {"reopen", "reopen"},
    {"again", "again"},
    {"move", "move"},
    {"set", "set"},
    {"mark", "mark"},
    {"put", "put"},
    {"change", "change"},
    {"bump", "bump"},
    {"escalate", "bump"},
    {"deprioritize", "lower"},
    {"lower", "lower"},
    {"drop", "lower"},
    {"reopened", "reopened"},
    {"priority", "priority"},
    {"prio", "priority"},
    {"comment", "comment"},
    {"note", "comment"},
    {"reply", "reply"},
    {"tell", "tell"},
    {"add", "add"},
    {"leave", "add"},
    {"post", "post"},
    {"link", "link"},
    {"connect", "link"},
    {"attach", "link"},
    {"trace", "trace"},
    {"status", "status"},
    {"updates", "updates"},
    {"update", "updates"},
    {"where", "where"},
    {"deploy", "deploy"},
    {"ship", "deploy"},
    {"release", "deploy"},
    {"push", "push"},
    {"roll", "roll"},
    {"rerun", "rerun"},
    {"retry", "rerun"},
    {"subscribe", "subscribe"},
    {"follow", "subscribe"},
    {"notify", "subscribe"},
    {"watch", "subscribe"},
    {"unsubscribe", "unsubscribe"},
    {"unfollow", "unsubscribe"},
    {"mute", "unsubscribe"},
    {"stop", "stop"},
    {"report", "report"},
    {"digest", "digest"},
    {"schedule", "schedule"},
    {"list", "list"},
    {"show", "show"},
    {"send", "send"},
    {"help", "help"},
    {"commands", "commands"},
    {"how", "how"},
    {"what", "what"},
    {"what's", "what's"},
    {"whats", "what's"},
    {"please", "please"},
    {"pls", "please"},
    {"plz", "please"},
    {"now", "now"},
    {"every", "every"},
    {"scheduled", "scheduled"},
    {"run", "run"},
    {"fixes", "fixes"},
    {"fix", "fix"},
};

// Cue words people mistype often enough to look for within an edit or two.
constexpr std::string_view kTypoTargets[] = {
    "create", "issue",  "assign",   "close",     "reopen",      "comment", "link",
    "trace",  "deploy", "rerun",    "subscribe", "unsubscribe", "report",  "move",
    "change", "ticket", "priority", "help",      "resolve",     "schedule"};

// Ordinary words a typo match must never swallow ("lint" is not "link").
constexpr std::string_view kRealWords[] = {
    "lint",   "line",    "like",    "list",   "lick",     "lose",   "clone",    "closed",  "those",
    "these",  "trade",   "track",   "grace",  "race",     "return", "held",     "hell",    "helm",
    "heap",   "hello",   "moved",   "more",   "mode",     "love",   "note",     "node",    "nose",
    "none",   "done",    "tissue",  "assist", "assume",   "cause",  "clause",   "choose",  "chose",
    "repo",   "report",  "deploy",  "sport",  "resort",   "retort", "import",   "export",  "rerun",
    "movie",  "hope",    "help",    "linked", "links",    "lines",  "likes",    "issues",  "crate",
    "reuse",  "rerun",   "runner",  "create", "created",  "ticket", "rocket",   "pocket",  "change",
    "charge", "chance",  "range",   "lane",   "close",    "cloe",   "loose",    "closet",  "comet",
    "commit", "commits", "content", "moment", "assign",   "design", "resign",   "align",   "sign",
    "again",  "trace",   "traced",  "brace",  "place",    "space",  "state",    "estate",  "date",
    "rate",   "late",    "plate",   "slate",  "schedule", "module", "priority", "property"};

bool IsRealWord(std::string_view w) {
  return std::find(std::begin(kRealWords), std::end(kRealWords), w) != std::end(kRealWords);
}

std::string_view LookUp(std::string_view w) {
  for (const auto& l : kLexicon) {
    if (l.word == w) return l.cue;
  }
  return {};
}

}  // namespace

Cued CueOf(const Token& token) {
  if (token.kind != TokenKind::kWord) return {};
  std::string w = token.lower;
  if (w == "re-open") w = "reopen";
  if (w == "re-run") w = "rerun";
  if (auto cue = LookUp(w); !cue.empty()) return {cue, false};
  // Plurals of nouns ("tickets", "comments", "reports"); not third persons of verbs: "acme/web#6
  // closes ENG-3" tells, it does not ask.
  if (w.size() > 4 && w.back() == 's' && w[w.size() - 2] != 's') {
    const auto cue = LookUp(std::string_view(w).substr(0, w.size() - 1));
    if (cue == "noun" || cue == "comment" || cue == "report" || cue == "digest") {
      return {cue, false};
    }
  }
  if (IsRealWord(w) || w.size() < 4 || w.size() > 14) return {};
  for (const auto target : kTypoTargets) {
    // An inflection ("closes", "linked", "deploying") is a real word, not a typo of the cue.
    if (w.starts_with(target) || w.starts_with(target.substr(0, target.size() - 1))) {
      const std::string_view tail =
          std::string_view(w).substr(w.starts_with(target) ? target.size() : target.size() - 1);
      if (tail == "s" || tail == "d" || tail == "ed" || tail == "es" || tail == "ing" ||
          tail == "r" || tail == "er" || tail == "ers") {
        return {};
      }
    }
    const std::size_t budget = std::min(TypoBudget(target), TypoBudget(w));
    if (budget > 0 && EditDistance(w, target, budget) <= budget) return {LookUp(target), true};
  }
  return {};
}

namespace {

constexpr std::string_view kDeterminers[] = {"the", "a",     "an",   "my",  "our",  "your", "his",
                                             "her", "their", "last", "its", "this", "that", "any"};

// Capitalised words that are not Linear team keys.
constexpr std::string_view kAcronyms[] = {
    "CSV", "API",  "ETL", "QA",   "CI",    "PR",  "PRS", "UI",  "UX",  "SDK", "DNS",
    "URL", "SSO",  "IOS", "JSON", "HTML",  "CSS", "SQL", "AWS", "GCP", "DB",  "PDF",
    "MVP", "ASAP", "FYI", "TODO", "AI",    "ML",  "OK",  "PM",  "EOD", "LOL", "TY",
    "OOO", "CPU",  "RAM", "HTTP", "HTTPS", "SLA", "MR",  "BTW", "IMO", "TBD", "WIP",
    "EU",  "US",   "UK",  "PST",  "UTC",   "CET", "AM",  "ID",  "IP",  "OS",  "VPN",
    "SMS", "2FA",  "MFA", "JS",   "TS",    "GO",  "P0",  "P1",  "P2",  "P3",  "I"};

constexpr std::string_view kStateNames[] = {"in progress", "in review", "todo",    "to do",
                                            "done",        "backlog",   "blocked", "canceled",
                                            "cancelled",   "triage",    "started", "ready"};
constexpr std::string_view kEnvironments[] = {"staging", "production",  "prod",    "qa",
                                              "dev",     "development", "preview", "sandbox",
                                              "uat",     "canary",      "test",    "stage"};

}  // namespace

bool IsDeterminer(std::string_view w) {
  return std::find(std::begin(kDeterminers), std::end(kDeterminers), w) != std::end(kDeterminers);
}

bool IsAcronym(std::string_view w) {
  return std::find(std::begin(kAcronyms), std::end(kAcronyms), w) != std::end(kAcronyms);
}

std::span<const std::string_view> States() { return kStateNames; }

bool IsEnvironment(std::string_view w) {
  return std::find(std::begin(kEnvironments), std::end(kEnvironments), w) !=
         std::end(kEnvironments);
}

}  // namespace contexten::intents
