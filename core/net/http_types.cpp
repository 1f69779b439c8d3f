#include "core/net/http_types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace contexten::core::net {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint16_t DefaultPort(std::string_view scheme) {
  return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

}  // namespace

void HttpHeaders::Set(std::string name, std::string value) {
  auto it = std::remove_if(items_.begin(), items_.end(),
                           [&](const auto& item) { return EqualsIgnoreCase(item.first, name); });
  items_.erase(it, items_.end());
  items_.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::Add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HttpHeaders::Get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view HttpRequest::Path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::optional<std::string> HttpRequest::Query(std::string_view key) const {
  const auto q = target.find('?');
  if (q == std::string::npos) return std::nullopt;
  std::string_view query = std::string_view(target).substr(q + 1);
  query = query.substr(0, query.find('#'));
  for (auto& [k, v] : ParseForm(query)) {
    if (k == key) return std::move(v);
  }
  return std::nullopt;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse response{status, {}, std::move(body)};
  response.headers.Set("Content-Type", "application/json; charset=utf-8");
  return response;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response{status, {}, std::move(body)};
  response.headers.Set("Content-Type", "text/plain; charset=utf-8");
  return response;
}

Result<Url> Url::Parse(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Unexpected(
        MakeError(ErrorKind::kInvalidInput, std::string(why) + " in '" + std::string(text) + "'"));
  };
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return invalid("missing URL scheme");
  std::string scheme(text.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss") {
    return invalid("unsupported URL scheme '" + scheme + "'");
  }
  Url url;
  url.scheme = std::move(scheme);
  std::string_view rest = text.substr(sep + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    return invalid("credentials in URLs are not supported");
  }
  std::string_view host = authority;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("bad authority");
      port_text = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return invalid("missing host");
  url.host = std::string(host);
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return invalid("bad port '" + std::string(port_text) + "'");
    }
    url.port = static_cast<uint16_t>(value);
  } else {
    url.port = DefaultPort(url.scheme);
  }
  target = target.substr(0, target.find('#'));
  if (target.empty() || target.front() != '/') {
    // Built with append, not "/" + std::string(...): GCC 12 at -O3 reports a false-positive
    // -Wrestrict for that operator+ (GCC bug 105329), which -Werror turns into a failed Release
    // build.
    url.target.reserve(target.size() + 1);
    url.target.append(1, '/').append(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

std::string Url::HostPort() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);  // a stray '%' is kept as is, like browsers do
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> fields;
  while (!body.empty()) {
    const auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      fields.emplace_back(UrlDecode(pair), std::string());
    } else {
      fields.emplace_back(UrlDecode(pair.substr(0, eq)), UrlDecode(pair.substr(eq + 1)));
    }
  }
  return fields;
}

}  // namespace contexten::core::net
