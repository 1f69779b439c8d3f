// deploy/slack-app-manifest.yaml against what the code registers: every slash command, shortcut
// callback id and event type the handlers register (bot/handlers/register_handlers.cpp, read
// back from the listener registry) is declared in the manifest, and the manifest declares
// nothing the code does not handle. The bot scopes are exactly those the registrations and the
// outbox's Slack effects need (least privilege), and the usage hint names every command of the
// grammar (intents::Commands()).

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bot/handlers/access_control.hpp"
#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/conversation_handler.hpp"
#include "bot/handlers/register_handlers.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "intents/slash_command.hpp"
#include "intents/understanding.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::InteractionKind;
using integrations::slack::listeners::ListenerRegistry;
using Set = std::set<std::string>;

// What the app declares to Slack, read from the manifest.
struct Declared {
  Set commands;
  std::map<std::string, std::string> usage_hints;  // by command
  std::map<std::string, std::string> descriptions;
  Set shortcuts;   // callback ids, global and message
  Set bot_events;  // "app_mention", "message.channels", ...
  Set bot_scopes;
  bool interactivity = false;
  bool socket_mode = false;
};

// What the code handles, read from the listener registry.
struct Registered {
  Set commands;
  Set shortcuts;
  Set events;                        // event types: "app_mention", "message"
  bool needs_interactivity = false;  // block actions, view submissions/closes, shortcuts
};

Set Strings(const YAML::Node& node) {
  Set out;
  if (node && node.IsSequence()) {
    for (const auto& item : node) out.insert(item.as<std::string>());
  }
  return out;
}

Declared ReadManifest(const YAML::Node& root) {
  Declared d;
  for (const auto& command : root["features"]["slash_commands"]) {
    const auto name = command["command"].as<std::string>();
    d.commands.insert(name);
    d.usage_hints[name] = command["usage_hint"] ? command["usage_hint"].as<std::string>() : "";
    d.descriptions[name] = command["description"] ? command["description"].as<std::string>() : "";
  }
  for (const auto& shortcut : root["features"]["shortcuts"]) {
    d.shortcuts.insert(shortcut["callback_id"].as<std::string>());
  }
  d.bot_events = Strings(root["settings"]["event_subscriptions"]["bot_events"]);
  d.bot_scopes = Strings(root["oauth_config"]["scopes"]["bot"]);
  d.interactivity = root["settings"]["interactivity"]["is_enabled"].as<bool>(false);
  d.socket_mode = root["settings"]["socket_mode_enabled"].as<bool>(false);
  return d;
}

Registered ReadRegistry(const ListenerRegistry& registry) {
  Registered r;
  for (const auto& entry : registry.Registrations()) {
    switch (entry.kind) {
      case InteractionKind::kSlashCommand:
        r.commands.insert(entry.key);
        break;
      case InteractionKind::kGlobalShortcut:
      case InteractionKind::kMessageShortcut:
        r.shortcuts.insert(entry.key);
        r.needs_interactivity = true;
        break;
      case InteractionKind::kEvent:
        r.events.insert(entry.key);
        break;
      case InteractionKind::kBlockAction:
      case InteractionKind::kViewSubmission:
      case InteractionKind::kViewClosed:
        r.needs_interactivity = true;
        break;
    }
  }
  return r;
}

// The Slack event type a bot_events subscription delivers: "message.im" is a `message` event.
std::string EventType(const std::string& subscription) {
  return subscription.substr(0, subscription.find('.'));
}

// Scopes Slack requires for each event subscription (api.slack.com/events).
const std::map<std::string, Set>& EventScopes() {
  static const std::map<std::string, Set> scopes = {
      {"app_mention", {"app_mentions:read"}}, {"message.channels", {"channels:history"}},
      {"message.groups", {"groups:history"}}, {"message.im", {"im:history"}},
      {"message.mpim", {"mpim:history"}},
  };
  return scopes;
}

// Scopes of the Web API methods behind each Slack effect the outbox performs
// (workflows/outbox/slack_executor.cpp; method docs on api.slack.com/methods).
const std::map<std::string, Set>& EffectScopes() {
  static const std::map<std::string, Set> scopes = {
      // chat.postMessage; after an unknown outcome the post is looked up by its metadata with
      // conversations.history / conversations.replies in whatever conversation it went to.
      {workflows::outbox::kSlackPostMessage,
       {"chat:write", "channels:history", "groups:history", "im:history", "mpim:history"}},
      {workflows::outbox::kSlackUpdateMessage, {"chat:write"}},  // chat.update
      {workflows::outbox::kSlackPostEphemeral, {"chat:write"}},  // chat.postEphemeral
      {workflows::outbox::kSlackUserInfo, {"users:read", "users:read.email"}},  // users.info
  };
  return scopes;
}

