#include "integrations/slack/paced_slack_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::integrations::slack {
namespace {

using core::ErrorKind;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records every call; answers with scripted errors (per method, in order) before succeeding.
// chat.postMessage scripts are keyed by message text so a test can fail one message. Posts
// can be held at a gate to make later callers queue up behind them.
class FakeSlack final : public SlackApi {
 public:
  void Fail(const std::string& key, core::Error error, int times = 1) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < times; ++i) scripts_[key].push_back(error);
  }
  void FailAlways(const std::string& key, core::Error error) {
    std::lock_guard lock(mu_);
    always_[key] = std::move(error);
  }
  int Calls(const std::string& method) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(method);
    return it == calls_.end() ? 0 : it->second;
  }
  // Texts of posts that succeeded, per channel, in the order they were accepted.
  std::vector<std::string> Delivered(const std::string& channel) const {
    std::lock_guard lock(mu_);
    auto it = delivered_.find(channel);
    return it == delivered_.end() ? std::vector<std::string>{} : it->second;
  }
  int MaxInFlight(const std::string& channel) const {
    std::lock_guard lock(mu_);
    auto it = max_in_flight_.find(channel);
    return it == max_in_flight_.end() ? 0 : it->second;
  }
  // From now on, the time of every chat.postMessage call (429s included) is recorded.
  void RecordTimes(const core::Clock* clock) {
    std::lock_guard lock(mu_);
    clock_ = clock;
  }
  std::vector<core::SteadyTime> PostTimes() const {
    std::lock_guard lock(mu_);
    return post_times_;
  }
  void HoldPost(const std::string& text) {
    std::lock_guard lock(mu_);
    held_text_ = text;
  }
  bool PostIsHeld() const {
    std::lock_guard lock(mu_);
    return holding_;
  }
  void ReleasePost() {
    std::lock_guard lock(mu_);
    held_text_.clear();
    gate_.notify_all();
  }

  core::Result<AuthInfo> AuthTest() override {
    if (auto e = Next("auth.test", "auth.test")) return *e;
    return AuthInfo{"T1", "U1", "B1", "https://example.slack.com/"};
  }
  core::Result<PostedMessage> PostMessage(const OutgoingMessage& m) override {
    std::unique_lock lock(mu_);
    if (clock_ != nullptr) post_times_.push_back(clock_->Now());
    const int now_in_flight = ++in_flight_[m.channel];
    max_in_flight_[m.channel] = std::max(max_in_flight_[m.channel], now_in_flight);
    if (!held_text_.empty() && m.text == held_text_) {
      holding_ = true;
      gate_.wait(lock, [&] { return held_text_.empty(); });
      holding_ = false;
    }
    --in_flight_[m.channel];
    lock.unlock();
    if (auto e = Next("chat.postMessage", m.text)) return *e;
    std::lock_guard again(mu_);
    delivered_[m.channel].push_back(m.text);
    return PostedMessage{m.channel, std::to_string(delivered_[m.channel].size())};
  }
  core::Result<PostedMessage> UpdateMessage(const MessageUpdate& u) override {
    if (auto e = Next("chat.update", "chat.update")) return *e;
    return PostedMessage{u.channel, u.ts};
  }
  core::Result<std::string> PostEphemeral(const EphemeralMessage&) override {
    if (auto e = Next("chat.postEphemeral", "chat.postEphemeral")) return *e;
    return std::string("1.1");
  }
  core::Status DeleteMessage(const std::string&, const std::string&) override {
    if (auto e = Next("chat.delete", "chat.delete")) return *e;
    return core::Ok();
  }
  core::Result<std::string> GetPermalink(const std::string&, const std::string&) override {
    if (auto e = Next("chat.getPermalink", "chat.getPermalink")) return *e;
    return std::string("https://example.slack.com/archives/C1/p1");
  }
  core::Result<ViewInfo> OpenView(const std::string&, const nlohmann::json&) override {
    if (auto e = Next("views.open", "views.open")) return *e;
    return ViewInfo{"V1", "h1", "cb", "V1"};
  }
  core::Result<ViewInfo> UpdateView(const std::string&, const nlohmann::json&,
                                    const std::string&) override {
    if (auto e = Next("views.update", "views.update")) return *e;
    return ViewInfo{"V1", "h2", "cb", "V1"};
  }
  core::Result<ViewInfo> PushView(const std::string&, const nlohmann::json&) override {
    if (auto e = Next("views.push", "views.push")) return *e;
    return ViewInfo{"V2", "h1", "cb", "V1"};
  }
  core::Status AddReaction(const std::string&, const std::string&, const std::string&) override {
    if (auto e = Next("reactions.add", "reactions.add")) return *e;
    return core::Ok();
  }
  core::Result<UserInfo> GetUserInfo(const std::string& user_id) override {
    if (auto e = Next("users.info", "users.info")) return *e;
    UserInfo info;
    info.id = user_id;
    info.name = "name-" + user_id + "-" + std::to_string(Calls("users.info"));
    return info;
  }
  core::Result<std::vector<std::string>> UsergroupMembers(const std::string&) override {
    if (auto e = Next("usergroups.users.list", "usergroups.users.list")) return *e;
    return std::vector<std::string>{"U" + std::to_string(Calls("usergroups.users.list"))};
  }
  core::Result<ConversationInfo> GetConversationInfo(const std::string& channel_id) override {
    if (auto e = Next("conversations.info", "conversations.info")) return *e;
    ConversationInfo info;
    info.id = channel_id;
    info.name = "chan-" + std::to_string(Calls("conversations.info"));
    return info;
  }
  core::Status Respond(const std::string&, const nlohmann::json&) override {
    if (auto e = Next("response_url", "response_url")) return *e;
    return core::Ok();
  }
  core::Result<std::optional<PostedMessage>> FindMessageByMetadata(
      const std::string& channel, const std::string&, const std::string&, const std::string&,
      std::optional<std::string> thread_ts) override {
    const std::string method = thread_ts ? "conversations.replies" : "conversations.history";
    if (auto e = Next(method, method)) return *e;
    return std::optional<PostedMessage>(PostedMessage{channel, "9.9"});
  }

 private:
  std::optional<core::Error> Next(const std::string& method, const std::string& key) {
    std::lock_guard lock(mu_);
    ++calls_[method];
    if (auto it = always_.find(key); it != always_.end()) return it->second;
    auto it = scripts_.find(key);
    if (it == scripts_.end() || it->second.empty()) return std::nullopt;
    core::Error error = it->second.front();
    it->second.pop_front();
    return error;
  }

  mutable std::mutex mu_;
  std::condition_variable gate_;
  std::string held_text_;
  bool holding_ = false;
  const core::Clock* clock_ = nullptr;
  std::vector<core::SteadyTime> post_times_;
  std::map<std::string, std::deque<core::Error>> scripts_;
  std::map<std::string, core::Error> always_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::vector<std::string>> delivered_;
  std::map<std::string, int> in_flight_;
  std::map<std::string, int> max_in_flight_;
};

