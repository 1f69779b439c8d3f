#include "integrations/slack/socket_mode_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>

#include "core/logging.hpp"
#include "core/net/websocket_client.hpp"
#include "core/resilience/backoff.hpp"

namespace contexten::integrations::slack {

struct SocketModeClient::Impl : std::enable_shared_from_this<SocketModeClient::Impl> {
  // One connection attempt, from apps.connections.open until its socket closes. Keyed by our own
  // attempt id (not the socket id) so frames that race ahead of the connect completion still
  // find their connection.
  struct Conn {
    std::shared_ptr<core::net::WebSocket> socket;  // null while connecting
    bool hello = false;
    bool retiring = false;      // Slack asked us to move; a replacement is (being) opened
    bool draining = false;      // retiring and replaced: serves until Slack closes it or grace
    bool too_many = false;      // Slack refused it with too_many_websockets
    std::string ping_expected;  // payload of the ping whose pong we wait for
    std::shared_ptr<core::net::TimerHandle> ping_timer;
    std::shared_ptr<core::net::TimerHandle> pong_timer;
    std::shared_ptr<core::net::TimerHandle> retire_timer;  // ends the drain grace
  };

  Impl(core::net::IoRuntime& io, core::net::HttpClient& http, SocketModeOptions options,
       EnvelopeHandler handler)
      : io(io),
        http(http),
        options(std::move(options)),
        handler(std::move(handler)),
        log(core::Logger("slack.socket")) {
    while (!this->options.api_url.empty() && this->options.api_url.back() == '/') {
      this->options.api_url.pop_back();
    }
    this->options.connections = std::max(1, this->options.connections);
    backoff.initial = this->options.reconnect_base;
    backoff.cap = this->options.reconnect_cap;
  }

  core::net::IoRuntime& io;
  core::net::HttpClient& http;
  SocketModeOptions options;
  EnvelopeHandler handler;
  std::shared_ptr<spdlog::logger> log;
  core::resilience::BackoffPolicy backoff;

  mutable std::mutex mu;
  std::map<std::uint64_t, Conn> conns;
  int waiting = 0;  // backoff timers not yet fired; each stands for one future socket
  std::vector<std::shared_ptr<core::net::TimerHandle>> backoff_timers;
  std::uint64_t next_attempt = 1;
  std::uint64_t ping_seq = 0;
  int failures = 0;  // consecutive, reset by a hello
  std::string last_error;
  SocketModeStats stats;
  std::mt19937_64 rng{std::random_device{}()};
  bool stopping = false;
  bool disabled = false;

  // --- budget (caller holds mu) ----------------------------------------------------------------
  int Total() const { return static_cast<int>(conns.size()) + waiting; }
  int Serving() const {
    int n = waiting;
    for (const auto& [id, c] : conns) n += c.retiring ? 0 : 1;
    return n;
  }
  void NoteSockets() { stats.max_sockets = std::max(stats.max_sockets, Total()); }

  // Opens attempts until `connections` non-retiring sockets exist (or are on their way), never
  // exceeding connections + 1 in total.
  void Refill() {
    std::vector<std::uint64_t> start;
    {
      std::lock_guard lock(mu);
      if (stopping || disabled) return;
      while (Serving() < options.connections && Total() < options.connections + 1) {
        const std::uint64_t id = next_attempt++;
        conns[id] = Conn{};
        start.push_back(id);
        NoteSockets();
      }
    }
    for (auto id : start) Open(id);
  }

  void Open(std::uint64_t id) {
    core::net::OutgoingRequest request;
    request.method = "POST";
    request.url = options.api_url + "/apps.connections.open";
    request.headers.Set("Authorization", "Bearer " + options.app_token);
    request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
    std::weak_ptr<Impl> weak = shared_from_this();
    http.SendAsync(std::move(request), [weak, id](core::Result<core::net::HttpResponse> r) {
      if (auto self = weak.lock()) self->OnUrl(id, std::move(r));
    });
  }

