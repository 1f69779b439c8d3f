#pragma once
// HTTP/1.1 client over plain TCP or TLS, with keep-alive connections pooled per host.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/net/http_types.hpp"
#include "core/net/io_runtime.hpp"
#include "core/net/tls.hpp"
#include "core/result.hpp"

namespace contexten::core::net {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{15000};  // whole exchange, per request
  std::size_t max_response_body = 16 * 1024 * 1024;
  std::size_t max_idle_per_host = 8;
  std::string user_agent = "contexten";
  TlsClientOptions tls;
};

struct OutgoingRequest {
  std::string method = "GET";
  std::string url;  // absolute: http(s)://host[:port]/path?query
  HttpHeaders headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // overrides request_timeout
};

// Any HTTP status is a successful Result (callers map statuses); the error side is for
// transport failures: kTransient (refused, reset), kTimeout, kTls (verification, with the
// reason in the message), kInvalidInput (bad URL), kTooLarge (response over the limit).
// Error::outcome_unknown is set when the request was fully written and then the exchange timed
// out or the connection was reset or closed before a complete answer: the server may have acted
// on it. Failures before that (resolve, refused or timed-out connect, TLS handshake, a failed
// write) leave it false: the request cannot have been processed.
class HttpClient {
 public:
  HttpClient(IoRuntime& io, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `done` runs on an I/O thread exactly once.
  void SendAsync(OutgoingRequest request, std::function<void(Result<HttpResponse>)> done);
  // Blocking form; must not be called from an I/O thread of the same runtime.
  Result<HttpResponse> Send(OutgoingRequest request);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::core::net
