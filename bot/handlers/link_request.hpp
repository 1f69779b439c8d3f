#pragma once
// `/ctx issue link ENG-1 owner/repo#12` (or "link ENG-1 to acme/web#12"): a pull request linked
// by hand, for one that never names its issue. The issue's card run (file_issue) does the
// linking, as it does for a PR that names the issue (workflows/builtin/file_issue_events.hpp,
// kSlackLinkRequestEvent): it reads the PR from GitHub, attaches it in Linear, updates the card
// and says so in the thread. This only tells that run who asked for which PR.

#include <cstdint>
#include <string>

#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

// "owner/repo#12" → {"owner/repo", 12}; nullopt when it is not one.
struct PullRequestRef {
  std::string repo;
  std::int64_t number = 0;
};
std::optional<PullRequestRef> ParsePullRequestRef(const std::string& text);

// Delivers kSlackLinkRequestEvent {user, repo, number} to the file_issue runs tracking `issue`
// (other runs waiting on the issue, such as a subscription's home thread, cannot link). Returns
// how many took it: 0 when no card follows the issue, or on error (logged).
std::size_t NoteLinkRequest(workflows::engine::Engine& engine, const std::string& issue,
                            const PullRequestRef& pr, const std::string& user,
                            const std::string& dedupe_key);

}  // namespace contexten::bot::handlers