  void OnUrl(std::uint64_t id, core::Result<core::net::HttpResponse> response) {
    if (!response) {
      Failed(id, "apps.connections.open failed: " + response.error().Describe(), false);
      return;
    }
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (response->status != 200 || body.is_discarded() || !body.value("ok", false)) {
      std::string code = body.is_object() ? body.value("error", "") : "";
      if (code.empty()) code = "HTTP " + std::to_string(response->status);
      Failed(id, "apps.connections.open refused: " + code, false);
      return;
    }
    {
      std::lock_guard lock(mu);
      if (stopping || disabled) {
        conns.erase(id);
        return;
      }
    }
    const std::string url = body.value("url", "");
    std::weak_ptr<Impl> weak = shared_from_this();
    core::net::WebSocketCallbacks callbacks;
    callbacks.on_message = [weak, id](std::string_view text) {
      if (auto self = weak.lock()) self->OnFrame(id, text);
    };
    callbacks.on_pong = [weak, id](std::string_view payload) {
      if (auto self = weak.lock()) self->OnPong(id, payload);
    };
    callbacks.on_close = [weak, id](const core::Error& why) {
      if (auto self = weak.lock()) self->OnClosed(id, why);
    };
    core::net::WebSocketClientOptions ws_options;
    ws_options.tls = options.tls;
    core::net::ConnectWebSocket(
        io, url, ws_options, std::move(callbacks),
        [weak, id](core::Result<std::shared_ptr<core::net::WebSocket>> socket) {
          auto self = weak.lock();
          if (!self) {
            if (socket) (*socket)->Close();
            return;
          }
          if (!socket) {
            self->Failed(id, "WebSocket connect failed: " + socket.error().Describe(), false);
            return;
          }
          self->OnConnected(id, *socket);
        });
  }

  void OnConnected(std::uint64_t id, const std::shared_ptr<core::net::WebSocket>& socket) {
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (!stopping && !disabled && it != conns.end()) {
        it->second.socket = socket;
        ++stats.open_connections;
        SchedulePing(id, it->second);
        return;
      }
      conns.erase(id);
    }
    socket->Close(1000, "shutting down");
  }

