#include "sandbox/slack/slack_workspace.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "core/json_fields.hpp"
#include "integrations/slack/block_kit/validate.hpp"

namespace contexten::sandbox {
namespace {

using core::json_fields::Str;

using nlohmann::json;
namespace blocks = integrations::slack::blocks;

WebApiAnswer Ok(json body, std::vector<SandboxEvent> events = {}) {
  body["ok"] = true;
  return {std::move(body), std::move(events)};
}

WebApiAnswer Fail(const std::string& code) { return {json{{"ok", false}, {"error", code}}, {}}; }

// Slack's invalid_blocks answer: one "[ERROR] <reason> [json-pointer:<pointer>]" per problem.
std::optional<WebApiAnswer> BlockViolations(const json& payload, blocks::Surface surface,
                                            const std::string& pointer_prefix) {
  const auto violations = blocks::FindViolations(payload, surface);
  if (violations.empty()) return std::nullopt;
  json messages = json::array();
  for (const auto& v : violations) {
    messages.push_back("[ERROR] " + v.message + " [json-pointer:" + pointer_prefix + v.pointer +
                       "]");
  }
  return WebApiAnswer{json{{"ok", false},
                           {"error", "invalid_blocks"},
                           {"response_metadata", {{"messages", messages}}}},
                      {}};
}

std::vector<SandboxUser> DefaultUsers(const std::string& bot_user_id) {
  return {
      {"U0SANDBOXUSER", "you", "Sandbox User", "Europe/Berlin", "sandbox.user@example.com", false},
      {"U0ALICE", "alice", "Alice Example", "America/New_York", "alice@example.com", false},
      {"U0BOB", "bob", "Bob Example", "Asia/Tokyo", "bob@example.com", false},
      {bot_user_id, "contexten", "Contexten", "UTC", "", true},
  };
}

// Slack's conversations.history/replies take `limit` as a number (JSON) or text (a form);
// default 100, at most 999.
int LimitArg(const json& args) {
  int limit = 100;
  if (auto it = args.find("limit"); it != args.end()) {
    if (it->is_number_integer()) {
      limit = it->get<int>();
    } else if (it->is_string()) {
      limit = std::atoi(it->get<std::string>().c_str());
    }
  }
  if (limit <= 0) limit = 100;
  return std::min(limit, 999);
}

bool TrueArg(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get<std::string>() == "true" || it->get<std::string>() == "1";
  return it->is_number_integer() && it->get<int>() != 0;
}

// chat.postMessage's `metadata`: an object (JSON post) or its JSON text (form post) with a
// string event_type and an object event_payload.
std::optional<std::string> ReadMetadata(const json& args, json& out) {
  auto it = args.find("metadata");
  if (it == args.end() || it->is_null()) return std::nullopt;
  json metadata = *it;
  if (metadata.is_string()) metadata = json::parse(metadata.get<std::string>(), nullptr, false);
  if (metadata.is_discarded() || !metadata.is_object()) return "invalid_metadata_format";
  if (!metadata.contains("event_type") || !metadata["event_type"].is_string() ||
      metadata["event_type"].get<std::string>().empty() || !metadata.contains("event_payload") ||
      !metadata["event_payload"].is_object()) {
    return "invalid_metadata_schema";
  }
  out = std::move(metadata);
  return std::nullopt;
}

struct SeedChannel {
  const char* id;
  const char* name;
  bool is_private;
  bool is_im;
};
constexpr std::array kChannels = {
    SeedChannel{"C0GENERAL", "general", false, false},
    SeedChannel{"C0RANDOM", "random", false, false},
    SeedChannel{"C0ENG", "engineering", false, false},
    SeedChannel{"G0PRIVATE", "private-ops", true, false},
    SeedChannel{"D0SANDBOXUSER", "", false, true},
};

}  // namespace

SlackWorkspace::SlackWorkspace(const core::Clock& clock, WorkspaceOptions options)
    : clock_(clock),
      options_(std::move(options)),
      views_(clock, ViewRegistryOptions{std::chrono::milliseconds(3000), 3,
                                        json{{"team_id", options_.team_id},
                                             {"app_id", options_.app_id},
                                             {"bot_id", options_.bot_id},
                                             {"app_installed_team_id", options_.team_id},
                                             {"type", "modal"}}}),
      users_(DefaultUsers(options_.bot_user_id)) {}

void SlackWorkspace::SeedUser(SandboxUser user) {
  std::lock_guard lock(mu_);
  for (auto& existing : users_) {
    if (existing.id == user.id) {
      existing = std::move(user);
      return;
    }
  }
  users_.push_back(std::move(user));
}

std::optional<SandboxUser> SlackWorkspace::FindUser(const std::string& id) const {
  std::lock_guard lock(mu_);
  for (const auto& u : users_) {
    if (u.id == id) return u;
  }
  return std::nullopt;
}

std::string SlackWorkspace::NextTs() {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch()).count();
  if (now > ts_seconds_) {
    ts_seconds_ = now;
    ts_counter_ = 0;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld.%06lld", static_cast<long long>(ts_seconds_),
                static_cast<long long>(++ts_counter_));
  return buf;
}

