#include "core/net/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/net/io_runtime_impl.hpp"
#include "core/net/net_support.hpp"
#include "core/net/websocket_session.hpp"

namespace contexten::core::net {
namespace {

constexpr const char* kServerName = "contexten";
constexpr std::size_t kWebSocketMaxMessage = 16 * 1024 * 1024;

struct MethodHandler {
  std::string method;
  HttpHandler handler;
};

struct PrefixRoute {
  std::string method;
  std::string prefix;
  HttpHandler handler;
};

// What a request resolved to: a handler, or the status to answer without one.
struct RouteMatch {
  const HttpHandler* handler = nullptr;
  int status = 404;
  std::string allow;
};

HttpRequest ToHttpRequest(http::request<http::string_body>&& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.remote_address = remote;
  return out;
}

// The server's shared state; sessions keep it alive after the HttpServer is gone.
struct ServerCore : std::enable_shared_from_this<ServerCore> {
  ServerCore(IoRuntime& runtime, HttpServerOptions opts)
      : io(runtime), options(std::move(opts)), acceptor(runtime.impl().context) {}

  RouteMatch Match(std::string_view method, std::string_view path) const {
    RouteMatch match;
    if (auto it = exact.find(std::string(path)); it != exact.end()) {
      for (const auto& route : it->second) {
        if (route.method == method) {
          match.handler = &route.handler;
          return match;
        }
        match.allow += (match.allow.empty() ? "" : ", ") + route.method;
      }
      match.status = 405;
      return match;
    }
    for (const auto& route : prefixes) {
      if (path.substr(0, route.prefix.size()) != route.prefix) continue;
      if (route.method == method) {
        match.handler = &route.handler;
        return match;
      }
      match.allow += (match.allow.empty() ? "" : ", ") + route.method;
      match.status = 405;
    }
    return match;
  }

  const WebSocketAcceptor* MatchWebSocket(std::string_view path) const {
    auto it = ws_routes.find(std::string(path));
    return it == ws_routes.end() ? nullptr : &it->second;
  }

  void AcceptNext();
  template <class Session>
  void Track(std::uint64_t id, std::function<void()> shutdown) {
    std::lock_guard lock(live_mutex);
    live.emplace(id, std::move(shutdown));
  }
  void Untrack(std::uint64_t id) {
    std::lock_guard lock(live_mutex);
    live.erase(id);
  }

  IoRuntime& io;
  HttpServerOptions options;
  std::unordered_map<std::string, std::vector<MethodHandler>> exact;
  std::vector<PrefixRoute> prefixes;
  std::unordered_map<std::string, WebSocketAcceptor> ws_routes;
  std::shared_ptr<ssl::context> tls;

  std::mutex acceptor_mutex;  // serialises the accept loop with Stop() on another thread
  tcp::acceptor acceptor;
  uint16_t bound_port = 0;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> next_session_id{1};

