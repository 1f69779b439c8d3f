#include "integrations/slack/paced_slack_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/logging.hpp"
#include "core/resilience/retry.hpp"

namespace contexten::integrations::slack {

using core::Millis;
using core::SteadyTime;
using core::resilience::RateLimiter;

namespace {

std::shared_ptr<spdlog::logger> Log() {
  static const auto log = core::Logger("slack.pacing");
  return log;
}

Millis Remaining(SteadyTime deadline, SteadyTime now) {
  if (deadline <= now) return Millis(0);
  return std::chrono::floor<Millis>(deadline - now);
}

}  // namespace

void PacingOptions::Validate() const {
  auto fail = [](const char* field, const char* why) {
    throw std::invalid_argument(std::string("slack pacing ") + field + " " + why);
  };
  tiers.Validate();
  PostMessageBucket(post_message_per_second, post_message_burst);  // throws on bad values
  if (max_wait.count() < 0) fail("max_wait", "must be >= 0");
  if (trigger_max_wait.count() < 0) fail("trigger_max_wait", "must be >= 0");
  if (default_retry_after.count() < 0) fail("default_retry_after", "must be >= 0");
  if (max_attempts < 1) fail("max_attempts", "must be >= 1");
  if (transient_max_attempts < 1) fail("transient_max_attempts", "must be >= 1");
  if (user_cache_ttl.count() < 0) fail("user_cache_ttl", "must be >= 0");
  if (conversation_cache_ttl.count() < 0) fail("conversation_cache_ttl", "must be >= 0");
  if (cache_max_entries < 1) fail("cache_max_entries", "must be >= 1");
}

// A small map with per-entry expiry on the injected clock. Bounded: when full, expired entries
// go first, then the entry closest to expiry.
template <class T>
class PacedSlackApi::TtlCache {
 public:
  TtlCache(core::Clock& clock, Millis ttl, std::size_t max_entries)
      : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

  std::optional<T> Get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (clock_.Now() >= it->second.expires) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  void Put(const std::string& key, T value) {
    if (ttl_.count() == 0) return;
    std::lock_guard lock(mu_);
    const SteadyTime now = clock_.Now();
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
      std::erase_if(entries_, [&](const auto& item) { return now >= item.second.expires; });
      if (entries_.size() >= max_entries_) {
        entries_.erase(std::min_element(
            entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; }));
      }
    }
    entries_.insert_or_assign(key, Entry{std::move(value), now + ttl_});
  }

  void Clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
  }

 private:
  struct Entry {
    T value;
    SteadyTime expires;
  };
  core::Clock& clock_;
  const Millis ttl_;
  const std::size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// Posts to one channel go one at a time in ticket order.
struct PacedSlackApi::ChannelQueue {
  std::condition_variable turn;
  std::uint64_t next_ticket = 0;
  std::uint64_t serving = 0;
};

// Holds a channel's turn from construction (waits for it) to destruction (passes it on).
class PacedSlackApi::QueueTurn {
 public:
  QueueTurn(PacedSlackApi& api, std::string channel) : api_(api), channel_(std::move(channel)) {
    std::unique_lock lock(api_.queues_mu_);
    auto& slot = api_.queues_[channel_];
    if (!slot) slot = std::make_shared<ChannelQueue>();
    queue_ = slot;
    const std::uint64_t ticket = queue_->next_ticket++;
    api_.posts_queued_.fetch_add(1);
    queue_->turn.wait(lock, [&] { return queue_->serving == ticket; });
  }

  ~QueueTurn() {
    std::lock_guard lock(api_.queues_mu_);
    ++queue_->serving;
    if (queue_->serving == queue_->next_ticket) {
      // Nobody is waiting: drop the queue so idle channels cost nothing.
      auto it = api_.queues_.find(channel_);
      if (it != api_.queues_.end() && it->second == queue_) api_.queues_.erase(it);
    } else {
      queue_->turn.notify_all();
    }
  }

  QueueTurn(const QueueTurn&) = delete;
  QueueTurn& operator=(const QueueTurn&) = delete;

 private:
  PacedSlackApi& api_;
  std::string channel_;
  std::shared_ptr<ChannelQueue> queue_;
};

PacedSlackApi::PacedSlackApi(SlackApi& inner, core::Clock& clock, PacingOptions options)
    : inner_(inner),
      clock_(clock),
      options_((options.Validate(), std::move(options))),
      channel_limiters_(
          "slack.chat.postMessage",
          core::resilience::KeyedRateLimiterConfig{
              PostMessageBucket(options_.post_message_per_second, options_.post_message_burst),
              std::chrono::minutes(10)},
          clock, options_.events),
      users_(std::make_unique<TtlCache<UserInfo>>(clock, options_.user_cache_ttl,
                                                  options_.cache_max_entries)),
      conversations_(std::make_unique<TtlCache<ConversationInfo>>(
          clock, options_.conversation_cache_ttl, options_.cache_max_entries)),
      usergroups_(std::make_unique<TtlCache<std::vector<std::string>>>(
          clock, options_.usergroup_cache_ttl, options_.cache_max_entries)),
      rng_(options_.seed != 0 ? options_.seed : core::resilience::Retry::RandomSeed()) {
  for (const auto& entry : KnownSlackMethodTiers()) {
    if (entry.tier == SlackRateTier::kPostMessage) continue;
    method_limiters_.emplace(std::string(entry.method),
                             std::make_unique<RateLimiter>("slack." + std::string(entry.method),
                                                           TierBucket(entry.tier, options_.tiers),
                                                           clock, options_.events));
  }
}