SandboxMessage* SlackWorkspace::FindLocked(const std::string& channel, const std::string& ts) {
  for (auto& m : messages_) {
    if (m.channel == channel && m.ts == ts) return &m;
  }
  return nullptr;
}

json SlackWorkspace::MessageJson(const SandboxMessage& m, bool metadata, int reply_count) const {
  json message = {{"type", "message"},
                  {"text", m.text},
                  {"user", m.user},
                  {"ts", m.ts},
                  {"team", options_.team_id}};
  if (m.from_bot) {
    message["bot_id"] = options_.bot_id;
    message["app_id"] = options_.app_id;
  }
  if (m.blocks.is_array()) message["blocks"] = m.blocks;
  if (!m.thread_ts.empty()) message["thread_ts"] = m.thread_ts;
  if (m.reply_broadcast) message["subtype"] = "thread_broadcast";
  if (reply_count > 0) {
    message["thread_ts"] = m.ts;
    message["reply_count"] = reply_count;
  }
  if (metadata && m.metadata.is_object()) message["metadata"] = m.metadata;
  return message;
}

std::optional<WebApiAnswer> SlackWorkspace::Call(std::string_view method, const json& args) {
  if (method == "chat.postMessage") return PostMessage(args);
  if (method == "chat.update") return UpdateMessage(args);
  if (method == "chat.postEphemeral") return PostEphemeral(args);
  if (method == "chat.delete") return DeleteMessage(args);
  if (method == "chat.getPermalink") return GetPermalink(args);
  if (method == "views.open") return OpenOrPushView(args, false);
  if (method == "views.push") return OpenOrPushView(args, true);
  if (method == "views.update") return UpdateView(args);
  if (method == "reactions.add") return AddReaction(args);
  if (method == "users.info") return UserInfo(args);
  if (method == "usergroups.users.list") return UsergroupUsers(args);
  if (method == "conversations.info") return ConversationInfo(args);
  if (method == "conversations.history") return History(args);
  if (method == "conversations.replies") return Replies(args);
  return std::nullopt;
}

WebApiAnswer SlackWorkspace::PostMessage(const json& args) {
  const std::string channel = Str(args, "channel");
  if (channel.empty()) return Fail("channel_not_found");
  SandboxMessage msg;
  msg.channel = channel;
  msg.text = Str(args, "text");
  if (args.contains("blocks")) msg.blocks = args["blocks"];
  if (!msg.blocks.is_null() && !msg.blocks.is_array()) return Fail("invalid_blocks_format");
  if (msg.text.empty() && (!msg.blocks.is_array() || msg.blocks.empty())) return Fail("no_text");
  if (msg.text.size() > 40000) return Fail("msg_too_long");
  if (msg.blocks.is_array()) {
    if (auto bad = BlockViolations(msg.blocks, blocks::Surface::kMessage, "")) return *bad;
  }
  if (auto bad = ReadMetadata(args, msg.metadata)) return Fail(*bad);
  msg.thread_ts = Str(args, "thread_ts");
  msg.reply_broadcast = !msg.thread_ts.empty() && args.value("reply_broadcast", false);
  msg.user = options_.bot_user_id;
  msg.from_bot = true;
  {
    std::lock_guard lock(mu_);
    if (!msg.thread_ts.empty()) {
      // A reply needs a top-level, visible parent in the same channel.
      const auto* parent = FindLocked(channel, msg.thread_ts);
      if (!parent || parent->ephemeral || !parent->thread_ts.empty()) {
        return Fail("thread_not_found");
      }
    }
    msg.ts = NextTs();
    messages_.push_back(msg);
  }
  return Ok({{"channel", channel}, {"ts", msg.ts}, {"message", MessageJson(msg, true)}},
            {{SandboxEvent::Kind::kMessagePosted, msg, std::nullopt}});
}

