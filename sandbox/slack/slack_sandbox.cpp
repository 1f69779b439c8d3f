#include "sandbox/slack/slack_sandbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>

#include "core/logging.hpp"
#include "core/net/http_server.hpp"
#include "sandbox/slack/simulated_user.hpp"
#include "sandbox/slack/slack_workspace.hpp"
#include "sandbox/slack/tcp_relay.hpp"

namespace contexten::sandbox {
namespace {

using core::net::HttpRequest;
using core::net::HttpResponse;
using nlohmann::json;

std::string RandomHex(std::mt19937_64& rng, int chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < chars; ++i) out.push_back(kHex[rng() % 16]);
  return out;
}

HttpResponse SlackOk(json body) {
  body["ok"] = true;
  return HttpResponse::Json(200, body.dump());
}

// Slack reports API errors as HTTP 200 with ok:false.
HttpResponse SlackError(const std::string& code) {
  return HttpResponse::Json(200, json{{"ok", false}, {"error", code}}.dump());
}

std::string BearerToken(const HttpRequest& request) {
  auto auth = request.headers.Get("Authorization");
  if (auth && auth->starts_with("Bearer ")) return std::string(auth->substr(7));
  return "";
}

// Web API arguments arrive as JSON or as a form; tokens may also come in the form.
json Arguments(const HttpRequest& request) {
  auto type = request.headers.Get("Content-Type").value_or("");
  if (type.starts_with("application/json")) {
    auto body = json::parse(request.body, nullptr, false);
    return body.is_object() ? body : json::object();
  }
  json args = json::object();
  for (auto& [k, v] : core::net::ParseForm(request.body)) {
    // Form posts carry structured fields (blocks, view) as JSON strings.
    if (k == "blocks" || k == "view") {
      auto parsed = json::parse(v, nullptr, false);
      args[k] = parsed.is_discarded() ? json(v) : parsed;
    } else {
      args[k] = v;
    }
  }
  return args;
}

}  // namespace

std::optional<std::chrono::microseconds> AckRecord::latency() const {
  if (!acked_at) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::microseconds>(*acked_at - sent_at);
}

struct SlackSandbox::Impl : std::enable_shared_from_this<SlackSandbox::Impl> {
  struct Connection {
    std::shared_ptr<core::net::WebSocket> socket;
    bool greeted = false;
    bool disconnecting = false;  // told to go away: nothing more is delivered on it, unless
                                 // deliver_while_disconnecting
    bool closing = false;        // the sandbox closes it: nothing more is delivered on it
  };

  Impl(core::net::IoRuntime& io, SlackSandboxOptions options)
      : io(io),
        options(std::move(options)),
        clock(this->options.clock ? *this->options.clock : core::DefaultClock()),
        rate_limits(this->options.rate_limits, clock),
        workspace(clock, WorkspaceOptions{this->options.team_id, this->options.app_id,
                                          this->options.bot_user_id, this->options.bot_id}),
        log(core::Logger("sandbox.slack")) {
    core::net::HttpServerOptions server_options;
    server_options.tls = this->options.tls;
    server = std::make_unique<core::net::HttpServer>(io, server_options);
  }

  core::net::IoRuntime& io;
  SlackSandboxOptions options;
  core::Clock& clock;
  WebApiRateLimits rate_limits;
  SlackWorkspace workspace;
  std::unique_ptr<SimulatedUser>
      simulated_user;  // set up by InstallRoutes (needs shared_from_this)
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<core::net::HttpServer> server;
  std::unique_ptr<TcpRelay> relay;
  std::shared_ptr<core::net::TimerHandle> ping_timer;
  std::shared_ptr<core::net::TimerHandle> sweep_timer;
  std::uint64_t ping_seq = 0;

  mutable std::mutex mu;
  std::mt19937_64 rng{std::random_device{}()};
  std::map<std::uint64_t, Connection> connections;
  std::uint64_t connections_opened = 0;
  std::uint64_t next_connection_pick = 0;
  std::deque<std::pair<std::string, std::string>> pending;  // (envelope_id, text)
  std::unordered_map<std::string, AckRecord> acks;
  // Redelivery bookkeeping: what was sent when (in send order) and the text of every envelope
  // not yet acked, so a sweep can resend it.
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> sent_log;
  std::unordered_map<std::string, std::string> unacked_text;
  std::vector<std::string> ack_order;
  std::unordered_map<std::string, InteractionOrigin> origins;
  std::vector<std::string> tickets;
  std::vector<std::function<void(const SandboxEvent&)>> observers;

  void Notify(const SandboxEvent& event) {
    std::vector<std::function<void(const SandboxEvent&)>> copy;
    {
      std::lock_guard lock(mu);
      copy = observers;
    }
    for (auto& o : copy) o(event);
  }

