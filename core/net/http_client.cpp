#include "core/net/http_client.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <future>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/net/io_runtime_impl.hpp"
#include "core/net/net_support.hpp"

namespace contexten::core::net {
namespace {

using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One keep-alive connection, plain or TLS, bound to its own strand.
struct Connection {
  Connection(asio::strand<asio::io_context::executor_type> strand,
             std::shared_ptr<ssl::context> tls_context)
      : executor(strand), plain(strand), context(std::move(tls_context)) {
    if (context) tls = std::make_unique<TlsStream>(strand, *context);
  }

  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : plain; }
  template <class F>
  void With(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(plain);
    }
  }
  void Close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  asio::strand<asio::io_context::executor_type> executor;
  beast::tcp_stream plain;
  std::unique_ptr<TlsStream> tls;
  std::shared_ptr<ssl::context> context;
  beast::flat_buffer buffer;
};

// Shared client state; in-flight exchanges keep it alive after the HttpClient is gone.
struct ClientCore {
  ClientCore(IoRuntime& runtime, HttpClientOptions opts) : io(runtime), options(std::move(opts)) {}

  // An idle connection the server has not closed meanwhile (closed ones are dropped).
  std::shared_ptr<Connection> TakeIdle(const std::string& key) {
    while (true) {
      std::shared_ptr<Connection> connection;
      {
        std::lock_guard lock(mutex);
        auto it = idle.find(key);
        if (it == idle.end() || it->second.empty()) return nullptr;
        connection = std::move(it->second.back());
        it->second.pop_back();
      }
      if (StillOpen(*connection)) return connection;
      asio::post(connection->executor, [connection] { connection->Close(); });
    }
  }

  // A peek at an idle socket: nothing to read means the peer has not closed it. End of stream,
  // a reset or unexpected bytes (a TLS close_notify) mean it is gone. Checked before reuse so
  // that a request is only resent on a fresh connection when that is safe (see RetryOrFail).
  // No operation is pending on an idle connection, so reading its socket here is safe.
  static bool StillOpen(Connection& connection) {
    char byte;
    const ssize_t n =
        ::recv(connection.lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  // On the connection's strand, with no operation pending on it.
  void ReturnIdle(const std::string& key, std::shared_ptr<Connection> connection) {
    {
      std::lock_guard lock(mutex);
      auto& list = idle[key];
      if (!closed && list.size() < options.max_idle_per_host) {
        list.push_back(std::move(connection));
        return;
      }
    }
    connection->Close();
  }

  void CloseAll() {
    std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> taken;
    {
      std::lock_guard lock(mutex);
      closed = true;
      taken.swap(idle);
    }
    for (auto& [key, list] : taken) {
      for (auto& connection : list) {
        asio::post(connection->executor, [connection] { connection->Close(); });
      }
    }
  }

  IoRuntime& io;
  HttpClientOptions options;
  std::once_flag tls_once;
  Result<std::shared_ptr<ssl::context>> tls_context{std::shared_ptr<ssl::context>()};
  std::mutex mutex;
  bool closed = false;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> idle;
};

// One request from start to answer: pick or open a connection, write, read, maybe retry once.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<ClientCore> client, Url url, http::request<http::string_body> request,
           std::chrono::milliseconds timeout, std::shared_ptr<ssl::context> tls_context,
           std::function<void(Result<HttpResponse>)> done)
      : client_(std::move(client)),
        url_(std::move(url)),
        request_(std::move(request)),
        timeout_(timeout),
        deadline_(Clock::now() + timeout),
        tls_context_(std::move(tls_context)),
        done_(std::move(done)),
        key_(url_.scheme + "://" + url_.HostPort()) {}

  void Start() {
    if (auto connection = client_->TakeIdle(key_)) {
      reused_ = true;
      connection_ = std::move(connection);
      asio::dispatch(connection_->executor, [self = shared_from_this()] { self->Write(); });
      return;
    }
    Open();
  }

