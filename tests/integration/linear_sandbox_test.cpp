// LinearGraphqlClient (and ResilientLinearApi) against the sandbox Linear on loopback: every
// operation, auth, signed webhooks, and riding out faults without duplicate creates.
#include "sandbox/linear/linear_sandbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/retry.hpp"
#include "integrations/linear/events.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/linear/linear_ids.hpp"
#include "integrations/linear/resilient_linear_api.hpp"
#include "tests/support/wait_for.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/linear_executor.hpp"

namespace contexten {
namespace {

namespace lin = integrations::linear;
using core::ErrorKind;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

struct ReceivedWebhook {
  std::string delivery;
  std::string event;
  std::string signature;
  std::string body;
};

class LinearSandboxTest : public ::testing::Test {
 protected:
  LinearSandboxTest() : io_(2), sandbox_(io_), http_(io_, HttpOptions()), receiver_(io_, {}) {}

  static core::net::HttpClientOptions HttpOptions() {
    core::net::HttpClientOptions o;
    o.request_timeout = std::chrono::seconds(5);
    return o;
  }

  void SetUp() override {
    receiver_.Route(
        "POST", "/webhooks/linear",
        [this](core::net::HttpRequest&& request, core::net::HttpResponder respond) {
          {
            std::lock_guard lock(mu_);
            received_.push_back({std::string(request.headers.Get("Linear-Delivery").value_or("")),
                                 std::string(request.headers.Get("Linear-Event").value_or("")),
                                 std::string(request.headers.Get("Linear-Signature").value_or("")),
                                 request.body});
          }
          respond(core::net::HttpResponse::Text(200, "ok"));
        });
    ASSERT_TRUE(receiver_.Start().has_value());
    ASSERT_TRUE(sandbox_.Start().has_value());
    sandbox_.SetWebhookUrl(receiver_.BaseUrl() + "/webhooks/linear");
  }

  void TearDown() override {
    sandbox_.Stop();
    receiver_.Stop();
  }

  lin::LinearClientOptions ClientOptions(std::string credential = "") const {
    lin::LinearClientOptions o;
    o.api_url = sandbox_.base_url();
    o.credential = credential.empty() ? sandbox_.options().api_key : credential;
    return o;
  }

  std::vector<ReceivedWebhook> Received() {
    std::lock_guard lock(mu_);
    return received_;
  }

  std::string TeamId() { return sandbox_.Teams().at(0).id; }

  int AppliedCreates() {
    int n = 0;
    for (const auto& r : sandbox_.Requests()) n += r.operation == "IssueCreate" && r.applied;
    return n;
  }

  core::net::IoRuntime io_;
  sandbox::LinearSandbox sandbox_;
  core::net::HttpClient http_;
  core::net::HttpServer receiver_;
  std::mutex mu_;
  std::vector<ReceivedWebhook> received_;
};

TEST_F(LinearSandboxTest, ReferenceDataQueries) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  auto teams = client.Teams();
  ASSERT_TRUE(teams.has_value()) << teams.error().Describe();
  ASSERT_EQ(teams->size(), 1u);
  EXPECT_EQ(teams->at(0).key, "ENG");

  auto states = client.WorkflowStates("ENG");
  ASSERT_TRUE(states.has_value()) << states.error().Describe();
  std::vector<std::string> names;
  for (const auto& s : *states) names.push_back(s.name);
  EXPECT_THAT(names, ::testing::ElementsAre("Backlog", "Todo", "In Progress", "In Review", "Done",
                                            "Canceled"));
  EXPECT_EQ(states->at(4).type, "completed");
  EXPECT_TRUE(client.WorkflowStates("NOPE")->empty());

  auto users = client.Users();
  ASSERT_TRUE(users.has_value());
  EXPECT_EQ(users->size(), 4u);  // Contexten, Ada, Grace and the Sandbox User
  auto labels = client.Labels();
  ASSERT_TRUE(labels.has_value());
  EXPECT_EQ(labels->size(), 3u);

