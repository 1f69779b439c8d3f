// The path of one Slack event through the real bot: sandbox Slack -> Socket Mode over loopback
// -> inbox (SQLite) -> ack -> handler -> reply.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "bot/dispatcher.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "tests/integration/sandbox_app_support.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten {
namespace {

using testing::SandboxApp;
using testing::WaitFor;

std::size_t RepliesContaining(sandbox::SlackSandbox& slack, const std::string& needle) {
  std::size_t n = 0;
  for (const auto& m : slack.Messages()) {
    if (m.from_bot && m.text.find(needle) != std::string::npos) ++n;
  }
  return n;
}

core::net::OutgoingRequest Get(uint16_t port, const std::string& path) {
  core::net::OutgoingRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + path;
  return request;
}

TEST(SocketModeDispatchTest, HelloIsHandledAndReadyzSaysSo) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  EXPECT_EQ(env.slack().open_connections(), 1);
  EXPECT_TRUE(env.app().ready());

  core::net::IoRuntime io;
  core::net::HttpClient http(io);
  auto ready = http.Send(Get(env.app().http_port(), "/readyz"));
  ASSERT_TRUE(ready) << ready.error().Describe();
  EXPECT_EQ(ready->status, 200);
  EXPECT_NE(ready->body.find("\"slack\":{\"detail\":\"connected\""), std::string::npos)
      << ready->body;
  auto alive = http.Send(Get(env.app().http_port(), "/healthz"));
  ASSERT_TRUE(alive);
  EXPECT_EQ(alive->status, 200);
}

TEST(SocketModeDispatchTest, EveryEnvelopeIsAckedOnlyAfterItsInboxRowIsDurable) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  std::mutex mu;
  std::set<std::string> acked;
  std::vector<std::string> acked_before_durable;
  // Runs on the sandbox's I/O thread the moment an ack frame arrives.
  env.slack().Subscribe([&](const sandbox::SandboxEvent& e) {
    if (e.kind != sandbox::SandboxEvent::Kind::kAcked) return;
    const bool durable = env.InboxRowsFor(e.ack->envelope_id) == 1;
    std::lock_guard lock(mu);
    acked.insert(e.ack->envelope_id);
    if (!durable) acked_before_durable.push_back(e.ack->envelope_id);
  });

  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    sent.push_back(env.slack().InjectSlashCommand("/ctx", i % 2 ? "help" : "ping"));
    sent.push_back(env.slack().InjectMessage("just chatting " + std::to_string(i)));
  }
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return acked.size() == sent.size();
  }));
  std::lock_guard lock(mu);
  EXPECT_TRUE(acked_before_durable.empty())
      << acked_before_durable.size() << " acks left before their inbox row was committed";
  for (const auto& id : sent) EXPECT_TRUE(acked.count(id)) << id;
  ASSERT_TRUE(env.app().WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(env.app().dispatcher().stats().handled, sent.size());
}

TEST(SocketModeDispatchTest, AnEnvelopeDeliveredTwiceIsHandledOnce) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  nlohmann::json envelope = {
      {"envelope_id", "dup-envelope-0001"},
      {"type", "slash_commands"},
      {"accepts_response_payload", true},
      {"payload",
       {{"token", "sandbox-verification-token"}, {"command", "/ctx"}, {"text", "ping"},
        {"user_id", "U1"}, {"channel_id", "C0GENERAL"}, {"team_id", "T0SANDBOX"}}}};
  env.slack().PushEnvelope(envelope);
  ASSERT_TRUE(WaitFor([&] {
    auto ack = env.slack().AckFor("dup-envelope-0001");
    return ack && ack->ack_count == 1;
  }));
  envelope["retry_attempt"] = 1;
  envelope["retry_reason"] = "timeout";
  env.slack().PushEnvelope(envelope);
  ASSERT_TRUE(WaitFor([&] {
    auto ack = env.slack().AckFor("dup-envelope-0001");
    return ack && ack->ack_count == 2;
  }));
  ASSERT_TRUE(env.app().WaitIdle(std::chrono::seconds(10)));

  const auto stats = env.app().dispatcher().stats();
  EXPECT_EQ(stats.inserted, 1u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.handled, 1u);
  EXPECT_EQ(env.InboxRowsFor("dup-envelope-0001"), 1);
  // The first ack carried the reply; the redelivery was acked without running the command.
  EXPECT_EQ(env.slack().AckFor("dup-envelope-0001")->payload.value("text", "").rfind("pong", 0),
            0u);
}

TEST(SocketModeDispatchTest, StoredEnvelopesCarryNoVerificationToken) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  const auto id = env.slack().InjectSlashCommand("/ctx", "help");
  ASSERT_TRUE(WaitFor([&] { return env.InboxRowsFor(id) == 1; }));
  SQLite::Database db(env.store_path(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT count(*) FROM inbox WHERE instr(body, ?) > 0");
  q.bind(1, env.slack().options().verification_token);
  q.executeStep();
  EXPECT_EQ(q.getColumn(0).getInt(), 0);
}

TEST(SocketModeDispatchTest, ADroppedSocketIsReconnectedAndTheNextEnvelopeHandled) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  ASSERT_EQ(env.slack().connections_opened(), 1u);
  env.slack().DropConnections();
  ASSERT_TRUE(WaitFor([&] {
    return env.slack().connections_opened() == 2 && env.slack().open_connections() == 1 &&
           env.app().ready();
  }));
  const auto id = env.slack().InjectSlashCommand("/ctx", "ping");
  ASSERT_TRUE(WaitFor([&] {
    auto ack = env.slack().AckFor(id);
    return ack && ack->acked_at.has_value();
  }));
  EXPECT_EQ(env.slack().AckFor(id)->payload.value("text", "").rfind("pong", 0), 0u);
}

TEST(SocketModeDispatchTest, AMentionIsAnsweredInItsThread) {
  SandboxApp env;
  ASSERT_TRUE(env.app().WaitConnected(std::chrono::seconds(10)));
  env.slack().InjectMessage("<@" + env.slack().options().bot_user_id + "> help");
  ASSERT_TRUE(WaitFor([&] { return RepliesContaining(env.slack(), "Contexten commands") == 1; }));
  ASSERT_TRUE(env.app().WaitIdle(std::chrono::seconds(10)));
  const auto messages = env.slack().Messages("C0GENERAL");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_FALSE(messages[0].from_bot);
  EXPECT_TRUE(messages[1].from_bot);
  EXPECT_EQ(messages[1].thread_ts, messages[0].ts);
  // Plain chatter and the bot's own posts are not answered.
  EXPECT_EQ(env.app().dispatcher().stats().failed, 0u);
}

}  // namespace
}  // namespace contexten
