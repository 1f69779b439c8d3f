#include "bot/webhooks/webhook_ingress.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/worker_pool.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "integrations/linear/webhook_verify.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::bot::webhooks {
namespace {

using contexten::testing::WaitFor;
using core::net::HttpResponse;
using core::net::OutgoingRequest;
using nlohmann::json;

constexpr const char* kGitHubSecret = "mysecret";
constexpr const char* kLinearSecret = "lin_wh_test_secret";

// An inbox whose appends fail, as a full disk or a locked database would.
class FailingInbox final : public store::Inbox {
 public:
  void AppendAsync(store::InboxItem,
                   std::function<void(core::Result<store::AppendResult>)> done) override {
    done(core::MakeError(core::ErrorKind::kUnavailable, "disk full"));
  }
  core::Result<store::AppendResult> Append(store::InboxItem) override {
    return core::MakeError(core::ErrorKind::kUnavailable, "disk full");
  }
  core::Status MarkDone(std::int64_t, store::InboxStatus) override { return core::Ok(); }
  core::Status MarkFailed(std::int64_t, std::string) override { return core::Ok(); }
  core::Result<std::vector<store::InboxItem>> Pending(std::size_t, const std::string&) override {
    return std::vector<store::InboxItem>{};
  }
  core::Result<std::optional<store::InboxItem>> Find(const std::string&,
                                                     const std::string&) override {
    return std::optional<store::InboxItem>{};
  }
  core::Result<std::int64_t> Count(const std::string&) override { return 0; }
};

class WebhookIngressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions store_options;
    store_options.path = dir_.File("inbox.db");
    auto db = store::Database::Open(store_options);
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    inbox_ = std::make_unique<store::SqliteInbox>(*db_, clock_);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  void Start(WebhookIngressOptions options = DefaultOptions(), store::Inbox* inbox = nullptr,
             std::size_t server_limit = 0) {
    ingress_ = std::make_unique<WebhookIngress>(inbox ? *inbox : *inbox_, workers_, clock_,
                                                std::move(options));
    if (on_accepted_) ingress_->set_on_accepted(on_accepted_);
    if (on_arrival_) ingress_->set_on_arrival(on_arrival_, {"linear"});
    core::net::HttpServerOptions server_options;
    server_options.body_limit = server_limit ? server_limit : ingress_->max_body_limit();
    server_ = std::make_unique<core::net::HttpServer>(io_, server_options);
    ingress_->Install(*server_);
    auto started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
  }

  static WebhookIngressOptions DefaultOptions() {
    WebhookIngressOptions options;
    options.github_secret = kGitHubSecret;
    options.linear_secret = kLinearSecret;
    return options;
  }

  HttpResponse Post(const std::string& path, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers) {
    OutgoingRequest request;
    request.method = "POST";
    request.url = server_->BaseUrl() + path;
    request.body = body;
    request.headers.Set("Content-Type", "application/json");
    for (auto& [name, value] : headers) request.headers.Set(name, value);
    auto response = client_.Send(std::move(request));
    EXPECT_TRUE(response.has_value()) << response.error().message;
    return response ? *response : HttpResponse{};
  }

  HttpResponse PostGitHub(const std::string& event, const std::string& delivery,
                          const std::string& body, const std::string& secret = kGitHubSecret) {
    return Post("/webhooks/github", body,
                {{"X-GitHub-Event", event},
                 {"X-GitHub-Delivery", delivery},
                 {"X-Hub-Signature-256", integrations::github::SignGitHubPayload(secret, body)}});
  }

  std::string LinearBody(std::chrono::milliseconds skew = std::chrono::milliseconds(0)) {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch()) +
        skew;
    return json{{"action", "create"},
                {"type", "Issue"},
                {"createdAt", "2024-05-01T10:00:00.000Z"},
                {"data", {{"id", "issue-1"}, {"identifier", "ENG-1"}, {"title", "Login crash"}}},
                {"webhookTimestamp", now_ms.count()}}
        .dump();
  }

  HttpResponse PostLinear(const std::string& delivery, const std::string& body,
                          const std::string& secret = kLinearSecret) {
    return Post("/webhooks/linear", body,
                {{"Linear-Event", "Issue"},
                 {"Linear-Delivery", delivery},
                 {"Linear-Signature", integrations::linear::SignLinearPayload(secret, body)}});
  }

  std::uint64_t Rejected(const std::string& reason) const {
    const auto stats = ingress_->stats();
    auto it = stats.rejected.find(reason);
    return it == stats.rejected.end() ? 0 : it->second;
  }

  std::optional<store::InboxItem> Row(const std::string& source, const std::string& key) {
    auto found = inbox_->Find(source, key);
    EXPECT_TRUE(found.has_value());
    return found ? *found : std::nullopt;
  }

  bool Idle() const { return ingress_->in_flight() == 0; }

  contexten::testing::TempDir dir_;
  core::FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::SqliteInbox> inbox_;
  core::WorkerPool workers_{2};
  core::net::IoRuntime io_{1};
  core::net::IoRuntime client_io_{1};
  core::net::HttpClient client_{client_io_};
  WebhookAcceptedHook on_accepted_;
  WebhookArrivalHook on_arrival_;
  std::unique_ptr<core::net::HttpServer> server_;
  std::unique_ptr<WebhookIngress> ingress_;
};

