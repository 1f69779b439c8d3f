#include "integrations/slack/socket_mode_client.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "core/net/websocket_client.hpp"

namespace contexten::integrations::slack {

struct SocketModeClient::Impl : std::enable_shared_from_this<SocketModeClient::Impl> {
  struct Slot {
    std::shared_ptr<core::net::WebSocket> socket;
    bool hello = false;
    int failures = 0;  // consecutive, drives the backoff
    std::shared_ptr<core::net::TimerHandle> reconnect_timer;
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
    slots.resize(static_cast<std::size_t>(std::max(1, this->options.connections)));
  }

  core::net::IoRuntime& io;
  core::net::HttpClient& http;
  SocketModeOptions options;
  EnvelopeHandler handler;
  std::shared_ptr<spdlog::logger> log;

  mutable std::mutex mu;
  std::vector<Slot> slots;
  std::string last_error;
  SocketModeStats stats;
  std::mt19937_64 rng{std::random_device{}()};
  bool stopping = false;

  void SetError(std::string error) {
    std::lock_guard lock(mu);
    last_error = std::move(error);
  }

  void OpenConnection(std::size_t slot) {
    {
      std::lock_guard lock(mu);
      if (stopping) return;
    }
    core::net::OutgoingRequest request;
    request.method = "POST";
    request.url = options.api_url + "/apps.connections.open";
    request.headers.Set("Authorization", "Bearer " + options.app_token);
    request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
    std::weak_ptr<Impl> weak = shared_from_this();
    http.SendAsync(std::move(request), [weak, slot](core::Result<core::net::HttpResponse> r) {
      if (auto self = weak.lock()) self->OnUrl(slot, std::move(r));
    });
  }

  void OnUrl(std::size_t slot, core::Result<core::net::HttpResponse> response) {
    if (!response) {
      ScheduleReconnect(slot, "apps.connections.open failed: " + response.error().Describe());
      return;
    }
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (response->status != 200 || body.is_discarded() || !body.value("ok", false)) {
      std::string code = body.is_object() ? body.value("error", "") : "";
      if (code.empty()) code = "HTTP " + std::to_string(response->status);
      ScheduleReconnect(slot, "apps.connections.open refused: " + code);
      return;
    }
    const std::string url = body.value("url", "");
    std::weak_ptr<Impl> weak = shared_from_this();
    // The socket id is known only once connected; frames carry it so a stale socket's late
    // events cannot disturb its replacement.
    auto id_holder = std::make_shared<std::atomic<std::uint64_t>>(0);
    core::net::WebSocketCallbacks callbacks;
    callbacks.on_message = [weak, slot, id_holder](std::string_view text) {
      if (auto self = weak.lock()) self->OnFrame(slot, id_holder->load(), text);
    };
    callbacks.on_close = [weak, slot, id_holder](const core::Error& why) {
      if (auto self = weak.lock()) self->OnClosed(slot, id_holder->load(), why);
    };
    core::net::WebSocketClientOptions ws_options;
    ws_options.tls = options.tls;
    core::net::ConnectWebSocket(
        io, url, ws_options, std::move(callbacks),
        [weak, slot, id_holder](core::Result<std::shared_ptr<core::net::WebSocket>> socket) {
          auto self = weak.lock();
          if (!self) {
            if (socket) (*socket)->Close();
            return;
          }
          if (!socket) {
            self->ScheduleReconnect(slot, "WebSocket connect failed: " + socket.error().Describe());
            return;
          }
          id_holder->store((*socket)->id());
          std::lock_guard lock(self->mu);
          if (self->stopping) {
            (*socket)->Close();
            return;
          }
          self->slots[slot].socket = *socket;
          self->slots[slot].hello = false;
          ++self->stats.open_connections;
        });
  }

