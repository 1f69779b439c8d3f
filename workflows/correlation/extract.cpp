#include "workflows/correlation/extract.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>

#include "integrations/linear/linking.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::workflows::correlation {
namespace {

namespace linear = integrations::linear;

bool KnownTeam(const std::string& identifier, const std::set<std::string>& known_team_keys) {
  const auto dash = identifier.find('-');
  return dash != std::string::npos && known_team_keys.contains(identifier.substr(0, dash));
}

// The matched words as one line: runs of whitespace (a keyword list may span "Fixes:\nENG-1")
// become one space, and the result is cut to kMaxExcerptChars characters.
std::string Excerpt(std::string_view text, std::size_t begin, std::size_t end) {
  std::string out;
  bool space = false;
  for (std::size_t i = begin; i < end && i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return integrations::slack::blocks::TruncateForSlack(out, kMaxExcerptChars);
}

int Strength(LinkKind kind) {
  switch (kind) {
    case LinkKind::kCloses:
      return 3;
    case LinkKind::kReferences:
      return 2;
    case LinkKind::kMentions:
      return 1;
    default:
      return 0;
  }
}

// One occurrence of an identifier somewhere in the PR.
struct Occurrence {
  std::string identifier;
  LinkKind kind;
  int field_order;  // branch 0, title 1, body 2
  std::size_t position;
  std::string_view field;
  std::string excerpt;
};

// Per issue: where it first appears (ordering) and the first occurrence of its strongest kind.
struct Best {
  std::string identifier;
  std::pair<int, std::size_t> first_seen;
  std::optional<Occurrence> strongest;
};

bool Before(const Occurrence& a, const Occurrence& b) {
  return std::pair(a.field_order, a.position) < std::pair(b.field_order, b.position);
}

std::vector<Link> Resolve(std::vector<Occurrence> occurrences, const EntityRef& from,
                          std::string_view event) {
  std::vector<Best> best;
  for (auto& occurrence : occurrences) {
    auto it = std::find_if(best.begin(), best.end(),
                           [&](const Best& b) { return b.identifier == occurrence.identifier; });
    if (it == best.end()) {
      best.push_back({occurrence.identifier, {occurrence.field_order, occurrence.position}, {}});
      it = std::prev(best.end());
    }
    it->first_seen =
        std::min(it->first_seen, std::pair(occurrence.field_order, occurrence.position));
    const auto& current = it->strongest;
    if (!current || Strength(occurrence.kind) > Strength(current->kind) ||
        (occurrence.kind == current->kind && Before(occurrence, *current))) {
      it->strongest = std::move(occurrence);
    }
  }
  std::stable_sort(best.begin(), best.end(),
                   [](const Best& a, const Best& b) { return a.first_seen < b.first_seen; });
  std::vector<Link> links;
  links.reserve(best.size());
  for (auto& b : best) {
    links.push_back(Link{from, LinearIssue(b.identifier), b.strongest->kind,
                         Evidence{std::string(event), std::string(b.strongest->field),
                                  std::move(b.strongest->excerpt)}});
  }
  return links;
}

void AddIdentifiers(std::vector<Occurrence>& out, std::string_view text, std::string_view field,
                    int field_order, LinkKind kind, bool case_insensitive,
                    const std::set<std::string>& known_team_keys) {
  for (auto& match : linear::FindLinearIdentifiers(text, {.case_insensitive = case_insensitive})) {
    if (!KnownTeam(match.identifier, known_team_keys)) continue;
    out.push_back({std::move(match.identifier), kind, field_order, match.begin, field,
                   Excerpt(text, match.begin, match.end)});
  }
}

}  // namespace

std::vector<Link> ExtractPullRequestLinks(const PullRequestText& pr,
                                          const std::set<std::string>& known_team_keys) {
  std::vector<Occurrence> occurrences;
  // Branch names are conventionally lower case ("alice/eng-123-fix"); titles and prose are
  // matched in upper case only, which keeps ordinary hyphenated words out.
  AddIdentifiers(occurrences, pr.branch, "branch", 0, LinkKind::kReferences,
                 /*case_insensitive=*/true, known_team_keys);
  AddIdentifiers(occurrences, pr.title, "title", 1, LinkKind::kReferences,
                 /*case_insensitive=*/false, known_team_keys);
  for (auto& match : linear::FindLinkingKeywords(pr.body)) {
    if (!KnownTeam(match.identifier, known_team_keys)) continue;
    occurrences.push_back({std::move(match.identifier),
                           match.closes ? LinkKind::kCloses : LinkKind::kReferences, 2, match.begin,
                           "body", Excerpt(pr.body, match.begin, match.end)});
  }
  AddIdentifiers(occurrences, pr.body, "body", 2, LinkKind::kMentions,
                 /*case_insensitive=*/false, known_team_keys);
  return Resolve(std::move(occurrences), PullRequest(pr.repo, pr.number), pr.event);
}

std::vector<Link> ExtractMentions(const EntityRef& from, std::string_view text,
                                  std::string_view field, std::string_view event,
                                  const std::set<std::string>& known_team_keys) {
  std::vector<Occurrence> occurrences;
  AddIdentifiers(occurrences, text, field, 0, LinkKind::kMentions, /*case_insensitive=*/false,
                 known_team_keys);
  std::erase_if(occurrences, [&](const Occurrence& o) {
    return from.kind == EntityKind::kLinearIssue && from.id == o.identifier;
  });
  return Resolve(std::move(occurrences), from, event);
}

}  // namespace contexten::workflows::correlation