  void InstallRoutes() {
    std::weak_ptr<Impl> weak = shared_from_this();
    simulated_user = std::make_unique<SimulatedUser>(
        workspace, clock,
        SimulatedUserOptions{options.team_id, options.app_id, options.bot_id,
                             options.verification_token,
                             [weak] {
                               auto self = weak.lock();
                               return self ? self->server->BaseUrl() : std::string();
                             }},
        [weak](json payload, const InteractionOrigin& origin) {
          auto self = weak.lock();
          return self ? self->SendInteractive(std::move(payload), origin) : std::string();
        },
        [weak](const SandboxEvent& event) {
          if (auto self = weak.lock()) self->Notify(event);
        });
    auto route = [&](const std::string& path, HttpResponse (Impl::*method)(const HttpRequest&)) {
      server->Route("POST", path, [weak, method, path](HttpRequest&& request, auto respond) {
        auto self = weak.lock();
        if (!self) return respond(HttpResponse::Text(503, "sandbox stopped"));
        if (auto limited = self->RateLimited(path.substr(5), request)) {
          return self->Answer(std::move(respond), std::move(*limited));
        }
        self->Answer(std::move(respond), ((*self).*method)(request));
      });
    };
    route("/api/apps.connections.open", &Impl::ConnectionsOpen);
    route("/api/auth.test", &Impl::AuthTest);
    server->RoutePrefix("POST", "/api/", [weak](HttpRequest&& request, auto respond) {
      auto self = weak.lock();
      if (!self) return respond(HttpResponse::Text(503, "sandbox stopped"));
      self->Answer(std::move(respond), self->WebApi(request));
    });
    server->RoutePrefix("POST", "/response/", [weak](HttpRequest&& request, auto respond) {
      auto self = weak.lock();
      if (!self) return respond(HttpResponse::Text(503, "sandbox stopped"));
      respond(self->ResponseUrl(request));
    });
    server->RouteWebSocket(
        "/link/", [weak](std::shared_ptr<core::net::WebSocket> socket, const HttpRequest& upgrade) {
          core::net::WebSocketCallbacks callbacks;
          auto self = weak.lock();
          if (!self) return callbacks;
          return self->OnSocket(std::move(socket), upgrade);
        });
  }

  // Sends a Web API answer, web_api_latency later when that is set.
  void Answer(core::net::HttpResponder respond, HttpResponse response) {
    if (options.web_api_latency <= std::chrono::milliseconds(0)) {
      return respond(std::move(response));
    }
    io.RunAfter(options.web_api_latency,
                [respond = std::move(respond), response = std::move(response)]() mutable {
                  respond(std::move(response));
                });
  }

  // A 429 for a call with a valid token whose method is over its limit; such a call has no
  // effect. Calls with a bad token fall through to the method's own auth error.
  std::optional<HttpResponse> RateLimited(const std::string& method, const HttpRequest& request) {
    const json args = Arguments(request);
    std::string token = BearerToken(request);
    if (token.empty() && args.contains("token") && args["token"].is_string()) {
      token = args["token"].get<std::string>();
    }
    if (token != options.bot_token && token != options.app_token) return std::nullopt;
    std::string channel;
    if (auto it = args.find("channel"); it != args.end() && it->is_string()) {
      channel = it->get<std::string>();
    }
    auto retry_after = rate_limits.Admit(method, channel);
    if (!retry_after) return std::nullopt;
    auto response = HttpResponse::Json(429, json{{"ok", false}, {"error", "ratelimited"}}.dump());
    response.headers.Set("Retry-After", std::to_string(*retry_after));
    return response;
  }

  HttpResponse ConnectionsOpen(const HttpRequest& request) {
    const std::string token = BearerToken(request);
    if (token.empty()) return SlackError("not_authed");
    if (token.starts_with("xoxb-") || token.starts_with("xoxp-")) {
      return SlackError("not_allowed_token_type");
    }
    if (token != options.app_token) return SlackError("invalid_auth");
    std::string ticket;
    {
      std::lock_guard lock(mu);
      ticket = RandomHex(rng, 32);
      tickets.push_back(ticket);
    }
    const std::string scheme = options.tls.enabled() ? "wss://" : "ws://";
    // Real Slack hands out wss://wss-primary.slack.com/link/?ticket=...; we keep the path.
    const std::string host = relay ? "127.0.0.1:" + std::to_string(relay->port())
                                   : server->BaseUrl().substr(server->BaseUrl().find("://") + 3);
    return SlackOk(
        {{"url", scheme + host + "/link/?ticket=" + ticket + "&app_id=" + options.app_id}});
  }