// GitHub's published vectors (docs: "Validating webhook deliveries"; @octokit/webhooks-methods)
// through a started ingress over HTTP: the published signature passes verification (the body
// then meets the JSON check: "Hello, World!" is refused as not JSON, the JSON one accepted), the
// same signature with one hex digit changed is refused as bad_signature.
TEST_F(WebhookIngressTest, PublishedGitHubSignatureVectorsVerify) {
  struct Vector {
    std::string secret;
    std::string body;
    std::string signature;
    int status;            // with the published signature
    std::string rejected;  // rejection reason with it, if any
  };
  const std::vector<Vector> vectors = {
      {"It's a Secret to Everybody", "Hello, World!",
       "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", 400, "not_json"},
      {"mysecret", R"({"foo":"bar"})",
       "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3", 202, ""},
  };
  int n = 0;
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.body);
    if (server_) server_->Stop();
    server_.reset();
    auto options = DefaultOptions();
    options.github_secret = v.secret;
    Start(options);
    const std::string delivery = "d-vector-" + std::to_string(++n);
    auto good = Post("/webhooks/github", v.body,
                     {{"X-GitHub-Event", "push"},
                      {"X-GitHub-Delivery", delivery},
                      {"X-Hub-Signature-256", v.signature}});
    EXPECT_EQ(good.status, v.status) << good.body;
    EXPECT_EQ(Rejected("bad_signature"), 0u);
    if (!v.rejected.empty()) {
      EXPECT_EQ(Rejected(v.rejected), 1u);
    }

    std::string tampered = v.signature;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    auto bad = Post("/webhooks/github", v.body,
                    {{"X-GitHub-Event", "push"},
                     {"X-GitHub-Delivery", delivery + "-tampered"},
                     {"X-Hub-Signature-256", tampered}});
    EXPECT_EQ(bad.status, 401) << bad.body;
    EXPECT_EQ(Rejected("bad_signature"), 1u);
  }
  // Only the JSON vector with its published signature was stored.
  EXPECT_EQ(*inbox_->Count("github"), 1);
  EXPECT_TRUE(Row("github", "d-vector-2").has_value());
}