  // Rate-limit headers of the last response are exposed.
  EXPECT_TRUE(client.last_rate_limit().requests_remaining.has_value());
}

TEST_F(LinearSandboxTest, ListsArePagedToTheEnd) {
  for (int i = 0; i < 5; ++i)
    sandbox_.SeedTeam("T" + std::to_string(i), "Team " + std::to_string(i));
  auto options = ClientOptions();
  options.page_size = 2;
  lin::LinearGraphqlClient client(http_, options);
  auto teams = client.Teams();
  ASSERT_TRUE(teams.has_value()) << teams.error().Describe();
  EXPECT_EQ(teams->size(), 6u);
  EXPECT_EQ(sandbox_.RequestCount("Teams"), 3);
}

TEST_F(LinearSandboxTest, IssueLifecycleThroughEveryMutation) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  const auto users = sandbox_.Users();
  const auto labels = sandbox_.Labels();
  lin::IssueCreateRequest create;
  create.team_id = TeamId();
  create.title = "Fix login crash!";
  create.description = "Crashes on submit";
  create.assignee_id = users.at(1).id;
  create.label_ids = {labels.at(0).id};
  auto issue = client.CreateIssue(create);
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->identifier, "ENG-1");
  EXPECT_EQ(issue->branch_name, "eng-1-fix-login-crash");
  EXPECT_EQ(issue->state.name, "Backlog");
  ASSERT_TRUE(issue->assignee.has_value());
  EXPECT_EQ(issue->assignee->email, "ada@sandbox.example");
  ASSERT_EQ(issue->labels.size(), 1u);
  EXPECT_EQ(issue->labels[0].name, "Bug");

  auto second = client.CreateIssue({.team_id = TeamId(), .title = "Second"});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->identifier, "ENG-2");

  auto fetched = client.IssueByIdentifier("ENG-1");
  ASSERT_TRUE(fetched.has_value()) << fetched.error().Describe();
  EXPECT_EQ(fetched->id, issue->id);
  EXPECT_EQ(client.IssueByIdentifier(issue->id)->identifier, "ENG-1");

  std::string in_progress;
  const auto states = client.WorkflowStates("ENG");
  ASSERT_TRUE(states.has_value());
  for (const auto& s : *states)
    if (s.name == "In Progress") in_progress = s.id;
  lin::IssueUpdateRequest update;
  update.state_id = in_progress;
  update.priority = 2;
  auto updated = client.UpdateIssue("ENG-1", update);
  ASSERT_TRUE(updated.has_value()) << updated.error().Describe();
  EXPECT_EQ(updated->state.name, "In Progress");
  EXPECT_EQ(updated->priority, 2);
  EXPECT_EQ(sandbox_.GetIssue("ENG-1")->state.name, "In Progress");

  auto comment = client.CreateComment({.issue_id = "ENG-1", .body = "On it"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(comment->issue_identifier, "ENG-1");
  EXPECT_EQ(comment->user_name, "Contexten");
  EXPECT_EQ(sandbox_.Comments("ENG-1").size(), 1u);

  auto link = client.LinkUrl({.issue_id = "ENG-1", .url = "https://example.com/doc"});
  ASSERT_TRUE(link.has_value()) << link.error().Describe();
  EXPECT_EQ(link->issue_identifier, "ENG-1");
  const lin::AttachmentLinkRequest pr{.issue_id = issue->id,
                                      .url = "https://github.com/acme/app/pull/42"};
  auto pr_link = client.LinkGitHubPullRequest(pr);
  ASSERT_TRUE(pr_link.has_value()) << pr_link.error().Describe();
  EXPECT_EQ(pr_link->title, "Pull request #42");
  auto again = client.LinkGitHubPullRequest(pr);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, pr_link->id);  // one attachment per URL per issue
  EXPECT_EQ(sandbox_.Attachments("ENG-1").size(), 2u);
}