// Everything wrong with `declared` for what the code registered; empty when they match.
std::vector<std::string> Problems(const Declared& declared, const Registered& registered) {
  std::vector<std::string> problems;
  for (const auto& c : registered.commands) {
    if (!declared.commands.contains(c))
      problems.push_back("command " + c + " is not in the manifest");
  }
  for (const auto& c : declared.commands) {
    if (!registered.commands.contains(c))
      problems.push_back("manifest command " + c + " has no handler");
    if (declared.usage_hints.at(c).empty())
      problems.push_back("command " + c + " has no usage_hint");
    if (declared.descriptions.at(c).empty())
      problems.push_back("command " + c + " has no description");
  }
  for (const auto& s : registered.shortcuts) {
    if (!declared.shortcuts.contains(s))
      problems.push_back("shortcut " + s + " is not in the manifest");
  }
  for (const auto& s : declared.shortcuts) {
    if (!registered.shortcuts.contains(s))
      problems.push_back("manifest shortcut " + s + " has no handler");
  }
  Set subscribed_types;
  for (const auto& e : declared.bot_events) {
    subscribed_types.insert(EventType(e));
    if (!registered.events.contains(EventType(e))) {
      problems.push_back("manifest event " + e + " has no listener");
    }
  }
  for (const auto& e : registered.events) {
    if (!subscribed_types.contains(e))
      problems.push_back("event " + e + " is not subscribed in the manifest");
  }
  if (registered.needs_interactivity != declared.interactivity) {
    problems.push_back(std::string("interactivity must be ") +
                       (registered.needs_interactivity ? "enabled" : "disabled"));
  }
  if (!declared.socket_mode) problems.push_back("socket_mode_enabled must be true");

  Set needed;
  if (!registered.commands.empty() || !registered.shortcuts.empty()) needed.insert("commands");
  for (const auto& e : declared.bot_events) {
    const auto scopes = EventScopes().find(e);
    if (scopes == EventScopes().end()) {
      problems.push_back("no scope known for event " + e + " (add it to EventScopes)");
    } else {
      needed.insert(scopes->second.begin(), scopes->second.end());
    }
  }
  for (const auto& [kind, scopes] : EffectScopes()) needed.insert(scopes.begin(), scopes.end());
  // Allow-lists by user group (access.commands.<c>.usergroups, bot/handlers/access_control.*)
  // read the members with usergroups.users.list.
  needed.insert("usergroups:read");
  for (const auto& s : needed) {
    if (!declared.bot_scopes.contains(s))
      problems.push_back("scope " + s + " is needed but missing");
  }
  for (const auto& s : declared.bot_scopes) {
    if (!needed.contains(s)) problems.push_back("scope " + s + " is not needed (least privilege)");
  }
  return problems;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += "\n  " + line;
  return out;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& needle) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(needle) != std::string::npos; });
}

class SlackAppManifestTest : public ::testing::Test {
 protected:
  SlackAppManifestTest()
      : manifest_(
            YAML::LoadFile(std::string(CONTEXTEN_SOURCE_DIR) + "/deploy/slack-app-manifest.yaml")),
        commands_(slack_, clock_),
        conversation_(
            {*f_.engine, *f_.workflows, nullptr, access_, {true, "ENG"}, {}, intents::Understand}) {
    // As the ingress module registers them, with the default configured command.
    RegisterHandlers(registry_, commands_, conversation_, core::Config{}.slack.command,
                     {*f_.engine, *f_.workflows, nullptr, nullptr, {true, "ENG"}});
  }

  YAML::Node manifest_;
  testing::WorkflowFixture f_;
  testing::RecordingSlackApi slack_;
  core::FakeClock clock_;
  CommandHandler commands_;
  AccessControl access_;
  ConversationHandler conversation_;
  ListenerRegistry registry_;
};

TEST_F(SlackAppManifestTest, DeclaresExactlyWhatTheHandlersRegister) {
  const Registered registered = ReadRegistry(registry_);
  ASSERT_FALSE(registered.commands.empty());  // the registry was read, not an empty one
  const auto problems = Problems(ReadManifest(manifest_), registered);
  EXPECT_TRUE(problems.empty()) << "deploy/slack-app-manifest.yaml:" << Join(problems);
}

TEST_F(SlackAppManifestTest, UsageHintNamesEveryCommandOfTheGrammar) {
  const Declared declared = ReadManifest(manifest_);
  const std::string& hint = declared.usage_hints.at(core::Config{}.slack.command);
  for (const auto& spec : intents::Commands()) {
    EXPECT_NE(hint.find(spec.name), std::string::npos)
        << "usage_hint of " << core::Config{}.slack.command << " does not mention `" << spec.name
        << "`: " << hint;
  }
}

// The check itself: a command the code registers but the manifest lacks is reported, and so is
// one the manifest declares but nothing handles.
TEST_F(SlackAppManifestTest, ReportsARegisteredCommandMissingFromTheManifest) {
  Declared declared = ReadManifest(manifest_);
  const Registered registered = ReadRegistry(registry_);
  declared.commands.erase("/ctx");
  EXPECT_TRUE(Mentions(Problems(declared, registered), "command /ctx is not in the manifest"));
}

TEST_F(SlackAppManifestTest, ReportsAManifestCommandNobodyHandles) {
  YAML::Node extra = YAML::Clone(manifest_);
  YAML::Node command;
  command["command"] = "/other";
  command["description"] = "d";
  command["usage_hint"] = "u";
  extra["features"]["slash_commands"].push_back(command);
  EXPECT_TRUE(Mentions(Problems(ReadManifest(extra), ReadRegistry(registry_)),
                       "manifest command /other has no handler"));
}

TEST_F(SlackAppManifestTest, ReportsShortcutsEventsAndScopesBothWays) {
  ListenerRegistry more;
  more.Shortcut("create_linear_issue", nullptr).Event("reaction_added", nullptr);
  Registered registered = ReadRegistry(registry_);
  const Registered extra = ReadRegistry(more);
  registered.shortcuts.insert(extra.shortcuts.begin(), extra.shortcuts.end());
  registered.events.insert(extra.events.begin(), extra.events.end());
  Declared declared = ReadManifest(manifest_);
  declared.bot_scopes.insert("reactions:write");
  declared.bot_scopes.erase("commands");
  const auto problems = Problems(declared, registered);
  EXPECT_TRUE(Mentions(problems, "shortcut create_linear_issue is not in the manifest"));
  EXPECT_TRUE(Mentions(problems, "event reaction_added is not subscribed"));
  EXPECT_TRUE(Mentions(problems, "scope reactions:write is not needed"));
  EXPECT_TRUE(Mentions(problems, "scope commands is needed but missing"));
}

}  // namespace
}  // namespace contexten::bot::handlers
