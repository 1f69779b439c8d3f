#pragma once
// The pull requests linked to a tracked Linear issue, as FileIssueWorkflow keeps them in its
// state ({"owner/repo#12": {repo, number, title, url, state, relation, review, checks}}): how a
// github.pr event changes them, and how the card shows them. Pure.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workflows/present/issue_card.hpp"

namespace contexten::workflows::builtin {

// "owner/repo#12" from an event's {repo, number}.
std::string PullRequestName(const nlohmann::json& data);

struct PullRequestChange {
  bool is_new = false;             // first seen: link it
  bool merged = false;             // merged by this event
  bool closed = false;             // closed unmerged by this event
  bool relation_upgraded = false;  // an edit added a closing word
  bool any = false;                // anything on the card changed
};

// Applies a github.pr event's data (workflows/builtin/github_events.hpp) to `prs`. A merge or
// close seen again (a redelivery under another id) changes nothing.
PullRequestChange ApplyPullRequestEvent(nlohmann::json& prs, const nlohmann::json& data);

// For the card, in the order they were linked.
std::vector<present::LinkedPullRequest> LinkedPullRequests(const nlohmann::json& prs);

}  // namespace contexten::workflows::builtin
