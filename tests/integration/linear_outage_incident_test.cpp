// Issue 12, acceptance 1, below the bot: the durable engine, the outbox relay, the health monitor
// and the incident and file_issue workflows drive the Slack and Linear stand-ins over loopback
// HTTP, on one fake clock the stand-in's outage, the relay's due times, the monitor's samples and
// the runs' timers share. The Linear stand-in answers 503 for 2 minutes of that clock while users
// file issues: exactly one incident thread appears in the ops channel, its root is posted open and
// edited to recovered, each user's request is queued, they are told so, and each is filed once
// after and told done. A blip shorter than the grouping delay posts nothing.

#include <gtest/gtest.h>

#include <functional>
#include <mutex>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/health/health_checks.hpp"
#include "workflows/health/health_monitor.hpp"
#include "workflows/health/incident.hpp"
#include "workflows/outbox/linear_executor.hpp"
#include "workflows/outbox/outbox_relay.hpp"
#include "workflows/outbox/slack_executor.hpp"

namespace contexten {
namespace {

using nlohmann::json;
namespace builtin = workflows::builtin;
namespace health = workflows::health;

constexpr char kOps[] = "C0OPS";

class LinearOutageIncidentTest : public ::testing::Test {
 protected:
  LinearOutageIncidentTest()
      : io_(2),
        slack_sandbox_(io_),
        linear_sandbox_(io_, {}, f_.clock),
        http_(io_, HttpOptions()) {}

  static core::net::HttpClientOptions HttpOptions() {
    core::net::HttpClientOptions o;
    o.request_timeout = std::chrono::seconds(5);
    return o;
  }

  void SetUp() override {
    ASSERT_TRUE(slack_sandbox_.Start());
    ASSERT_TRUE(linear_sandbox_.Start());
    slack_sandbox_.Subscribe([this](const sandbox::SandboxEvent& e) {
      if (e.kind != sandbox::SandboxEvent::Kind::kMessageUpdated || !e.message) return;
      if (e.message->channel != kOps) return;
      std::lock_guard lock(mu_);
      ops_edits_.push_back(e.message->text);
    });
    slack_ = std::make_unique<integrations::slack::SlackWebClient>(
        http_, slack_sandbox_.api_url(), slack_sandbox_.options().bot_token);
    integrations::linear::LinearClientOptions linear_options;
    linear_options.api_url = linear_sandbox_.base_url();
    linear_options.credential = linear_sandbox_.options().api_key;
    linear_ = std::make_unique<integrations::linear::LinearGraphqlClient>(http_, linear_options,
                                                                          f_.clock);
    slack_executor_ = std::make_unique<workflows::outbox::SlackExecutor>(*slack_);
    linear_executor_ = std::make_unique<workflows::outbox::LinearExecutor>(*linear_);
    f_.engine->Register(std::make_unique<builtin::FileIssueWorkflow>());
    health::IncidentOptions incident;
    incident.ops_channel = kOps;  // grouping delay: the default 30 s
    f_.engine->Register(std::make_unique<health::IncidentWorkflow>(incident));
    workflows::outbox::RelayOptions options;
    options.max_attempts = 50;  // the outage must not dead-letter anything
    options.seed = 12;
    relay_ = std::make_unique<workflows::outbox::OutboxRelay>(*f_.workflows, *f_.engine, f_.clock,
                                                              options);
    relay_->AddLane("slack", *slack_executor_);
    relay_->AddLane("linear", *linear_executor_);
    monitor_ = std::make_unique<health::HealthMonitor>(*f_.engine, f_.clock, f_.database.get(),
                                                       relay_.get());
    monitor_->AddCheck(health::LaneCheck("linear", "linear", {}));
    monitor_->AddCheck(health::LaneCheck("slack_api", "slack", {}));
  }

  void TearDown() override {
    relay_.reset();
    linear_sandbox_.Stop();
    slack_sandbox_.Stop();
  }