  std::mutex live_mutex;
  std::unordered_map<std::uint64_t, std::function<void()>> live;  // id -> shutdown
};

// What a responder talks to: the session that read the request.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void Respond(HttpResponse response) = 0;
  virtual void Abort() = 0;
};

// Shared by the copies of one responder; the first call wins. Dropped unused: 500.
struct ResponderState {
  explicit ResponderState(std::shared_ptr<ResponseSink> s) : sink(std::move(s)) {}
  ~ResponderState() { Answer(HttpResponse::Text(500, "the handler did not answer")); }
  void Answer(HttpResponse response) {
    if (!called.exchange(true)) sink->Respond(std::move(response));
  }
  void Abort() {
    if (!called.exchange(true)) sink->Abort();
  }
  std::shared_ptr<ResponseSink> sink;
  std::atomic<bool> called{false};
};

// A named type (not a lambda) so that AbortConnection can find it inside an HttpResponder.
struct SessionResponder {
  void operator()(HttpResponse response) const { state->Answer(std::move(response)); }
  std::shared_ptr<ResponderState> state;
};

// A concrete executor type: Beast's tcp_stream type-erases its executor (any_io_executor), which
// costs executor copies and refcounts on every operation of the hot read/write path.
using Strand = asio::strand<asio::io_context::executor_type>;
using PlainSocket = asio::basic_stream_socket<tcp, Strand>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

PlainSocket& LowestSocket(PlainSocket& stream) { return stream; }
tcp::socket& LowestSocket(TlsStream& stream) { return beast::get_lowest_layer(stream).socket(); }

// A 10-30 KB webhook arrives in one or two reads; a body of known length is read in pieces of
// up to kMaxRead so a large upload needs few recv calls without pinning much memory.
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxRead = 64 * 1024;
// A connection that once read a large body gives the memory back before waiting idle.
constexpr std::size_t kKeepBufferCapacity = 2 * kMaxRead;
constexpr std::chrono::milliseconds kMinRecheck{100};

// A field that could end the header line early: with a CR or LF in it, a value built from a
// peer's input (an echoed id, a reason) would let that peer write headers or a body of its own.
bool UnsafeField(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// The header block of a response. Framing (Content-Length, Connection) is the server's: the
// same fields from the handler are ignored, as Beast's prepare_payload/keep_alive replaced them.
// Fields that could split the response are dropped.
void SerializeHead(const HttpResponse& answer, bool keep_alive, bool with_body,
                   std::size_t body_size, std::string& out) {
  out.clear();
  const auto status = static_cast<unsigned>(answer.status);
  const auto reason = http::obsolete_reason(http::int_to_status(status));
  out.append("HTTP/1.1 ");
  out.append(std::to_string(status));
  out.push_back(' ');
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  bool has_server = false;
  for (const auto& [name, value] : answer.headers.items()) {
    if (beast::iequals(name, "content-length") || beast::iequals(name, "connection") ||
        beast::iequals(name, "transfer-encoding") || name.empty() || UnsafeField(name) ||
        name.find(':') != std::string::npos || UnsafeField(value)) {
      continue;
    }
    has_server = has_server || beast::iequals(name, "server");
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  if (!has_server) {
    out.append("Server: ");
    out.append(kServerName);
    out.append("\r\n");
  }
  if (with_body) {
    out.append("Content-Length: ");
    out.append(std::to_string(body_size));
    out.append("\r\n");
  }
  if (!keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
}

// 1xx, 204 and 304 responses carry neither a body nor a Content-Length.
bool StatusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

// One HTTP connection: read a request, hand it to the handler, write the answer, repeat.
//
// Timeouts: instead of a timer armed and cancelled per socket operation, one timer per
// connection checks a deadline that the read and write paths merely move (a clock read). The
// deadline covers reading a whole request (slow clients), an idle keep-alive wait and writing
// the answer; it is suspended while the handler works.
template <class Stream>
class HttpSession : public ResponseSink, public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kPlain = std::is_same_v<Stream, PlainSocket>;
  using Executor = typename Stream::executor_type;
  using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                           asio::wait_traits<std::chrono::steady_clock>, Executor>;
  using TimePoint = std::chrono::steady_clock::time_point;

 public:
  HttpSession(std::shared_ptr<ServerCore> server, Stream&& stream, std::string remote,
              std::uint64_t id)
      : server_(std::move(server)),
        stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        remote_(std::move(remote)),
        id_(id),
        timeout_(server_->options.read_timeout) {}

  ~HttpSession() { server_->Untrack(id_); }

  void Start() {
    std::weak_ptr<HttpSession> weak = this->shared_from_this();
    server_->template Track<HttpSession>(id_, [weak] {
      if (auto self = weak.lock()) self->RequestShutdown();
    });
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->deadline_ = std::chrono::steady_clock::now() + self->timeout_;
      self->ArmTimer(self->timeout_);
      if constexpr (kPlain) {
        self->ReadNext();
      } else {
        self->stream_.async_handshake(ssl::stream_base::server,
                                      [self](const boost::system::error_code& ec) {
                                        if (ec) return self->CloseTransport();
                                        self->ReadNext();
                                      });
      }
    });
  }

  // Any thread. Idle connections close now; one with a request in flight closes after it.
  void RequestShutdown() {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->shutdown_ = true;
      if (!self->in_flight_) self->CloseTransport();
    });
  }

  // Any thread: the handler's answer. A handler that answers at once is already on this
  // connection's strand and writes without a hop through the queue.
  void Respond(HttpResponse response) override {
    if constexpr (kPlain) {
      if (stream_.get_executor().running_in_this_thread()) {
        return Write(std::move(response), false);
      }
    }
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this(), response = std::move(response)]() mutable {
                 self->Write(std::move(response), false);
               });
  }

 private:
  void ArmTimer(std::chrono::steady_clock::duration delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
      self->OnTimer(ec);
    });
  }

  void OnTimer(const boost::system::error_code& ec) {
    if (ec || done_) return;
    if (deadline_ == TimePoint::max()) {
      // The handler is working; look again later (never in a tight loop, whatever the timeout).
      return ArmTimer(std::max<std::chrono::steady_clock::duration>(timeout_, kMinRecheck));
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) return CloseTransport();
    ArmTimer(deadline_ - now);
  }

  void ReadNext() {
    if (shutdown_ || server_->stopping.load()) return CloseTransport();
    if (buffer_.size() == 0 && buffer_.capacity() > kKeepBufferCapacity) buffer_.shrink_to_fit();
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->eager(true);
    deadline_ = std::chrono::steady_clock::now() + timeout_;
    ParseBuffered();
  }

  // Feeds what is buffered (pipelined bytes included) to the parser; reads more if needed.
  void ParseBuffered() {
    while (buffer_.size() > 0) {
      boost::system::error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) return OnParseError(ec);
      if (parser_->is_done()) return OnRequest();
      if (used == 0) break;
    }
    std::size_t want = kReadChunk;
    if (parser_->is_header_done()) {
      if (const auto remaining = parser_->content_length_remaining()) {
        want =
            static_cast<std::size_t>(std::clamp<std::uint64_t>(*remaining, kReadChunk, kMaxRead));
      }
    }
    stream_.async_read_some(
        buffer_.prepare(want),
        [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return self->CloseTransport();
          self->buffer_.commit(n);
          self->ParseBuffered();
        });
  }

  void OnParseError(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) {
      // The body was not read, so the connection cannot be reused after this answer.
      keep_alive_ = false;
      return Write(HttpResponse::Text(413, "request body too large"), true);
    }
    CloseTransport();
  }

  void OnRequest() {
    auto request = parser_->release();
    parser_.reset();
    keep_alive_ = request.keep_alive();
    const std::string_view target = request.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (websocket::is_upgrade(request)) {
      if (const auto* acceptor = server_->MatchWebSocket(path)) {
        return Upgrade(std::move(request), *acceptor);
      }
    }
    if (shutdown_ || server_->stopping.load()) {
      keep_alive_ = false;
      return Write(HttpResponse::Text(503, "server shutting down"), true);
    }
    RouteMatch match = server_->Match(request.method_string(), path);
    if (!match.handler) {
      HttpResponse answer = match.status == 405 ? HttpResponse::Text(405, "method not allowed")
                                                : HttpResponse::Text(404, "not found");
      if (!match.allow.empty()) answer.headers.Set("Allow", match.allow);
      return Write(std::move(answer), false);
    }
    in_flight_ = true;
    deadline_ = TimePoint::max();
    Dispatch(*match.handler, ToHttpRequest(std::move(request), remote_));
  }

  // Calls the handler with a responder that answers 500 if it is dropped unused, so a lost
  // request never leaves the client hanging.
  void Dispatch(const HttpHandler& handler, HttpRequest&& request) {
    auto state = std::make_shared<ResponderState>(this->shared_from_this());
    try {
      handler(std::move(request), HttpResponder(SessionResponder{state}));
    } catch (const std::exception&) {
      state->Answer(HttpResponse::Text(500, "internal error"));
    }
  }

  // Any thread: instead of an answer, reset the connection (SO_LINGER 0, then close).
  void Abort() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->in_flight_ = false;
      if (self->done_) return;
      self->done_ = true;
      self->timer_.cancel();
      beast::error_code ignored;
      auto& socket = LowestSocket(self->stream_);
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
    });
  }

  void Write(HttpResponse answer, bool force_close) {
    in_flight_ = false;
    if (done_) return;
    const bool keep = keep_alive_ && !force_close && !shutdown_ && !server_->stopping.load();
    const bool with_body = StatusHasBody(answer.status);
    if (with_body) {
      response_body_ = std::move(answer.body);
    } else {
      response_body_.clear();
    }
    SerializeHead(answer, keep, with_body, response_body_.size(), response_head_);
    deadline_ = std::chrono::steady_clock::now() + timeout_;
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(response_head_),
                                                    asio::buffer(response_body_)};
    asio::async_write(
        stream_, buffers,
        [self = this->shared_from_this(), keep](const boost::system::error_code& ec, std::size_t) {
          if (ec || !keep) return self->CloseTransport();
          self->ReadNext();
        });
  }

  void Upgrade(http::request<http::string_body>&& request, const WebSocketAcceptor& acceptor) {
    done_ = true;  // the stream moves to the WebSocket session
    timer_.cancel();
    using WsStream = std::conditional_t<kPlain, beast::tcp_stream, TlsStream>;
    auto socket = std::make_shared<detail::WebSocketSession<WsStream>>(WsStream(std::move(stream_)),
                                                                       server_->tls);
    auto upgrade = std::make_shared<http::request<http::string_body>>(std::move(request));
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = server_->options.read_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    socket->ws().set_option(timeouts);
    socket->ws().set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
    socket->ws().async_accept(*upgrade, [socket, upgrade, server = server_, remote = remote_,
                                         acceptor](const boost::system::error_code& ec) {
      if (ec || server->stopping.load()) return;
      HttpRequest upgrade_request = ToHttpRequest(std::move(*upgrade), remote);
      WebSocketCallbacks callbacks = acceptor(socket, upgrade_request);
      const std::uint64_t id = server->next_session_id.fetch_add(1);
      std::weak_ptr<WebSocket> weak = socket;
      server->template Track<WebSocket>(id, [weak] {
        if (auto s = weak.lock()) s->Close(1001, "server shutting down");
      });
      socket->Start(std::move(callbacks), std::chrono::milliseconds(0), kWebSocketMaxMessage,
                    [server, id] { server->Untrack(id); });
    });
  }

  void CloseTransport() {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    beast::error_code ignored;
    auto& socket = LowestSocket(stream_);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  std::shared_ptr<ServerCore> server_;
  Stream stream_;
  Timer timer_;
  std::string remote_;
  std::uint64_t id_;
  const std::chrono::milliseconds timeout_;
  TimePoint deadline_ = TimePoint::max();
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string response_head_;
  std::string response_body_;
  bool keep_alive_ = true;
  bool in_flight_ = false;
  bool shutdown_ = false;
  bool done_ = false;  // the transport is closed or handed to a WebSocket session
};

