#pragma once
// Linear's reference data the create-issue form offers (teams, people, labels), read once and
// kept for a while: the form must open within Slack's 3 s trigger window, and a Linear read
// (three GraphQL queries) does not always fit in it. The form opens with what is cached and is
// updated (views.update) when a refresh returns (bot/handlers/new_issue.hpp).

#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "integrations/linear/linear_api.hpp"

namespace contexten::bot::handlers {

struct LinearReference {
  std::vector<integrations::linear::Team> teams;
  std::vector<integrations::linear::User> users;  // active users only
  std::vector<integrations::linear::Label> labels;
};

class LinearReferenceCache {
 public:
  static constexpr std::chrono::minutes kDefaultTtl{10};

  LinearReferenceCache(integrations::linear::LinearApi& linear, const core::Clock& clock,
                       std::chrono::milliseconds ttl = kDefaultTtl);

  // What is cached, fresh or not, without I/O; nullopt before the first successful read.
  std::optional<LinearReference> Cached() const;
  // Whether the cached data is younger than the TTL.
  bool Fresh() const;
  // Reads teams, users and labels from Linear and caches them. On failure the old data stays.
  core::Result<LinearReference> Refresh();

 private:
  integrations::linear::LinearApi& linear_;
  const core::Clock& clock_;
  const std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  std::optional<LinearReference> cached_;
  core::SteadyTime read_at_{};
};

}  // namespace contexten::bot::handlers
