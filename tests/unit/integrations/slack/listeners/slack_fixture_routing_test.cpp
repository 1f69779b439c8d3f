// Acceptance 2: every envelope and payload in ../shared/contracts/slack/fixtures parses into the
// interaction model and reaches the listener of the right kind. Every other file there is named
// below with the reason it is not routed, so a fixture added later fails this test until
// someone decides what it is.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "integrations/slack/envelope.hpp"
#include "integrations/slack/interaction.hpp"
#include "integrations/slack/listeners/listener_context.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"

namespace contexten::integrations::slack::listeners {
namespace {

using integrations::slack::Envelope;
using integrations::slack::InteractionKind;
using nlohmann::json;

const std::string kFixtureDir = std::string(CONTEXTEN_SHARED_DIR) + "/contracts/slack/fixtures";

enum class Role {
  kEnvelope,    // a complete Socket Mode envelope
  kPayload,     // a bare payload (HTTP mode body); Socket Mode wraps it in an envelope of `wrap`
  kInnerEvent,  // only the inner `event`: wrapped in event_callback, then in events_api
  kAck,         // an ack the bot sends back; checked against what Slack accepts for `ack_for`
  kControl,     // hello / disconnect on the socket: the Socket Mode client's business
  kNotRouted,   // Web API responses, signing vectors, the provenance table
};

struct Expectation {
  Role role;
  InteractionKind kind = InteractionKind::kEvent;  // routed kind, or the kind an ack answers
  std::string wrap;                                // kPayload: envelope type
  std::string reason;                              // why it is not routed
};

Expectation Routed(InteractionKind kind) { return {Role::kEnvelope, kind, "", ""}; }
Expectation Payload(std::string wrap, InteractionKind kind) {
  return {Role::kPayload, kind, std::move(wrap), ""};
}
Expectation Ack(InteractionKind kind, std::string reason) {
  return {Role::kAck, kind, "", std::move(reason)};
}
Expectation Control(std::string reason) {
  return {Role::kControl, InteractionKind::kEvent, "", std::move(reason)};
}
Expectation NotRouted(std::string reason) {
  return {Role::kNotRouted, InteractionKind::kEvent, "", std::move(reason)};
}

const std::map<std::string, Expectation>& Classification() {
  using K = InteractionKind;
  static const std::map<std::string, Expectation> table = {
      {"PROVENANCE.txt", NotRouted("where each fixture comes from; not a Slack message")},
      // Socket Mode envelopes.
      {"sm_slash_commands__python-sdk.json", Routed(K::kSlashCommand)},
      {"sm_slash_commands__java-sdk.json", Routed(K::kSlashCommand)},
      {"sm_events_api_app_mention__python-sdk.json", Routed(K::kEvent)},
      {"sm_events_api_message_channel__python-sdk.json", Routed(K::kEvent)},
      {"sm_interactive_shortcut__python-sdk.json", Routed(K::kGlobalShortcut)},
      {"sm_interactive_block_actions_large_modal_select__python-sdk.json", Routed(K::kBlockAction)},
      {"sm_interactive_block_actions_message__java-sdk.json", Routed(K::kBlockAction)},
      // Bolt's payloads, as HTTP mode would post them.
      {"payload_block_actions__bolt-python.json", Payload("interactive", K::kBlockAction)},
      {"payload_view_submission__bolt-python.json", Payload("interactive", K::kViewSubmission)},
      {"payload_view_closed__bolt-python.json", Payload("interactive", K::kViewClosed)},
      {"payload_shortcut_global__bolt-python.json", Payload("interactive", K::kGlobalShortcut)},
      {"payload_message_action__bolt-python.json", Payload("interactive", K::kMessageShortcut)},
      {"payload_event_callback_message__bolt-python.json", Payload("events_api", K::kEvent)},
      {"payload_event_callback_app_mention__bolt-python.json", Payload("events_api", K::kEvent)},
      {"payload_event_callback_thread_broadcast__bolt-python.json",
       Payload("events_api", K::kEvent)},
      {"event_message_im_inner__java-sdk.json", {Role::kInnerEvent, K::kEvent, "", ""}},
      // What the bot sends back.
      {"docs_ack_slash_command_with_payload.json",
       Ack(K::kSlashCommand, "the bot's ack of a slash command, with a reply")},
      {"docs_ack_view_submission_response_action_update.json",
       Ack(K::kViewSubmission, "the bot's ack of a view submission replacing the modal")},
      {"ack_view_submission_errors__bolt-js-docs.json",
       Ack(K::kViewSubmission, "the bot's ack of a view submission with field errors")},
      // Socket control messages.
      {"docs_hello.json", Control("hello: the socket is ready; no listener involved")},
      {"sm_hello_num2__python-sdk.json", Control("hello with num_connections")},
      {"docs_disconnect_warning.json",
       Control("disconnect warning: the client prepares a new socket")},
      {"docs_disconnect_refresh_requested.json", Control("disconnect refresh: client reconnects")},
      {"docs_disconnect_link_disabled.json", Control("disconnect link_disabled: client stops")},
      {"sm_disconnect_too_many_websockets__python-sdk.json",
       Control("disconnect too_many_websockets: client backs off")},
      // Web API and HTTP-mode material.
      {"docs_apps.connections.open_response.json",
       NotRouted("Web API response the Socket Mode client reads to get its URL")},
      {"docs_chat.postMessage_responses__slack-api-ref.json",
       NotRouted("Web API responses the web client reads")},
      {"shape_chat.postEphemeral_response__java-jsonlogs.json",
       NotRouted("Web API response shape (placeholder values)")},
      {"shape_views.open_response__java-jsonlogs.json",
       NotRouted("Web API response shape (placeholder values)")},
      {"web_429_ratelimited__python-sdk-mock.json",
       NotRouted("an HTTP 429 from the Web API; the web client's rate limiting handles it")},
      {"signing_test_vector__python-sdk.json",
       NotRouted("HTTP-mode request signing vector (request_signing_test)")},
  };
  return table;
}

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The Socket Mode frame Slack would send for this fixture.
std::string FrameFor(const std::string& name, const Expectation& e, const std::string& text) {
  if (e.role == Role::kEnvelope) return text;
  json payload = json::parse(text);
  std::string type = e.wrap;
  if (e.role == Role::kInnerEvent) {
    payload = {{"type", "event_callback"}, {"event_id", "EvFixture"}, {"event", payload}};
    type = "events_api";
  }
  return json{{"envelope_id", "fixture-" + name},
              {"type", type},
              {"payload", payload},
              {"accepts_response_payload", false}}
      .dump();
}

struct Recorded {
  std::string listener;  // which registration ran
  InteractionKind kind;
};

class FixtureRoutingTest : public ::testing::Test {
 protected:
  FixtureRoutingTest() {
    auto record = [this](std::string label) {
      return [this, label](ListenerContext& context) {
        runs_.push_back({label, context.interaction().kind});
        return core::Ok();
      };
    };
    // One recording listener per kind, keyed by the ids the fixtures use.
    registry_.Command("/hello-socket-mode", record("command"))
        .Command("/hi-socket-mode", record("command"))
        .Action(std::regex(".*"), record("action"))
        .ViewSubmission("view-id", record("view_submission"))
        .ViewClosed("view-id", record("view_closed"))
        .Shortcut("test-shortcut", record("shortcut"))
        .Shortcut("do-something", record("shortcut"))
        .Event("app_mention", record("event:app_mention"))
        .Event("message", record("event:message"));
  }