  void File(const std::string& run, const std::string& title, const std::string& channel) {
    auto started = f_.engine->Start(builtin::kFileIssueType, run,
                                    {"start",
                                     {{"team_key", "ENG"},
                                      {"title", title},
                                      {"priority", 2},
                                      {"channel", channel},
                                      {"reporter", "U0SANDBOXUSER"}},
                                     ""});
    ASSERT_TRUE(started) << started.error().Describe();
  }

  // One round of what the app's loops do: perform due effects, fire due timers, sample health.
  void Round() {
    relay_->Tick();
    (void)f_.engine->FireDueTimers();
    ASSERT_TRUE(monitor_->Tick());
    relay_->Tick();
  }
  // Moves the clock in 5 s samples up to `total`.
  void Run(std::chrono::seconds total) {
    for (auto t = std::chrono::seconds(0); t < total; t += std::chrono::seconds(5)) {
      f_.clock.Advance(std::chrono::seconds(5));
      Round();
    }
  }
  // Rounds until `done`, moving the clock 5 s each (Slack's stand-in paces posts per channel in
  // real time, so real time passes between rounds too).
  bool Settle(const std::function<bool()>& done) {
    return testing::AdvanceUntil(
        f_.clock, std::chrono::seconds(5), [&] { Round(); }, done);
  }

  std::vector<sandbox::SandboxMessage> TopLevel(const std::string& channel) {
    std::vector<sandbox::SandboxMessage> out;
    for (auto& m : slack_sandbox_.Messages(channel)) {
      if (m.thread_ts.empty() && !m.ephemeral) out.push_back(m);
    }
    return out;
  }
  std::vector<std::string> Thread(const std::string& channel) {
    std::vector<std::string> out;
    for (auto& m : slack_sandbox_.Messages(channel)) {
      if (!m.thread_ts.empty()) out.push_back(m.text);
    }
    return out;
  }
  int Count(const std::vector<std::string>& texts, const std::string& needle) {
    int n = 0;
    for (const auto& t : texts) n += t.find(needle) != std::string::npos;
    return n;
  }
  int IssuesTitled(const std::string& title) {
    int n = 0;
    for (const auto& issue : linear_sandbox_.Issues()) n += issue.title == title;
    return n;
  }
  std::vector<std::string> OpsEdits() {
    std::lock_guard lock(mu_);
    return ops_edits_;
  }

