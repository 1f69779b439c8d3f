#pragma once
// Plain HTTP values shared by the client and the server. No Asio/Beast here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace contexten::core::net {

// Ordered header list; lookups are case-insensitive as HTTP requires.
class HttpHeaders {
 public:
  void Set(std::string name, std::string value);  // replaces any existing
  void Add(std::string name, std::string value);  // appends
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path plus query, e.g. "/api/chat.postMessage?x=1"
  HttpHeaders headers;
  std::string body;
  std::string remote_address;  // server side only

  std::string_view Path() const;                                 // target without the query
  std::optional<std::string> Query(std::string_view key) const;  // percent-decoded
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
};

struct Url {
  std::string scheme;  // http, https, ws, wss
  std::string host;
  uint16_t port = 0;   // defaulted from the scheme when absent
  std::string target;  // path + query, at least "/"

  bool secure() const { return scheme == "https" || scheme == "wss"; }
  // Accepts only http, https, ws and wss; anything else is kInvalidInput naming the scheme.
  static Result<Url> Parse(std::string_view text);
  std::string HostPort() const;  // "host:port"
};

// application/x-www-form-urlencoded helpers (Slack's Web API accepts both form and JSON).
std::string UrlEncode(std::string_view s);
std::string UrlDecode(std::string_view s);
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body);

}  // namespace contexten::core::net
