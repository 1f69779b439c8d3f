// A 429 storm on chat.postMessage, end to end: the real SlackWebClient over HTTP, wrapped by
// PacedSlackApi, against the sandbox Slack enforcing per-channel limits and answering injected
// 429s. Four threads post into three channels at once; every message must arrive exactly once
// and, per channel, in the order the posts were made.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/paced_slack_api.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using integrations::slack::OutgoingMessage;
using integrations::slack::PacedSlackApi;
using integrations::slack::PacingOptions;
using integrations::slack::SlackWebClient;
using testing::WaitFor;

constexpr std::array<const char*, 3> kChannels = {"C0GENERAL", "C0RANDOM", "C0ENG"};
constexpr int kPerChannel = 30;
constexpr int kThreads = 4;

std::string Text(const std::string& channel, int n) {
  return channel + " message #" + std::to_string(n);
}

TEST(SlackRateLimitStormTest, EveryMessageIsDeliveredOnceAndInOrderPerChannel) {
  sandbox::SlackSandboxOptions sandbox_options;
  sandbox_options.rate_limits.enabled = true;
  sandbox_options.rate_limits.post_message_per_second = 20;
  sandbox_options.rate_limits.post_message_burst = 2;
  core::net::IoRuntime sandbox_io;
  sandbox::SlackSandbox slack(sandbox_io, sandbox_options);
  auto started = slack.Start();
  ASSERT_TRUE(started) << started.error().Describe();

  core::net::IoRuntime client_io;
  core::net::HttpClient http(client_io);
  SlackWebClient web(http, slack.api_url(), slack.options().bot_token);
  PacingOptions pacing;
  // Exactly the sandbox's limits: network jitter between our send times and its arrival times
  // then adds a few 429s of the sandbox's own to the injected ones.
  pacing.post_message_per_second = 20;
  pacing.post_message_burst = 2;
  PacedSlackApi api(web, core::DefaultClock(), pacing);

  slack.InjectRateLimit("chat.postMessage", 5, 1);

  // The call order: message n of every channel before message n + 1 of any.
  struct Post {
    std::string channel;
    int n;
  };
  std::vector<Post> order;
  for (int n = 0; n < kPerChannel; ++n) {
    for (const char* channel : kChannels) order.push_back({channel, n});
  }

  std::mutex mu;
  std::size_t next = 0;
  std::vector<std::string> failures;
  std::atomic<int> finished{0};
  auto worker = [&] {
    for (;;) {
      std::size_t k = 0;
      {
        std::lock_guard lock(mu);
        if (next == order.size()) break;
        k = next++;
      }
      // Several threads post to one channel; the k-th post starts only after the (k-1)-th has
      // taken its place in its channel's queue, so the call order is known.
      if (!WaitFor([&] { return api.posts_queued() == k; }, std::chrono::seconds(60))) {
        std::lock_guard lock(mu);
        failures.push_back("post " + std::to_string(k) + " never got its turn to start");
        continue;
      }
      OutgoingMessage message;
      message.channel = order[k].channel;
      message.text = Text(order[k].channel, order[k].n);
      auto posted = api.PostMessage(message);
      if (!posted) {
        std::lock_guard lock(mu);
        failures.push_back(message.text + ": " + posted.error().Describe());
      }
    }
    finished.fetch_add(1);
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker);
  const bool all_done =
      WaitFor([&] { return finished.load() == kThreads; }, std::chrono::seconds(90));
  for (auto& t : threads) t.join();
  ASSERT_TRUE(all_done);

  EXPECT_THAT(failures, ::testing::IsEmpty());
  for (const char* channel : kChannels) {
    std::vector<std::string> expected;
    for (int n = 0; n < kPerChannel; ++n) expected.push_back(Text(channel, n));
    std::vector<std::string> seen;
    for (const auto& m : slack.Messages(channel)) seen.push_back(m.text);
    EXPECT_EQ(seen, expected) << "channel " << channel;
  }
  EXPECT_GE(slack.RateLimitedResponses(), 5u);
  EXPECT_EQ(api.rate_limited_answers(), slack.RateLimitedResponses());
  slack.Stop();
}

}  // namespace
}  // namespace contexten