WebApiAnswer SlackWorkspace::UpdateMessage(const json& args) {
  const std::string channel = Str(args, "channel");
  const std::string ts = Str(args, "ts");
  if (channel.empty()) return Fail("channel_not_found");
  if (ts.empty()) return Fail("message_not_found");
  json new_blocks = args.contains("blocks") ? args["blocks"] : json();
  if (!new_blocks.is_null() && !new_blocks.is_array()) return Fail("invalid_blocks_format");
  if (new_blocks.is_array()) {
    if (auto bad = BlockViolations(new_blocks, blocks::Surface::kMessage, "")) return *bad;
  }
  SandboxMessage updated;
  {
    std::lock_guard lock(mu_);
    auto* m = FindLocked(channel, ts);
    if (!m || m->ephemeral) return Fail("message_not_found");
    if (!m->from_bot) return Fail("cant_update_message");
    if (args.contains("text")) m->text = Str(args, "text");
    if (new_blocks.is_array()) m->blocks = new_blocks;
    if (m->text.empty() && (!m->blocks.is_array() || m->blocks.empty())) return Fail("no_text");
    updated = *m;
  }
  return Ok(
      {{"channel", channel}, {"ts", ts}, {"text", updated.text}, {"message", MessageJson(updated)}},
      {{SandboxEvent::Kind::kMessageUpdated, updated, std::nullopt}});
}

WebApiAnswer SlackWorkspace::PostEphemeral(const json& args) {
  const std::string channel = Str(args, "channel");
  const std::string user = Str(args, "user");
  if (channel.empty()) return Fail("channel_not_found");
  if (user.empty()) return Fail("user_not_found");
  SandboxMessage msg;
  msg.channel = channel;
  msg.text = Str(args, "text");
  if (args.contains("blocks")) msg.blocks = args["blocks"];
  if (!msg.blocks.is_null() && !msg.blocks.is_array()) return Fail("invalid_blocks_format");
  if (msg.text.empty() && (!msg.blocks.is_array() || msg.blocks.empty())) return Fail("no_text");
  if (msg.blocks.is_array()) {
    if (auto bad = BlockViolations(msg.blocks, blocks::Surface::kMessage, "")) return *bad;
  }
  msg.thread_ts = Str(args, "thread_ts");
  msg.user = options_.bot_user_id;
  msg.from_bot = true;
  msg.ephemeral = true;
  msg.visible_to = user;
  {
    std::lock_guard lock(mu_);
    msg.ts = NextTs();
    messages_.push_back(msg);
  }
  return Ok({{"message_ts", msg.ts}}, {{SandboxEvent::Kind::kMessagePosted, msg, std::nullopt}});
}

WebApiAnswer SlackWorkspace::DeleteMessage(const json& args) {
  const std::string channel = Str(args, "channel");
  const std::string ts = Str(args, "ts");
  if (channel.empty()) return Fail("channel_not_found");
  SandboxMessage deleted;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(messages_.begin(), messages_.end(), [&](const SandboxMessage& m) {
      return m.channel == channel && m.ts == ts && !m.ephemeral;
    });
    if (it == messages_.end()) return Fail("message_not_found");
    if (!it->from_bot) return Fail("cant_delete_message");
    deleted = *it;
    messages_.erase(it);
  }
  return Ok({{"channel", channel}, {"ts", ts}},
            {{SandboxEvent::Kind::kMessageDeleted, deleted, std::nullopt}});
}

WebApiAnswer SlackWorkspace::GetPermalink(const json& args) {
  const std::string channel = Str(args, "channel");
  const std::string ts = Str(args, "message_ts");
  if (channel.empty()) return Fail("channel_not_found");
  std::string thread_ts;
  {
    std::lock_guard lock(mu_);
    auto* m = FindLocked(channel, ts);
    if (!m || m->ephemeral) return Fail("message_not_found");
    thread_ts = m->thread_ts;
  }
  std::string digits = ts;
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string link = "https://sandbox.slack/archives/" + channel + "/p" + digits;
  if (!thread_ts.empty()) link += "?thread_ts=" + thread_ts + "&cid=" + channel;
  return Ok({{"channel", channel}, {"permalink", link}});
}