TEST_F(WebhookIngressTest, HelloWorldVectorPassesSignatureThenFailsAsNotJson) {
  auto options = DefaultOptions();
  options.github_secret = "It's a Secret to Everybody";
  Start(options);
  auto response =
      Post("/webhooks/github", "Hello, World!",
           {{"X-GitHub-Event", "push"},
            {"X-GitHub-Delivery", "d-hello"},
            {"X-Hub-Signature-256",
             "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Rejected("not_json"), 1u);
  EXPECT_EQ(Rejected("bad_signature"), 0u);
  EXPECT_EQ(*inbox_->Count("github"), 0);
}

TEST_F(WebhookIngressTest, JsonVectorIsDurableWhenThe202Arrives) {
  Start();
  const std::string body = R"({"foo":"bar"})";
  auto response =
      Post("/webhooks/github", body,
           {{"X-GitHub-Event", "star"},
            {"X-GitHub-Delivery", "d-foo"},
            {"X-Hub-Signature-256",
             "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3"}});
  ASSERT_EQ(response.status, 202);
  EXPECT_EQ(json::parse(response.body)["status"], "accepted");
  // A separate connection, opened only now: the row must already be committed.
  SQLite::Database fresh(db_->path(), SQLite::OPEN_READONLY);
  SQLite::Statement query(
      fresh, "SELECT source, kind, body, status FROM inbox WHERE dedupe_key = 'd-foo'");
  ASSERT_TRUE(query.executeStep());
  EXPECT_EQ(query.getColumn(0).getString(), "github");
  EXPECT_EQ(query.getColumn(1).getString(), "star");
  EXPECT_EQ(query.getColumn(2).getString(), body);
  // "star" is not an event we act on: stored already skipped, in the same commit.
  EXPECT_EQ(query.getColumn(3).getString(), "skipped");
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  EXPECT_EQ(Row("github", "d-foo")->status, store::InboxStatus::kSkipped);
  EXPECT_EQ(ingress_->stats().skipped, 1u);
}

TEST_F(WebhookIngressTest, TamperedBodyIsRejected401) {
  Start();
  const std::string body = R"({"action":"opened","number":1})";
  auto response =
      Post("/webhooks/github", R"({"action":"closed","number":1})",
           {{"X-GitHub-Event", "issues"},
            {"X-GitHub-Delivery", "d-tamper"},
            {"X-Hub-Signature-256", integrations::github::SignGitHubPayload(kGitHubSecret, body)}});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Rejected("bad_signature"), 1u);
  EXPECT_EQ(response.body.find(kGitHubSecret), std::string::npos);
  EXPECT_EQ(*inbox_->Count("github"), 0);
}

TEST_F(WebhookIngressTest, WrongSecretIsRejected401OnBothPlatforms) {
  Start();
  EXPECT_EQ(PostGitHub("issues", "d-wrong", R"({"action":"opened"})", "not-the-secret").status,
            401);
  EXPECT_EQ(PostLinear("l-wrong", LinearBody(), "not-the-secret").status, 401);
  EXPECT_EQ(Rejected("bad_signature"), 2u);
  EXPECT_EQ(*inbox_->Count("github"), 0);
  EXPECT_EQ(*inbox_->Count("linear"), 0);
}

TEST_F(WebhookIngressTest, MissingHeadersAre400ForEventAndDelivery401ForSignature) {
  Start();
  const std::string body = R"({"action":"opened"})";
  const std::string signature = integrations::github::SignGitHubPayload(kGitHubSecret, body);
  EXPECT_EQ(Post("/webhooks/github", body,
                 {{"X-GitHub-Delivery", "d1"}, {"X-Hub-Signature-256", signature}})
                .status,
            400);
  EXPECT_EQ(Post("/webhooks/github", body,
                 {{"X-GitHub-Event", "issues"}, {"X-Hub-Signature-256", signature}})
                .status,
            400);
  EXPECT_EQ(
      Post("/webhooks/github", body, {{"X-GitHub-Event", "issues"}, {"X-GitHub-Delivery", "d1"}})
          .status,
      401);
  const std::string linear = LinearBody();
  EXPECT_EQ(Post("/webhooks/linear", linear, {{"Linear-Event", "Issue"}, {"Linear-Delivery", "l1"}})
                .status,
            401);
  EXPECT_EQ(Rejected("missing_event"), 1u);
  EXPECT_EQ(Rejected("missing_delivery"), 1u);
  EXPECT_EQ(Rejected("missing_signature"), 2u);
  EXPECT_EQ(*inbox_->Count("github"), 0);
}

TEST_F(WebhookIngressTest, StaleLinearTimestampIsRejected401AndFreshOneAccepted) {
  Start();
  EXPECT_EQ(PostLinear("l-stale", LinearBody(-std::chrono::seconds(61))).status, 401);
  EXPECT_EQ(PostLinear("l-future", LinearBody(std::chrono::seconds(90))).status, 401);
  EXPECT_EQ(Rejected("stale_timestamp"), 2u);
  EXPECT_EQ(*inbox_->Count("linear"), 0);

  auto fresh = PostLinear("l-fresh", LinearBody(-std::chrono::seconds(30)));
  EXPECT_EQ(fresh.status, 202);
  auto row = Row("linear", "l-fresh");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->kind, "Issue:create");
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  EXPECT_EQ(Row("linear", "l-fresh")->status, store::InboxStatus::kDone);
  EXPECT_EQ(ingress_->stats().typed, 1u);
}

TEST_F(WebhookIngressTest, LinearBodyWithoutTimestampIs400) {
  Start();
  const std::string body = R"({"action":"create","type":"Issue","data":{"id":"x"}})";
  EXPECT_EQ(PostLinear("l-nots", body).status, 400);
  EXPECT_EQ(Rejected("bad_timestamp"), 1u);
}

TEST_F(WebhookIngressTest, OverThePerRouteLimitIs413) {
  auto options = DefaultOptions();
  options.github_body_limit = 4096;
  options.linear_body_limit = 1024;
  Start(options, nullptr, /*server_limit=*/64 * 1024);  // the routes decide, not the server
  const std::string big = json{{"action", "opened"}, {"pad", std::string(2000, 'x')}}.dump();
  // Under the GitHub limit, over the Linear one.
  EXPECT_EQ(PostGitHub("star", "d-mid", big).status, 202);
  EXPECT_EQ(PostLinear("l-big", big).status, 413);
  const std::string huge = json{{"action", "opened"}, {"pad", std::string(5000, 'x')}}.dump();
  EXPECT_EQ(PostGitHub("star", "d-huge", huge).status, 413);
  EXPECT_EQ(Rejected("too_large"), 2u);
  EXPECT_EQ(*inbox_->Count("linear"), 0);
  EXPECT_EQ(*inbox_->Count("github"), 1);
}

TEST_F(WebhookIngressTest, OverTheServerLimitIs413BeforeTheHandler) {
  Start(DefaultOptions(), nullptr, /*server_limit=*/1024);
  const std::string huge = json{{"action", "opened"}, {"pad", std::string(5000, 'x')}}.dump();
  EXPECT_EQ(PostGitHub("issues", "d-huge", huge).status, 413);
  EXPECT_EQ(*inbox_->Count("github"), 0);
}

TEST_F(WebhookIngressTest, RedeliveryIsAnswered200DuplicateAndStoredOnce) {
  Start();
  const std::string body = R"({"action":"created","starred_at":null})";
  auto first = PostGitHub("star", "d-again", body);
  auto second = PostGitHub("star", "d-again", body);
  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(json::parse(second.body)["status"], "duplicate");
  EXPECT_EQ(*inbox_->Count("github"), 1);
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  const auto stats = ingress_->stats();
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.skipped, 1u);  // processed once, not twice
}