core::Error RateLimited(std::optional<milliseconds> after) {
  return core::MakeError(ErrorKind::kRateLimited, "ratelimited", after);
}

OutgoingMessage Post(const std::string& channel, const std::string& text) {
  OutgoingMessage m;
  m.channel = channel;
  m.text = text;
  return m;
}

PacingOptions Options() {
  PacingOptions options;
  options.seed = 42;
  return options;
}

TEST(PacedSlackApiTest, RateLimitedAnswerPausesForRetryAfterThenRetriesTheSameCall) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  inner.Fail("chat.update", RateLimited(seconds(3)));

  auto updated = api.UpdateMessage({"C1", "1.0", "new text", nullptr});
  ASSERT_TRUE(updated) << updated.error().Describe();
  EXPECT_EQ(updated->ts, "1.0");
  EXPECT_EQ(inner.Calls("chat.update"), 2);
  EXPECT_GE(clock.slept(), seconds(3));
  EXPECT_EQ(api.rate_limited_answers(), 1u);
}

TEST(PacedSlackApiTest, RateLimitedWithoutRetryAfterPausesOneSecond) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  inner.Fail("reactions.add", RateLimited(std::nullopt));

  ASSERT_TRUE(api.AddReaction("C1", "1.0", "eyes"));
  EXPECT_EQ(inner.Calls("reactions.add"), 2);
  EXPECT_GE(clock.slept(), seconds(1));
}