WebApiAnswer SlackWorkspace::OpenOrPushView(const json& args, bool push) {
  const std::string trigger_id = Str(args, "trigger_id");
  if (trigger_id.empty()) return Fail("invalid_arguments");
  json view = args.contains("view") ? args["view"] : json();
  if (view.is_string()) view = json::parse(view.get<std::string>(), nullptr, false);
  if (!view.is_object()) return Fail("invalid_arguments");
  if (auto bad = BlockViolations(view, blocks::Surface::kModal, "/view")) return *bad;
  auto stored = push ? views_.Push(trigger_id, view) : views_.Open(trigger_id, view);
  if (!stored) return Fail(stored.error().message);
  SandboxEvent event{SandboxEvent::Kind::kViewOpened, std::nullopt, std::nullopt};
  event.view = *stored;
  return Ok({{"view", stored->view}}, {event});
}

WebApiAnswer SlackWorkspace::UpdateView(const json& args) {
  const std::string view_id = Str(args, "view_id");
  const std::string external_id = Str(args, "external_id");
  if (view_id.empty() && external_id.empty()) return Fail("invalid_arguments");
  json view = args.contains("view") ? args["view"] : json();
  if (view.is_string()) view = json::parse(view.get<std::string>(), nullptr, false);
  if (!view.is_object()) return Fail("invalid_arguments");
  if (auto bad = BlockViolations(view, blocks::Surface::kModal, "/view")) return *bad;
  auto stored = views_.Update(view_id, external_id, view, Str(args, "hash"));
  if (!stored) return Fail(stored.error().message);
  SandboxEvent event{SandboxEvent::Kind::kViewUpdated, std::nullopt, std::nullopt};
  event.view = *stored;
  return Ok({{"view", stored->view}}, {event});
}

WebApiAnswer SlackWorkspace::AddReaction(const json& args) {
  const std::string channel = Str(args, "channel");
  const std::string ts = Str(args, "timestamp");
  const std::string name = Str(args, "name");
  if (channel.empty()) return Fail("channel_not_found");
  if (name.empty() || name.find(':') != std::string::npos) return Fail("invalid_name");
  SandboxMessage reacted;
  {
    std::lock_guard lock(mu_);
    auto* m = FindLocked(channel, ts);
    if (!m || m->ephemeral) return Fail("message_not_found");
    if (std::find(m->reactions.begin(), m->reactions.end(), name) != m->reactions.end()) {
      return Fail("already_reacted");
    }
    m->reactions.push_back(name);
    reacted = *m;
  }
  return Ok(json::object(), {{SandboxEvent::Kind::kReactionAdded, reacted, std::nullopt}});
}

// The workspace's user groups (subteams): S0ONCALL (@oncall: Alice and Bob) and S0EVERYONE
// (@people: every human member), for allow-lists by group.
WebApiAnswer SlackWorkspace::UsergroupUsers(const json& args) {
  const std::string group = Str(args, "usergroup");
  json users = json::array();
  if (group == "S0ONCALL") {
    users = {"U0ALICE", "U0BOB"};
  } else if (group == "S0EVERYONE") {
    std::lock_guard lock(mu_);
    for (const auto& u : users_) {
      if (!u.is_bot) users.push_back(u.id);
    }
  } else {
    return Fail("no_such_subteam");
  }
  return Ok({{"users", std::move(users)}});
}

WebApiAnswer SlackWorkspace::UserInfo(const json& args) {
  const std::optional<SandboxUser> found = FindUser(Str(args, "user"));
  if (!found) return Fail("user_not_found");
  const SandboxUser& u = *found;
  json profile = {{"real_name", u.real_name},
                  {"display_name", u.is_bot ? "" : u.name},
                  {"team", options_.team_id}};
  // Slack sends profile.email only to apps with users:read.email; the sandbox's bot has it.
  if (!u.email.empty()) profile["email"] = u.email;
  return Ok({{"user",
              {{"id", u.id},
               {"team_id", options_.team_id},
               {"name", u.name},
               {"deleted", false},
               {"real_name", u.real_name},
               {"tz", u.tz},
               {"is_bot", u.is_bot},
               {"is_app_user", false},
               {"profile", profile}}}});
}

