#pragma once
// One GitHub or Linear event as a subscription sees it: which feature it belongs to, which
// entity it is about (one home thread per entity) and the facts the filters read. Built from
// the typed webhook events by github_feed.hpp / linear_feed.hpp; pure data.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace contexten::workflows::subscriptions {

struct FeedEvent {
  std::string platform;    // kGitHub | kLinear
  std::string target;      // "owner/repo" (lower case) | team key
  std::string feature;     // pulls, issues, reviews, comments, ci, deploys, releases; created,
                           // states, comments (Linear)
  std::string entity_key;  // "github_pr:acme/web#12", "github_ci:acme/web/CI@main",
                           // "linear_issue:ENG-1": the home thread's entity
  std::string action;      // opened, closed, merged, labeled, ready_for_review, completed, ...
  std::string author;      // who the entity or this event is by (login / Linear name)
  bool author_is_bot = false;
  std::vector<std::string> labels;  // the entity's labels now
  std::string branch;               // PR base branch; CI head branch
  bool draft = false;
  std::string conclusion;     // CI: success | failure | cancelled | timed_out | ...
  int priority = 0;           // Linear: 0 none, 1 urgent .. 4 low
  bool opens = false;         // the entity's first event (opened, created)
  bool state_change = false;  // closed, merged, reopened, CI outcome changed, Linear state moved
  std::string title;          // the entity's title ("acme/web#12 Fix login")
  std::string url;
  std::string line;        // what happened, one mrkdwn line ("opened by alice")
  std::string comment_id;  // comments: the platform's id of the comment (Linear: a UUID)
};

// What the entity's run remembers between events.
struct EntityMemory {
  bool posted = false;          // the channel has seen the entity (its root or a message)
  std::string last_conclusion;  // CI: the previous run's conclusion, "" none
};

nlohmann::json ToJson(const FeedEvent& event);
FeedEvent FeedEventFromJson(const nlohmann::json& json);

// CI conclusions that count as a failure (GitHub's failure, timed_out, startup_failure).
bool IsFailure(const std::string& conclusion);

}  // namespace contexten::workflows::subscriptions