  bool BotAuthorized(const HttpRequest& request, const json& args) const {
    std::string token = BearerToken(request);
    if (token.empty() && args.contains("token") && args["token"].is_string()) {
      token = args["token"].get<std::string>();
    }
    return token == options.bot_token;
  }

  HttpResponse AuthTest(const HttpRequest& request) {
    const json args = Arguments(request);
    if (!BotAuthorized(request, args)) {
      return BearerToken(request).empty() ? SlackError("not_authed") : SlackError("invalid_auth");
    }
    return SlackOk({{"url", "https://sandbox.slack.test/"},
                    {"team", "Contexten Sandbox"},
                    {"user", "contexten"},
                    {"team_id", options.team_id},
                    {"user_id", options.bot_user_id},
                    {"bot_id", options.bot_id},
                    {"is_enterprise_install", false}});
  }

  void NotifyAll(const std::vector<SandboxEvent>& events) {
    for (const auto& e : events) Notify(e);
  }

  // Every bot-token method the workspace implements: auth, rate limit, then the method.
  HttpResponse WebApi(const HttpRequest& request) {
    const std::string method(request.Path().substr(std::string_view("/api/").size()));
    const json args = Arguments(request);
    if (!BotAuthorized(request, args)) {
      if (BearerToken(request).starts_with("xapp-")) return SlackError("not_allowed_token_type");
      return BearerToken(request).empty() && !args.contains("token") ? SlackError("not_authed")
                                                                     : SlackError("invalid_auth");
    }
    if (auto limited = RateLimited(method, request)) return *limited;
    std::optional<SandboxMessage> before;
    if (method == "chat.update") {
      const auto arg = [&args](const char* key) {
        return args.contains(key) && args[key].is_string() ? args[key].get<std::string>() : "";
      };
      before = workspace.FindMessage(arg("channel"), arg("ts"));
    }
    auto answer = workspace.Call(method, args);
    if (!answer) return SlackError("unknown_method");
    NotifyAll(answer->events);
    // Slack tells an app that reads the channel about every edit, its own chat.update included
    // (message_changed whose message carries the bot's bot_id): the bot must not take it for a
    // person's edit. Sent for thread replies, the messages a synced thread mirrors; card
    // updates (top-level) are left out so every story is not flooded with events nobody reads.
    if (before && before->from_bot && !before->thread_ts.empty() &&
        answer->body.value("ok", false)) {
      if (auto after = workspace.FindMessage(before->channel, before->ts)) {
        SendMessageChanged(*before, *after);
      }
    }
    return HttpResponse::Json(200, answer->body.dump());
  }

