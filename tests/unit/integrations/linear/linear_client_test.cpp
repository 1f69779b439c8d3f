// LinearGraphqlClient against a scripted transport: request shape, auth, error mapping,
// rate-limit headers, paging and the reference-data cache (with a FakeClock).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include "core/clock.hpp"
#include "integrations/linear/graphql_documents.hpp"
#include "integrations/linear/linear_graphql_client.hpp"

namespace contexten::integrations::linear {
namespace {

using core::ErrorKind;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kKey[] = "lin_api_secretkey123";
constexpr std::int64_t kNowMs = 1'700'000'000'000;

class ScriptedTransport {
 public:
  void Reply(int status, Json body, core::net::HttpHeaders headers = {}) {
    core::net::HttpResponse r = core::net::HttpResponse::Json(status, body.dump());
    for (const auto& [k, v] : headers.items()) r.headers.Set(k, v);
    replies_.push_back(r);
  }
  void ReplyData(Json data) { Reply(200, {{"data", std::move(data)}}); }

  LinearTransport AsTransport() {
    return [this](core::net::OutgoingRequest request) -> core::Result<core::net::HttpResponse> {
      sent.push_back(request);
      if (replies_.empty()) {
        return core::Unexpected(core::MakeError(ErrorKind::kTransient, "no scripted reply"));
      }
      auto r = replies_.front();
      replies_.pop_front();
      return r;
    };
  }
  Json Body(std::size_t i) const { return Json::parse(sent.at(i).body); }

  std::vector<core::net::OutgoingRequest> sent;

 private:
  std::deque<core::net::HttpResponse> replies_;
};

Json TeamsPage(std::vector<std::string> keys, bool more, std::string cursor) {
  Json nodes = Json::array();
  for (const auto& k : keys)
    nodes.push_back({{"id", "id-" + k}, {"key", k}, {"name", k + " team"}});
  return {
      {"teams", {{"nodes", nodes}, {"pageInfo", {{"hasNextPage", more}, {"endCursor", cursor}}}}}};
}

class LinearClientTest : public ::testing::Test {
 protected:
  LinearClientTest()
      : clock_(core::WallTime{std::chrono::milliseconds(kNowMs)}),
        client_(transport_.AsTransport(), Options(), clock_) {}

  static LinearClientOptions Options() {
    LinearClientOptions o;
    o.api_url = "http://linear.test/";
    o.credential = kKey;
    return o;
  }

  ScriptedTransport transport_;
  core::FakeClock clock_;
  LinearGraphqlClient client_;
};

TEST_F(LinearClientTest, PostsDocumentVariablesAndOperationName) {
  transport_.ReplyData({{"issue", {{"id", "u1"}, {"identifier", "ENG-1"}, {"title", "t"}}}});
  auto issue = client_.IssueByIdentifier("ENG-1");
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->identifier, "ENG-1");

  ASSERT_EQ(transport_.sent.size(), 1u);
  const auto& req = transport_.sent[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://linear.test/graphql");
  EXPECT_EQ(req.headers.Get("Authorization").value_or(""), kKey);
  EXPECT_EQ(req.headers.Get("Content-Type").value_or(""), "application/json");
  const Json body = transport_.Body(0);
  EXPECT_EQ(body["operationName"], "IssueByIdentifier");
  EXPECT_EQ(body["query"], Document("IssueByIdentifier"));
  EXPECT_EQ(body["variables"], Json({{"id", "ENG-1"}}));
}

TEST(LinearClientAuthTest, ChoosesSchemeByFlagOrPrefix) {
  EXPECT_EQ(LinearGraphqlClient::AuthorizationFor("lin_api_x", LinearAuthScheme::kAuto),
            "lin_api_x");
  EXPECT_EQ(LinearGraphqlClient::AuthorizationFor("lin_oauth_x", LinearAuthScheme::kAuto),
            "Bearer lin_oauth_x");
  EXPECT_EQ(LinearGraphqlClient::AuthorizationFor("opaque", LinearAuthScheme::kOAuth),
            "Bearer opaque");
  EXPECT_EQ(LinearGraphqlClient::AuthorizationFor("lin_oauth_x", LinearAuthScheme::kApiKey),
            "lin_oauth_x");
}

TEST_F(LinearClientTest, CreateSendsAClientChosenIdAndOnlySetFields) {
  transport_.ReplyData({{"issueCreate",
                         {{"success", true},
                          {"issue",
                           {{"id", "abc"},
                            {"identifier", "ENG-7"},
                            {"state", {{"id", "s"}, {"name", "Todo"}, {"type", "unstarted"}}},
                            {"team", {{"id", "t"}, {"key", "ENG"}}},
                            {"labels", {{"nodes", {{{"id", "l1"}, {"name", "Bug"}}}}}}}}}}});
  IssueCreateRequest req;
  req.team_id = "t";
  req.title = "Login crash";
  req.label_ids = {"l1"};
  auto issue = client_.CreateIssue(req);
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->state.name, "Todo");
  EXPECT_EQ(issue->team_key, "ENG");
  ASSERT_EQ(issue->labels.size(), 1u);
  EXPECT_EQ(issue->labels[0].name, "Bug");

