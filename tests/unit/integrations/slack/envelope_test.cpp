#include "integrations/slack/envelope.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace contexten::integrations::slack {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(CONTEXTEN_SHARED_DIR) + "/contracts/slack/fixtures/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(EnvelopeTest, SlashCommandFixtureParses) {
  auto msg = ParseSocketMessage(Fixture("sm_slash_commands__python-sdk.json"));
  ASSERT_TRUE(msg) << msg.error().message;
  const auto& env = std::get<Envelope>(*msg);
  EXPECT_EQ(env.type, "slash_commands");
  EXPECT_TRUE(env.accepts_response_payload);
  EXPECT_EQ(env.payload["command"], "/hello-socket-mode");
  EXPECT_EQ(env.DedupeKey(), "envelope:1d3c79ab-0ffb-41f3-a080-d19e85f53649");
}

TEST(EnvelopeTest, EventsAreDedupedByEventId) {
  auto msg = ParseSocketMessage(Fixture("sm_events_api_message_channel__python-sdk.json"));
  ASSERT_TRUE(msg);
  const auto& env = std::get<Envelope>(*msg);
  EXPECT_EQ(env.DedupeKey(), "event:Ev111");
  EXPECT_EQ(env.retry_attempt, 0);
}

TEST(EnvelopeTest, HelloAndDisconnectAreControlMessages) {
  auto hello = ParseSocketMessage(Fixture("sm_hello_num2__python-sdk.json"));
  ASSERT_TRUE(hello);
  EXPECT_EQ(std::get<ControlMessage>(*hello).num_connections, 2);
  auto bye = ParseSocketMessage(Fixture("docs_disconnect_refresh_requested.json"));
  ASSERT_TRUE(bye);
  EXPECT_EQ(std::get<ControlMessage>(*bye).reason, "refresh_requested");
}

TEST(EnvelopeTest, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseSocketMessage("{not json"));
  EXPECT_FALSE(ParseSocketMessage("[1,2]"));
  EXPECT_FALSE(ParseSocketMessage(R"({"type":"events_api"})"));
}

TEST(EnvelopeTest, AckCarriesPayloadOnlyWhenGiven) {
  EXPECT_EQ(SerializeAck("e1", nullptr), R"({"envelope_id":"e1"})");
  nlohmann::json payload = {{"text", "hi"}};
  EXPECT_EQ(SerializeAck("e1", &payload), R"({"envelope_id":"e1","payload":{"text":"hi"}})");
}

}  // namespace
}  // namespace contexten::integrations::slack