  HttpResponse ResponseUrl(const HttpRequest& request) {
    const std::string id(request.Path().substr(std::string_view("/response/").size()));
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return HttpResponse::Json(400, json{{"ok", false}, {"error", "invalid_payload"}}.dump());
    }
    auto answer = workspace.Respond(id, body);
    NotifyAll(answer.events);
    return HttpResponse::Json(answer.status, answer.body.dump());
  }

  // Sends an interactive envelope for `payload` and remembers where it came from.
  std::string SendInteractive(json payload, const InteractionOrigin& origin) {
    const std::string envelope_id = NewEnvelopeId();
    {
      std::lock_guard lock(mu);
      origins[envelope_id] = origin;
    }
    json envelope = {{"envelope_id", envelope_id},
                     {"type", "interactive"},
                     {"payload", std::move(payload)},
                     {"accepts_response_payload", origin.type == "view_submission"}};
    Deliver(envelope_id, "interactive", envelope.dump());
    return envelope_id;
  }

  core::net::WebSocketCallbacks OnSocket(std::shared_ptr<core::net::WebSocket> socket,
                                         const HttpRequest& upgrade) {
    core::net::WebSocketCallbacks callbacks;
    const auto ticket = upgrade.Query("ticket").value_or("");
    {
      std::lock_guard lock(mu);
      auto it = std::find(tickets.begin(), tickets.end(), ticket);
      if (ticket.empty() || it == tickets.end()) {
        log->warn("refusing Socket Mode connection with an unknown ticket");
        socket->Close(1008, "invalid ticket");
        return callbacks;
      }
      tickets.erase(it);  // single use
    }
    const std::uint64_t id = socket->id();
    std::weak_ptr<Impl> weak = shared_from_this();
    callbacks.on_message = [weak, id](std::string_view text) {
      if (auto self = weak.lock()) self->OnClientFrame(id, text);
    };
    callbacks.on_close = [weak, id](const core::Error&) {
      if (auto self = weak.lock()) self->OnSocketClosed(id);
    };
    std::vector<std::pair<std::string, std::string>> flush;
    int count = 0;
    {
      std::lock_guard lock(mu);
      if (static_cast<int>(connections.size()) >= options.max_connections) {
        log->warn("refusing Socket Mode connection {}: {} already open", id, connections.size());
        socket->Send(DisconnectFrame("too_many_websockets"));
        socket->Close(1000, "too_many_websockets");
        return callbacks;
      }
      connections[id] = Connection{socket, true, false, false};
      ++connections_opened;
      count = static_cast<int>(connections.size());
      flush.assign(pending.begin(), pending.end());
      pending.clear();
    }
    json hello = {{"type", "hello"},
                  {"num_connections", count},
                  {"debug_info",
                   {{"host", "sandbox-applink"},
                    {"build_number", 1},
                    {"approximate_connection_time", 18060}}},
                  {"connection_info", {{"app_id", options.app_id}}}};
    socket->Send(hello.dump());
    for (auto& [envelope_id, text] : flush) SendOn(id, socket, envelope_id, std::move(text));
    Notify({SandboxEvent::Kind::kConnectionOpened, std::nullopt, std::nullopt, count});
    return callbacks;
  }

  std::string DisconnectFrame(const std::string& reason) const {
    return json{
        {"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "sandbox-applink"}}}}
        .dump();
  }

  void OnSocketClosed(std::uint64_t id) {
    int count = 0;
    {
      std::lock_guard lock(mu);
      if (connections.erase(id) == 0) return;  // a refused connection was never counted
      count = static_cast<int>(connections.size());
    }
    Notify({SandboxEvent::Kind::kConnectionClosed, std::nullopt, std::nullopt, count});
  }

  int SendDisconnect(const std::string& reason, std::uint64_t only) {
    std::vector<std::shared_ptr<core::net::WebSocket>> targets;
    {
      std::lock_guard lock(mu);
      for (auto& [id, c] : connections) {
        if (only != 0 && id != only) continue;
        c.disconnecting = true;
        targets.push_back(c.socket);
      }
    }
    const std::string frame = DisconnectFrame(reason);
    for (auto& socket : targets) {
      socket->Send(frame);
      std::weak_ptr<core::net::WebSocket> weak = socket;
      std::weak_ptr<Impl> weak_self = shared_from_this();
      auto timer = io.RunAfter(options.disconnect_grace, [weak, weak_self, reason] {
        auto s = weak.lock();
        if (!s) return;
        if (auto self = weak_self.lock()) {
          std::lock_guard lock(self->mu);
          if (auto it = self->connections.find(s->id()); it != self->connections.end()) {
            it->second.closing = true;
          }
        }
        s->Close(1000, reason);
      });
      std::lock_guard lock(mu);
      grace_timers.push_back(std::move(timer));
    }
    return static_cast<int>(targets.size());
  }

  void PingAll() {
    std::vector<std::shared_ptr<core::net::WebSocket>> targets;
    std::string payload;
    {
      std::lock_guard lock(mu);
      for (auto& [id, c] : connections) targets.push_back(c.socket);
      payload = "sandbox-" + std::to_string(++ping_seq);
      std::weak_ptr<Impl> weak = shared_from_this();
      ping_timer = io.RunAfter(options.ping_interval, [weak] {
        if (auto self = weak.lock()) self->PingAll();
      });
    }
    for (auto& socket : targets) socket->Ping(payload);
  }

  // Resends every envelope that stayed unacked for redelivery_delay, as Slack does.
  void Sweep() {
    std::vector<std::string> resend;
    {
      std::lock_guard lock(mu);
      const auto cutoff = std::chrono::steady_clock::now() - options.redelivery_delay;
      while (!sent_log.empty() && sent_log.front().first <= cutoff) {
        auto envelope_id = std::move(sent_log.front().second);
        sent_log.pop_front();
        auto text = unacked_text.find(envelope_id);
        if (text == unacked_text.end()) continue;  // acked
        auto record = acks.find(envelope_id);
        if (record == acks.end() || record->second.acked_at) {
          unacked_text.erase(text);
          continue;
        }
        // A later delivery of the same envelope has its own entry further back.
        if (record->second.sent_at > cutoff) continue;
        if (record->second.deliveries > options.max_retries) {
          unacked_text.erase(text);
          continue;
        }
        resend.push_back(envelope_id);
      }
      std::weak_ptr<Impl> weak = shared_from_this();
      sweep_timer = io.RunAfter(SweepPeriod(), [weak] {
        if (auto self = weak.lock()) self->Sweep();
      });
    }
    for (const auto& envelope_id : resend) Redeliver(envelope_id);
  }

  std::chrono::milliseconds SweepPeriod() const {
    return std::clamp(options.redelivery_delay / 4, std::chrono::milliseconds(5),
                      std::chrono::milliseconds(500));
  }

  void Redeliver(const std::string& envelope_id) {
    std::string type;
    json envelope;
    {
      std::lock_guard lock(mu);
      auto text = unacked_text.find(envelope_id);
      auto record = acks.find(envelope_id);
      if (text == unacked_text.end() || record == acks.end()) return;
      envelope = json::parse(text->second, nullptr, false);
      if (!envelope.is_object()) return;
      envelope["retry_attempt"] = record->second.deliveries;
      envelope["retry_reason"] = "timeout";
      type = record->second.type;
    }
    log->info("redelivering unacked envelope {} (retry {})", envelope_id,
              envelope["retry_attempt"].get<int>());
    Deliver(envelope_id, type, envelope.dump());
  }

  void OnClientFrame(std::uint64_t connection, std::string_view text) {
    auto frame = json::parse(text, nullptr, false);
    if (frame.is_discarded() || !frame.is_object() || !frame.contains("envelope_id")) {
      log->warn("connection {} sent a frame that is not an ack", connection);
      return;
    }
    const std::string envelope_id = frame.value("envelope_id", "");
    std::optional<AckRecord> record;
    std::optional<InteractionOrigin> origin;
    json payload = frame.contains("payload") ? frame["payload"] : json();
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu);
      auto it = acks.find(envelope_id);
      if (it == acks.end()) {
        log->warn("ack for unknown envelope {}", envelope_id);
        return;
      }
      auto& ack = it->second;
      ++ack.ack_count;
      unacked_text.erase(envelope_id);
      if (ack.ack_count == 1) ack.payload = payload;
      record = ack;
      if (auto o = origins.find(envelope_id); o != origins.end()) origin = o->second;
    }
    const bool first_ack = record && record->ack_count == 1;
    if (first_ack && origin && origin->type == "slash_commands" && payload.is_object() &&
        (payload.contains("text") || payload.contains("blocks"))) {
      NotifyAll(workspace.Reply(*origin, payload));
    }
    if (first_ack && origin && origin->type == "view_submission") {
      simulated_user->ApplySubmissionAck(*origin, payload);
    }
    // acked_at is set only now, after the ack's reply is in the workspace: whoever waits for
    // AckFor(...)->acked_at (the console before its next line, tests) then also sees the reply.
    // Setting it first let the console print its next command before the reply under ASan.
    if (first_ack) {
      std::lock_guard lock(mu);
      if (auto it = acks.find(envelope_id); it != acks.end() && !it->second.acked_at) {
        it->second.acked_at = now;
        record = it->second;
      }
    }
    Notify({SandboxEvent::Kind::kAcked, std::nullopt, record});
  }

  void SendOn(std::uint64_t connection, const std::shared_ptr<core::net::WebSocket>& socket,
              const std::string& envelope_id, std::string text) {
    {
      std::lock_guard lock(mu);
      auto& record = acks[envelope_id];
      if (record.envelope_id.empty()) ack_order.push_back(envelope_id);
      record.envelope_id = envelope_id;
      record.connection = connection;
      record.sent_at = std::chrono::steady_clock::now();
      ++record.deliveries;
      if (options.redelivery_delay.count() > 0 && !record.acked_at) {
        sent_log.emplace_back(record.sent_at, envelope_id);
        // The first delivery's text is the template for retries.
        unacked_text.try_emplace(envelope_id, text);
      }
    }
    socket->Send(std::move(text));
  }

  void Deliver(const std::string& envelope_id, const std::string& type, std::string text) {
    std::shared_ptr<core::net::WebSocket> socket;
    std::uint64_t id = 0;
    {
      std::lock_guard lock(mu);
      acks[envelope_id].type = type;
      std::vector<std::pair<std::uint64_t, std::shared_ptr<core::net::WebSocket>>> open;
      for (auto& [cid, c] : connections) {
        const bool deliverable =
            !c.closing && (!c.disconnecting || options.deliver_while_disconnecting);
        if (c.greeted && deliverable && c.socket->is_open()) open.emplace_back(cid, c.socket);
      }
      if (open.empty()) {
        pending.emplace_back(envelope_id, std::move(text));
        return;
      }
      auto& pick = open[next_connection_pick++ % open.size()];
      id = pick.first;
      socket = pick.second;
    }
    SendOn(id, socket, envelope_id, std::move(text));
  }

  std::vector<std::shared_ptr<core::net::TimerHandle>> grace_timers;

  std::string NewEnvelopeId() {
    std::lock_guard lock(mu);
    return RandomHex(rng, 8) + "-" + RandomHex(rng, 4) + "-" + RandomHex(rng, 4) + "-" +
           RandomHex(rng, 4) + "-" + RandomHex(rng, 12);
  }

  // An Events API envelope for `event` (an event_callback, as Slack wraps it); returns its id.
  std::string SendEvent(json event, const std::string& user, const std::string& channel,
                        const std::string& event_ts) {
    const auto& o = options;
    const std::string envelope_id = NewEnvelopeId();
    json payload = {{"token", o.verification_token},
                    {"team_id", o.team_id},
                    {"api_app_id", o.app_id},
                    {"event", std::move(event)},
                    {"type", "event_callback"},
                    {"event_id", NewEventId()},
                    {"event_time", std::stoll(event_ts.substr(0, event_ts.find('.')))},
                    {"authorizations", json::array({{{"enterprise_id", nullptr},
                                                     {"team_id", o.team_id},
                                                     {"user_id", o.bot_user_id},
                                                     {"is_bot", true},
                                                     {"is_enterprise_install", false}}})},
                    {"is_ext_shared_channel", false},
                    {"event_context", "sandbox-" + channel}};
    json envelope = {{"envelope_id", envelope_id}, {"type", "events_api"},
                     {"payload", payload},         {"accepts_response_payload", false},
                     {"retry_attempt", 0},         {"retry_reason", ""}};
    {
      std::lock_guard lock(mu);
      origins[envelope_id] = {"events_api", user, channel, "", ""};
    }
    Deliver(envelope_id, "events_api", envelope.dump());
    return envelope_id;
  }

  // message_changed for `before` -> `after` (docs.slack.dev: reference/events/message/
  // message_changed): hidden, its own ts, the message as it is now and as it was.
  std::string SendMessageChanged(const SandboxMessage& before, const SandboxMessage& after) {
    const std::string ts = workspace.NewTs();
    json event = {{"type", "message"},
                  {"subtype", "message_changed"},
                  {"hidden", true},
                  {"channel", after.channel},
                  {"channel_type", "channel"},
                  {"ts", ts},
                  {"event_ts", ts},
                  {"message", workspace.EventMessageJson(after)},
                  {"previous_message", workspace.EventMessageJson(before)}};
    event["message"]["edited"] = {{"user", after.user}, {"ts", ts}};
    return SendEvent(std::move(event), after.user, after.channel, ts);
  }

  std::string NewEventId() {
    std::lock_guard lock(mu);
    return "Ev0" + RandomHex(rng, 10);
  }
};