  const Json input = transport_.Body(0)["variables"]["input"];
  EXPECT_EQ(input["id"].get<std::string>().size(), 36u);  // a UUID
  EXPECT_EQ(input["teamId"], "t");
  EXPECT_EQ(input["labelIds"], Json({"l1"}));
  EXPECT_FALSE(input.contains("description"));
  EXPECT_FALSE(input.contains("assigneeId"));
}

TEST_F(LinearClientTest, RateLimitedMapsWithResetAndKeepsHeaders) {
  core::net::HttpHeaders h;
  h.Set("X-RateLimit-Requests-Limit", "5000");
  h.Set("X-RateLimit-Requests-Remaining", "0");
  h.Set("X-RateLimit-Requests-Reset", std::to_string(kNowMs + 4000));
  transport_.Reply(400,
                   {{"errors",
                     {{{"message", "Rate limit exceeded"},
                       {"extensions", {{"type", "ratelimited"}, {"code", "RATELIMITED"}}}}}}},
                   h);
  auto teams = client_.Teams();
  ASSERT_FALSE(teams.has_value());
  EXPECT_EQ(teams.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(teams.error().retry_after, std::chrono::milliseconds(4000));
  EXPECT_THAT(teams.error().message, HasSubstr("Teams"));
  EXPECT_EQ(client_.last_rate_limit().requests_remaining, 0);
  EXPECT_EQ(client_.last_rate_limit().requests_limit, 5000);
}

TEST_F(LinearClientTest, ErrorsNeverCarryTheKey) {
  transport_.Reply(400, {{"errors",
                          {{{"message", "Authentication required, not authenticated"},
                            {"extensions", {{"type", "authentication error"}}}}}}});
  transport_.Reply(502, Json::object());
  auto first = client_.Users();
  auto second = client_.IssueByIdentifier("ENG-1");
  auto third = client_.Labels();  // transport failure (no reply scripted)
  ASSERT_FALSE(first.has_value());
  ASSERT_FALSE(second.has_value());
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(first.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(second.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(third.error().kind, ErrorKind::kTransient);
  for (const auto* e : {&first.error(), &second.error(), &third.error()}) {
    EXPECT_THAT(e->message, Not(HasSubstr(kKey)));
    EXPECT_THAT(e->message, HasSubstr("linear "));
  }
}

TEST_F(LinearClientTest, MissingIssueIsNotFoundAndBranchMissIsEmpty) {
  transport_.Reply(
      200,
      {{"data", nullptr},
       {"errors",
        {{{"message", "Entity not found: Issue"}, {"extensions", {{"type", "invalid input"}}}}}}});
  transport_.ReplyData({{"issueVcsBranchSearch", nullptr}});
  auto missing = client_.IssueByIdentifier("ENG-404");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  auto branch = client_.IssueByBranch("main");
  ASSERT_TRUE(branch.has_value());
  EXPECT_FALSE(branch->has_value());
}

TEST_F(LinearClientTest, PagesThroughLists) {
  transport_.ReplyData(TeamsPage({"ENG", "OPS"}, true, "c2"));
  transport_.ReplyData(TeamsPage({"WEB"}, false, "c3"));
  auto teams = client_.Teams();
  ASSERT_TRUE(teams.has_value()) << teams.error().Describe();
  ASSERT_EQ(teams->size(), 3u);
  EXPECT_EQ((*teams)[2].key, "WEB");
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_FALSE(transport_.Body(0)["variables"].contains("after"));
  EXPECT_EQ(transport_.Body(1)["variables"]["after"], "c2");
}

TEST_F(LinearClientTest, ReferenceDataIsCachedUntilExpiry) {
  transport_.ReplyData(TeamsPage({"ENG"}, false, "1"));
  transport_.ReplyData(TeamsPage({"ENG", "OPS"}, false, "2"));
  ASSERT_EQ(client_.Teams()->size(), 1u);
  clock_.Advance(std::chrono::minutes(4));
  ASSERT_EQ(client_.Teams()->size(), 1u);  // still cached
  EXPECT_EQ(transport_.sent.size(), 1u);
  clock_.Advance(std::chrono::minutes(1));  // 5 min: expired
  ASSERT_EQ(client_.Teams()->size(), 2u);
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST_F(LinearClientTest, InvalidateDropsTheCache) {
  transport_.ReplyData(TeamsPage({"ENG"}, false, "1"));
  transport_.ReplyData(TeamsPage({"ENG", "OPS"}, false, "2"));
  ASSERT_EQ(client_.Teams()->size(), 1u);
  client_.InvalidateCaches();
  ASSERT_EQ(client_.Teams()->size(), 2u);
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST_F(LinearClientTest, FailuresAreNotCached) {
  transport_.Reply(500, Json::object());
  transport_.ReplyData(TeamsPage({"ENG"}, false, "1"));
  EXPECT_FALSE(client_.Teams().has_value());
  EXPECT_TRUE(client_.Teams().has_value());
  EXPECT_TRUE(client_.Teams().has_value());
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST_F(LinearClientTest, WorkflowStatesAreCachedPerTeam) {
  auto states = [](const std::string& key, const std::string& name) {
    return Json{{"workflowStates",
                 {{"nodes",
                   {{{"id", key + name},
                     {"name", name},
                     {"type", "started"},
                     {"position", 2},
                     {"team", {{"id", "t"}, {"key", key}}}}}},
                  {"pageInfo", {{"hasNextPage", false}}}}}};
  };
  transport_.ReplyData(states("ENG", "In Progress"));
  transport_.ReplyData(states("OPS", "Doing"));
  EXPECT_EQ(client_.WorkflowStates("ENG")->at(0).name, "In Progress");
  EXPECT_EQ(client_.WorkflowStates("OPS")->at(0).name, "Doing");
  EXPECT_EQ(client_.WorkflowStates("ENG")->at(0).team_key, "ENG");
  EXPECT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(transport_.Body(0)["variables"]["teamKey"], "ENG");
}

TEST(LinearIssueFilterTest, BuildsTheFilterFromSetCriteria) {
  IssueSearchQuery q;
  q.team_key = "ENG";
  q.state_name = "in progress";
  q.assignee_email = "ada@example.com";
  q.label_names = {"Bug"};
  q.text = "login";
  const Json f = LinearGraphqlClient::BuildIssueFilter(q);
  EXPECT_EQ(f["team"]["key"]["eq"], "ENG");
  EXPECT_EQ(f["state"]["name"]["eqIgnoreCase"], "in progress");
  EXPECT_EQ(f["assignee"]["email"]["eqIgnoreCase"], "ada@example.com");
  EXPECT_EQ(f["labels"]["some"]["name"]["in"], Json({"Bug"}));
  EXPECT_EQ(f["searchableContent"]["contains"], "login");
  EXPECT_EQ(LinearGraphqlClient::BuildIssueFilter({}), Json::object());
}

}  // namespace
}  // namespace contexten::integrations::linear