  static std::string ListenerFor(InteractionKind kind) {
    switch (kind) {
      case InteractionKind::kSlashCommand:
        return "command";
      case InteractionKind::kBlockAction:
        return "action";
      case InteractionKind::kViewSubmission:
        return "view_submission";
      case InteractionKind::kViewClosed:
        return "view_closed";
      case InteractionKind::kGlobalShortcut:
      case InteractionKind::kMessageShortcut:
        return "shortcut";
      case InteractionKind::kEvent:
        return "event:";
    }
    return "";
  }

  ListenerRegistry registry_;
  testing::RecordingSlackApi slack_;
  std::vector<Recorded> runs_;
};

TEST_F(FixtureRoutingTest, EveryFixtureIsClassifiedAndEveryEnvelopeRoutesToItsKind) {
  std::set<std::string> seen;
  int routed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtureDir)) {
    const std::string name = entry.path().filename().string();
    seen.insert(name);
    SCOPED_TRACE(name);
    auto found = Classification().find(name);
    ASSERT_NE(found, Classification().end())
        << "new fixture '" << name << "': classify it in slack_fixture_routing_test.cpp";
    const Expectation& e = found->second;
    const std::string text = Read(entry.path());

    if (e.role == Role::kNotRouted) {
      EXPECT_FALSE(e.reason.empty());
      continue;
    }
    if (e.role == Role::kControl) {
      auto message = integrations::slack::ParseSocketMessage(text);
      ASSERT_TRUE(message) << message.error().message;
      EXPECT_TRUE(std::holds_alternative<integrations::slack::ControlMessage>(*message));
      continue;
    }
    if (e.role == Role::kAck) {
      // Our ack validation must accept what Slack documents as a valid ack.
      const json ack = json::parse(text);
      ASSERT_TRUE(ack.contains("envelope_id"));
      auto valid = ValidateAckPayload(e.kind, ack.at("payload"));
      EXPECT_TRUE(valid) << valid.error().message;
      continue;
    }

    auto message = integrations::slack::ParseSocketMessage(FrameFor(name, e, text));
    ASSERT_TRUE(message) << message.error().message;
    ASSERT_TRUE(std::holds_alternative<Envelope>(*message));
    const auto& envelope = std::get<Envelope>(*message);
    auto interaction = integrations::slack::ParseInteraction(envelope);
    ASSERT_TRUE(interaction) << interaction.error().message;
    EXPECT_EQ(interaction->kind, e.kind) << integrations::slack::ToString(interaction->kind);

    runs_.clear();
    ListenerContext context(*interaction, slack_, nullptr, "U0BOT");
    const auto result = registry_.Dispatch(context);
    EXPECT_EQ(result.outcome, DispatchOutcome::kHandled);
    ASSERT_EQ(runs_.size(), 1u);
    EXPECT_EQ(runs_[0].kind, e.kind);
    EXPECT_EQ(runs_[0].listener.rfind(ListenerFor(e.kind), 0), 0u) << runs_[0].listener;
    if (e.kind == InteractionKind::kEvent) {
      EXPECT_EQ(runs_[0].listener, "event:" + interaction->event->type);
    }
    ++routed;
  }
  // A fixture listed here but gone from the folder means the table is stale.
  for (const auto& [name, e] : Classification()) {
    EXPECT_TRUE(seen.count(name)) << name << " is classified but no longer in " << kFixtureDir;
  }
  EXPECT_EQ(routed, 16);
}

TEST_F(FixtureRoutingTest, EveryProvenanceRowNamesAFixtureThatExists) {
  std::istringstream in(Read(kFixtureDir + "/PROVENANCE.txt"));
  std::string line;
  std::getline(in, line);  // header
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::string file = line.substr(0, line.find('\t'));
    EXPECT_TRUE(std::filesystem::exists(kFixtureDir + "/" + file)) << file;
    EXPECT_TRUE(Classification().count(file)) << file;
    ++rows;
  }
  EXPECT_GT(rows, 0);
}

}  // namespace
}  // namespace contexten::integrations::slack::listeners
