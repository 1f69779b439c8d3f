#include "core/net/websocket_client.hpp"

#include "core/net/io_runtime_impl.hpp"
#include "core/net/net_support.hpp"
#include "core/net/websocket_session.hpp"

namespace contexten::core::net {
namespace {

using Clock = std::chrono::steady_clock;

// Resolve, connect, TLS handshake (wss), upgrade: all inside one connect_timeout.
template <class NextLayer>
class Connector : public std::enable_shared_from_this<Connector<NextLayer>> {
 public:
  using Session = detail::WebSocketSession<NextLayer>;

  Connector(std::shared_ptr<Session> session, Url url, WebSocketClientOptions options,
            WebSocketCallbacks callbacks,
            std::function<void(Result<std::shared_ptr<WebSocket>>)> on_connected)
      : session_(std::move(session)),
        url_(std::move(url)),
        options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        on_connected_(std::move(on_connected)),
        deadline_(Clock::now() + options_.connect_timeout),
        resolver_(session_->ws().get_executor()) {}

  void Start() {
    asio::dispatch(session_->ws().get_executor(), [self = this->shared_from_this()] {
      self->resolver_.async_resolve(
          self->url_.host, std::to_string(self->url_.port),
          [self](const boost::system::error_code& ec, tcp::resolver::results_type results) {
            if (ec) return self->Fail(detail::TransportError(ec, "resolve " + self->url_.host));
            self->Connect(results);
          });
    });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(session_->ws()); }

  void Connect(const tcp::resolver::results_type& results) {
    lowest().expires_at(deadline_);
    lowest().async_connect(results, [self = this->shared_from_this()](
                                        const boost::system::error_code& ec, const tcp::endpoint&) {
      if (ec) return self->Fail(detail::TransportError(ec, "connect to " + self->url_.HostPort()));
      if constexpr (std::is_same_v<NextLayer, beast::tcp_stream>) {
        self->Upgrade();
      } else {
        self->Handshake();
      }
    });
  }

  void Handshake() {
    if constexpr (!std::is_same_v<NextLayer, beast::tcp_stream>) {
      auto failure = std::make_shared<std::string>();
      auto& tls = session_->ws().next_layer();
      if (auto prepared = detail::PrepareTlsClient(tls, url_.host, failure); !prepared) {
        return Fail(prepared.error());
      }
      lowest().expires_at(deadline_);
      tls.async_handshake(ssl::stream_base::client, [self = this->shared_from_this(),
                                                     failure](const boost::system::error_code& ec) {
        if (ec) {
          return self->Fail(detail::TlsHandshakeError(ec, self->url_.HostPort(), *failure));
        }
        self->Upgrade();
      });
    }
  }

  void Upgrade() {
    lowest().expires_at(deadline_);
    session_->ws().set_option(websocket::stream_base::decorator(
        [headers = options_.headers](websocket::request_type& req) {
          req.set(http::field::user_agent, "contexten");
          for (const auto& [name, value] : headers.items()) req.set(name, value);
        }));
    session_->ws().async_handshake(
        url_.HostPort(), url_.target,
        [self = this->shared_from_this()](const boost::system::error_code& ec) {
          if (ec == websocket::error::upgrade_declined) {
            return self->Fail(
                MakeError(ErrorKind::kUnavailable, "WebSocket upgrade to " + self->url_.HostPort() +
                                                       self->url_.target + " was declined"));
          }
          if (ec) {
            return self->Fail(
                detail::TransportError(ec, "WebSocket handshake with " + self->url_.HostPort()));
          }
          self->Connected();
        });
  }

  void Connected() {
    // From here on the WebSocket layer times itself (idle timer, close handshake).
    lowest().expires_never();
    auto session = session_;
    session->Start(std::move(callbacks_), options_.idle_timeout, options_.max_message_size);
    auto done = std::move(on_connected_);
    on_connected_ = nullptr;
    done(std::shared_ptr<WebSocket>(session));
  }

  void Fail(Error error) {
    beast::error_code ignored;
    lowest().socket().close(ignored);
    auto done = std::move(on_connected_);
    on_connected_ = nullptr;
    if (done) done(Unexpected(std::move(error)));
  }

  std::shared_ptr<Session> session_;
  Url url_;
  WebSocketClientOptions options_;
  WebSocketCallbacks callbacks_;
  std::function<void(Result<std::shared_ptr<WebSocket>>)> on_connected_;
  Clock::time_point deadline_;
  tcp::resolver resolver_;
};

}  // namespace

void ConnectWebSocket(IoRuntime& io, std::string url, WebSocketClientOptions options,
                      WebSocketCallbacks callbacks,
                      std::function<void(Result<std::shared_ptr<WebSocket>>)> on_connected) {
  auto& context = io.impl().context;
  auto fail = [&](Error error) {
    asio::post(context, [done = std::move(on_connected), error = std::move(error)]() mutable {
      done(Unexpected(std::move(error)));
    });
  };
  auto parsed = Url::Parse(url);
  if (!parsed) return fail(parsed.error());
  if (parsed->scheme != "ws" && parsed->scheme != "wss") {
    return fail(MakeError(ErrorKind::kInvalidInput,
                          "ConnectWebSocket needs a ws or wss URL, not '" + url + "'"));
  }
  auto strand = asio::make_strand(context);
  if (parsed->secure()) {
    auto tls_context = detail::MakeClientTlsContext(options.tls);
    if (!tls_context) return fail(tls_context.error());
    std::shared_ptr<ssl::context> shared = tls_context.value();
    auto session = std::make_shared<detail::TlsWebSocket>(
        beast::ssl_stream<beast::tcp_stream>(strand, *shared), shared);
    std::make_shared<Connector<beast::ssl_stream<beast::tcp_stream>>>(
        std::move(session), std::move(parsed.value()), std::move(options), std::move(callbacks),
        std::move(on_connected))
        ->Start();
  } else {
    auto session = std::make_shared<detail::PlainWebSocket>(beast::tcp_stream(strand), nullptr);
    std::make_shared<Connector<beast::tcp_stream>>(std::move(session), std::move(parsed.value()),
                                                   std::move(options), std::move(callbacks),
                                                   std::move(on_connected))
        ->Start();
  }
}

}  // namespace contexten::core::net
