#include "intents/natural_language.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include "intents/cues.hpp"
#include "intents/text.hpp"
#include "intents/utterance.hpp"
#include "intents/vocabulary.hpp"

namespace contexten::intents {
namespace {

using nlohmann::json;

// Enough for any message a person types at a bot; a pasted log beyond it is not a request.
constexpr std::size_t kMaxTokens = 400;

// The parse state: tokens, their cues, the context.
class Reader {
 public:
  Reader(Utterance u, const UtteranceContext& context) : u_(std::move(u)), context_(context) {
    cues_.reserve(u_.tokens.size());
    for (const auto& t : u_.tokens) cues_.push_back(CueOf(t));
  }

  Understanding Read() {
    std::array<std::pair<double, std::string_view>, 15> scored = {{
        {ScoreCreate(), "create_issue"},
        {ScoreAssign(), "assign"},
        {ScoreClose(), "close"},
        {ScoreReopen(), "reopen"},
        {ScoreState(), "change_state"},
        {ScorePriority(), "change_priority"},
        {ScoreComment(), "comment"},
        {ScoreLink(), "link"},
        {ScoreTrace(), "trace"},
        {ScoreDeploy(), "deploy"},
        {ScoreRerun(), "rerun"},
        {ScoreSubscribe(false), "subscribe"},
        {ScoreSubscribe(true), "unsubscribe"},
        {ScoreReport(), "report"},
        {ScoreHelp(), "help"},
    }};
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const auto [best, intent] = scored[0];
    const double second = scored[1].first;
    Understanding out;
    if (best < kActThreshold) {
      out.intent = "none";
      out.confidence = std::clamp(0.05 + 0.1 * best, 0.0, 0.3);
      return out;
    }
    out = Fill(intent);
    out.confidence = Confidence(best, second, AnyTypo());
    for (std::size_t i = 1; i < scored.size() && out.alternatives.size() < 2; ++i) {
      if (scored[i].first < kActThreshold) break;
      Understanding alt = Fill(scored[i].second);
      alt.confidence = Confidence(scored[i].first, best, AnyTypo()) * 0.8;
      out.alternatives.push_back(std::move(alt));
    }
    return out;
  }

 private:
  static constexpr double kActThreshold = 2.5;

  static double Confidence(double score, double other, bool typo) {
    double c = 0.45 + 0.1 * std::min(score, 5.0);
    const double margin = score - other;
    if (other >= kActThreshold && margin < 1.5) c -= 0.2 * (1.5 - margin);
    if (typo) c -= 0.1;
    return std::clamp(c, 0.05, 0.97);
  }

