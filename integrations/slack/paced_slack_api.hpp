#pragma once
// A SlackApi decorator that keeps calls inside Slack's rate limits and rides out the 429s that
// still happen:
// - every method has a token bucket at its tier's rate (rate_tiers.hpp);
// - chat.postMessage is paced per channel and sent strictly in call order per channel: callers
//   take a ticket and one post per channel is in flight at a time, so a 429 and its retry can
//   never let a later message overtake an earlier one. Channels never wait on each other;
// - a 429 pauses that method's bucket (for chat.postMessage: that channel's) until Retry-After
//   (1 s when absent) and retries the same call, within max_wait and max_attempts;
// - kTransient is retried with full-jitter backoff (transient_max_attempts), except an
//   outcome-unknown failure of a post (chat.postMessage, chat.postEphemeral): sending it again
//   could show the message twice, so that is the caller's to resolve (FindMessageByMetadata);
//   every other error is returned at once;
// - users.info and conversations.info answers are cached for a TTL; errors are not.
// All waiting goes through core::Clock, so a FakeClock makes it instant. The token lives in the
// wrapped client; logs name methods and channels, never message text.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/resilience/backoff.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/keyed_rate_limiter.hpp"
#include "core/resilience/rate_limiter.hpp"
#include "integrations/slack/rate_tiers.hpp"
#include "integrations/slack/slack_api.hpp"

namespace contexten::integrations::slack {

struct PacingOptions {
  SlackTierRates tiers;                  // per-method buckets
  double post_message_per_second = 1.0;  // per channel
  int post_message_burst = 3;            // per channel
  // Longest one call may wait for tokens and 429 pauses, counted from when it may go (for
  // chat.postMessage: from when its turn in the channel's queue comes). A wait that would end
  // later fails at once with kRateLimited and retry_after = the wait.
  core::Millis max_wait = std::chrono::seconds(60);
  // views.open and views.push carry a trigger_id that dies 3 s after the click: waiting longer
  // than this for them is pointless.
  core::Millis trigger_max_wait = std::chrono::milliseconds(2500);
  core::Millis default_retry_after = std::chrono::seconds(1);  // 429 without Retry-After
  int max_attempts = 8;            // calls to the wrapped client per call, the first included
  int transient_max_attempts = 3;  // of those, how many may end in kTransient
  core::resilience::BackoffPolicy transient_backoff{std::chrono::milliseconds(250), 2.0,
                                                    std::chrono::seconds(5)};
  core::Millis user_cache_ttl = std::chrono::minutes(10);
  core::Millis conversation_cache_ttl = std::chrono::minutes(5);
  // usergroups.users.list is Tier 2 (20/min) and allow-lists ask on every command.
  core::Millis usergroup_cache_ttl = std::chrono::minutes(5);
  std::size_t cache_max_entries = 10000;               // per cache
  std::uint64_t seed = 0;                              // backoff jitter; 0 = random
  std::shared_ptr<core::resilience::EventBus> events;  // limiter pause/limit events

  // Throws std::invalid_argument naming the field (a startup/config error).
  void Validate() const;
};

class PacedSlackApi final : public SlackApi {
 public:
  // `inner` and `clock` must outlive this object. Throws std::invalid_argument on bad options.
  PacedSlackApi(SlackApi& inner, core::Clock& clock, PacingOptions options = {});
  ~PacedSlackApi() override;

  PacedSlackApi(const PacedSlackApi&) = delete;
  PacedSlackApi& operator=(const PacedSlackApi&) = delete;

  core::Result<AuthInfo> AuthTest() override;
  core::Result<PostedMessage> PostMessage(const OutgoingMessage& message) override;
  core::Result<PostedMessage> UpdateMessage(const MessageUpdate& update) override;
  core::Result<std::string> PostEphemeral(const EphemeralMessage& message) override;
  core::Status DeleteMessage(const std::string& channel, const std::string& ts) override;
  core::Result<std::string> GetPermalink(const std::string& channel,
                                         const std::string& ts) override;
  core::Result<ViewInfo> OpenView(const std::string& trigger_id,
                                  const nlohmann::json& view) override;
  core::Result<ViewInfo> UpdateView(const std::string& view_id, const nlohmann::json& view,
                                    const std::string& hash = "") override;
  core::Result<ViewInfo> PushView(const std::string& trigger_id,
                                  const nlohmann::json& view) override;
  core::Status AddReaction(const std::string& channel, const std::string& ts,
                           const std::string& name) override;
  core::Result<UserInfo> GetUserInfo(const std::string& user_id) override;
  core::Result<std::vector<std::string>> UsergroupMembers(const std::string& usergroup_id) override;
  core::Result<ConversationInfo> GetConversationInfo(const std::string& channel_id) override;
  // Paced on conversations.history, or conversations.replies with a thread (both Tier 3).
  core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string& event_type, const std::string& key_field,
      const std::string& key_value, std::optional<std::string> thread_ts = {}) override;
  // response_url posts are not Web API methods (no tier, the URL is the credential): no
  // bucket, but a 429 or kTransient is retried like any call.
  core::Status Respond(const std::string& response_url, const nlohmann::json& body) override;

  // chat.postMessage calls that have taken their place in a channel queue, ever. Lets a caller
  // (and tests) know that a post has been ordered before starting the next one.
  std::uint64_t posts_queued() const { return posts_queued_.load(); }
  // 429 answers seen from the wrapped client, ever.
  std::uint64_t rate_limited_answers() const { return rate_limited_answers_.load(); }
  // Forgets every cached users.info and conversations.info answer.
  void ClearCaches();

 private:
  template <class T>
  class TtlCache;
  struct ChannelQueue;
  class QueueTurn;

  // Whether a call whose request may have been applied (Error::outcome_unknown) may be sent
  // again: yes for reads and idempotent writes, no for posts.
  enum class Repeat { kSafe, kNotAfterUnknownOutcome };

  // Calls `fn` until it succeeds or fails for good. `limiter` (may be null: no pacing) gives
  // the tokens and takes the 429 pauses; `what` names the call in logs.
  template <class F>
  auto Paced(const std::string& what, core::resilience::RateLimiter* limiter, core::Millis max_wait,
             F&& fn, Repeat repeat = Repeat::kSafe) -> decltype(fn());
  // Waits for any pause and one token of `limiter`; kRateLimited if that ends after `deadline`.
  core::Status Admit(core::resilience::RateLimiter& limiter, core::SteadyTime deadline);
  core::resilience::RateLimiter* MethodLimiter(std::string_view method);
  core::Millis TransientBackoff(int transient_failures);

  SlackApi& inner_;
  core::Clock& clock_;
  const PacingOptions options_;

  // Built in the constructor and never changed after: looked up without a lock.
  std::map<std::string, std::unique_ptr<core::resilience::RateLimiter>, std::less<>>
      method_limiters_;
  core::resilience::KeyedRateLimiter channel_limiters_;

  std::mutex queues_mu_;
  std::unordered_map<std::string, std::shared_ptr<ChannelQueue>> queues_;

  std::unique_ptr<TtlCache<UserInfo>> users_;
  std::unique_ptr<TtlCache<ConversationInfo>> conversations_;
  std::unique_ptr<TtlCache<std::vector<std::string>>> usergroups_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;

  std::atomic<std::uint64_t> posts_queued_{0};
  std::atomic<std::uint64_t> rate_limited_answers_{0};
};

}  // namespace contexten::integrations::slack