TEST_F(LinearSandboxTest, SearchAndBranchLookup) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  const auto users = sandbox_.Users();
  const auto labels = sandbox_.Labels();
  ASSERT_TRUE(client
                  .CreateIssue({.team_id = TeamId(),
                                .title = "Login crash",
                                .assignee_id = users.at(1).id,
                                .label_ids = {labels.at(0).id}})
                  .has_value());
  ASSERT_TRUE(client.CreateIssue({.team_id = TeamId(), .title = "Dark mode"}).has_value());
  ASSERT_TRUE(sandbox_.MoveIssue("ENG-2", "In Progress").has_value());
  sandbox_.SeedTeam("OPS", "Operations");
  ASSERT_TRUE(sandbox_.CreateIssue("OPS", "Rotate login certs").has_value());

  auto identifiers = [&](lin::IssueSearchQuery q) {
    auto found = client.SearchIssues(q);
    EXPECT_TRUE(found.has_value()) << found.error().Describe();
    std::vector<std::string> ids;
    for (const auto& i : found.value_or(std::vector<lin::Issue>{})) ids.push_back(i.identifier);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(identifiers({.team_key = "ENG"}), ElementsAre("ENG-1", "ENG-2"));
  EXPECT_THAT(identifiers({.state_name = "in progress"}), ElementsAre("ENG-2"));
  EXPECT_THAT(identifiers({.state_type = "backlog"}), ElementsAre("ENG-1", "OPS-1"));
  EXPECT_THAT(identifiers({.assignee_id = users.at(1).id}), ElementsAre("ENG-1"));
  EXPECT_THAT(identifiers({.assignee_email = "ADA@sandbox.example"}), ElementsAre("ENG-1"));
  EXPECT_THAT(identifiers({.label_names = {"Bug"}}), ElementsAre("ENG-1"));
  EXPECT_THAT(identifiers({.text = "login"}), ElementsAre("ENG-1", "OPS-1"));
  EXPECT_THAT(identifiers({.team_key = "OPS", .text = "login"}), ElementsAre("OPS-1"));
  EXPECT_EQ(client.SearchIssues({.limit = 2})->size(), 2u);

  auto exact = client.IssueByBranch("eng-1-login-crash");
  ASSERT_TRUE(exact.has_value()) << exact.error().Describe();
  ASSERT_TRUE(exact->has_value());
  EXPECT_EQ((*exact)->identifier, "ENG-1");
  auto prefixed = client.IssueByBranch("feature/eng-2-dark");
  ASSERT_TRUE(prefixed.has_value());
  ASSERT_TRUE(prefixed->has_value());
  EXPECT_EQ((*prefixed)->identifier, "ENG-2");
  auto none = client.IssueByBranch("eng-21-other");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  auto missing = client.IssueByIdentifier("ENG-404");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(LinearSandboxTest, AuthIsChecked) {
  lin::LinearGraphqlClient wrong(http_, ClientOptions("lin_api_wrongkey"));
  auto denied = wrong.Teams();
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().kind, ErrorKind::kUnauthorized);
  EXPECT_THAT(denied.error().message, Not(HasSubstr("lin_api_wrongkey")));

  lin::LinearGraphqlClient oauth(http_, ClientOptions(sandbox_.options().oauth_token));
  EXPECT_TRUE(oauth.Teams().has_value());
}

TEST_F(LinearSandboxTest, InvalidInputIsReported) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  auto bad = client.CreateIssue({.team_id = "no-such-team", .title = "x"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidInput);
  EXPECT_TRUE(sandbox_.Issues().empty());
}

TEST_F(LinearSandboxTest, UnknownOperationIs400WithGraphqlErrors) {
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = sandbox_.base_url() + "/graphql";
  request.headers.Set("Authorization", sandbox_.options().api_key);
  request.body = R"({"query":"query Viewer { viewer { id } }","operationName":"Viewer"})";
  auto response = http_.Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().Describe();
  EXPECT_EQ(response->status, 400);
  const Json body = Json::parse(response->body);
  ASSERT_TRUE(body["errors"].is_array());
  EXPECT_THAT(body["errors"][0]["message"].get<std::string>(), HasSubstr("Viewer"));
  EXPECT_TRUE(body["errors"][0]["extensions"].contains("code"));
}