SlackSandbox::SlackSandbox(core::net::IoRuntime& io, SlackSandboxOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {
  impl_->InstallRoutes();
}

SlackSandbox::~SlackSandbox() { Stop(); }

core::Status SlackSandbox::Start() {
  if (auto started = impl_->server->Start(); !started) return started;
  if (impl_->options.relay_links) {
    impl_->relay = std::make_unique<TcpRelay>(impl_->server->port());
    if (auto relayed = impl_->relay->Start(); !relayed) return relayed;
  }
  std::weak_ptr<Impl> weak = impl_;
  std::lock_guard lock(impl_->mu);
  if (impl_->options.ping_interval.count() > 0) {
    impl_->ping_timer = impl_->io.RunAfter(impl_->options.ping_interval, [weak] {
      if (auto self = weak.lock()) self->PingAll();
    });
  }
  if (impl_->options.redelivery_delay.count() > 0) {
    impl_->sweep_timer = impl_->io.RunAfter(impl_->SweepPeriod(), [weak] {
      if (auto self = weak.lock()) self->Sweep();
    });
  }
  return core::Ok();
}

void SlackSandbox::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->ping_timer) impl_->ping_timer->Cancel();
    if (impl_->sweep_timer) impl_->sweep_timer->Cancel();
    for (auto& t : impl_->grace_timers) t->Cancel();
  }
  if (impl_->relay) impl_->relay->Stop();
  impl_->server->Stop();
}