  testing::WorkflowFixture f_;
  core::net::IoRuntime io_;
  sandbox::SlackSandbox slack_sandbox_;
  sandbox::LinearSandbox linear_sandbox_;
  core::net::HttpClient http_;
  std::unique_ptr<integrations::slack::SlackWebClient> slack_;
  std::unique_ptr<integrations::linear::LinearGraphqlClient> linear_;
  std::unique_ptr<workflows::outbox::SlackExecutor> slack_executor_;
  std::unique_ptr<workflows::outbox::LinearExecutor> linear_executor_;
  std::unique_ptr<workflows::outbox::OutboxRelay> relay_;
  std::unique_ptr<health::HealthMonitor> monitor_;
  std::mutex mu_;
  std::vector<std::string> ops_edits_;
};

TEST_F(LinearOutageIncidentTest, TwoMinutesOf503AreOneIncidentAndNoRequestIsLostOrDoneTwice) {
  linear_sandbox_.FailFor(std::chrono::minutes(2), 503);  // on the shared fake clock
  const auto outage_ends = f_.clock.WallNow() + std::chrono::minutes(2);
  // Each user in a channel of their own: the stand-in paces posts per channel in real time.
  for (int i = 0; i < 3; ++i) {
    File("file_issue:user-" + std::to_string(i), "Outage request " + std::to_string(i),
         "C0USER" + std::to_string(i));
  }
  Round();
  // Told at once that the request is queued, in its own thread.
  ASSERT_TRUE(testing::WaitFor([&] {
    relay_->Tick();
    for (int i = 0; i < 3; ++i) {
      if (Count(Thread("C0USER" + std::to_string(i)), "queued") != 1) return false;
    }
    return true;
  })) << Thread("C0USER0").size();
  for (int i = 0; i < 3; ++i) {
    auto cards = TopLevel("C0USER" + std::to_string(i));
    ASSERT_EQ(cards.size(), 1u);
    EXPECT_NE(cards[0].blocks.dump().find("queued"), std::string::npos) << cards[0].blocks.dump();
  }
  EXPECT_TRUE(TopLevel(kOps).empty());  // within the grouping delay: nothing yet

  // The outage lasts 2 minutes of clock: the incident is posted after the grouping delay, once.
  Run(std::chrono::seconds(60));
  ASSERT_LT(f_.clock.WallNow(), outage_ends);
  ASSERT_TRUE(testing::WaitFor([&] {
    relay_->Tick();
    return TopLevel(kOps).size() == 1u && Thread(kOps).size() >= 1u;
  }));
  const auto root = TopLevel(kOps)[0];
  EXPECT_NE(root.text.find("linear (calls): open"), std::string::npos) << root.text;
  EXPECT_NE(root.blocks.dump().find(health::kIncidentAckAction), std::string::npos);
  EXPECT_EQ(Count(Thread(kOps), "Evidence"), 1);
  EXPECT_EQ(Count(Thread(kOps), "503"), 1) << Thread(kOps)[0];
  for (int i = 0; i < 3; ++i) EXPECT_EQ(IssuesTitled("Outage request " + std::to_string(i)), 0);

  // After the outage the queued creates run, once each, and the incident recovers.
  Run(std::chrono::seconds(60));
  ASSERT_TRUE(Settle([&] {
    auto counts = f_.workflows->CountEffects();
    return counts && counts->pending == 0 && counts->in_flight == 0 &&
           Count(Thread(kOps), "Recovered after") == 1;
  })) << Thread(kOps).size();
  for (int i = 0; i < 3; ++i) {
    const std::string channel = "C0USER" + std::to_string(i);
    EXPECT_EQ(IssuesTitled("Outage request " + std::to_string(i)), 1) << i;
    EXPECT_EQ(Count(Thread(channel), "queued"), 1) << channel;
    EXPECT_EQ(Count(Thread(channel), "Done: Linear is back"), 1) << channel;
    EXPECT_EQ(TopLevel(channel).size(), 1u);
    EXPECT_NE(TopLevel(channel)[0].blocks.dump().find("ENG-"), std::string::npos);
  }
  auto counts = f_.workflows->CountEffects();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->dead, 0);

  // Exactly one incident thread, its root edited in place to recovered (green, no buttons).
  ASSERT_EQ(TopLevel(kOps).size(), 1u);
  const auto recovered = TopLevel(kOps)[0];
  EXPECT_EQ(recovered.ts, root.ts);
  EXPECT_NE(recovered.text.find("recovered"), std::string::npos) << recovered.text;
  EXPECT_EQ(recovered.blocks.dump().find(health::kIncidentAckAction), std::string::npos);
  const auto edits = OpsEdits();
  ASSERT_FALSE(edits.empty());
  EXPECT_NE(edits.back().find("recovered"), std::string::npos);
  EXPECT_EQ(Count(Thread(kOps), "3 queued effect(s) waited for it"), 1) << Thread(kOps).back();
  EXPECT_EQ(f_.clock.slept(), std::chrono::nanoseconds(0));  // no thread slept for a retry
}

TEST_F(LinearOutageIncidentTest, ABlipShorterThanTheGroupingDelayPostsNothing) {
  linear_sandbox_.FailFor(std::chrono::seconds(10), 503);
  File("file_issue:blip", "Filed during a blip", "C0BLIP");
  Round();
  ASSERT_TRUE(Settle([&] { return IssuesTitled("Filed during a blip") == 1; }));
  // Long past the grouping delay: the incident healed before it, so the ops channel is silent.
  Run(std::chrono::minutes(2));
  EXPECT_TRUE(slack_sandbox_.Messages(kOps).empty());
  auto run = f_.workflows->LoadRun(health::IncidentRunId("linear", "calls"));
  ASSERT_TRUE(run && *run);  // the problem was seen
  EXPECT_EQ(json::parse((*run)->state_json)["phase"], "idle");
}

}  // namespace
}  // namespace contexten