 private:
  void Open() {
    reused_ = false;
    connection_ =
        std::make_shared<Connection>(asio::make_strand(client_->io.impl().context), tls_context_);
    resolver_ = std::make_unique<tcp::resolver>(connection_->executor);
    resolver_->async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    tcp::resolver::results_type results) {
          if (ec) return self->Fail(detail::TransportError(ec, "resolve " + self->url_.host));
          self->Connect(results);
        });
  }

  Clock::time_point ConnectDeadline() const {
    return std::min(deadline_, Clock::now() + client_->options.connect_timeout);
  }

  void Connect(const tcp::resolver::results_type& results) {
    connection_->lowest().expires_at(ConnectDeadline());
    connection_->lowest().async_connect(
        results,
        [self = shared_from_this()](const boost::system::error_code& ec, const tcp::endpoint&) {
          if (ec)
            return self->Fail(detail::TransportError(ec, "connect to " + self->url_.HostPort()));
          if (self->connection_->tls) return self->Handshake();
          self->Write();
        });
  }

  void Handshake() {
    tls_failure_ = std::make_shared<std::string>();
    if (auto prepared = detail::PrepareTlsClient(*connection_->tls, url_.host, tls_failure_);
        !prepared) {
      return Fail(prepared.error());
    }
    connection_->lowest().expires_at(ConnectDeadline());
    connection_->tls->async_handshake(
        ssl::stream_base::client, [self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec) {
            return self->Fail(
                detail::TlsHandshakeError(ec, self->url_.HostPort(), *self->tls_failure_));
          }
          self->Write();
        });
  }

  void Write() {
    connection_->lowest().expires_at(deadline_);
    connection_->With([this](auto& stream) {
      http::async_write(
          stream, request_,
          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) return self->RetryOrFail(ec, /*writing=*/true);
            self->Read();
          });
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(client_->options.max_response_body);
    connection_->With([this](auto& stream) {
      http::async_read(
          stream, connection_->buffer, *parser_,
          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) return self->RetryOrFail(ec, /*writing=*/false);
            self->Complete();
          });
    });
  }

  // A reused connection the server closed while idle is not a real failure: try once more on
  // a fresh connection. Only where sending twice is harmless: an idempotent method, or a write
  // that failed (the server had closed before the request reached it). A POST whose connection
  // is reset after it was sent may have been acted on, so that is the caller's error to handle
  // (kTransient with outcome_unknown), as it would be on a fresh connection.
  void RetryOrFail(const boost::system::error_code& ec, bool writing) {
    if (reused_ && !retried_ && detail::IsStaleConnection(ec) && Clock::now() < deadline_ &&
        (writing || Idempotent())) {
      retried_ = true;
      connection_->Close();
      // Open() makes a new strand; hop there so the new connection is only touched on it.
      Open();
      return;
    }
    Error error =
        ec == beast::error::timeout
            ? MakeError(ErrorKind::kTimeout,
                        std::string(request_.method_string()) + " " + url_.scheme + "://" +
                            url_.HostPort() + std::string(request_.target()) + " timed out after " +
                            std::to_string(timeout_.count()) + " ms")
            : detail::TransportError(ec, "HTTP exchange with " + url_.HostPort());
    // Once the whole request was written, the peer may have acted on it, whatever happened to
    // the answer (timeout, reset, close). A failed write never delivered a complete request; a
    // response over the size limit is an answer, not a lost one.
    if (!writing && ec != http::error::body_limit) {
      error.outcome_unknown = true;
      error.message += " after the request was sent (outcome unknown)";
    }
    Fail(std::move(error));
  }

  // RFC 9110 9.2.2.
  bool Idempotent() const {
    switch (request_.method()) {
      case http::verb::get:
      case http::verb::head:
      case http::verb::options:
      case http::verb::trace:
      case http::verb::put:
      case http::verb::delete_:
        return true;
      default:
        return false;
    }
  }

  void Complete() {
    auto message = parser_->release();
    parser_.reset();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    if (message.keep_alive()) {
      connection_->lowest().expires_never();
      client_->ReturnIdle(key_, std::move(connection_));
    } else {
      connection_->Close();
      connection_.reset();
    }
    Finish(std::move(response));
  }

  void Fail(Error error) {
    if (connection_) connection_->Close();
    connection_.reset();
    Finish(Unexpected(std::move(error)));
  }

  void Finish(Result<HttpResponse> result) {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
  }

  std::shared_ptr<ClientCore> client_;
  Url url_;
  http::request<http::string_body> request_;
  std::chrono::milliseconds timeout_;
  Clock::time_point deadline_;
  std::shared_ptr<ssl::context> tls_context_;
  std::function<void(Result<HttpResponse>)> done_;
  std::string key_;
  std::shared_ptr<Connection> connection_;
  std::unique_ptr<tcp::resolver> resolver_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::shared_ptr<std::string> tls_failure_;
  bool reused_ = false;
  bool retried_ = false;
};

}  // namespace

struct HttpClient::Impl : ClientCore {
  using ClientCore::ClientCore;
};

HttpClient::HttpClient(IoRuntime& io, HttpClientOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HttpClient::~HttpClient() { impl_->CloseAll(); }

void HttpClient::SendAsync(OutgoingRequest request,
                           std::function<void(Result<HttpResponse>)> done) {
  auto fail = [&](Error error) {
    asio::post(impl_->io.impl().context,
               [done = std::move(done), error = std::move(error)]() mutable {
                 done(Unexpected(std::move(error)));
               });
  };
  auto url = Url::Parse(request.url);
  if (!url) return fail(url.error());
  if (url->scheme != "http" && url->scheme != "https") {
    return fail(MakeError(ErrorKind::kInvalidInput,
                          "HttpClient needs an http or https URL, not '" + request.url + "'"));
  }
  std::shared_ptr<ssl::context> tls_context;
  if (url->secure()) {
    // Loading the trust store is slow; do it once, on first use of https.
    std::call_once(impl_->tls_once, [this] {
      impl_->tls_context = detail::MakeClientTlsContext(impl_->options.tls);
    });
    if (!impl_->tls_context) return fail(impl_->tls_context.error());
    tls_context = impl_->tls_context.value();
  }

  http::request<http::string_body> message;
  message.version(11);
  message.method_string(request.method);
  message.target(url->target);
  const bool default_port = url->port == (url->secure() ? 443 : 80);
  for (const auto& [name, value] : request.headers.items()) message.insert(name, value);
  if (!request.headers.Has("Host")) {
    message.set(http::field::host, default_port ? url->host : url->HostPort());
  }
  if (!request.headers.Has("User-Agent")) {
    message.set(http::field::user_agent, impl_->options.user_agent);
  }
  message.body() = std::move(request.body);
  message.keep_alive(true);
  message.prepare_payload();

  const auto timeout = request.timeout.value_or(impl_->options.request_timeout);
  std::make_shared<Exchange>(impl_, std::move(url.value()), std::move(message), timeout,
                             std::move(tls_context), std::move(done))
      ->Start();
}

Result<HttpResponse> HttpClient::Send(OutgoingRequest request) {
  if (impl_->io.InIoThread()) {
    return Unexpected(
        MakeError(ErrorKind::kInternal, "HttpClient::Send called on an I/O thread; use SendAsync"));
  }
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  auto future = promise->get_future();
  SendAsync(std::move(request),
            [promise](Result<HttpResponse> result) { promise->set_value(std::move(result)); });
  return future.get();
}

}  // namespace contexten::core::net