const SlackSandboxOptions& SlackSandbox::options() const { return impl_->options; }

std::string SlackSandbox::base_url() const { return impl_->server->BaseUrl(); }

std::string SlackSandbox::api_url() const { return base_url() + "/api"; }

std::string SlackSandbox::InjectSlashCommand(const std::string& command, const std::string& text,
                                             const std::string& user, const std::string& channel) {
  const std::string envelope_id = impl_->NewEnvelopeId();
  const InteractionOrigin origin{"slash_commands", user, channel, "", ""};
  {
    std::lock_guard lock(impl_->mu);
    impl_->origins[envelope_id] = origin;
  }
  const auto& o = impl_->options;
  nlohmann::json payload = {
      {"token", o.verification_token},
      {"team_id", o.team_id},
      {"team_domain", "contexten-sandbox"},
      {"channel_id", channel},
      {"channel_name", channel == "C0GENERAL" ? "general" : channel},
      {"user_id", user},
      {"user_name", user == "U0SANDBOXUSER" ? "you" : user},
      {"command", command},
      {"text", text},
      {"api_app_id", o.app_id},
      {"is_enterprise_install", "false"},
      {"response_url", base_url() + "/response/" + impl_->workspace.NewResponseUrl(origin)},
      {"trigger_id", impl_->workspace.views().IssueTrigger(user)}};
  nlohmann::json envelope = {{"envelope_id", envelope_id},
                             {"type", "slash_commands"},
                             {"payload", payload},
                             {"accepts_response_payload", true}};
  impl_->Deliver(envelope_id, "slash_commands", envelope.dump());
  return envelope_id;
}