WebApiAnswer SlackWorkspace::ConversationInfo(const json& args) {
  const std::string id = Str(args, "channel");
  for (const auto& c : kChannels) {
    if (id != c.id) continue;
    json channel = {
        {"id", c.id},       {"is_channel", !c.is_private && !c.is_im}, {"is_group", c.is_private},
        {"is_im", c.is_im}, {"is_private", c.is_private || c.is_im},   {"is_archived", false},
        {"is_member", true}};
    if (!c.is_im) channel["name"] = c.name;
    if (c.is_im) channel["user"] = "U0SANDBOXUSER";
    return Ok({{"channel", channel}});
  }
  return Fail("channel_not_found");
}

bool SlackWorkspace::KnownChannelLocked(const std::string& channel) const {
  for (const auto& c : kChannels) {
    if (channel == c.id) return true;
  }
  for (const auto& m : messages_) {
    if (m.channel == channel) return true;
  }
  return false;
}

WebApiAnswer SlackWorkspace::Page(const std::vector<SandboxMessage>& found, const json& args) {
  // Cursors are opaque to clients; here "off:<index of the next message>".
  std::size_t offset = 0;
  const std::string cursor = Str(args, "cursor");
  if (!cursor.empty()) {
    if (!cursor.starts_with("off:")) return Fail("invalid_cursor");
    offset = static_cast<std::size_t>(std::atoll(cursor.c_str() + 4));
    if (offset > found.size()) return Fail("invalid_cursor");
  }
  const bool metadata = TrueArg(args, "include_all_metadata");
  const std::size_t end = std::min(found.size(), offset + static_cast<std::size_t>(LimitArg(args)));
  json messages = json::array();
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = offset; i < end; ++i) {
      const SandboxMessage& m = found[i];
      int replies = 0;
      if (m.thread_ts.empty()) {
        for (const auto& r : messages_) {
          if (r.channel == m.channel && r.thread_ts == m.ts && !r.ephemeral) ++replies;
        }
      }
      messages.push_back(MessageJson(m, metadata, replies));
    }
  }
  const bool has_more = end < found.size();
  return Ok({{"messages", messages},
             {"has_more", has_more},
             {"pin_count", 0},
             {"response_metadata",
              {{"next_cursor", has_more ? "off:" + std::to_string(end) : std::string()}}}});
}

WebApiAnswer SlackWorkspace::History(const json& args) {
  const std::string channel = Str(args, "channel");
  std::vector<SandboxMessage> found;
  {
    std::lock_guard lock(mu_);
    if (channel.empty() || !KnownChannelLocked(channel)) return Fail("channel_not_found");
    // The channel's own messages (thread replies only when broadcast), newest first.
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
      if (it->channel != channel || it->ephemeral) continue;
      if (!it->thread_ts.empty() && !it->reply_broadcast) continue;
      found.push_back(*it);
    }
  }
  return Page(found, args);
}

WebApiAnswer SlackWorkspace::Replies(const json& args) {
  const std::string channel = Str(args, "channel");
  const std::string ts = Str(args, "ts");
  std::vector<SandboxMessage> found;
  {
    std::lock_guard lock(mu_);
    if (channel.empty() || !KnownChannelLocked(channel)) return Fail("channel_not_found");
    const SandboxMessage* parent = FindLocked(channel, ts);
    if (ts.empty() || !parent || parent->ephemeral || !parent->thread_ts.empty()) {
      return Fail("thread_not_found");
    }
    // The parent, then its replies oldest first, as Slack lists a thread.
    found.push_back(*parent);
    for (const auto& m : messages_) {
      if (m.channel == channel && m.thread_ts == ts && !m.ephemeral) found.push_back(m);
    }
  }
  return Page(found, args);
}

SandboxMessage SlackWorkspace::AddMessage(SandboxMessage message) {
  std::lock_guard lock(mu_);
  message.ts = NextTs();
  messages_.push_back(message);
  return message;
}

std::optional<std::pair<SandboxMessage, SandboxMessage>> SlackWorkspace::EditMessage(
    const std::string& channel, const std::string& ts, const std::string& text) {
  std::lock_guard lock(mu_);
  auto* m = FindLocked(channel, ts);
  if (m == nullptr || m->ephemeral) return std::nullopt;
  const SandboxMessage before = *m;
  m->text = text;
  return std::make_pair(before, *m);
}