TEST(PacedSlackApiTest, PauseHoldsForLaterCallersOfTheSameMethodOnly) {
  FakeSlack inner;
  core::FakeClock clock;
  auto options = Options();
  options.max_attempts = 1;  // give the 429 back so the pause is left in place
  PacedSlackApi api(inner, clock, options);
  inner.Fail("chat.delete", RateLimited(seconds(20)));

  auto first = api.DeleteMessage("C1", "1.0");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(clock.slept(), seconds(0));

  // Another method is not paused.
  ASSERT_TRUE(api.UpdateMessage({"C1", "1.0", "t", nullptr}));
  EXPECT_EQ(clock.slept(), seconds(0));

  // The paused method waits out the pause before it calls Slack again.
  ASSERT_TRUE(api.DeleteMessage("C1", "1.0"));
  EXPECT_EQ(inner.Calls("chat.delete"), 2);
  EXPECT_GE(clock.slept(), seconds(20));
}

TEST(PacedSlackApiTest, PostMessageRateLimitPausesOnlyThatChannel) {
  FakeSlack inner;
  core::FakeClock clock;
  auto options = Options();
  options.max_attempts = 2;
  PacedSlackApi api(inner, clock, options);
  inner.Fail("a-1", RateLimited(seconds(10)), 2);

  auto a = api.PostMessage(Post("CA", "a-1"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::kRateLimited);
  const auto slept_after_a = clock.slept();
  EXPECT_GE(slept_after_a, seconds(10));  // waited out the first 429, then got a second

  ASSERT_TRUE(api.PostMessage(Post("CB", "b-1")));
  EXPECT_EQ(clock.slept(), slept_after_a) << "channel CB must not wait for CA's pause";

  ASSERT_TRUE(api.PostMessage(Post("CA", "a-2")));
  EXPECT_GE(clock.slept(), slept_after_a + seconds(10));
  EXPECT_THAT(inner.Delivered("CA"), ElementsAre("a-2"));
  EXPECT_THAT(inner.Delivered("CB"), ElementsAre("b-1"));
}

TEST(PacedSlackApiTest, NonRetryableErrorsAreReturnedAtOnce) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  inner.Fail("hello", core::MakeError(ErrorKind::kInvalidInput,
                                      "chat.postMessage: invalid_blocks; [ERROR] must be less "
                                      "than 3001 characters [json-pointer:/blocks/0/text]"));
  inner.Fail("chat.update", core::MakeError(ErrorKind::kNotFound, "message_not_found"));
  inner.Fail("views.open", core::MakeError(ErrorKind::kConflict, "expired_trigger_id"));
  inner.Fail("auth.test", core::MakeError(ErrorKind::kUnauthorized, "invalid_auth"));
  inner.Fail("users.info", core::MakeError(ErrorKind::kTimeout, "timed out"));

  auto posted = api.PostMessage(Post("C1", "hello"));
  ASSERT_FALSE(posted);
  EXPECT_EQ(posted.error().kind, ErrorKind::kInvalidInput);
  EXPECT_THAT(posted.error().message, HasSubstr("/blocks/0/text"));
  EXPECT_EQ(api.UpdateMessage({"C1", "1.0", "t", nullptr}).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(api.OpenView("trigger", nlohmann::json::object()).error().kind, ErrorKind::kConflict);
  EXPECT_EQ(api.AuthTest().error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(api.GetUserInfo("U1").error().kind, ErrorKind::kTimeout);

  EXPECT_EQ(inner.Calls("chat.postMessage"), 1);
  EXPECT_EQ(inner.Calls("chat.update"), 1);
  EXPECT_EQ(inner.Calls("views.open"), 1);
  EXPECT_EQ(inner.Calls("auth.test"), 1);
  EXPECT_EQ(inner.Calls("users.info"), 1);
  EXPECT_EQ(clock.slept(), seconds(0));
}

TEST(PacedSlackApiTest, TransientErrorsAreRetriedWithBackoffAtMostThreeTimes) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  inner.Fail("chat.getPermalink", core::MakeError(ErrorKind::kTransient, "HTTP 503"));

  auto link = api.GetPermalink("C1", "1.0");
  ASSERT_TRUE(link) << link.error().Describe();
  EXPECT_EQ(inner.Calls("chat.getPermalink"), 2);

  inner.FailAlways("chat.postEphemeral", core::MakeError(ErrorKind::kTransient, "HTTP 500"));
  auto ephemeral = api.PostEphemeral({"C1", "U1", "t", nullptr, ""});
  ASSERT_FALSE(ephemeral);
  EXPECT_EQ(ephemeral.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(inner.Calls("chat.postEphemeral"), 3);
}

TEST(PacedSlackApiTest, PostWhoseOutcomeIsUnknownIsNotSentAgain) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  inner.Fail("lost answer",
             core::MakeOutcomeUnknown(ErrorKind::kTransient, "connection reset after sending"));
  auto posted = api.PostMessage(Post("C1", "lost answer"));
  ASSERT_FALSE(posted.has_value());
  EXPECT_TRUE(posted.error().outcome_unknown);
  EXPECT_EQ(inner.Calls("chat.postMessage"), 1) << "a second post could show the message twice";
  EXPECT_TRUE(inner.Delivered("C1").empty());

  // A transient failure known not to have landed is still retried.
  inner.Fail("refused", core::MakeError(ErrorKind::kTransient, "connection refused"));
  ASSERT_TRUE(api.PostMessage(Post("C1", "refused")).has_value());
  EXPECT_EQ(inner.Calls("chat.postMessage"), 3);

  // A read whose answer was lost is simply asked again.
  inner.Fail("conversations.history",
             core::MakeOutcomeUnknown(ErrorKind::kTransient, "connection reset after sending"));
  auto found = api.FindMessageByMetadata("C1", "contexten_effect", "key", "k1");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->ts, "9.9");
  EXPECT_EQ(inner.Calls("conversations.history"), 2);
}