  void OnFrame(std::size_t slot, std::uint64_t socket_id, std::string_view text) {
    auto parsed = ParseSocketMessage(text);
    if (!parsed) {
      std::lock_guard lock(mu);
      ++stats.bad_frames;
      log->warn("ignoring Socket Mode frame: {}", parsed.error().message);
      return;
    }
    if (auto* control = std::get_if<ControlMessage>(&*parsed)) {
      OnControl(slot, socket_id, *control);
      return;
    }
    auto& envelope = std::get<Envelope>(*parsed);
    std::shared_ptr<core::net::WebSocket> socket;
    {
      std::lock_guard lock(mu);
      ++stats.envelopes;
      socket = slots[slot].socket;
    }
    if (!socket || socket->id() != socket_id) return;
    std::weak_ptr<core::net::WebSocket> weak_socket = socket;
    std::weak_ptr<Impl> weak_self = shared_from_this();
    auto once = std::make_shared<std::atomic<bool>>(false);
    AckFn ack = [weak_socket, weak_self, once, id = envelope.envelope_id](
                    const nlohmann::json* payload) {
      if (once->exchange(true)) return false;
      auto s = weak_socket.lock();
      if (!s || !s->is_open()) return false;
      s->Send(SerializeAck(id, payload));
      if (auto self = weak_self.lock()) {
        std::lock_guard lock(self->mu);
        ++self->stats.acks_sent;
      }
      return true;
    };
    handler(std::move(envelope), std::move(ack));
  }

  void OnControl(std::size_t slot, std::uint64_t socket_id, const ControlMessage& control) {
    std::shared_ptr<core::net::WebSocket> socket;
    {
      std::lock_guard lock(mu);
      auto& s = slots[slot];
      if (!s.socket || s.socket->id() != socket_id) return;
      if (control.type == "hello") {
        s.hello = true;
        s.failures = 0;
        ++stats.hellos;
        last_error.clear();
        log->info("Socket Mode connection {} ready", slot);
        return;
      }
      socket = s.socket;
    }
    // disconnect: Slack is about to close this socket; replace it now.
    log->info("Slack asked connection {} to disconnect ({})", slot, control.reason);
    socket->Close(1000, "disconnect: " + control.reason);
  }

  void OnClosed(std::size_t slot, std::uint64_t socket_id, const core::Error& why) {
    {
      std::lock_guard lock(mu);
      auto& s = slots[slot];
      if (!s.socket || s.socket->id() != socket_id) return;
      s.socket.reset();
      s.hello = false;
      --stats.open_connections;
      if (stopping) return;
    }
    ScheduleReconnect(slot, "connection closed: " + why.Describe());
  }

  void ScheduleReconnect(std::size_t slot, const std::string& why) {
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      auto& s = slots[slot];
      // Full jitter: uniform in [0, min(cap, base * 2^failures)].
      const auto ceiling = std::min<std::int64_t>(
          options.reconnect_cap.count(),
          options.reconnect_base.count() << std::min(s.failures, 16));
      delay = std::chrono::milliseconds(
          std::uniform_int_distribution<std::int64_t>(0, ceiling)(rng));
      ++s.failures;
      ++stats.reconnects;
      last_error = why;
    }
    log->warn("Socket Mode connection {}: {}; reconnecting in {} ms", slot, why, delay.count());
    std::weak_ptr<Impl> weak = shared_from_this();
    auto timer = io.RunAfter(delay, [weak, slot] {
      if (auto self = weak.lock()) self->OpenConnection(slot);
    });
    std::lock_guard lock(mu);
    slots[slot].reconnect_timer = std::move(timer);
  }

  void Stop() {
    std::vector<std::shared_ptr<core::net::WebSocket>> sockets;
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      stopping = true;
      for (auto& s : slots) {
        if (s.reconnect_timer) s.reconnect_timer->Cancel();
        if (s.socket) sockets.push_back(s.socket);
      }
    }
    for (auto& socket : sockets) socket->Close(1000, "shutting down");
  }
};

SocketModeClient::SocketModeClient(core::net::IoRuntime& io, core::net::HttpClient& http,
                                   SocketModeOptions options, EnvelopeHandler handler)
    : impl_(std::make_shared<Impl>(io, http, std::move(options), std::move(handler))) {}

SocketModeClient::~SocketModeClient() { Stop(); }

void SocketModeClient::Start() {
  for (std::size_t i = 0; i < impl_->slots.size(); ++i) impl_->OpenConnection(i);
}

void SocketModeClient::Stop() { impl_->Stop(); }

bool SocketModeClient::connected() const {
  std::lock_guard lock(impl_->mu);
  return std::any_of(impl_->slots.begin(), impl_->slots.end(),
                     [](const Impl::Slot& s) { return s.socket && s.hello; });
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