void ServerCore::AcceptNext() {
  std::lock_guard lock(acceptor_mutex);
  if (stopping.load() || !acceptor.is_open()) return;
  acceptor.async_accept(
      asio::make_strand(io.impl().context),
      [self = shared_from_this()](const boost::system::error_code& ec, PlainSocket socket) {
        if (ec == asio::error::operation_aborted || self->stopping.load()) return;
        if (!ec) {
          self->accepted.fetch_add(1);
          boost::system::error_code endpoint_ec;
          const auto remote = socket.remote_endpoint(endpoint_ec);
          std::string remote_text =
              endpoint_ec ? std::string()
                          : remote.address().to_string() + ":" + std::to_string(remote.port());
          const std::uint64_t id = self->next_session_id.fetch_add(1);
          if (self->tls) {
            TlsStream tls_stream(beast::tcp_stream(std::move(socket)), *self->tls);
            std::make_shared<HttpSession<TlsStream>>(self, std::move(tls_stream),
                                                     std::move(remote_text), id)
                ->Start();
          } else {
            std::make_shared<HttpSession<PlainSocket>>(self, std::move(socket),
                                                       std::move(remote_text), id)
                ->Start();
          }
        }
        // Errors such as EMFILE are per-connection; keep accepting.
        self->AcceptNext();
      });
}

}  // namespace

