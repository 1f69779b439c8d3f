#pragma once
// A channel's subscription to a GitHub repository or a Linear team, with the filters users of
// the GitHub app for Slack ask for and do not get there (../shared/research/users-and-anchors.md
// §1, pain points 1-7): several required labels, excluded labels and authors, bots excluded by
// default, a branch glob, drafts off, CI failures and recoveries only. Pure: words in, a value
// out; persisted as JSON by store::SubscriptionStore.
//
//   subscribe <owner/repo> [pulls,issues,reviews,comments,ci,deploys,releases] [filters]
//   subscribe linear <TEAM> [created,states,comments] [priority>=high] [filters]
// Filters: +label:x (each required), -label:x, -author:x, +bots, branch:<glob>, drafts:off,
// ci:failures. Noise control, per subscription: threads:off (every event a message of its own;
// default: one home thread per entity whose root is updated in place), broadcast:states (state
// changes, e.g. merged, closed, CI recovered, a Linear state moved, are also sent to the channel
// with reply_broadcast; default: thread only).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace contexten::workflows::subscriptions {

inline constexpr char kGitHub[] = "github";
inline constexpr char kLinear[] = "linear";

struct Filters {
  std::vector<std::string> require_labels;   // +label:x; every one must be on the entity
  std::vector<std::string> exclude_labels;   // -label:x; any one keeps the entity out
  std::vector<std::string> exclude_authors;  // -author:x
  bool include_bots = false;                 // +bots; bot authors are excluded by default
  std::string branch_glob;                   // branch:<glob> (* and ?), "" any
  bool drafts = true;                        // drafts:off -> false
  bool ci_failures_only = false;             // ci:failures
  int min_priority = 0;                      // Linear priority>=<p>: 1 urgent .. 4 low; 0 no filter
};

struct Subscription {
  std::int64_t id = 0;
  std::string channel;
  std::string platform;  // kGitHub | kLinear
  std::string target;    // "owner/repo" (lower case) or a team key ("ENG")
  std::vector<std::string> features;
  Filters filters;
  bool threads = true;
  bool broadcast_states = false;
};

// The features of each platform, and those a subscription gets when it names none (GitHub's
// defaults less commits, which Contexten does not post).
const std::vector<std::string>& FeaturesOf(std::string_view platform);
std::vector<std::string> DefaultFeatures(std::string_view platform);

// Parses the words after `subscribe` (kInvalidInput naming the word it does not understand).
// `channel` is copied into the result.
core::Result<Subscription> ParseSubscribe(const std::vector<std::string>& words,
                                          const std::string& channel);

// The words after `unsubscribe`: the platform, the target, and the features to drop (none:
// the whole subscription).
struct Unsubscribe {
  std::string platform;
  std::string target;
  std::vector<std::string> features;
};
core::Result<Unsubscribe> ParseUnsubscribe(const std::vector<std::string>& words);

// "acme/web: pulls, ci · -author:dependabot[bot] ci:failures · threads" (mrkdwn-safe text).
std::string Describe(const Subscription& subscription);
// The filters as they are typed, e.g. "+label:ui -author:x ci:failures", "" when none.
std::string FilterWords(const Subscription& subscription);

nlohmann::json ToJson(const Subscription& subscription);
// Missing fields take their defaults; never throws.
Subscription FromJson(const nlohmann::json& json);

// Whether `text` matches `glob` (`*` any run, `?` one character), as GitHub's branch filters.
bool GlobMatch(std::string_view glob, std::string_view text);

}  // namespace contexten::workflows::subscriptions