PacedSlackApi::~PacedSlackApi() = default;

RateLimiter* PacedSlackApi::MethodLimiter(std::string_view method) {
  auto it = method_limiters_.find(method);
  // Every method of the port is in the tier table; this is a programming error otherwise.
  if (it == method_limiters_.end()) {
    throw std::logic_error("no rate tier for Slack method " + std::string(method));
  }
  return it->second.get();
}

Millis PacedSlackApi::TransientBackoff(int transient_failures) {
  std::lock_guard lock(rng_mu_);
  return core::resilience::ComputeBackoff(transient_failures - 1, rng_, options_.transient_backoff);
}

core::Status PacedSlackApi::Admit(RateLimiter& limiter, SteadyTime deadline) {
  for (;;) {
    // Wait out a pause before taking a token: the bucket refills up to its capacity during the
    // pause, so a token reserved at its start would be handed back, and the pause would end in
    // a burst one larger than the bucket allows (which Slack answers with another 429).
    while (limiter.paused()) {
      const Millis wait = limiter.TimeUntilAvailable(1);
      if (clock_.Now() + wait > deadline) {
        return core::Unexpected(limiter.Refusal(
            "paused by a rate limit for " + std::to_string(wait.count()) + " ms", wait));
      }
      clock_.SleepFor(wait);
    }
    auto acquired = limiter.Acquire(1, Remaining(deadline, clock_.Now()));
    if (!acquired) return acquired;
    // Another caller's 429 may have paused the limiter while we slept for our token: the pause
    // holds for us too (the token is spent; being stricter than the budget is harmless).
    if (!limiter.paused()) return core::Ok();
  }
}

template <class F>
auto PacedSlackApi::Paced(const std::string& what, RateLimiter* limiter, Millis max_wait, F&& fn,
                          Repeat repeat) -> decltype(fn()) {
  const SteadyTime deadline = clock_.Now() + max_wait;
  int transient_failures = 0;
  for (int attempt = 1;; ++attempt) {
    if (limiter != nullptr) {
      auto admitted = Admit(*limiter, deadline);
      if (!admitted) {
        core::Error error = admitted.error();
        // A caller that does not wait (the outbox relay) reschedules: routine flow control.
        Log()->log(max_wait.count() > 0 ? spdlog::level::warn : spdlog::level::debug,
                   "slack {}: not sent, rate limit wait of {} ms exceeds the allowed wait", what,
                   error.retry_after.value_or(Millis(0)).count());
        error.message = what + ": " + error.message;
        return core::Unexpected(std::move(error));
      }
    }
    auto result = fn();
    if (result.has_value()) return result;
    const core::Error& error = result.error();
    if (error.kind == core::ErrorKind::kRateLimited) {
      rate_limited_answers_.fetch_add(1);
      const Millis after =
          std::max(error.retry_after.value_or(options_.default_retry_after), Millis(0));
      const SteadyTime resume = clock_.Now() + after;
      // The pause holds for every caller sharing this budget, whether or not we retry.
      if (limiter != nullptr) limiter->PauseUntil(resume);
      if (attempt >= options_.max_attempts || resume > deadline) {
        Log()->warn("slack {}: rate limited (retry after {} ms), giving up after {} attempts", what,
                    after.count(), attempt);
        return result;
      }
      Log()->info("slack {}: rate limited, pausing {} ms before attempt {}", what, after.count(),
                  attempt + 1);
      if (limiter == nullptr) clock_.SleepFor(after);
      continue;
    }
    if (error.kind == core::ErrorKind::kTransient) {
      if (error.outcome_unknown && repeat == Repeat::kNotAfterUnknownOutcome) {
        Log()->warn("slack {}: outcome unknown, not sent again", what);
        return result;
      }
      ++transient_failures;
      if (attempt >= options_.max_attempts ||
          transient_failures >= options_.transient_max_attempts) {
        return result;
      }
      const Millis wait = TransientBackoff(transient_failures);
      if (clock_.Now() + wait > deadline) return result;
      Log()->info("slack {}: transient failure, retrying in {} ms", what, wait.count());
      clock_.SleepFor(wait);
      continue;
    }
    return result;
  }
}

core::Result<AuthInfo> PacedSlackApi::AuthTest() {
  return Paced("auth.test", MethodLimiter("auth.test"), options_.max_wait,
               [&] { return inner_.AuthTest(); });
}