void AbortConnection(HttpResponder respond) {
  if (const auto* responder = respond.target<SessionResponder>()) {
    responder->state->Abort();
  } else if (respond) {
    respond(HttpResponse::Text(500, "cannot abort: not a server connection"));
  }
}

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(IoRuntime& io, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string method, std::string path, HttpHandler handler) {
  impl_->exact[std::move(path)].push_back({std::move(method), std::move(handler)});
}

void HttpServer::RoutePrefix(std::string method, std::string prefix, HttpHandler handler) {
  impl_->prefixes.push_back({std::move(method), std::move(prefix), std::move(handler)});
}

void HttpServer::RouteWebSocket(std::string path, WebSocketAcceptor acceptor) {
  impl_->ws_routes[std::move(path)] = std::move(acceptor);
}

Status HttpServer::Start() {
  const std::string where = impl_->options.bind_address + ":" + std::to_string(impl_->options.port);
  if (impl_->started.exchange(true)) {
    return Unexpected(MakeError(ErrorKind::kInternal, "HttpServer on " + where + " started twice"));
  }
  if (impl_->options.tls.enabled()) {
    auto context = detail::MakeServerTlsContext(impl_->options.tls);
    if (!context) return Unexpected(context.error());
    impl_->tls = std::move(context.value());
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.bind_address, ec);
  if (ec) {
    return Unexpected(
        MakeError(ErrorKind::kUnavailable, "cannot listen on " + where + ": bad bind address"));
  }
  const tcp::endpoint endpoint(address, impl_->options.port);
  {
    std::lock_guard lock(impl_->acceptor_mutex);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      acceptor.close();
      return Unexpected(
          MakeError(ErrorKind::kUnavailable, "cannot listen on " + where + ": " + ec.message()));
    }
    impl_->bound_port = acceptor.local_endpoint().port();
  }
  impl_->AcceptNext();
  return Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

std::string HttpServer::BaseUrl() const {
  return std::string(impl_->options.tls.enabled() ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->bound_port);
}

std::uint64_t HttpServer::accepted_connections() const { return impl_->accepted.load(); }

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(impl_->live_mutex);
  return impl_->live.size();
}

void HttpServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  {
    std::lock_guard lock(impl_->acceptor_mutex);
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  }
  std::vector<std::function<void()>> shutdowns;
  {
    std::lock_guard lock(impl_->live_mutex);
    for (auto& [id, fn] : impl_->live) shutdowns.push_back(fn);
  }
  for (auto& fn : shutdowns) fn();
}

}  // namespace contexten::core::net