TEST_F(WebhookIngressTest, PingIsAnsweredWithPongAndStored) {
  Start();
  auto response = PostGitHub("ping", "d-ping", R"({"zen":"Design for failure.","hook_id":42})");
  ASSERT_EQ(response.status, 200);
  auto answer = json::parse(response.body);
  EXPECT_EQ(answer["status"], "pong");
  EXPECT_EQ(answer["zen"], "Design for failure.");
  EXPECT_EQ(Row("github", "d-ping")->kind, "ping");
}

TEST_F(WebhookIngressTest, KindCarriesTheActionAndHandledEventsReachTheHook) {
  std::mutex mu;
  std::vector<std::tuple<std::string, std::int64_t, std::string>> seen;
  on_accepted_ = [&](const std::string& source, std::int64_t id, const std::string& kind,
                     const std::string&) {
    std::lock_guard lock(mu);
    seen.emplace_back(source, id, kind);
  };
  Start();
  const std::string body =
      json{{"action", "opened"},
           {"number", 7},
           {"pull_request", {{"number", 7}, {"title", "ENG-1 fix login"}, {"state", "open"}}},
           {"repository", {{"full_name", "acme/web"}}}}
          .dump();
  ASSERT_EQ(PostGitHub("pull_request", "d-pr", body).status, 202);
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(std::get<0>(seen[0]), "github");
  EXPECT_EQ(std::get<1>(seen[0]), Row("github", "d-pr")->id);
  EXPECT_EQ(std::get<2>(seen[0]), "pull_request:opened");
  // The hook's owner finishes the row; until then it is pending (crash recovery replays it).
  EXPECT_EQ(Row("github", "d-pr")->status, store::InboxStatus::kPending);
  EXPECT_EQ(ingress_->stats().typed, 1u);
}

TEST_F(WebhookIngressTest, AnArrivalHookThatStoresTheRowDecidesTheAnswerAndConsumesIt) {
  std::atomic<int> accepted{0};
  std::atomic<int> arrivals{0};
  on_accepted_ = [&](const std::string&, std::int64_t, const std::string&, const std::string&) {
    ++accepted;
  };
  // Stands in for a consumer that writes the row with the step it leads to.
  on_arrival_ =
      [&](const store::InboxItem& item) -> std::optional<core::Result<store::AppendResult>> {
    ++arrivals;
    store::InboxItem done = item;
    done.status = store::InboxStatus::kDone;
    return inbox_->Append(std::move(done));
  };
  Start();
  const std::string body = LinearBody();
  ASSERT_EQ(PostLinear("l-fast", body).status, 202);
  // Durable, and finished, when the 202 arrives.
  EXPECT_EQ(Row("linear", "l-fast")->status, store::InboxStatus::kDone);
  EXPECT_EQ(PostLinear("l-fast", body).status, 200);  // the hook saw the redelivery's duplicate
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  EXPECT_EQ(arrivals.load(), 2);
  EXPECT_EQ(accepted.load(), 0);
  EXPECT_EQ(ingress_->stats().accepted, 1u);
  EXPECT_EQ(ingress_->stats().duplicates, 1u);
}