core::Result<PostedMessage> PacedSlackApi::PostMessage(const OutgoingMessage& message) {
  QueueTurn turn(*this, message.channel);
  const std::shared_ptr<RateLimiter> channel = channel_limiters_.For(message.channel);
  return Paced(
      "chat.postMessage to " + message.channel, channel.get(), options_.max_wait,
      [&] { return inner_.PostMessage(message); }, Repeat::kNotAfterUnknownOutcome);
}

core::Result<PostedMessage> PacedSlackApi::UpdateMessage(const MessageUpdate& update) {
  return Paced("chat.update", MethodLimiter("chat.update"), options_.max_wait,
               [&] { return inner_.UpdateMessage(update); });
}

core::Result<std::string> PacedSlackApi::PostEphemeral(const EphemeralMessage& message) {
  return Paced(
      "chat.postEphemeral", MethodLimiter("chat.postEphemeral"), options_.max_wait,
      [&] { return inner_.PostEphemeral(message); }, Repeat::kNotAfterUnknownOutcome);
}

core::Status PacedSlackApi::DeleteMessage(const std::string& channel, const std::string& ts) {
  return Paced("chat.delete", MethodLimiter("chat.delete"), options_.max_wait,
               [&] { return inner_.DeleteMessage(channel, ts); });
}

core::Result<std::string> PacedSlackApi::GetPermalink(const std::string& channel,
                                                      const std::string& ts) {
  return Paced("chat.getPermalink", MethodLimiter("chat.getPermalink"), options_.max_wait,
               [&] { return inner_.GetPermalink(channel, ts); });
}

core::Result<ViewInfo> PacedSlackApi::OpenView(const std::string& trigger_id,
                                               const nlohmann::json& view) {
  return Paced("views.open", MethodLimiter("views.open"),
               std::min(options_.max_wait, options_.trigger_max_wait),
               [&] { return inner_.OpenView(trigger_id, view); });
}

core::Result<ViewInfo> PacedSlackApi::UpdateView(const std::string& view_id,
                                                 const nlohmann::json& view,
                                                 const std::string& hash) {
  return Paced("views.update", MethodLimiter("views.update"), options_.max_wait,
               [&] { return inner_.UpdateView(view_id, view, hash); });
}

core::Result<ViewInfo> PacedSlackApi::PushView(const std::string& trigger_id,
                                               const nlohmann::json& view) {
  return Paced("views.push", MethodLimiter("views.push"),
               std::min(options_.max_wait, options_.trigger_max_wait),
               [&] { return inner_.PushView(trigger_id, view); });
}

core::Status PacedSlackApi::AddReaction(const std::string& channel, const std::string& ts,
                                        const std::string& name) {
  return Paced("reactions.add", MethodLimiter("reactions.add"), options_.max_wait,
               [&] { return inner_.AddReaction(channel, ts, name); });
}

core::Result<UserInfo> PacedSlackApi::GetUserInfo(const std::string& user_id) {
  if (auto cached = users_->Get(user_id)) return *std::move(cached);
  auto result = Paced("users.info", MethodLimiter("users.info"), options_.max_wait,
                      [&] { return inner_.GetUserInfo(user_id); });
  if (result.has_value()) users_->Put(user_id, result.value());
  return result;
}

core::Result<std::vector<std::string>> PacedSlackApi::UsergroupMembers(
    const std::string& usergroup_id) {
  if (auto cached = usergroups_->Get(usergroup_id)) return *std::move(cached);
  auto result = Paced("usergroups.users.list", MethodLimiter("usergroups.users.list"),
                      options_.max_wait, [&] { return inner_.UsergroupMembers(usergroup_id); });
  if (result.has_value()) usergroups_->Put(usergroup_id, result.value());
  return result;
}

core::Result<ConversationInfo> PacedSlackApi::GetConversationInfo(const std::string& channel_id) {
  if (auto cached = conversations_->Get(channel_id)) return *std::move(cached);
  auto result = Paced("conversations.info", MethodLimiter("conversations.info"), options_.max_wait,
                      [&] { return inner_.GetConversationInfo(channel_id); });
  if (result.has_value()) conversations_->Put(channel_id, result.value());
  return result;
}

core::Result<std::optional<PostedMessage>> PacedSlackApi::FindMessageByMetadata(
    const std::string& channel, const std::string& event_type, const std::string& key_field,
    const std::string& key_value, std::optional<std::string> thread_ts) {
  const char* method =
      thread_ts && !thread_ts->empty() ? "conversations.replies" : "conversations.history";
  return Paced(method, MethodLimiter(method), options_.max_wait, [&] {
    return inner_.FindMessageByMetadata(channel, event_type, key_field, key_value, thread_ts);
  });
}

core::Status PacedSlackApi::Respond(const std::string& response_url, const nlohmann::json& body) {
  // The URL is a credential: it stays out of logs.
  return Paced("response_url", nullptr, options_.max_wait,
               [&] { return inner_.Respond(response_url, body); });
}

void PacedSlackApi::ClearCaches() {
  users_->Clear();
  conversations_->Clear();
  usergroups_->Clear();
}

}  // namespace contexten::integrations::slack