TEST(PacedSlackApiTest, RetryAfterBeyondMaxWaitReturnsRateLimitedWithoutWaiting) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());  // max_wait 60 s
  inner.Fail("views.update", RateLimited(seconds(120)));

  auto first = api.UpdateView("V1", nlohmann::json::object());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(first.error().retry_after, milliseconds(seconds(120)));
  EXPECT_EQ(inner.Calls("views.update"), 1);
  EXPECT_EQ(clock.slept(), seconds(0));

  // The pause stays: the next caller is refused without a request, told how long to wait.
  auto second = api.UpdateView("V1", nlohmann::json::object());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kRateLimited);
  EXPECT_THAT(second.error().message, HasSubstr("views.update"));
  ASSERT_TRUE(second.error().retry_after.has_value());
  EXPECT_GT(*second.error().retry_after, seconds(60));
  EXPECT_EQ(inner.Calls("views.update"), 1);
  EXPECT_EQ(clock.slept(), seconds(0));

  clock.Advance(seconds(120));
  EXPECT_TRUE(api.UpdateView("V1", nlohmann::json::object()));
}

TEST(PacedSlackApiTest, RepeatedRateLimitsStopAtMaxWait) {
  FakeSlack inner;
  core::FakeClock clock;
  auto options = Options();
  options.max_wait = seconds(10);
  PacedSlackApi api(inner, clock, options);
  inner.FailAlways("chat.update", RateLimited(seconds(4)));

  auto updated = api.UpdateMessage({"C1", "1.0", "t", nullptr});
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().kind, ErrorKind::kRateLimited);
  // 0 s, 4 s, 8 s; a fourth would start at 12 s, past the 10 s allowed.
  EXPECT_EQ(inner.Calls("chat.update"), 3);
  EXPECT_LE(clock.slept(), seconds(10));
}

TEST(PacedSlackApiTest, RateLimitRetriesStopAtMaxAttempts) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());  // max_attempts 8
  inner.FailAlways("response_url", RateLimited(seconds(1)));

  auto responded = api.Respond("https://hooks.slack.test/actions/T1/1/secret", {{"text", "x"}});
  ASSERT_FALSE(responded);
  EXPECT_EQ(responded.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(inner.Calls("response_url"), 8);
  EXPECT_GE(clock.slept(), seconds(7));
}

TEST(PacedSlackApiTest, TriggerBoundViewsDoNotWaitPastTheTriggersLife) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());  // trigger_max_wait 2.5 s
  inner.Fail("views.push", RateLimited(seconds(3)));

  auto pushed = api.PushView("trigger", nlohmann::json::object());
  ASSERT_FALSE(pushed);
  EXPECT_EQ(pushed.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(inner.Calls("views.push"), 1);
  EXPECT_EQ(clock.slept(), seconds(0));
}