std::string SlackSandbox::InjectMessage(const std::string& text, const std::string& user,
                                        const std::string& channel, const std::string& thread_ts) {
  const auto& o = impl_->options;
  SandboxMessage msg;
  msg.channel = channel;
  msg.user = user;
  msg.text = text;
  msg.thread_ts = thread_ts;
  msg = impl_->workspace.AddMessage(std::move(msg));
  impl_->Notify({SandboxEvent::Kind::kMessagePosted, msg, std::nullopt});

  auto make = [&](const std::string& event_type) {
    nlohmann::json event = {{"type", event_type}, {"text", text},      {"user", user},
                            {"ts", msg.ts},       {"team", o.team_id}, {"channel", channel},
                            {"event_ts", msg.ts}};
    const bool dm = !channel.empty() && channel[0] == 'D';
    if (event_type == "message") event["channel_type"] = dm ? "im" : "channel";
    if (!thread_ts.empty()) event["thread_ts"] = thread_ts;
    return impl_->SendEvent(std::move(event), user, channel, msg.ts);
  };
  const std::string first = make("message");
  const bool dm = !channel.empty() && channel[0] == 'D';
  if (!dm && text.find("<@" + o.bot_user_id + ">") != std::string::npos) {
    return make("app_mention");
  }
  return first;
}

namespace {

// What Slack lets a person edit or delete: a message of theirs that is still there, not a bot's
// and not an ephemeral one.
core::Status OwnMessage(const SlackWorkspace& workspace, const std::string& channel,
                        const std::string& ts, const std::string& user, const std::string& verb) {
  const auto existing = workspace.FindMessage(channel, ts);
  if (!existing || existing->ephemeral) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kNotFound, "no message " + ts + " in " + channel));
  }
  if (existing->from_bot || existing->user != user) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kUnauthorized,
                                            "message " + ts + " is not " + user + "'s to " + verb));
  }
  return core::Ok();
}

}  // namespace

core::Result<std::string> SlackSandbox::EditMessage(const std::string& channel,
                                                    const std::string& ts, const std::string& text,
                                                    const std::string& user) {
  if (auto own = OwnMessage(impl_->workspace, channel, ts, user, "edit"); !own) {
    return core::Unexpected(own.error());
  }
  auto edited = impl_->workspace.EditMessage(channel, ts, text);
  if (!edited) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kNotFound, "no message " + ts + " in " + channel));
  }
  impl_->Notify({SandboxEvent::Kind::kMessageUpdated, edited->second, std::nullopt});
  return impl_->SendMessageChanged(edited->first, edited->second);
}

core::Result<std::string> SlackSandbox::DeleteMessage(const std::string& channel,
                                                      const std::string& ts,
                                                      const std::string& user) {
  if (auto own = OwnMessage(impl_->workspace, channel, ts, user, "delete"); !own) {
    return core::Unexpected(own.error());
  }
  auto gone = impl_->workspace.RemoveMessage(channel, ts);
  if (!gone) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kNotFound, "no message " + ts + " in " + channel));
  }
  impl_->Notify({SandboxEvent::Kind::kMessageDeleted, *gone, std::nullopt});
  // docs.slack.dev: reference/events/message/message_deleted: hidden, deleted_ts, and the
  // message as it was.
  const std::string event_ts = impl_->workspace.NewTs();
  nlohmann::json event = {{"type", "message"},
                          {"subtype", "message_deleted"},
                          {"hidden", true},
                          {"channel", channel},
                          {"channel_type", "channel"},
                          {"ts", event_ts},
                          {"event_ts", event_ts},
                          {"deleted_ts", ts},
                          {"previous_message", impl_->workspace.EventMessageJson(*gone)}};
  return impl_->SendEvent(std::move(event), user, channel, event_ts);
}