TEST_F(WebhookIngressTest, AnArrivalHookThatDeclinesLeavesTheRowPendingForTheAcceptedHook) {
  std::atomic<std::int64_t> accepted_id{0};
  on_accepted_ = [&](const std::string&, std::int64_t id, const std::string&, const std::string&) {
    accepted_id = id;
  };
  on_arrival_ = [](const store::InboxItem&) -> std::optional<core::Result<store::AppendResult>> {
    return std::nullopt;
  };
  Start();
  ASSERT_EQ(PostLinear("l-slow", LinearBody()).status, 202);
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  EXPECT_EQ(accepted_id.load(), Row("linear", "l-slow")->id);
  EXPECT_EQ(Row("linear", "l-slow")->status, store::InboxStatus::kPending);
}

TEST_F(WebhookIngressTest, AnArrivalHookStoreFailureIs503) {
  on_accepted_ = [](const std::string&, std::int64_t, const std::string&, const std::string&) {};
  on_arrival_ = [](const store::InboxItem&) -> std::optional<core::Result<store::AppendResult>> {
    return core::Result<store::AppendResult>(
        core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable, "disk full")));
  };
  Start();
  auto response = PostLinear("l-fail", LinearBody());
  EXPECT_EQ(response.status, 503);
  EXPECT_TRUE(response.headers.Get("Retry-After").has_value());
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  EXPECT_FALSE(Row("linear", "l-fail").has_value());
}

TEST_F(WebhookIngressTest, HandledEventThatDoesNotParseIsStoredAndMarkedFailed) {
  Start();
  // Signed, JSON, but a pull_request event without its pull_request object.
  auto response = PostGitHub("pull_request", "d-broken", R"({"action":"opened","number":3})");
  EXPECT_EQ(response.status, 202);
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  auto row = Row("github", "d-broken");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, store::InboxStatus::kFailed);
  EXPECT_NE(row->last_error.find("pull_request"), std::string::npos) << row->last_error;
  EXPECT_EQ(ingress_->stats().parse_failures, 1u);
}

TEST_F(WebhookIngressTest, RowCarriesItsFinalStatusWhenThe202Arrives) {
  Start();  // no consumer hook: nothing will touch these rows after the append
  const std::string issue =
      json{{"action", "opened"}, {"issue", {{"number", 4}, {"title", "Login broken"}}}}.dump();
  ASSERT_EQ(PostGitHub("issues", "d-typed", issue).status, 202);
  // Read at once, before waiting for anything: one write already holds the outcome.
  EXPECT_EQ(Row("github", "d-typed")->status, store::InboxStatus::kDone);
  ASSERT_EQ(PostGitHub("pull_request", "d-bad", R"({"action":"opened"})").status, 202);
  auto bad = Row("github", "d-bad");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, store::InboxStatus::kFailed);
  EXPECT_EQ(bad->attempts, 1);
  ASSERT_TRUE(WaitFor([&] { return Idle(); }));
  EXPECT_EQ(ingress_->stats().typed, 1u);
  EXPECT_EQ(ingress_->stats().parse_failures, 1u);
}

TEST_F(WebhookIngressTest, NotJsonObjectIs400) {
  Start();
  EXPECT_EQ(PostGitHub("issues", "d-array", "[1,2,3]").status, 400);
  EXPECT_EQ(PostGitHub("issues", "d-trunc", R"({"action":"op)").status, 400);
  EXPECT_EQ(Rejected("not_json"), 2u);
}

TEST_F(WebhookIngressTest, PlatformWithoutSecretIsRefused503NeverAcceptedUnsigned) {
  auto options = DefaultOptions();
  options.github_secret.clear();
  Start(options);
  auto response = PostGitHub("issues", "d-unconf", R"({"action":"opened"})", "");
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("github webhooks are not configured"), std::string::npos);
  EXPECT_EQ(Rejected("not_configured"), 1u);
  EXPECT_EQ(*inbox_->Count("github"), 0);
  // Linear still works.
  EXPECT_EQ(PostLinear("l-ok", LinearBody()).status, 202);
}

TEST_F(WebhookIngressTest, StoreFailureIs503WithRetryAfter) {
  FailingInbox failing;
  Start(DefaultOptions(), &failing);
  auto response = PostGitHub("issues", "d-disk", R"({"action":"opened"})");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.headers.Get("Retry-After").value_or(""), "5");
  EXPECT_EQ(ingress_->stats().store_failures, 1u);
  EXPECT_EQ(ingress_->stats().accepted, 0u);
}

}  // namespace
}  // namespace contexten::bot::webhooks
