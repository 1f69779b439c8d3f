#pragma once
// GitHub webhook events as subscription feed events (pure). Events no subscription feature
// covers, and noisy actions (synchronize, edited, assigned, in-progress runs), give nullopt.

#include <optional>

#include "integrations/github/events.hpp"
#include "workflows/subscriptions/feed_event.hpp"

namespace contexten::workflows::subscriptions {

std::optional<FeedEvent> FromGitHub(const integrations::github::GitHubEvent& event);

// A login GitHub marks as an app's ("dependabot[bot]") or whose user type is "Bot".
bool IsBotLogin(const std::string& login, const std::string& user_type = "");

}  // namespace contexten::workflows::subscriptions