  // --- token helpers ------------------------------------------------------------------------
  std::size_t Size() const { return u_.tokens.size(); }
  const Token& T(std::size_t i) const { return u_.tokens[i]; }
  bool IsWord(std::size_t i, std::string_view w) const {
    return i < Size() && T(i).kind == TokenKind::kWord && T(i).lower == w;
  }
  bool Cue(std::size_t i, std::string_view cue) const { return i < Size() && cues_[i].cue == cue; }
  bool AnyTypo() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (cues_[i].typo && used_.count(i)) return true;
    }
    return false;
  }
  // The first token with `cue` used as a verb: not after a determiner ("the last deploy").
  std::optional<std::size_t> Verb(std::string_view cue) const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (cues_[i].cue != cue) continue;
      if (i > 0 && T(i - 1).kind == TokenKind::kWord && T(i - 1).punct_after == 0 &&
          IsDeterminer(T(i - 1).lower)) {
        continue;
      }
      return i;
    }
    return std::nullopt;
  }
  std::optional<std::size_t> Find(std::string_view cue, std::size_t from = 0) const {
    for (std::size_t i = from; i < Size(); ++i) {
      if (cues_[i].cue == cue) return i;
    }
    return std::nullopt;
  }
  std::optional<std::size_t> FindWord(std::string_view w, std::size_t from = 0) const {
    for (std::size_t i = from; i < Size(); ++i) {
      if (IsWord(i, w)) return i;
    }
    return std::nullopt;
  }
  bool HasWord(std::string_view w) const { return FindWord(w).has_value(); }
  std::vector<std::size_t> OfKind(TokenKind kind) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind == kind) out.push_back(i);
    }
    return out;
  }
  bool Has(TokenKind kind) const { return !OfKind(kind).empty(); }
  // Is the cue at `i` the first cue-bearing verb of the message?
  bool First(std::optional<std::size_t> i) const {
    if (!i) return false;
    for (std::size_t j = 0; j < *i; ++j) {
      const auto c = cues_[j].cue;
      if (!c.empty() && c != "please" && c != "what" && c != "what's" && c != "how" && c != "now" &&
          c != "noun" && c != "where" && c != "again" && c != "priority" && c != "status" &&
          c != "updates" && c != "fix" && c != "fixes") {
        return false;
      }
    }
    return true;
  }
  double VerbScore(std::optional<std::size_t> i, double weight) {
    if (!i) return 0;
    double s = weight + (First(i) ? 0.75 : 0);
    if (cues_[*i].typo) s -= 0.25;
    if (Narrated(*i)) s -= 2;
    return s;
  }
  // "I'll deploy ... after lunch", "did you close ENG-7?", "trying to subscribe": the verb is
  // told about, not asked for.
  bool Narrated(std::size_t i) const {
    static constexpr std::string_view kSubjects[] = {"i",      "i'll", "i'm",  "we",
                                                     "we'll",  "they", "he",   "she",
                                                     "should", "to",   "will", "i\u2019ll"};
    static constexpr std::string_view kAuxiliaries[] = {"did", "didn't", "have", "has", "who"};
    auto in = [](std::span<const std::string_view> words, std::string_view w) {
      return std::find(words.begin(), words.end(), w) != words.end();
    };
    static constexpr std::string_view kAsking[] = {"can", "could", "shall", "let's", "lets"};
    if (i > 0 && T(i - 1).kind == TokenKind::kWord && T(i - 1).punct_after == 0 &&
        in(kSubjects, T(i - 1).lower)) {
      // "can we reopen ENG-3?" asks.
      return !(i > 1 && T(i - 2).kind == TokenKind::kWord && in(kAsking, T(i - 2).lower));
    }
    return i > 1 && T(i - 2).kind == TokenKind::kWord && in(kAuxiliaries, T(i - 2).lower);
  }
  // After the verb at `i`, an object that is something else ("close the loop", "subscribe to
  // my newsletter"): a determiner then a word outside `domain`.
  bool ForeignObject(std::size_t i, std::initializer_list<std::string_view> domain) const {
    std::size_t j = i + 1;
    if (IsWord(j, "to") || IsWord(j, "from") || IsWord(j, "out") || IsWord(j, "up")) ++j;
    if (j >= Size() || T(j).kind != TokenKind::kWord || !IsDeterminer(T(j).lower)) return false;
    if (T(j).lower == "this" || T(j).lower == "that") {
      // "assign this to ..." : a pronoun, not a determiner.
      static constexpr std::string_view kFunction[] = {"to",  "as",   "out",    "in",  "on",
                                                       "for", "with", "please", "pls", "now",
                                                       "and", "back", "over",   "up",  "one"};
      if (j + 1 >= Size() || T(j + 1).kind != TokenKind::kWord || T(j).punct_after != 0 ||
          std::find(std::begin(kFunction), std::end(kFunction), T(j + 1).lower) !=
              std::end(kFunction)) {
        return false;
      }
    }
    std::size_t k = j + 1;
    while (k < Size() && T(k).kind == TokenKind::kWord && IsDeterminer(T(k).lower)) ++k;
    if (k >= Size()) return false;
    if (T(k).kind != TokenKind::kWord) return false;
    const std::string& noun = T(k).lower;
    if (std::find(domain.begin(), domain.end(), noun) != domain.end()) return false;
    const auto cue = cues_[k].cue;
    return cue != "noun";
  }
  bool HasIssueRef() const { return Has(TokenKind::kIssue) || !context_.thread_issue.empty(); }
  bool HasPronoun() const {
    return HasWord("it") || HasWord("this") || HasWord("that") || HasWord("them") ||
           HasWord("here");
  }
  bool IssueSlot(Understanding& out, bool required = true) const {
    const auto ids = OfKind(TokenKind::kIssue);
    if (!ids.empty()) {
      out.entities["issue"] = T(ids.front()).value;
      return true;
    }
    if (!context_.thread_issue.empty()) {
      if (auto id = AsIssueId(context_.thread_issue, false)) {
        out.entities["issue"] = *id;
        return true;
      }
    }
    if (required) out.missing.emplace_back("issue");
    return false;
  }
  std::string Span(std::size_t from, std::size_t to) const {  // tokens [from, to)
    if (from >= to || from >= Size()) return "";
    to = std::min(to, Size());
    if (to - from == 1 && T(from).kind == TokenKind::kQuoted) return T(from).value;
    std::string s(
        TrimSpace(std::string_view(u_.text).substr(T(from).begin, T(to - 1).end - T(from).begin)));
    while (!s.empty() &&
           (s.back() == ',' || s.back() == '.' || s.back() == ':' || s.back() == ';')) {
      s.pop_back();
    }
    return s;
  }
  std::string Rest(std::size_t from) const {
    if (from >= Size()) return "";
    std::string s(TrimSpace(std::string_view(u_.text).substr(T(from).begin)));
    if (Size() - from == 1 && T(from).kind == TokenKind::kQuoted) return T(from).value;
    while (!s.empty() && (s.back() == '.' || s.back() == '!')) s.pop_back();
    return s;
  }
  std::optional<std::size_t> TeamIndex() const {
    auto is_key = [&](std::size_t i) {
      if (i >= Size() || T(i).kind != TokenKind::kWord) return false;
      std::string_view raw = std::string_view(u_.text).substr(T(i).begin, T(i).end - T(i).begin);
      if (raw.ends_with("'s")) raw.remove_suffix(2);
      if (!context_.team_keys.empty()) {
        return std::any_of(context_.team_keys.begin(), context_.team_keys.end(),
                           [&](const std::string& k) { return AsciiUpper(k) == AsciiUpper(raw); });
      }
      if (!IsTeamKey(raw, true) || !NormalizePriority(raw).empty()) return false;
      return !IsAcronym(raw);
    };
    for (std::size_t i = 0; i < Size(); ++i) {
      if (!is_key(i)) continue;
      const bool before_noun = Cue(i + 1, "noun") || IsWord(i + 1, "team") ||
                               IsWord(i + 1, "team's") || IsWord(i + 1, "updates");
      const bool after_prep =
          i > 0 && (IsWord(i - 1, "in") || IsWord(i - 1, "for") || IsWord(i - 1, "into") ||
                    IsWord(i - 1, "to") || IsWord(i - 1, "linear") || IsWord(i - 1, "under"));
      const bool after_noun = i > 0 && (Cue(i - 1, "noun") || Cue(i - 1, "create"));
      if (before_noun || after_prep || after_noun) return i;
    }
    return std::nullopt;
  }
  std::string TeamValue(std::size_t i) const {
    std::string raw(std::string_view(u_.text).substr(T(i).begin, T(i).end - T(i).begin));
    if (raw.ends_with("'s")) raw.resize(raw.size() - 2);
    return AsciiUpper(raw);
  }
  // A priority word used as one: "high priority", "priority high", "urgent", "to low".
  std::optional<std::pair<std::size_t, std::string>> PriorityWord() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind != TokenKind::kWord) continue;
      const std::string p = NormalizePriority(T(i).lower);
      if (p.empty() || IsAllDigits(T(i).lower) || T(i).lower == "none" || T(i).lower == "p1" ||
          T(i).lower == "normal" || T(i).lower == "minor" || T(i).lower == "important") {
        continue;
      }
      if (T(i).lower == "urgent" || T(i).lower == "critical") return std::make_pair(i, p);
      const bool near_priority = Cue(i + 1, "priority") || (i > 0 && Cue(i - 1, "priority")) ||
                                 (i > 1 && Cue(i - 2, "priority") && IsWord(i - 1, "to"));
      const bool after_to = i > 0 && (IsWord(i - 1, "to") || IsWord(i - 1, "be") ||
                                      IsWord(i - 1, "is") || IsWord(i - 1, "as"));
      if (near_priority || after_to) return std::make_pair(i, p);
    }
    return std::nullopt;
  }

  // --- scores -------------------------------------------------------------------------------
  std::optional<std::size_t> IssueNoun() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (cues_[i].cue != "noun") continue;
      if (i > 0 && (IsWord(i - 1, "the") || IsWord(i - 1, "this") || IsWord(i - 1, "that"))) {
        continue;
      }
      return i;
    }
    return std::nullopt;
  }
  std::optional<std::size_t> CreateVerb() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      const auto c = cues_[i].cue;
      if (c != "create" && c != "open" && c != "make" && c != "new" && c != "raise" &&
          c != "report" && c != "add") {
        continue;
      }
      // The verb governs a ticket noun close by: "open an issue", "make a DATA ticket".
      for (std::size_t j = i + 1; j < Size() && j <= i + 5; ++j) {
        if (Cue(j, "noun")) return i;
        if (!cues_[j].cue.empty() && cues_[j].cue != "new" && cues_[j].cue != "priority") break;
      }
    }
    return std::nullopt;
  }
  double ScoreCreate() {
    const auto noun = IssueNoun();
    if (auto verb = CreateVerb(); !verb) {
      // "file \"Billing page shows the wrong currency\" in ENG": a quoted title right after.
      for (std::size_t i = 0; i + 1 < Size(); ++i) {
        if ((Cue(i, "create") || Cue(i, "open")) && T(i + 1).kind == TokenKind::kQuoted) {
          used_.insert(i);
          return VerbScore(i, 3.5) + (TeamIndex() ? 0.5 : 0);
        }
      }
    }
    if (!noun) return 0;
    if (auto verb = CreateVerb()) {
      used_.insert(*verb);
      used_.insert(*noun);
      return VerbScore(verb, 3.5) + (TeamIndex() ? 0.5 : 0);
    }
    // "ENG issue: ...", "urgent issue for OPS: ...", "new issue INFRA ...".
    const auto team = TeamIndex();
    const bool colon = T(*noun).punct_after == ':' || (team && T(*team).punct_after == ':');
    if (team && (colon || *noun <= 2) && !Has(TokenKind::kIssue)) {
      used_.insert(*noun);
      return 3;
    }
    return 0;
  }
  double ScoreAssign() {
    double s = 0;
    if (auto v = Verb("assign")) {
      if (!ForeignObject(*v, {"issue", "ticket", "one", "bug"})) s = VerbScore(v, 3);
      used_.insert(*v);
    }
    if (auto v = Verb("unassign")) s = std::max(s, VerbScore(v, 3));
    if (auto v = Verb("give"); v && (Has(TokenKind::kUser) || HasWord("me"))) {
      s = std::max(s, VerbScore(v, 2.75));
    }
    if (auto v = Verb("take"); v && Has(TokenKind::kIssue) && !Has(TokenKind::kRepo)) {
      s = std::max(s, VerbScore(v, 2.75));
    }
    if (HasWord("assignee") && (HasWord("remove") || HasWord("clear"))) s = std::max(s, 3.0);
    if (s > 0 && !HasIssueRef() && !HasPronoun()) s -= 0.5;
    return s;
  }
  double ScoreClose() {
    double s = 0;
    if (auto v = Verb("close")) {
      if (!ForeignObject(*v, {"issue", "ticket", "one", "bug", "it", "this"})) {
        s = VerbScore(v, 3);
      }
      used_.insert(*v);
    }
    // "ENG-60 can be closed".
    if (auto v = Verb("closed"); v && *v > 0 && IsWord(*v - 1, "be")) s = std::max(s, 3.0);
    if (s > 0 && !HasIssueRef() && !HasPronoun()) s -= 0.5;
    return s;
  }
  double ScoreReopen() {
    double s = 0;
    if (auto v = Verb("reopen")) {
      s = VerbScore(v, 3.5);
      used_.insert(*v);
    }
    // "OPS-71 needs to be reopened".
    if (auto v = Verb("reopened"); v && *v > 0 && IsWord(*v - 1, "be")) s = std::max(s, 3.0);
    if (auto v = Verb("open"); v && HasWord("again") && HasIssueRef() && !IssueNoun()) {
      s = std::max(s, 3.5);
    }
    return s;
  }
  std::optional<std::pair<std::size_t, std::string>> StateAfter(std::size_t from) const {
    for (std::size_t i = from; i < Size(); ++i) {
      if (T(i).kind != TokenKind::kWord) continue;
      for (const auto state : States()) {
        const bool two = state.find(' ') != std::string_view::npos;
        if (!two && T(i).lower == state) {
          if (state == "ready" && IsWord(i + 1, "for") && IsWord(i + 2, "review")) {
            return std::make_pair(i, std::string("in review"));
          }
          return std::make_pair(i, std::string(state));
        }
        if (two && i + 1 < Size() && T(i).lower + " " + T(i + 1).lower == state) {
          return std::make_pair(i, std::string(state));
        }
      }
    }
    return std::nullopt;
  }
  double ScoreState() {
    double s = 0;
    for (std::string_view cue : {"move", "set", "mark", "put", "change"}) {
      auto v = Verb(cue);
      if (!v) continue;
      auto state = StateAfter(*v + 1);
      if (!state) continue;
      if (cue == "mark" && HasWord("resolved")) continue;
      s = std::max(s, VerbScore(v, 3.25));
      used_.insert(*v);
    }
    // "ENG-408 back to todo please": no verb, an issue and "to <state>".
    if (s == 0 && Has(TokenKind::kIssue)) {
      if (auto state = StateAfter(0); state && state->first > 0 && IsWord(state->first - 1, "to")) {
        bool other_verb = false;
        for (const auto& c : cues_) {
          other_verb |= c.cue == "close" || c.cue == "reopen" || c.cue == "assign" ||
                        c.cue == "comment" || c.cue == "link" || c.cue == "deploy";
        }
        if (!other_verb) s = 3;
      }
    }
    if (s > 0 && !HasIssueRef() && !HasPronoun()) s -= 0.5;
    return s;
  }
  double ScorePriority() {
    const auto priority = PriorityWord();
    double s = 0;
    for (std::string_view cue : {"bump", "lower", "raise", "set", "change", "make", "move"}) {
      if (auto v = Verb(cue); v && (priority || Find("priority", *v))) {
        if (cue == "move" && !Find("priority", *v)) continue;
        s = std::max(s, VerbScore(v, 3.25));
        used_.insert(*v);
      }
    }
    // "ENG-100 is low priority", "OPS-23 needs to be urgent", "ENG-211 is urgent now".
    if (priority && Has(TokenKind::kIssue) && s == 0 && !IssueNoun()) {
      const std::size_t at = priority->first;
      if (at > 0 && (IsWord(at - 1, "is") || IsWord(at - 1, "be") || Cue(at - 1, "priority"))) {
        s = 3;
      }
    }
    if (s > 0 && !HasIssueRef()) s -= 1;
    return s;
  }
  std::optional<std::size_t> CommentCue() const {
    for (std::string_view cue : {"comment", "reply", "tell"}) {
      if (auto v = Verb(cue)) return v;
    }
    // "add a comment", "leave a note", "post a comment here".
    for (std::size_t i = 0; i < Size(); ++i) {
      if (!Cue(i, "comment")) continue;
      for (std::size_t j = i; j-- > 0 && j + 3 >= i;) {
        if (Cue(j, "add") || Cue(j, "post")) return i;
      }
    }
    return std::nullopt;
  }
  double ScoreComment() {
    auto v = CommentCue();
    if (!v) return 0;
    used_.insert(*v);
    double s = VerbScore(v, 3.25);
    // "add a comment", "post a comment here": the noun after add/post/leave carries it.
    if (*v > 0) {
      for (std::size_t j = *v; j-- > 0 && j + 3 >= *v;) {
        if (Cue(j, "add") || Cue(j, "post")) s = std::max(s, 3.5 + (First(j) ? 0.75 : 0));
      }
    }
    if (Cue(*v, "tell") && !Has(TokenKind::kIssue)) return 0;
    return s;
  }
  double ScoreLink() {
    auto v = Verb("link");
    if (!v) return 0;
    used_.insert(*v);
    if (!Has(TokenKind::kPr) && OfKind(TokenKind::kIssue).size() < 2 && !HasPronoun() &&
        !Has(TokenKind::kIssue)) {
      return 0;
    }
    return VerbScore(v, 3);
  }
  double ScoreTrace() {
    double s = 0;
    const bool target = Has(TokenKind::kIssue) || Has(TokenKind::kPr) || Has(TokenKind::kUrl) ||
                        (!context_.thread_issue.empty() && HasPronoun());
    if (auto v = Verb("trace")) {
      s = VerbScore(v, 3.25);
      used_.insert(*v);
    }
    if (!target) return s > 0 ? s - 1 : 0;
    const bool question = HasWord("what's") || HasWord("whats") || HasWord("what") ||
                          HasWord("where") || HasWord("which") || HasWord("who") ||
                          HasWord("any") || HasWord("is");
    if (question &&
        (Find("status") || Find("updates") || HasWord("going") || HasWord("happening") ||
         HasWord("at") || HasWord("linked") || HasWord("tied") || HasWord("working") ||
         HasWord("prs") || HasWord("pr") || HasWord("happened"))) {
      s = std::max(s, 3.0);
    }
    if (HasWord("where") && (HasWord("we") || HasWord("is"))) s = std::max(s, 3.0);
    if (Find("show") && (HasWord("everything") || HasWord("about"))) s = std::max(s, 3.0);
    if (Find("status") && !Find("set") && !Find("change") && !Find("move")) {
      s = std::max(s, 2.75);
    }
    return s;
  }
  double ScoreDeploy() {
    double s = 0;
    const bool repo = Has(TokenKind::kRepo);
    const bool env = EnvironmentIndex().has_value();
    if (auto v = Verb("deploy")) {
      s = VerbScore(v, 3.25);
      used_.insert(*v);
    }
    if (auto v = Verb("push"); v && repo && env) s = std::max(s, VerbScore(v, 3.0));
    if (auto v = Verb("roll"); v && (repo || env)) s = std::max(s, VerbScore(v, 3.0));
    if (s > 0 && !repo && !env) s -= 1;
    return s;
  }
  double ScoreRerun() {
    auto v = Verb("rerun");
    if (!v) return 0;
    used_.insert(*v);
    double s = VerbScore(v, 3.25);
    if (!Has(TokenKind::kRepo) && !Has(TokenKind::kPr)) s -= 1;
    return s;
  }
  double ScoreSubscribe(bool un) {
    double s = 0;
    const bool target = Has(TokenKind::kRepo) || TeamIndex().has_value() || HasWord("channel") ||
                        HasWord("here") || !Features().empty();
    if (!un) {
      if (auto v = Verb("subscribe")) {
        if (target || !ForeignObject(*v, {"channel", "repo"})) s = VerbScore(v, 3.25);
        if (!target) s = IsWord(*v + 1, "to") ? 0 : s - 0.5;
        used_.insert(*v);
      }
      return s;
    }
    if (auto v = Verb("unsubscribe")) {
      s = VerbScore(v, 3.5);
      used_.insert(*v);
    }
    if (auto v = Verb("stop"); v && target) s = std::max(s, VerbScore(v, 3.0));
    if (HasWord("no") && HasWord("more") && target) s = std::max(s, 3.0);
    return s;
  }
  double ScoreReport() {
    const std::string kind = Kind();
    double s = 0;
    const bool ask = Find("show") || Find("post") || Find("send") || Find("run") || Find("give") ||
                     Find("schedule") || Find("please") || Find("now") || Find("every");
    if (!kind.empty() && ask) s = 3.5;
    if (Find("report") && (Find("list") || Find("scheduled") || Find("what"))) s = std::max(s, 3.5);
    if (!kind.empty() && Find("report") && s == 0) s = 2.5;
    return s;
  }
  double ScoreHelp() {
    if (Size() == 0) return 0;
    double s = 0;
    if (auto v = Find("help")) s = cues_[*v].typo ? 3.25 : 3.5;
    if (Find("commands")) s = std::max(s, 4.0);
    if ((HasWord("what") || HasWord("what's")) && HasWord("can") &&
        (HasWord("you") || HasWord("contexten")) && (HasWord("do") || HasWord("help"))) {
      s = std::max(s, 4.5);
    }
    if (auto how = Find("how"); how && (IsWord(*how + 1, "do") || IsWord(*how + 1, "does") ||
                                        IsWord(*how + 1, "can") || IsWord(*how + 1, "to"))) {
      const std::string topic = Topic();
      if (!topic.empty()) s = std::max(s, 4.5);
      // "how do I use this bot?", "how does this work?"
      if (HasWord("use") || HasWord("work") || HasWord("start")) s = std::max(s, 4.0);
    }
    return s;
  }

  // --- entities -----------------------------------------------------------------------------
  std::optional<std::size_t> EnvironmentIndex() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind == TokenKind::kWord && IsEnvironment(T(i).lower)) {
        if (T(i).lower == "test" || T(i).lower == "qa") {
          if (!(i > 0 && IsWord(i - 1, "to"))) continue;
        }
        return i;
      }
    }
    return std::nullopt;
  }
  std::string Kind() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind != TokenKind::kWord) continue;
      const std::string& w = T(i).lower;
      if (w == "digest") return "digest";
      if (w == "stale" && (IsWord(i + 1, "prs") || IsWord(i + 1, "pull") || IsWord(i + 1, "pr"))) {
        return "stale_prs";
      }
      if (w == "ci" && (IsWord(i + 1, "failures") || IsWord(i + 1, "failure"))) {
        return "ci_failures";
      }
      if (w == "health" && (Find("report") || HasWord("integrations") || HasWord("integration"))) {
        return "health";
      }
      if (!NormalizeReportKind(w).empty() && w.find('_') != std::string::npos) {
        return NormalizeReportKind(w);
      }
    }
    return "";
  }
  std::vector<std::string> Features() const {
    std::vector<std::string> out;
    auto add = [&](std::string f) {
      if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
    };
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind != TokenKind::kWord) continue;
      const std::string& w = T(i).lower;
      if (w == "pulls" || w == "prs" || (w == "pull" && IsWord(i + 1, "requests")) ||
          (w == "pull" && IsWord(i + 1, "request"))) {
        add("pulls");
      } else if (w == "ci" && !IsWord(i + 1, "failures")) {
        add("ci");
      } else if (w != "issues" && IsSubscriptionFeature(w)) {
        add(w);
      } else if (w == "issues" && !IsWord(i - 1, "linear")) {
        add("issues");
      }
    }
    return out;
  }
  std::string Topic() const {
    for (std::size_t i = 0; i < Size(); ++i) {
      const auto c = cues_[i].cue;
      if (c == "deploy") return "deploy";
      if (c == "subscribe") return "subscribe";
      if (c == "unsubscribe") return "unsubscribe";
      if (c == "report" || c == "digest") return "report";
      if (c == "link") return "link";
      if (c == "trace") return "trace";
      if (c == "rerun") return "rerun";
      if (c == "noun" || c == "create") return "issue";
      if (c == "assign" || c == "close" || c == "reopen" || c == "comment") return "issue";
    }
    return "";
  }
  std::optional<std::string> Assignee(std::size_t from) const {
    if (Find("unassign") || (HasWord("assignee") && (HasWord("remove") || HasWord("clear")))) {
      return std::string("none");
    }
    for (std::size_t i = from; i < Size(); ++i) {
      if (T(i).kind == TokenKind::kUser) return T(i).value;
      if (IsWord(i, "me") || IsWord(i, "myself")) return std::string("me");
      if (IsWord(i, "nobody") || IsWord(i, "noone") || (IsWord(i, "no") && IsWord(i + 1, "one"))) {
        return std::string("none");
      }
      if ((IsWord(i, "him") || IsWord(i, "her") || IsWord(i, "them")) && i > 0) {
        for (std::size_t j = 0; j < i; ++j) {
          if (T(j).kind == TokenKind::kUser) return T(j).value;
        }
      }
    }
    for (std::size_t i = 0; i < from && i < Size(); ++i) {
      if (T(i).kind == TokenKind::kUser) return T(i).value;
    }
    if (Find("mine") || Find("take") || Find("pick") || HasWord("i'll") || HasWord("i")) {
      return std::string("me");
    }
    return std::nullopt;
  }
  json Labels() const {
    json labels = json::array();
    if (auto noun = IssueNoun(); noun && (T(*noun).lower == "bug" || T(*noun).lower == "bugs")) {
      labels.push_back("bug");
    }
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind != TokenKind::kWord) continue;
      std::string_view raw = std::string_view(u_.text).substr(T(i).begin, T(i).end - T(i).begin);
      if (T(i).lower.starts_with("label:") || T(i).lower.starts_with("labels:")) {
        raw.remove_prefix(raw.find(':') + 1);
        std::string cur;
        for (char c : std::string(raw) + ",") {
          if (c == ',') {
            if (!cur.empty()) labels.push_back(AsciiLower(cur));
            cur.clear();
          } else {
            cur += c;
          }
        }
      } else if ((T(i).lower == "label" || T(i).lower == "labelled" || T(i).lower == "labeled" ||
                  T(i).lower == "tag") &&
                 i + 1 < Size()) {
        std::size_t j = IsWord(i + 1, "it") || IsWord(i + 1, "as") ? i + 2 : i + 1;
        if (j < Size() && T(j).kind == TokenKind::kWord) labels.push_back(T(j).lower);
      }
    }
    return labels;
  }
  // Where a trailing clause starts ("..., high priority", "and assign it to", "in ENG").
  bool ClauseStarts(std::size_t i) const {
    if (IsWord(i, "and") && i + 1 < Size() &&
        (Cue(i + 1, "assign") || Cue(i + 1, "give") || IsWord(i + 1, "label") ||
         IsWord(i + 1, "make") || IsWord(i + 1, "set"))) {
      return true;
    }
    if (Cue(i, "assigned") && (IsWord(i + 1, "to"))) return true;
    // "... rotates. assign to @alice": a new sentence with an instruction of its own.
    if (i > 0 && T(i - 1).punct_after == '.' &&
        (Cue(i, "assign") || Cue(i, "give") || IsWord(i, "label") || Cue(i, "priority") ||
         !NormalizePriority(T(i).lower).empty())) {
      return true;
    }
    if (IsWord(i, "label") || IsWord(i, "labelled") || IsWord(i, "labeled")) {
      return i > 0 && T(i - 1).punct_after == ',';
    }
    if (i > 0 && T(i - 1).punct_after == ',' && !NormalizePriority(T(i).lower).empty() &&
        Cue(i + 1, "priority")) {
      return true;
    }
    if (i > 0 && T(i - 1).punct_after == ',' && (Cue(i, "priority"))) return true;
    return false;
  }
  bool IsTeamAt(std::size_t i, std::optional<std::size_t> team) const { return team && i == *team; }
  std::string Title(std::size_t noun) const {
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind == TokenKind::kQuoted) return T(i).value;
    }
    const auto team = TeamIndex();
    std::size_t start = noun + 1;
    bool after_colon = false;
    for (std::size_t i = std::min(noun, team.value_or(noun)); i < Size() && i <= noun + 3; ++i) {
      if (T(i).punct_after == ':' || T(i).punct_after == '?') {
        start = i + 1;
        after_colon = true;
        break;
      }
    }
    if (!after_colon) {
      bool connector = false;
      while (start < Size()) {
        const std::string& w = T(start).lower;
        if (IsTeamAt(start, team)) {
          ++start;
        } else if ((w == "in" || w == "for" || w == "into") && IsTeamAt(start + 1, team)) {
          start += 2;
        } else if (w == "for" || w == "about" || w == "to" || w == "titled" || w == "called" ||
                   w == "regarding" || w == "re" || w == "saying") {
          ++start;
          connector = true;
        } else if (connector && (w == "the")) {
          ++start;
        } else if (!NormalizePriority(w).empty() && Cue(start + 1, "priority")) {
          start += 2;
        } else {
          break;
        }
      }
    }
    std::size_t end = start;
    while (end < Size() && !ClauseStarts(end)) ++end;
    // "... in ENG" at the end.
    if (end >= start + 2 && IsTeamAt(end - 1, team) &&
        (IsWord(end - 2, "in") || IsWord(end - 2, "for"))) {
      end -= 2;
    }
    return Span(start, end);
  }
  std::string Body(std::size_t cue) const {
    for (std::size_t i = cue; i < Size(); ++i) {
      if (T(i).kind == TokenKind::kQuoted) return T(i).value;
    }
    for (std::size_t i = cue; i < Size(); ++i) {
      if (T(i).punct_after == ':') return Rest(i + 1);
    }
    for (std::size_t i = cue; i < Size(); ++i) {
      if (IsWord(i, "saying") ||
          (IsWord(i, "that") && i > 0 && T(i - 1).kind == TokenKind::kIssue)) {
        return Rest(i + 1);
      }
    }
    const auto ids = OfKind(TokenKind::kIssue);
    for (auto id : ids) {
      if (id > cue) return Rest(id + 1);
    }
    return "";
  }
  std::string Cron() const {
    auto every = Find("every");
    if (!every) return "";
    std::string days = "*";
    std::size_t i = *every + 1;
    static constexpr std::pair<std::string_view, std::string_view> kDays[] = {
        {"day", "*"},      {"weekday", "1-5"}, {"morning", "*"},   {"monday", "1"},
        {"tuesday", "2"},  {"wednesday", "3"}, {"thursday", "4"},  {"friday", "5"},
        {"saturday", "6"}, {"sunday", "0"},    {"weekdays", "1-5"}};
    if (i < Size()) {
      for (const auto& [name, cron] : kDays) {
        if (T(i).lower == name) days = std::string(cron);
      }
    }
    auto at = FindWord("at", i);
    if (!at || *at + 1 >= Size()) return "";
    std::string t = T(*at + 1).lower;
    bool pm = false;
    if (t.ends_with("pm")) {
      pm = true;
      t.resize(t.size() - 2);
    } else if (t.ends_with("am")) {
      t.resize(t.size() - 2);
    } else if (IsWord(*at + 2, "pm")) {
      pm = true;
    }
    std::string hour = t, minute = "0";
    if (auto colon = t.find(':'); colon != std::string::npos) {
      hour = t.substr(0, colon);
      minute = t.substr(colon + 1);
    }
    if (!IsAllDigits(hour) || !IsAllDigits(minute) || hour.size() > 2 || minute.size() > 2) {
      return "";
    }
    int h = std::stoi(hour);
    const int m = std::stoi(minute);
    if (pm && h < 12) h += 12;
    if (h > 23 || m > 59) return "";
    return std::to_string(m) + " " + std::to_string(h) + " * * " + days;
  }

  Understanding Fill(std::string_view intent) const {
    Understanding out;
    out.intent = std::string(intent);
    auto& e = out.entities;
    if (intent == "create_issue") {
      if (auto team = TeamIndex()) {
        e["team"] = TeamValue(*team);
      } else {
        out.missing.emplace_back("team");
      }
      const auto noun = IssueNoun();
      const std::string title = Title(noun.value_or(0));
      if (title.empty()) {
        out.missing.emplace_back("title");
      } else {
        e["title"] = title;
      }
      if (auto p = PriorityWord()) e["priority"] = p->second;
      if (auto assign = Find("assign"); assign || Find("assigned")) {
        if (auto who = Assignee(assign.value_or(*Find("assigned")))) e["assignee"] = *who;
      }
      if (auto labels = Labels(); !labels.empty()) e["labels"] = labels;
    } else if (intent == "assign") {
      IssueSlot(out);
      const std::size_t from = Find("assign").value_or(Find("unassign").value_or(0));
      if (auto who = Assignee(from)) {
        e["assignee"] = *who;
      } else {
        out.missing.emplace_back("assignee");
      }
    } else if (intent == "close") {
      const auto ids = OfKind(TokenKind::kIssue);
      if (ids.size() > 1) {
        json issues = json::array();
        for (auto i : ids) issues.push_back(T(i).value);
        e["issues"] = issues;
      } else {
        IssueSlot(out);
      }
    } else if (intent == "reopen") {
      IssueSlot(out);
    } else if (intent == "change_state") {
      IssueSlot(out);
      std::size_t from = 0;
      for (std::string_view cue : {"move", "set", "mark", "put", "change"}) {
        if (auto v = Verb(cue)) {
          from = *v + 1;
          break;
        }
      }
      if (auto state = StateAfter(from)) {
        e["state"] = state->second == "to do" ? std::string("todo") : state->second;
      } else {
        out.missing.emplace_back("state");
      }
    } else if (intent == "change_priority") {
      IssueSlot(out);
      if (auto p = PriorityWord()) {
        e["priority"] = p->second;
      } else {
        out.missing.emplace_back("priority");
      }
    } else if (intent == "comment") {
      IssueSlot(out);
      const std::string body = Body(CommentCue().value_or(0));
      if (body.empty()) {
        out.missing.emplace_back("body");
      } else {
        e["body"] = body;
      }
    } else if (intent == "link") {
      const auto ids = OfKind(TokenKind::kIssue);
      const auto prs = OfKind(TokenKind::kPr);
      if (ids.size() >= 2 && prs.empty()) {
        e["issues"] = json::array({T(ids[0]).value, T(ids[1]).value});
      } else {
        IssueSlot(out);
        if (!prs.empty()) {
          e["pr"] = T(prs.front()).value;
        } else {
          out.missing.emplace_back("pr");
        }
      }
    } else if (intent == "trace") {
      if (auto ids = OfKind(TokenKind::kIssue); !ids.empty()) {
        e["issue"] = T(ids.front()).value;
      } else if (auto prs = OfKind(TokenKind::kPr); !prs.empty()) {
        e["pr"] = T(prs.front()).value;
      } else if (auto urls = OfKind(TokenKind::kUrl); !urls.empty()) {
        e["url"] = T(urls.front()).value;
      } else {
        IssueSlot(out);
      }
    } else if (intent == "deploy") {
      FillDeploy(out);
    } else if (intent == "rerun") {
      FillRerun(out);
    } else if (intent == "subscribe" || intent == "unsubscribe") {
      if (auto repos = OfKind(TokenKind::kRepo); !repos.empty()) {
        e["repo"] = T(repos.front()).value;
        if (auto f = Features(); !f.empty()) e["features"] = f;
      } else if (auto team = TeamIndex()) {
        e["team"] = TeamValue(*team);
      } else {
        out.missing.emplace_back("repo");
      }
    } else if (intent == "report") {
      const std::string kind = Kind();
      const std::string cron = Cron();
      if (!cron.empty() || Find("schedule")) {
        e["action"] = "schedule";
        if (!cron.empty()) {
          e["schedule"] = cron;
        } else {
          out.missing.emplace_back("schedule");
        }
      } else if (kind.empty() || Find("list") || Find("scheduled")) {
        e["action"] = "list";
      } else {
        e["action"] = "run";
      }
      if (!kind.empty() && e["action"] != "list") e["kind"] = kind;
      if (auto channels = OfKind(TokenKind::kChannel); !channels.empty()) {
        e["channel"] = T(channels.front()).value;
      }
    } else if (intent == "help") {
      if (auto topic = Topic(); !topic.empty()) e["topic"] = topic;
    }
    return out;
  }

  void FillDeploy(Understanding& out) const {
    auto& e = out.entities;
    const auto repos = OfKind(TokenKind::kRepo);
    std::optional<std::size_t> repo;
    for (auto r : repos) {
      if (r > 0 && (IsWord(r - 1, "of") || IsWord(r - 1, "on") || IsWord(r - 1, "from") ||
                    IsWord(r - 1, "for") || IsWord(r - 1, "in"))) {
        repo = r;
      }
    }
    if (!repo && !repos.empty()) repo = repos.front();
    if (repo) {
      e["repo"] = T(*repo).value;
    } else {
      out.missing.emplace_back("repo");
    }
    const auto env = EnvironmentIndex();
    if (env) {
      e["environment"] = T(*env).lower;
    } else {
      out.missing.emplace_back("environment");
    }
    // The ref: another repo-shaped word (a branch "fix/x"), "branch X", "X of <repo>", or the
    // word right after the repo.
    for (auto r : repos) {
      if (repo && r != *repo) {
        e["ref"] = T(r).value;
        return;
      }
    }
    for (std::size_t i = 0; i < Size(); ++i) {
      if ((IsWord(i, "branch") || IsWord(i, "tag") || IsWord(i, "ref")) && i + 1 < Size() &&
          T(i + 1).kind == TokenKind::kWord) {
        e["ref"] = std::string(
            std::string_view(u_.text).substr(T(i + 1).begin, T(i + 1).end - T(i + 1).begin));
        return;
      }
    }
    auto is_ref = [&](std::size_t i) {
      return i < Size() && T(i).kind == TokenKind::kWord && !IsEnvironment(T(i).lower) &&
             T(i).lower != "to" && T(i).lower != "of" && T(i).lower != "please" &&
             T(i).lower != "pls" && T(i).lower != "now" && T(i).lower != "on" &&
             T(i).lower != "the" && T(i).lower != "in" && T(i).lower != "today" &&
             T(i).lower != "tomorrow" && T(i).lower != "tonight" && T(i).lower != "asap" &&
             T(i).lower != "again" && T(i).lower != "too";
    };
    auto raw = [&](std::size_t i) {
      return std::string(std::string_view(u_.text).substr(T(i).begin, T(i).end - T(i).begin));
    };
    if (repo && *repo >= 2 && IsWord(*repo - 1, "of") && is_ref(*repo - 2) &&
        CueOf(T(*repo - 2)).cue.empty()) {
      e["ref"] = raw(*repo - 2);
      return;
    }
    if (repo && is_ref(*repo + 1) && T(*repo).punct_after == 0) {
      e["ref"] = raw(*repo + 1);
    }
  }

  void FillRerun(Understanding& out) const {
    auto& e = out.entities;
    if (auto prs = OfKind(TokenKind::kPr); !prs.empty()) {
      e["pr"] = T(prs.front()).value;
      return;
    }
    const auto repos = OfKind(TokenKind::kRepo);
    if (repos.empty()) {
      out.missing.emplace_back("repo");
    } else {
      e["repo"] = T(repos.front()).value;
    }
    for (std::size_t i = 0; i < Size(); ++i) {
      if (T(i).kind == TokenKind::kWord && IsAllDigits(T(i).lower) && T(i).lower.size() >= 3) {
        e["run"] = T(i).lower;
        return;
      }
    }
    // The workflow: the words between the verb and "on/for/in <repo>", or after the repo.
    const auto verb = Verb("rerun");
    if (verb) {
      static constexpr std::string_view kSkip[] = {
          "the", "failed", "failing", "jobs",  "job",  "checks", "workflow",
          "run", "please", "pls",     "again", "for",  "on",     "in",
          "of",  "it",     "this",    "that",  "them", "now"};
      auto skip = [&](std::size_t i) {
        return T(i).kind != TokenKind::kWord ||
               std::find(std::begin(kSkip), std::end(kSkip), T(i).lower) != std::end(kSkip);
      };
      std::vector<std::size_t> words;
      for (std::size_t i = *verb + 1; i < Size(); ++i) {
        if (T(i).kind == TokenKind::kRepo) {
          if (!words.empty()) break;
          continue;
        }
        if (T(i).kind == TokenKind::kQuoted) {
          e["workflow"] = T(i).value;
          return;
        }
        if (skip(i)) {
          if (!words.empty()) break;
          continue;
        }
        words.push_back(i);
      }
      if (!words.empty()) {
        e["workflow"] = Span(words.front(), words.back() + 1);
        return;
      }
    }
    out.missing.emplace_back("run");
  }

  Utterance u_;
  const UtteranceContext& context_;
  std::vector<Cued> cues_;
  std::set<std::size_t> used_;
};

}  // namespace

Understanding UnderstandNaturalLanguage(std::string_view text, const UtteranceContext& context) {
  Utterance u = Tokenize(text, context.team_keys, kMaxTokens);
  // A lone "?" is a request for help.
  if (u.tokens.empty() && TrimSpace(text) == "?") {
    Understanding out;
    out.intent = "help";
    out.confidence = 0.75;
    return out;
  }
  // A bare "ENG-5" or "acme/web#5" said to the bot: probably "tell me about it"; ask first.
  if (u.tokens.size() == 1 &&
      (u.tokens[0].kind == TokenKind::kIssue || u.tokens[0].kind == TokenKind::kPr)) {
    Understanding out;
    out.intent = "trace";
    out.entities[u.tokens[0].kind == TokenKind::kIssue ? "issue" : "pr"] = u.tokens[0].value;
    out.confidence = 0.6;
    return out;
  }
  Reader reader(std::move(u), context);
  return reader.Read();
}

}  // namespace contexten::intents
