#include "workflows/subscriptions/filter.hpp"

#include <algorithm>
#include <cctype>

namespace contexten::workflows::subscriptions {
namespace {

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasLabel(const FeedEvent& event, const std::string& label) {
  return std::any_of(event.labels.begin(), event.labels.end(),
                     [&](const std::string& l) { return SameText(l, label); });
}

// Features whose entities carry labels (GitHub's label filter applies to these, not to CI,
// deploys or releases).
bool Labelled(const FeedEvent& event) {
  return event.feature == "pulls" || event.feature == "issues" || event.feature == "reviews" ||
         event.feature == "comments" || event.feature == "created" || event.feature == "states";
}

MatchResult No(std::string reason) { return {false, false, std::move(reason)}; }

bool ClosingOrLeaving(const FeedEvent& event) {
  return event.action == "closed" || event.action == "merged" || event.action == "unlabeled" ||
         event.action == "converted_to_draft" || event.action == "deleted";
}

}  // namespace

MatchResult Match(const Subscription& s, const FeedEvent& event, const EntityMemory& memory) {
  if (event.platform != s.platform || !SameText(event.target, s.target)) {
    return No("another " + event.platform + " target");
  }
  if (std::find(s.features.begin(), s.features.end(), event.feature) == s.features.end()) {
    return No("feature " + event.feature + " not subscribed");
  }
  const Filters& f = s.filters;
  // The author: who opened the entity, or who wrote this comment or review.
  if (event.author_is_bot && !f.include_bots) return No("bot author " + event.author);
  for (const auto& excluded : f.exclude_authors) {
    if (SameText(excluded, event.author)) return No("author " + event.author + " excluded");
  }
  if (event.feature == "ci") {
    if (!f.branch_glob.empty() && !GlobMatch(f.branch_glob, event.branch)) {
      return No("branch " + event.branch + " not " + f.branch_glob);
    }
    if (f.ci_failures_only) {
      const bool failed = IsFailure(event.conclusion);
      const bool recovered =
          !failed && event.conclusion == "success" && IsFailure(memory.last_conclusion);
      if (!failed && !recovered) return No("ci:failures and " + event.conclusion);
    }
    return {true, !memory.posted, ""};
  }
  if (memory.posted) return {true, false, ""};  // in the channel already: its thread follows
  // From here the entity is not in the channel yet: may it enter with this event?
  if (ClosingOrLeaving(event)) return No("not shown here before, and " + event.action);
  if (Labelled(event)) {
    for (const auto& label : f.require_labels) {
      if (!HasLabel(event, label)) return No("label " + label + " missing");
    }
    for (const auto& label : f.exclude_labels) {
      if (HasLabel(event, label)) return No("label " + label + " excluded");
    }
  }
  if (event.feature == "pulls") {
    if (!f.drafts && event.draft) return No("draft");
    if (!f.branch_glob.empty() && !GlobMatch(f.branch_glob, event.branch)) {
      return No("branch " + event.branch + " not " + f.branch_glob);
    }
  }
  if (f.min_priority != 0 && (event.priority == 0 || event.priority > f.min_priority)) {
    return No("priority below the filter");
  }
  return {true, true, ""};
}

}  // namespace contexten::workflows::subscriptions