  // A failed attempt or a dropped socket: free its place and try again after a backoff.
  void Failed(std::uint64_t id, const std::string& why, bool too_many) {
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mu);
      conns.erase(id);
      if (stopping || disabled) return;
      delay = core::resilience::ComputeBackoff(failures, rng, backoff);
      if (too_many) delay += options.too_many_websockets_delay;
      ++failures;
      ++stats.reconnects;
      ++waiting;
      last_error = why;
    }
    log->warn("Socket Mode: {}; reconnecting in {} ms", why, delay.count());
    std::weak_ptr<Impl> weak = shared_from_this();
    auto timer = io.RunAfter(delay, [weak] {
      auto self = weak.lock();
      if (!self) return;
      {
        std::lock_guard lock(self->mu);
        --self->waiting;
      }
      self->Refill();
    });
    std::lock_guard lock(mu);
    backoff_timers.erase(std::remove_if(backoff_timers.begin(), backoff_timers.end(),
                                        [](const auto& t) { return t.use_count() == 1; }),
                         backoff_timers.end());
    backoff_timers.push_back(std::move(timer));
  }

  // --- pings (caller holds mu) -------------------------------------------------------------------
  void SchedulePing(std::uint64_t id, Conn& conn) {
    if (options.ping_interval.count() <= 0) return;
    std::weak_ptr<Impl> weak = shared_from_this();
    conn.ping_timer = io.RunAfter(options.ping_interval, [weak, id] {
      if (auto self = weak.lock()) self->SendPing(id);
    });
  }

  void SendPing(std::uint64_t id) {
    std::shared_ptr<core::net::WebSocket> socket;
    std::string payload;
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (stopping || it == conns.end() || !it->second.socket) return;
      Conn& conn = it->second;
      SchedulePing(id, conn);
      if (!conn.ping_expected.empty()) return;  // the pong timer decides that one
      payload = "contexten-" + std::to_string(id) + "-" + std::to_string(++ping_seq);
      conn.ping_expected = payload;
      socket = conn.socket;
      std::weak_ptr<Impl> weak = shared_from_this();
      conn.pong_timer = io.RunAfter(options.ping_timeout, [weak, id, payload] {
        if (auto self = weak.lock()) self->CheckPong(id, payload);
      });
    }
    socket->Ping(payload);
  }

  void OnPong(std::uint64_t id, std::string_view payload) {
    std::lock_guard lock(mu);
    auto it = conns.find(id);
    if (it == conns.end() || it->second.ping_expected != payload) return;
    it->second.ping_expected.clear();
    if (it->second.pong_timer) it->second.pong_timer->Cancel();
  }

  void CheckPong(std::uint64_t id, const std::string& payload) {
    std::shared_ptr<core::net::WebSocket> socket;
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (stopping || it == conns.end() || it->second.ping_expected != payload) return;
      socket = it->second.socket;
      ++stats.stale;
    }
    log->warn("Socket Mode connection {} did not answer a ping within {} ms; replacing it", id,
              options.ping_timeout.count());
    // A silent peer would never finish a close handshake; drop the transport. on_close follows.
    if (socket) socket->Abort();
  }

  // --- frames ------------------------------------------------------------------------------------
  void OnFrame(std::uint64_t id, std::string_view text) {
    auto parsed = ParseSocketMessage(text);
    if (!parsed) {
      std::lock_guard lock(mu);
      ++stats.bad_frames;
      log->warn("ignoring Socket Mode frame: {}", parsed.error().message);
      return;
    }
    if (auto* control = std::get_if<ControlMessage>(&*parsed)) {
      OnControl(id, *control);
      return;
    }
    auto& envelope = std::get<Envelope>(*parsed);
    {
      std::lock_guard lock(mu);
      if (!conns.contains(id)) return;
      ++stats.envelopes;
    }
    // The socket is looked up when acking: an envelope can race ahead of the connect completion.
    std::weak_ptr<Impl> weak_self = shared_from_this();
    auto once = std::make_shared<std::atomic<bool>>(false);
    AckFn ack = [weak_self, once, id,
                 envelope_id = envelope.envelope_id](const nlohmann::json* payload) {
      if (once->exchange(true)) return false;
      auto self = weak_self.lock();
      if (!self) return false;
      std::shared_ptr<core::net::WebSocket> socket;
      {
        std::lock_guard lock(self->mu);
        auto it = self->conns.find(id);
        if (it == self->conns.end()) return false;
        socket = it->second.socket;
      }
      if (!socket || !socket->is_open()) return false;
      socket->Send(SerializeAck(envelope_id, payload));
      std::lock_guard lock(self->mu);
      ++self->stats.acks_sent;
      return true;
    };
    handler(std::move(envelope), std::move(ack));
  }

  void OnControl(std::uint64_t id, const ControlMessage& control) {
    if (control.type == "hello") {
      OnHello(id);
      return;
    }
    if (control.type != "disconnect") return;
    if (control.reason == "link_disabled") {
      DisableLink();
      return;
    }
    std::shared_ptr<core::net::WebSocket> close_now;
    bool refill = false;
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (it == conns.end()) return;
      Conn& conn = it->second;
      if (control.reason == "too_many_websockets") {
        conn.too_many = true;
        last_error = "Slack refused a connection: too_many_websockets";
        close_now = conn.socket;
      } else if (!conn.retiring) {
        // warning, refresh_requested or anything new: keep serving on this socket until its
        // replacement has said hello, then retire it (OnHello).
        conn.retiring = true;
        ++stats.refreshes;
        refill = true;
      }
    }
    log->info("Slack asked connection {} to disconnect ({})", id, control.reason);
    if (close_now) close_now->Close(1000, "disconnect: " + control.reason);
    if (refill) Refill();
  }

  void OnHello(std::uint64_t id) {
    std::shared_ptr<core::net::WebSocket> retire;
    std::uint64_t retire_id = 0;
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (it == conns.end()) return;
      it->second.hello = true;
      failures = 0;
      ++stats.hellos;
      if (!disabled) last_error.clear();
      if (!it->second.retiring) {
        // A fresh connection is serving: the oldest connection Slack asked us to leave is
        // replaced. It drains (reads and acks) until Slack closes it or the grace ends.
        for (auto& [other_id, other] : conns) {
          if (other_id != id && other.retiring && !other.draining && other.socket) {
            other.draining = true;
            retire_id = other_id;
            if (options.retire_grace.count() > 0) {
              std::weak_ptr<Impl> weak = shared_from_this();
              other.retire_timer = io.RunAfter(options.retire_grace, [weak, other_id] {
                if (auto self = weak.lock()) self->EndGrace(other_id);
              });
            } else {
              retire = other.socket;
            }
            break;
          }
        }
      }
    }
    log->info("Socket Mode connection {} ready", id);
    if (retire_id != 0) {
      log->info("Socket Mode connection {} replaced by {}; {}", retire_id, id,
                retire ? "closing it"
                       : "serving it until Slack closes it or " +
                             std::to_string(options.retire_grace.count()) + " ms pass");
    }
    if (retire) retire->Close(1000, "replaced");
  }

  // The drain grace of a replaced connection ended and Slack has not closed it: we do.
  void EndGrace(std::uint64_t id) {
    std::shared_ptr<core::net::WebSocket> socket;
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (stopping || it == conns.end() || !it->second.draining) return;
      socket = it->second.socket;
      ++stats.retire_timeouts;
    }
    log->info("Socket Mode connection {}: Slack did not close it within {} ms; closing it", id,
              options.retire_grace.count());
    if (socket) socket->Close(1000, "replaced");
  }

  void DisableLink() {
    std::vector<std::shared_ptr<core::net::WebSocket>> sockets;
    {
      std::lock_guard lock(mu);
      if (disabled) return;
      disabled = true;
      last_error =
          "Slack disabled Socket Mode for this app (link_disabled); not reconnecting until "
          "restarted";
      for (auto& t : backoff_timers) t->Cancel();
      for (auto& [id, c] : conns) {
        if (c.socket) sockets.push_back(c.socket);
      }
    }
    log->error("Socket Mode: {}", last_error);
    for (auto& s : sockets) s->Close(1000, "link_disabled");
  }

  void OnClosed(std::uint64_t id, const core::Error& why) {
    bool retiring = false;
    bool too_many = false;
    {
      std::lock_guard lock(mu);
      auto it = conns.find(id);
      if (it == conns.end()) return;
      Conn& conn = it->second;
      if (conn.ping_timer) conn.ping_timer->Cancel();
      if (conn.pong_timer) conn.pong_timer->Cancel();
      if (conn.retire_timer) conn.retire_timer->Cancel();
      if (conn.socket) --stats.open_connections;
      retiring = conn.retiring;
      // The refusal may arrive only as the close reason if the socket closed first.
      too_many = conn.too_many || why.message.find("too_many_websockets") != std::string::npos;
      if (stopping || disabled || retiring) conns.erase(it);
      if (stopping || disabled) return;
    }
    if (retiring) {
      Refill();  // its replacement may still be waiting for budget
    } else {
      Failed(id,
             too_many ? "Slack refused a connection: too_many_websockets"
                      : "connection closed: " + why.Describe(),
             too_many);
    }
  }

  void Stop() {
    std::vector<std::shared_ptr<core::net::WebSocket>> sockets;
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      stopping = true;
      for (auto& t : backoff_timers) t->Cancel();
      for (auto& [id, c] : conns) {
        if (c.ping_timer) c.ping_timer->Cancel();
        if (c.pong_timer) c.pong_timer->Cancel();
        if (c.retire_timer) c.retire_timer->Cancel();
        if (c.socket) sockets.push_back(c.socket);
      }
    }
    for (auto& socket : sockets) socket->Close(1000, "shutting down");
  }
};

SocketModeClient::SocketModeClient(core::net::IoRuntime& io, core::net::HttpClient& http,
                                   SocketModeOptions options, EnvelopeHandler handler)
    : impl_(std::make_shared<Impl>(io, http, std::move(options), std::move(handler))) {}

SocketModeClient::~SocketModeClient() { Stop(); }

void SocketModeClient::Start() { impl_->Refill(); }

void SocketModeClient::Stop() { impl_->Stop(); }

bool SocketModeClient::connected() const {
  std::lock_guard lock(impl_->mu);
  return std::any_of(impl_->conns.begin(), impl_->conns.end(), [](const auto& entry) {
    return entry.second.hello && entry.second.socket && entry.second.socket->is_open();
  });
}

bool SocketModeClient::link_disabled() const {
  std::lock_guard lock(impl_->mu);
  return impl_->disabled;
}

std::string SocketModeClient::last_error() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_error;
}

SocketModeStats SocketModeClient::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace contexten::integrations::slack
