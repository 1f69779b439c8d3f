// Socket Mode frames found by fuzz/socket_mode_envelope_fuzzer that once threw out of
// ParseSocketMessage: fields of an unexpected JSON type must give a malformed-frame error or a
// default, never an exception.

#include <gtest/gtest.h>

#include <variant>

#include "integrations/slack/envelope.hpp"

namespace contexten::integrations::slack {
namespace {

TEST(EnvelopeFuzzRegressionTest, NumericTypeIsAnErrorNotAnException) {
  // The fuzzer's input, trimmed: "type" is a number (it was a hello fixture with `"type": 1`).
  const std::string frame = R"({
  "type":  1,
  "debug_info": {"host": "applink-\u2026", "started": "2020-01-01"}
})";
  core::Result<SocketMessage> parsed =
      core::Unexpected(core::MakeError(core::ErrorKind::kInternal, ""));
  ASSERT_NO_THROW(parsed = ParseSocketMessage(frame));
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::kInvalidInput);
}

TEST(EnvelopeFuzzRegressionTest, ControlFieldsOfTheWrongTypeGetDefaults) {
  core::Result<SocketMessage> parsed =
      core::Unexpected(core::MakeError(core::ErrorKind::kInternal, ""));
  ASSERT_NO_THROW(
      parsed = ParseSocketMessage(R"({"type":"disconnect","reason":7,"num_connections":"two"})"));
  ASSERT_TRUE(parsed.has_value());
  const auto& control = std::get<ControlMessage>(*parsed);
  EXPECT_EQ(control.type, "disconnect");
  EXPECT_EQ(control.reason, "");
  EXPECT_EQ(control.num_connections, 0);
}

TEST(EnvelopeFuzzRegressionTest, NonBooleanAcceptsResponsePayloadIsFalse) {
  core::Result<SocketMessage> parsed =
      core::Unexpected(core::MakeError(core::ErrorKind::kInternal, ""));
  ASSERT_NO_THROW(
      parsed = ParseSocketMessage(
          R"({"type":"slash_commands","envelope_id":"e1","accepts_response_payload":"yes"})"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(std::get<Envelope>(*parsed).accepts_response_payload);
}

}  // namespace
}  // namespace contexten::integrations::slack