TEST_F(LinearSandboxTest, ChangesEmitSignedWebhooks) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  auto issue = client.CreateIssue({.team_id = TeamId(), .title = "Webhook me"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  ASSERT_TRUE(sandbox_.MoveIssue("ENG-1", "Done").has_value());
  ASSERT_TRUE(client.CreateComment({.issue_id = "ENG-1", .body = "done"}).has_value());
  ASSERT_TRUE(client.LinkUrl({.issue_id = "ENG-1", .url = "https://example.com/x"}).has_value());

  ASSERT_TRUE(testing::WaitFor([&] { return Received().size() == 4; }));
  std::vector<std::string> events;
  for (const auto& hook : Received()) {
    EXPECT_EQ(hook.signature, core::HmacSha256Hex(sandbox_.options().webhook_secret, hook.body));
    EXPECT_EQ(hook.delivery.size(), 36u);
    auto parsed = lin::ParseLinearWebhook(hook.body);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().Describe();
    EXPECT_EQ(parsed->type, hook.event);
    EXPECT_TRUE(parsed->webhook_timestamp_ms.has_value());
    EXPECT_EQ(parsed->organization_id, sandbox_.options().organization_id);
    events.push_back(parsed->type + "/" + parsed->action);
    // Changes through the API are the API key's user's; MoveIssue is the Sandbox User's.
    const bool moved = parsed->type == "Issue" && parsed->action == "update";
    ASSERT_TRUE(parsed->actor.has_value());
    EXPECT_EQ(parsed->actor->email,
              moved ? sandbox::kLinearSandboxUserEmail : "contexten@sandbox.example");
    if (parsed->type == "Issue" && parsed->action == "update") {
      const auto& data = std::get<lin::LinearIssueData>(parsed->data);
      EXPECT_EQ(data.state_name, "Done");
      EXPECT_EQ(data.identifier, "ENG-1");
      EXPECT_TRUE(parsed->updated_from.contains("stateId"));
    }
  }
  std::sort(events.begin(), events.end());
  EXPECT_THAT(events, ::testing::ElementsAre("Attachment/create", "Comment/create", "Issue/create",
                                             "Issue/update"));
  ASSERT_TRUE(testing::WaitFor([&] {
    auto d = sandbox_.Deliveries();
    return d.size() == 4 &&
           std::all_of(d.begin(), d.end(), [](const auto& x) { return x.done && x.status == 200; });
  }));
}

class LinearSandboxResilienceTest : public LinearSandboxTest {
 protected:
  LinearSandboxResilienceTest() : retry_("linear", RetryConfig(), core::DefaultClock()) {}

  static core::resilience::RetryConfig RetryConfig() {
    core::resilience::RetryConfig c;
    c.max_attempts = 8;
    c.initial_backoff = std::chrono::milliseconds(5);
    c.max_backoff = std::chrono::milliseconds(20);
    return c;
  }

  core::resilience::Retry retry_;
};

TEST_F(LinearSandboxResilienceTest, RidesOutRateLimitBurstAnd5xxWithOneCreate) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  lin::ResilientLinearApi api(client, {.retry = &retry_});
  sandbox_.RateLimitNext(3, std::chrono::milliseconds(30));
  sandbox_.FailNext(2, 503);
  auto issue = api.CreateIssue({.team_id = TeamId(), .title = "Survive the storm"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->identifier, "ENG-1");
  EXPECT_EQ(sandbox_.RequestCount("IssueCreate"), 6);
  EXPECT_EQ(AppliedCreates(), 1);
  EXPECT_EQ(sandbox_.Issues().size(), 1u);
  // Every attempt carried the same id.
  std::set<std::string> ids;
  for (const auto& r : sandbox_.Requests()) {
    if (r.operation == "IssueCreate") ids.insert(r.variables["input"]["id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 1u);
}

TEST_F(LinearSandboxResilienceTest, LostResponseAfterApplyDoesNotDuplicate) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  lin::ResilientLinearApi api(client, {.retry = &retry_});
  sandbox_.FailAfterApplyNext(1, 502);
  auto issue = api.CreateIssue({.team_id = TeamId(), .title = "Applied once"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->title, "Applied once");
  EXPECT_EQ(sandbox_.Issues().size(), 1u);
  EXPECT_EQ(AppliedCreates(), 1);
  EXPECT_EQ(sandbox_.RequestCount("IssueCreate"), 2);  // the retry met "already exists"
  EXPECT_EQ(sandbox_.RequestCount("IssueByIdentifier"), 1);

  sandbox_.FailAfterApplyNext(1, 500);
  auto comment = api.CreateComment({.issue_id = "ENG-1", .body = "once"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(sandbox_.Comments("ENG-1").size(), 1u);
  EXPECT_EQ(comment->id, sandbox_.Comments("ENG-1").at(0).id);
}

TEST_F(LinearSandboxResilienceTest, SlowAnswerTimesOutAndRetryFindsTheIssue) {
  auto options = ClientOptions();
  options.request_timeout = std::chrono::milliseconds(200);
  lin::LinearGraphqlClient client(http_, options);
  lin::ResilientLinearApi api(client, {.retry = &retry_});
  sandbox_.DelayNext(1, std::chrono::milliseconds(1500));
  auto issue = api.CreateIssue({.team_id = TeamId(), .title = "Slow"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(sandbox_.Issues().size(), 1u);
  EXPECT_EQ(AppliedCreates(), 1);
}

TEST_F(LinearSandboxResilienceTest, UnansweredRequestTimesOut) {
  auto options = ClientOptions();
  options.request_timeout = std::chrono::milliseconds(200);
  lin::LinearGraphqlClient client(http_, options);
  sandbox_.DropNext(1);
  auto teams = client.Teams();
  ASSERT_FALSE(teams.has_value());
  EXPECT_EQ(teams.error().kind, ErrorKind::kTimeout);
  EXPECT_THAT(teams.error().message, HasSubstr("Teams"));
  EXPECT_TRUE(client.Teams().has_value());  // the fault was one request only
}

TEST_F(LinearSandboxResilienceTest, ConnectionResetIsTransientAndTheCreateLandsOnce) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  sandbox_.ResetNext(1);
  auto teams = client.Teams();
  ASSERT_FALSE(teams.has_value());
  EXPECT_EQ(teams.error().kind, ErrorKind::kTransient) << teams.error().Describe();

  // Reset after the create was applied: the retry meets "already exists", nothing is doubled.
  lin::ResilientLinearApi api(client, {.retry = &retry_});
  sandbox_.ResetNext(1, /*apply=*/true);
  auto issue = api.CreateIssue({.team_id = TeamId(), .title = "Reset after apply"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(sandbox_.Issues().size(), 1u);
  EXPECT_EQ(AppliedCreates(), 1);
  EXPECT_EQ(sandbox_.RequestCount("IssueCreate"), 2);

  // Reset before it was applied: sent again, lands once.
  sandbox_.ResetNext(1);
  auto second = api.CreateIssue({.team_id = TeamId(), .title = "Reset before apply"});
  ASSERT_TRUE(second.has_value()) << second.error().Describe();
  EXPECT_EQ(sandbox_.Issues().size(), 2u);
  EXPECT_EQ(AppliedCreates(), 2);
  EXPECT_EQ(sandbox_.RequestCount("IssueCreate"), 4);
}

TEST_F(LinearSandboxResilienceTest, BreakerOpensOn5xxBurstAndClosesAfterHalfOpen) {
  core::FakeClock clock;
  core::resilience::CircuitBreakerConfig config;
  config.sliding_window_size = 4;
  config.minimum_number_of_calls = 4;
  config.permitted_calls_in_half_open = 1;
  config.wait_duration_in_open_state = std::chrono::seconds(30);
  core::resilience::CircuitBreaker breaker("linear", config, clock);
  lin::LinearGraphqlClient client(http_, ClientOptions());
  lin::ResilientLinearApi api(client, {.breaker = &breaker}, clock);

  sandbox_.FailNext(4, 500);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(api.IssueByIdentifier("ENG-1").has_value());
  EXPECT_EQ(breaker.state(), core::resilience::CircuitState::kOpen);
  const int sent = static_cast<int>(sandbox_.Requests().size());
  auto rejected = api.Teams();
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(static_cast<int>(sandbox_.Requests().size()), sent);  // not sent

  clock.Advance(std::chrono::seconds(31));
  EXPECT_TRUE(api.Teams().has_value());  // the half-open trial call
  EXPECT_EQ(breaker.state(), core::resilience::CircuitState::kClosed);
}

// Create by client id, as an outbox relay does it: the id derives from the effect's key, a lost
// answer is typed outcome-unknown, and the relay can look before creating again.
TEST_F(LinearSandboxResilienceTest, ClientIdIsSentAndADuplicateIsAConflictFoundByThatId) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  const std::string id = lin::UuidFromKey("run-7/step-1");
  auto created = client.CreateIssue({.id = id, .team_id = TeamId(), .title = "Keyed"});
  ASSERT_TRUE(created.has_value()) << created.error().Describe();
  EXPECT_EQ(created->id, id);
  ASSERT_FALSE(sandbox_.Requests().empty());
  EXPECT_EQ(sandbox_.Requests().back().variables["input"]["id"], id) << "the caller's id is sent";

  auto again = client.CreateIssue({.id = id, .team_id = TeamId(), .title = "Keyed again"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict) << again.error().Describe();
  EXPECT_FALSE(again.error().outcome_unknown) << "Linear answered: nothing is unknown";
  EXPECT_EQ(sandbox_.Issues().size(), 1u);

  auto found = client.IssueByIdentifier(id);
  ASSERT_TRUE(found.has_value()) << found.error().Describe();
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->title, "Keyed");
}

TEST_F(LinearSandboxResilienceTest, ResetAfterTheRequestIsOutcomeUnknownAndLookingFindsIt) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  const std::string id = lin::UuidFromKey("run-8/step-1");

  // The create landed, the answer was lost.
  sandbox_.ResetNext(1, /*apply=*/true);
  auto lost = client.CreateIssue({.id = id, .team_id = TeamId(), .title = "Landed"});
  ASSERT_FALSE(lost.has_value());
  EXPECT_EQ(lost.error().kind, ErrorKind::kTransient) << lost.error().Describe();
  EXPECT_TRUE(lost.error().outcome_unknown) << lost.error().Describe();
  auto look = client.IssueByIdentifier(id);
  ASSERT_TRUE(look.has_value()) << look.error().Describe();
  EXPECT_EQ(look->title, "Landed");

  // The request was lost before it was applied: still unknown to the caller, and looking
  // finds nothing, so creating again is safe.
  const std::string other = lin::UuidFromKey("run-8/step-2");
  sandbox_.ResetNext(1);
  auto unknown = client.CreateIssue({.id = other, .team_id = TeamId(), .title = "Lost"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_TRUE(unknown.error().outcome_unknown) << unknown.error().Describe();
  auto nothing = client.IssueByIdentifier(other);
  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().kind, ErrorKind::kNotFound) << nothing.error().Describe();
  EXPECT_TRUE(client.CreateIssue({.id = other, .team_id = TeamId(), .title = "Lost"}));
  EXPECT_EQ(sandbox_.Issues().size(), 2u);
}

TEST_F(LinearSandboxResilienceTest, UnansweredCreateIsOutcomeUnknownThroughTheDecorator) {
  auto options = ClientOptions();
  options.request_timeout = std::chrono::milliseconds(200);
  lin::LinearGraphqlClient client(http_, options);
  lin::ResilientLinearApi api(client, {});  // breaker-less, retry-less: the error as it comes
  sandbox_.DropNext(1);
  auto issue = api.CreateIssue(
      {.id = lin::UuidFromKey("run-9/step-1"), .team_id = TeamId(), .title = "Dropped"});
  ASSERT_FALSE(issue.has_value());
  EXPECT_EQ(issue.error().kind, ErrorKind::kTimeout) << issue.error().Describe();
  EXPECT_TRUE(issue.error().outcome_unknown) << issue.error().Describe();
}

// Synced threads (issue 10): the outbox's linear.update_comment / linear.delete_comment through
// the resilient client against the stand-in. Each emits Linear's Comment update / remove webhook,
// and a repeat (a redelivered event, a relay retry whose first answer was lost) of an update or
// delete of a comment that is gone is a success with nothing to do, never a dead letter.
TEST_F(LinearSandboxResilienceTest, CommentEditAndDeleteEffectsAreIdempotent) {
  lin::LinearGraphqlClient client(http_, ClientOptions());
  lin::ResilientLinearApi api(client, {.retry = &retry_});
  workflows::outbox::LinearExecutor executor(api);
  ASSERT_TRUE(api.CreateIssue({.team_id = TeamId(), .title = "Synced"}).has_value());
  auto comment = api.CreateComment({.issue_id = "ENG-1", .body = "first words"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  const auto effect = [](const char* kind, const Json& args) {
    store::EffectRecord e;
    e.id = 7;
    e.run_id = "run-1";
    e.step_id = "sync-edit-1";
    e.lane = workflows::outbox::kLinearLane;
    e.kind = kind;
    e.args_json = args.dump();
    return e;
  };

  auto updated = executor.Execute(
      effect(workflows::outbox::kLinearUpdateComment, {{"id", comment->id}, {"body", "edited"}}));
  ASSERT_TRUE(updated) << updated.error().Describe();
  EXPECT_EQ(*updated, (Json{{"id", comment->id}, {"updated", true}}));
  ASSERT_EQ(sandbox_.Comments("ENG-1").size(), 1u);
  EXPECT_EQ(sandbox_.Comments("ENG-1")[0].body, "edited");

  // The delete lands but its answer is lost: the retry finds nothing to delete, and that is done.
  sandbox_.FailAfterApplyNext(1, 502);
  auto deleted =
      executor.Execute(effect(workflows::outbox::kLinearDeleteComment, {{"id", comment->id}}));
  ASSERT_TRUE(deleted) << deleted.error().Describe();
  EXPECT_EQ((*deleted)["missing"], true);
  EXPECT_TRUE(sandbox_.Comments("ENG-1").empty());
  EXPECT_EQ(sandbox_.RequestCount("CommentDelete"), 2);

  // Redelivered: both repeat as successes with nothing to do.
  auto again =
      executor.Execute(effect(workflows::outbox::kLinearDeleteComment, {{"id", comment->id}}));
  ASSERT_TRUE(again) << again.error().Describe();
  EXPECT_EQ(*again, (Json{{"id", comment->id}, {"deleted", false}, {"missing", true}}));
  auto late = executor.Execute(
      effect(workflows::outbox::kLinearUpdateComment, {{"id", comment->id}, {"body", "late"}}));
  ASSERT_TRUE(late) << late.error().Describe();
  EXPECT_EQ(*late, (Json{{"id", comment->id}, {"updated", false}, {"missing", true}}));
  // A deleted comment's id stays taken, as in Linear: a replayed create does not bring it back.
  (void)api.CreateComment({.id = comment->id, .issue_id = "ENG-1", .body = "again"});
  EXPECT_TRUE(sandbox_.Comments("ENG-1").empty());

  // The webhooks Linear sent about the comment (they arrive asynchronously): its create, then
  // Comment update and Comment remove for the two changes.
  const auto actions = [&] {
    std::vector<std::string> out;
    for (const auto& hook : Received()) {
      const Json body = Json::parse(hook.body);
      if (hook.event == "Comment" && body["data"].value("id", "") == comment->id) {
        out.push_back(body["action"]);
      }
    }
    return out;
  };
  ASSERT_TRUE(testing::WaitFor([&] { return actions().size() >= 3; })) << actions().size();
  EXPECT_EQ(actions(), (std::vector<std::string>{"create", "update", "remove"}));
}

}  // namespace
}  // namespace contexten
