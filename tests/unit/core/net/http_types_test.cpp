#include "core/net/http_types.hpp"

#include <gtest/gtest.h>

namespace contexten::core::net {
namespace {

TEST(UrlParseTest, ParsesHostPortAndTarget) {
  auto url = Url::Parse("https://api.slack.com:8443/api/chat.postMessage?x=1");
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "api.slack.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/api/chat.postMessage?x=1");
  EXPECT_TRUE(url->secure());
  EXPECT_EQ(url->HostPort(), "api.slack.com:8443");
}

TEST(UrlParseTest, DefaultsPortsFromScheme) {
  EXPECT_EQ(Url::Parse("http://a.test/").value().port, 80);
  EXPECT_EQ(Url::Parse("ws://a.test/x").value().port, 80);
  EXPECT_EQ(Url::Parse("https://a.test").value().port, 443);
  EXPECT_EQ(Url::Parse("wss://a.test/link?ticket=1").value().port, 443);
  EXPECT_EQ(Url::Parse("https://a.test").value().target, "/");
  EXPECT_EQ(Url::Parse("http://a.test?q=1").value().target, "/?q=1");
  EXPECT_FALSE(Url::Parse("ws://a.test").value().secure());
}

TEST(UrlParseTest, ParsesIpv6Literal) {
  auto url = Url::Parse("http://[::1]:8080/x");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->HostPort(), "[::1]:8080");
}

TEST(UrlParseTest, RejectsUnsupportedSchemeNamingIt) {
  auto url = Url::Parse("ftp://x");
  ASSERT_FALSE(url.has_value());
  EXPECT_EQ(url.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(url.error().message, "unsupported URL scheme 'ftp' in 'ftp://x'");
}

TEST(UrlParseTest, RejectsMalformedUrls) {
  EXPECT_FALSE(Url::Parse("no-scheme").has_value());
  EXPECT_FALSE(Url::Parse("http://").has_value());
  EXPECT_FALSE(Url::Parse("http://host:0/").has_value());
  EXPECT_FALSE(Url::Parse("http://host:99999/").has_value());
  EXPECT_FALSE(Url::Parse("http://host:12ab/").has_value());
}

TEST(FormTest, DecodesPlusAsSpaceAndPercentEscapes) {
  auto fields = ParseForm("command=%2Fctx&text=create+a+bug%21&empty=&flag");
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{"command", "/ctx"}));
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"text", "create a bug!"}));
  EXPECT_EQ(fields[2], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_EQ(fields[3], (std::pair<std::string, std::string>{"flag", ""}));
}

TEST(FormTest, EncodeDecodeRoundTrip) {
  const std::string text = "a b&c=d/é%";
  EXPECT_EQ(UrlEncode(text), "a+b%26c%3Dd%2F%C3%A9%25");
  EXPECT_EQ(UrlDecode(UrlEncode(text)), text);
  EXPECT_EQ(UrlDecode("100%"), "100%");
}

TEST(HttpHeadersTest, LookupIsCaseInsensitive) {
  HttpHeaders headers;
  headers.Add("Content-Type", "application/json");
  EXPECT_EQ(headers.Get("content-type").value(), "application/json");
  EXPECT_TRUE(headers.Has("CONTENT-TYPE"));
  EXPECT_FALSE(headers.Has("Content-Length"));
}

TEST(HttpHeadersTest, SetReplacesAllCaseVariants) {
  HttpHeaders headers;
  headers.Add("X-Slack-Retry-Num", "1");
  headers.Add("x-slack-retry-num", "2");
  headers.Set("X-SLACK-RETRY-NUM", "3");
  ASSERT_EQ(headers.items().size(), 1u);
  EXPECT_EQ(headers.Get("x-slack-retry-num").value(), "3");
}

TEST(HttpRequestTest, PathAndDecodedQuery) {
  HttpRequest request;
  request.target = "/oauth/callback?code=a%2Bb&state=x+y";
  EXPECT_EQ(request.Path(), "/oauth/callback");
  EXPECT_EQ(request.Query("code").value(), "a+b");
  EXPECT_EQ(request.Query("state").value(), "x y");
  EXPECT_FALSE(request.Query("missing").has_value());
}

TEST(HttpResponseTest, HelpersSetContentType) {
  EXPECT_EQ(HttpResponse::Json(200, "{}").headers.Get("Content-Type").value(),
            "application/json; charset=utf-8");
  auto text = HttpResponse::Text(404, "nope");
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.body, "nope");
  EXPECT_EQ(text.headers.Get("content-type").value(), "text/plain; charset=utf-8");
}

}  // namespace
}  // namespace contexten::core::net