void SlackSandbox::PushEnvelope(const nlohmann::json& envelope) {
  impl_->Deliver(envelope.value("envelope_id", ""), envelope.value("type", ""), envelope.dump());
}

void SlackSandbox::PushEnvelopeText(const std::string& envelope_id, const std::string& type,
                                    std::string text) {
  impl_->Deliver(envelope_id, type, std::move(text));
}

std::vector<SandboxMessage> SlackSandbox::Messages(const std::string& channel) const {
  return impl_->workspace.Messages(channel);
}

std::vector<AckRecord> SlackSandbox::Acks() const {
  std::lock_guard lock(impl_->mu);
  std::vector<AckRecord> out;
  for (const auto& id : impl_->ack_order) out.push_back(impl_->acks.at(id));
  return out;
}

std::optional<AckRecord> SlackSandbox::AckFor(const std::string& envelope_id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->acks.find(envelope_id);
  if (it == impl_->acks.end()) return std::nullopt;
  return it->second;
}

int SlackSandbox::open_connections() const {
  std::lock_guard lock(impl_->mu);
  return static_cast<int>(impl_->connections.size());
}

std::uint64_t SlackSandbox::connections_opened() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections_opened;
}

void SlackSandbox::DropConnections() {
  std::vector<std::shared_ptr<core::net::WebSocket>> sockets;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [id, c] : impl_->connections) sockets.push_back(c.socket);
  }
  for (auto& s : sockets) s->Abort();
}

std::vector<std::uint64_t> SlackSandbox::ConnectionIds() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::uint64_t> ids;
  for (const auto& [id, c] : impl_->connections) ids.push_back(id);
  return ids;
}

int SlackSandbox::SendDisconnect(const std::string& reason, std::uint64_t connection) {
  return impl_->SendDisconnect(reason, connection);
}

int SlackSandbox::FreezeConnections() { return impl_->relay ? impl_->relay->Freeze() : 0; }

void SlackSandbox::InjectRateLimit(const std::string& method, int count, int retry_after_seconds) {
  impl_->rate_limits.Inject(method, count, retry_after_seconds);
}

std::uint64_t SlackSandbox::RateLimitedResponses() const { return impl_->rate_limits.refused(); }

void SlackSandbox::Subscribe(std::function<void(const SandboxEvent&)> observer) {
  std::lock_guard lock(impl_->mu);
  impl_->observers.push_back(std::move(observer));
}

void SlackSandbox::SeedUser(SandboxUser user) { impl_->workspace.SeedUser(std::move(user)); }

}  // namespace contexten::sandbox

namespace contexten::sandbox {

core::Result<std::string> SlackSandbox::UseShortcut(const std::string& callback_id,
                                                    const std::string& user,
                                                    const std::string& channel,
                                                    const std::string& message_ts) {
  if (message_ts.empty()) return impl_->simulated_user->Shortcut(callback_id, user, std::nullopt);
  for (const auto& m : impl_->workspace.Messages(channel)) {
    if (m.ts == message_ts) return impl_->simulated_user->Shortcut(callback_id, user, m);
  }
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kNotFound, "no message " + message_ts + " in " + channel));
}

core::Result<std::string> SlackSandbox::Click(const std::string& label_or_action_id,
                                              const std::string& user) {
  return impl_->simulated_user->Click(label_or_action_id, user);
}

core::Result<std::string> SlackSandbox::ClickIn(const std::string& channel,
                                                const std::string& message_ts,
                                                const std::string& label_or_action_id,
                                                const std::string& user) {
  return impl_->simulated_user->ClickIn(channel, message_ts, label_or_action_id, user);
}

core::Result<std::string> SlackSandbox::SubmitView(const std::string& view_id,
                                                   const std::map<std::string, std::string>& values,
                                                   const std::string& user) {
  return impl_->simulated_user->SubmitView(view_id, values, user);
}

core::Result<std::string> SlackSandbox::CloseView(const std::string& view_id,
                                                  const std::string& user) {
  return impl_->simulated_user->CloseView(view_id, user);
}

std::vector<SandboxView> SlackSandbox::OpenViews(const std::string& user) const {
  return impl_->workspace.views().OpenViews(user);
}

std::string SlackSandbox::IssueTriggerId(const std::string& user) {
  return impl_->workspace.views().IssueTrigger(user);
}

std::string SlackSandbox::IssueResponseUrl(const std::string& user, const std::string& channel,
                                           const std::string& message_ts) {
  return base_url() + "/response/" +
         impl_->workspace.NewResponseUrl(
             InteractionOrigin{"block_actions", user, channel, message_ts, ""});
}

}  // namespace contexten::sandbox
