#include "bot/handlers/linear_reference_cache.hpp"

#include <algorithm>
#include <iterator>

namespace contexten::bot::handlers {

LinearReferenceCache::LinearReferenceCache(integrations::linear::LinearApi& linear,
                                           const core::Clock& clock, std::chrono::milliseconds ttl)
    : linear_(linear), clock_(clock), ttl_(ttl) {}

std::optional<LinearReference> LinearReferenceCache::Cached() const {
  std::lock_guard lock(mu_);
  return cached_;
}

bool LinearReferenceCache::Fresh() const {
  std::lock_guard lock(mu_);
  return cached_.has_value() && clock_.Now() - read_at_ < ttl_;
}

core::Result<LinearReference> LinearReferenceCache::Refresh() {
  LinearReference read;
  auto teams = linear_.Teams();
  if (!teams) return core::Unexpected(teams.error());
  read.teams = std::move(*teams);
  auto users = linear_.Users();
  if (!users) return core::Unexpected(users.error());
  std::copy_if(users->begin(), users->end(), std::back_inserter(read.users),
               [](const integrations::linear::User& u) { return u.active; });
  auto labels = linear_.Labels();
  if (!labels) return core::Unexpected(labels.error());
  read.labels = std::move(*labels);
  std::lock_guard lock(mu_);
  cached_ = read;
  read_at_ = clock_.Now();
  return read;
}

}  // namespace contexten::bot::handlers