TEST(PacedSlackApiTest, MethodsArePacedAtTheirTier) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  // chat.update is Tier 3: 50 per minute, burst of 6 s worth = 5, then one per 1.2 s.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(api.UpdateMessage({"C1", "1.0", "t", nullptr}));
  EXPECT_EQ(clock.slept(), seconds(0));
  ASSERT_TRUE(api.UpdateMessage({"C1", "1.0", "t", nullptr}));
  EXPECT_EQ(clock.slept(), milliseconds(1200));
  // Another method has its own bucket.
  ASSERT_TRUE(api.AuthTest());
  EXPECT_EQ(clock.slept(), milliseconds(1200));
}

TEST(PacedSlackApiTest, PostMessageIsPacedPerChannel) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());  // 1/s per channel, burst 3
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(api.PostMessage(Post("CA", "a")));
  EXPECT_EQ(clock.slept(), seconds(0));
  ASSERT_TRUE(api.PostMessage(Post("CA", "a")));
  EXPECT_EQ(clock.slept(), seconds(1));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(api.PostMessage(Post("CB", "b")));
  EXPECT_EQ(clock.slept(), seconds(1));
}

TEST(PacedSlackApiTest, APauseDoesNotEndInABurstLargerThanTheBucket) {
  FakeSlack inner;
  core::FakeClock clock;
  inner.RecordTimes(&clock);
  auto options = Options();
  options.post_message_burst = 2;  // and 1 per second
  PacedSlackApi api(inner, clock, options);
  inner.Fail("a-0", RateLimited(seconds(5)));

  for (int i = 0; i < 4; ++i) ASSERT_TRUE(api.PostMessage(Post("CA", "a-" + std::to_string(i))));
  const auto times = inner.PostTimes();
  ASSERT_EQ(times.size(), 5u);  // a-0 twice
  EXPECT_EQ(times[1] - times[0], seconds(5));
  // The 429 said our idea of Slack's bucket was wrong, so the pause drains ours: a-0's retry
  // takes the one token left at its end, and the rest go one per second (no burst of 2).
  EXPECT_EQ(times[2] - times[1], seconds(1));
  EXPECT_EQ(times[3] - times[2], seconds(1));
  EXPECT_EQ(times[4] - times[3], seconds(1));
}

TEST(PacedSlackApiTest, UserInfoIsCachedUntilTheTtlEnds) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());  // users: 10 min

  auto first = api.GetUserInfo("U1");
  ASSERT_TRUE(first);
  auto again = api.GetUserInfo("U1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->name, first->name);
  EXPECT_EQ(inner.Calls("users.info"), 1);

  ASSERT_TRUE(api.GetUserInfo("U2"));  // another user is another entry
  EXPECT_EQ(inner.Calls("users.info"), 2);

  clock.Advance(minutes(9));
  ASSERT_TRUE(api.GetUserInfo("U1"));
  EXPECT_EQ(inner.Calls("users.info"), 2);
  clock.Advance(minutes(1));
  auto fresh = api.GetUserInfo("U1");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(inner.Calls("users.info"), 3);
  EXPECT_NE(fresh->name, first->name);
}

TEST(PacedSlackApiTest, UsergroupMembersAreCachedForFiveMinutes) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  auto first = api.UsergroupMembers("S1");
  ASSERT_TRUE(first);
  clock.Advance(minutes(4));
  ASSERT_TRUE(api.UsergroupMembers("S1"));
  EXPECT_EQ(inner.Calls("usergroups.users.list"), 1);
  clock.Advance(minutes(1));
  auto fresh = api.UsergroupMembers("S1");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(inner.Calls("usergroups.users.list"), 2);
  EXPECT_NE(*fresh, *first);
}

TEST(PacedSlackApiTest, ConversationInfoIsCachedForFiveMinutes) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());

  ASSERT_TRUE(api.GetConversationInfo("C1"));
  clock.Advance(minutes(4));
  ASSERT_TRUE(api.GetConversationInfo("C1"));
  EXPECT_EQ(inner.Calls("conversations.info"), 1);
  clock.Advance(minutes(1));
  ASSERT_TRUE(api.GetConversationInfo("C1"));
  EXPECT_EQ(inner.Calls("conversations.info"), 2);

  api.ClearCaches();
  ASSERT_TRUE(api.GetConversationInfo("C1"));
  EXPECT_EQ(inner.Calls("conversations.info"), 3);
}