std::optional<SandboxMessage> SlackWorkspace::RemoveMessage(const std::string& channel,
                                                            const std::string& ts) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(messages_.begin(), messages_.end(), [&](const SandboxMessage& m) {
    return m.channel == channel && m.ts == ts && !m.ephemeral;
  });
  if (it == messages_.end()) return std::nullopt;
  SandboxMessage gone = *it;
  messages_.erase(it);
  return gone;
}

std::string SlackWorkspace::NewTs() {
  std::lock_guard lock(mu_);
  return NextTs();
}

std::vector<SandboxMessage> SlackWorkspace::Messages(const std::string& channel) const {
  std::lock_guard lock(mu_);
  if (channel.empty()) return messages_;
  std::vector<SandboxMessage> out;
  for (const auto& m : messages_) {
    if (m.channel == channel) out.push_back(m);
  }
  return out;
}

std::optional<SandboxMessage> SlackWorkspace::FindMessage(const std::string& channel,
                                                          const std::string& ts) const {
  std::lock_guard lock(mu_);
  for (const auto& m : messages_) {
    if (m.channel == channel && m.ts == ts) return m;
  }
  return std::nullopt;
}

std::vector<SandboxMessage> SlackWorkspace::VisibleTo(const std::string& user) const {
  std::lock_guard lock(mu_);
  std::vector<SandboxMessage> out;
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
    if (!it->ephemeral || it->visible_to == user) out.push_back(*it);
  }
  return out;
}

std::string SlackWorkspace::NewResponseUrl(const InteractionOrigin& origin) {
  std::lock_guard lock(mu_);
  char id[64];
  const std::uint64_t n = ++next_response_url_;
  std::snprintf(id, sizeof(id), "%s/%llu/%08llx", options_.team_id.c_str(),
                static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(n * 2654435761ULL) & 0xffffffffULL);
  response_urls_[id] = ResponseUrl{origin, clock_.Now(), 0};
  return id;
}

std::optional<InteractionOrigin> SlackWorkspace::ResponseUrlOrigin(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = response_urls_.find(id);
  if (it == response_urls_.end()) return std::nullopt;
  return it->second.origin;
}

ResponseUrlAnswer SlackWorkspace::Respond(const std::string& id, const json& body) {
  InteractionOrigin origin;
  {
    std::lock_guard lock(mu_);
    auto it = response_urls_.find(id);
    if (it == response_urls_.end()) {
      return {404, json{{"ok", false}, {"error", "expired_url"}}, {}};
    }
    if (clock_.Now() - it->second.created > options_.response_url_life) {
      return {404, json{{"ok", false}, {"error", "expired_url"}}, {}};
    }
    if (it->second.uses >= options_.response_url_uses) {
      return {404, json{{"ok", false}, {"error", "used_url"}}, {}};
    }
    ++it->second.uses;
    origin = it->second.origin;
  }
  return {200, json{{"ok", true}}, Reply(origin, body)};
}

std::vector<SandboxEvent> SlackWorkspace::Reply(const InteractionOrigin& origin, const json& body) {
  const bool delete_original = body.value("delete_original", false);
  const bool replace_original = body.value("replace_original", false);
  if ((delete_original || replace_original) && !origin.message_ts.empty()) {
    std::lock_guard lock(mu_);
    auto it = std::find_if(messages_.begin(), messages_.end(), [&](const SandboxMessage& m) {
      return m.channel == origin.channel && m.ts == origin.message_ts;
    });
    if (it == messages_.end()) return {};
    if (delete_original) {
      SandboxMessage deleted = *it;
      messages_.erase(it);
      return {{SandboxEvent::Kind::kMessageDeleted, deleted, std::nullopt}};
    }
    it->text = body.value("text", it->text);
    if (body.contains("blocks")) it->blocks = body["blocks"];
    return {{SandboxEvent::Kind::kMessageUpdated, *it, std::nullopt}};
  }
  SandboxMessage msg;
  msg.channel = origin.channel;
  msg.text = body.value("text", "");
  if (body.contains("blocks")) msg.blocks = body["blocks"];
  msg.thread_ts = body.value("thread_ts", "");
  msg.user = options_.bot_user_id;
  msg.from_bot = true;
  msg.ephemeral = body.value("response_type", "ephemeral") != "in_channel";
  msg.visible_to = msg.ephemeral ? origin.user : "";
  msg = AddMessage(std::move(msg));
  return {{SandboxEvent::Kind::kMessagePosted, msg, std::nullopt}};
}

}  // namespace contexten::sandbox