TEST(PacedSlackApiTest, ErrorsAreNotCached) {
  FakeSlack inner;
  core::FakeClock clock;
  PacedSlackApi api(inner, clock, Options());
  inner.Fail("users.info", core::MakeError(ErrorKind::kNotFound, "user_not_found"));
  inner.Fail("conversations.info", core::MakeError(ErrorKind::kNotFound, "channel_not_found"));

  EXPECT_FALSE(api.GetUserInfo("U1"));
  EXPECT_TRUE(api.GetUserInfo("U1"));
  EXPECT_FALSE(api.GetConversationInfo("C1"));
  EXPECT_TRUE(api.GetConversationInfo("C1"));
  EXPECT_EQ(inner.Calls("users.info"), 2);
  EXPECT_EQ(inner.Calls("conversations.info"), 2);
}

TEST(PacedSlackApiTest, CacheStaysWithinItsBound) {
  FakeSlack inner;
  core::FakeClock clock;
  auto options = Options();
  options.cache_max_entries = 2;
  PacedSlackApi api(inner, clock, options);
  ASSERT_TRUE(api.GetUserInfo("U1"));
  clock.Advance(seconds(1));
  ASSERT_TRUE(api.GetUserInfo("U2"));
  ASSERT_TRUE(api.GetUserInfo("U3"));  // evicts U1, the closest to expiry
  EXPECT_EQ(inner.Calls("users.info"), 3);
  ASSERT_TRUE(api.GetUserInfo("U2"));
  ASSERT_TRUE(api.GetUserInfo("U3"));
  EXPECT_EQ(inner.Calls("users.info"), 3);
  ASSERT_TRUE(api.GetUserInfo("U1"));
  EXPECT_EQ(inner.Calls("users.info"), 4);
}

// Real clock with generous rates: ordering is about threads, not about time.
PacingOptions FastOptions() {
  PacingOptions options;
  options.post_message_per_second = 10000;
  options.post_message_burst = 1000;
  options.seed = 7;
  return options;
}

TEST(PacedSlackApiTest, ConcurrentPostsToOneChannelAreSentInCallOrder) {
  FakeSlack inner;
  core::SystemClock clock;
  PacedSlackApi api(inner, clock, FastOptions());
  inner.HoldPost("a-0");                               // the first post blocks in Slack...
  inner.Fail("a-2", RateLimited(milliseconds(1)), 2);  // ...and a later one gets 429s

  constexpr int kPosts = 6;
  std::vector<std::thread> threads;
  std::vector<int> ok(kPosts, 0);
  for (int i = 0; i < kPosts; ++i) {
    // Each caller starts only once the previous one has its place in the queue.
    ASSERT_TRUE(testing::WaitFor([&] { return api.posts_queued() == static_cast<unsigned>(i); }));
    threads.emplace_back(
        [&, i] { ok[i] = api.PostMessage(Post("CA", "a-" + std::to_string(i))).has_value(); });
  }
  ASSERT_TRUE(testing::WaitFor([&] { return api.posts_queued() == kPosts; }));
  ASSERT_TRUE(testing::WaitFor([&] { return inner.PostIsHeld(); }));

  // Another channel is not held up by CA's queue.
  ASSERT_TRUE(api.PostMessage(Post("CB", "b-0")));
  EXPECT_THAT(inner.Delivered("CB"), ElementsAre("b-0"));
  EXPECT_TRUE(inner.Delivered("CA").empty());

  inner.ReleasePost();
  for (auto& t : threads) t.join();
  for (int i = 0; i < kPosts; ++i) EXPECT_TRUE(ok[i]) << i;
  EXPECT_THAT(inner.Delivered("CA"), ElementsAre("a-0", "a-1", "a-2", "a-3", "a-4", "a-5"));
  EXPECT_EQ(inner.MaxInFlight("CA"), 1);
  EXPECT_EQ(api.rate_limited_answers(), 2u);
}

TEST(PacedSlackApiTest, BadOptionsThrowNamingTheField) {
  FakeSlack inner;
  core::FakeClock clock;
  auto options = Options();
  options.max_attempts = 0;
  try {
    PacedSlackApi api(inner, clock, options);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("max_attempts"));
  }
  options = Options();
  options.post_message_burst = 0;
  EXPECT_THROW(PacedSlackApi(inner, clock, options), std::invalid_argument);
}

}  // namespace
}  // namespace contexten::integrations::slack
