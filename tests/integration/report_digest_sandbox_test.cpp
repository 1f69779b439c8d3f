// The daily digest from seeded sandboxes (issue 12, acceptance 4): the report run asks for its
// data with read effects, the real executors perform them through the real Linear and GitHub
// clients against the stand-ins, the results go back to the run as effect.done events, and the
// post it then makes matches a golden rendering. Every timestamp comes from one FakeClock that
// the seeding moves forward, so ages ("9d old", "idle 20h") are the same on every run.
//
// Regenerate the golden after an intended change to the rendering:
//   CONTEXTEN_UPDATE_GOLDEN=1 ./build/tests/integration/integration_tests
//     --gtest_filter='ReportDigestSandboxTest.*'   (one command line)
// and review the diff of tests/integration/golden/report_digest_sandbox.json.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/slack/block_kit/validate.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/github_executor.hpp"
#include "workflows/outbox/linear_executor.hpp"

namespace contexten {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::hours;
namespace builtin = workflows::builtin;
namespace engine = workflows::engine;

// Wednesday 2026-03-11 09:00 UTC.
constexpr std::int64_t kNowMs = 1'773'219'600'000;
const core::WallTime kNow{std::chrono::milliseconds(kNowMs)};
constexpr char kRepo[] = "acme/api";

std::string GoldenPath() {
  return std::string(CONTEXTEN_SOURCE_DIR) + "/tests/integration/golden/report_digest_sandbox.json";
}

class ReportDigestSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::GitHubSandboxOptions gh;
    gh.clock = &clock_;
    github_ = std::make_unique<sandbox::GitHubSandbox>(io_, gh);
    ASSERT_TRUE(github_->Start().has_value());
    linear_ =
        std::make_unique<sandbox::LinearSandbox>(io_, sandbox::LinearSandboxOptions{}, clock_);
    ASSERT_TRUE(linear_->Start().has_value());

    integrations::github::GitHubClientConfig config;
    config.base_url = github_->base_url();
    config.token = github_->options().token;
    github_client_ =
        std::make_unique<integrations::github::GitHubRestClient>(http_, config, clock_);
    integrations::linear::LinearClientOptions lin;
    lin.api_url = linear_->base_url();
    lin.credential = linear_->options().api_key;
    linear_client_ = std::make_unique<integrations::linear::LinearGraphqlClient>(http_, lin);
  }
  void TearDown() override {
    github_->Stop();
    linear_->Stop();
  }

  // Moves the shared clock to `at` (never back).
  void At(core::WallTime at) {
    if (at > clock_.WallNow()) clock_.Advance(at - clock_.WallNow());
  }

  int OpenPull(const std::string& title, const std::string& branch, bool draft = false,
               std::vector<std::string> labels = {}) {
    sandbox::SandboxPullRequestSeed seed;
    seed.title = title;
    seed.head_ref = branch;
    seed.user = "dev-" + branch;
    seed.draft = draft;
    seed.labels = std::move(labels);
    const int number = github_->OpenPullRequest(kRepo, seed);
    EXPECT_GT(number, 0);
    return number;
  }

  void LinearIssue(const std::string& title, const std::string& state,
                   const std::string& assignee_email) {
    auto issue = linear_->CreateIssue("ENG", title);
    ASSERT_TRUE(issue.has_value()) << issue.error().message;
    ASSERT_TRUE(linear_->MoveIssue(issue->id, state).has_value());
    if (assignee_email.empty()) return;
    for (const auto& user : linear_->Users()) {
      if (user.email != assignee_email) continue;
      integrations::linear::IssueUpdateRequest update;
      update.assignee_id = user.id;
      auto updated = linear_client_->UpdateIssue(issue->id, update);
      ASSERT_TRUE(updated.has_value()) << updated.error().message;
      return;
    }
    FAIL() << "no sandbox user " << assignee_email;
  }

  // Seeds, in time order: PRs of several ages (one stale, one awaiting first review, two
  // reviewed, a draft), a failed CI run on main and one on a feature branch, and Linear issues in
  // several states and assignees (one done, which the digest leaves out).
  void Seed() {
    github_->AddRepository("acme", "api");
    github_->AddWorkflow(kRepo, "ci.yml", "CI");
    At(kNow - days(9));
    OpenPull("Rewrite scheduler", "rewrite-scheduler");  // #1: stale, never reviewed
    At(kNow - days(3));
    const int settings = OpenPull("Refactor settings page", "settings");  // #2
    At(kNow - days(2));
    OpenPull("WIP: new billing", "billing", /*draft=*/true);  // #3: a draft
    At(kNow - hours(30));
    const int escaping =
        OpenPull("Fix <script> escaping & links", "escaping", false, {"security"});  // #4
    At(kNow - hours(20));
    ASSERT_TRUE(github_->AddReview(kRepo, settings, "grace", "CHANGES_REQUESTED").has_value());
    At(kNow - hours(5));
    OpenPull("Add rate limiter", "rate-limiter");  // #5: awaiting first review
    At(kNow - hours(3));
    ASSERT_TRUE(github_->AddReview(kRepo, escaping, "ada", "APPROVED").has_value());
    At(kNow - hours(2));
    ASSERT_TRUE(github_->RunCi(kRepo, "main", "failure").has_value());
    ASSERT_TRUE(github_->RunCi(kRepo, "rate-limiter", "failure").has_value());  // not main

    linear_->SeedUser("Ada Lovelace", "ada@example.com");
    linear_->SeedUser("Grace Hopper", "grace@example.com");
    At(kNow - hours(1));
    LinearIssue("Login crash", "In Progress", "ada@example.com");
    LinearIssue("Slow search", "In Progress", "ada@example.com");
    LinearIssue("Dark mode", "In Progress", "grace@example.com");
    LinearIssue("Export CSV", "Todo", "");
    LinearIssue("SSO for admins", "Backlog", "grace@example.com");
    LinearIssue("Old bug", "Done", "ada@example.com");
    At(kNow);
  }

  // Runs the report workflow to its post: each read it asks for is performed by the executor of
  // its lane and answered with effect.done (or effect.dead). Returns the post's arguments.
  json RunReport(const builtin::ReportScope& scope, const workflows::present::ReportOptions& o) {
    builtin::ReportWorkflow workflow;
    workflows::present::ReportModel local;
    local.health = {{"Slack", true, "connected"}, {"Linear", true, ""}, {"GitHub", true, ""}};
    const engine::DecideContext context{"report-golden", kNowMs};
    engine::Decision d = workflow.Decide(context, nullptr,
                                         {"start",
                                          {{"kind", builtin::kDigestReport},
                                           {"channel", "C0ENG"},
                                           {"model", workflows::present::ToJson(local)},
                                           {"options", workflows::present::ToJson(o)},
                                           {"scope", builtin::ToJson(scope)}},
                                          "start"});
    workflows::outbox::GitHubExecutor github(*github_client_);
    workflows::outbox::LinearExecutor linear(*linear_client_);
    json state = d.state;
    std::vector<engine::Effect> queue = d.effects;
    for (std::size_t i = 0; i < queue.size(); ++i) {
      const engine::EffectRow row = engine::ToRow(queue[i].action);
      if (row.lane == workflows::outbox::kSlackLane) {
        EXPECT_EQ(i + 1, queue.size()) << "the post is the run's last effect";
        reads_ = i;
        return row.args;
      }
      store::EffectRecord record;
      record.run_id = context.run_id;
      record.step_id = queue[i].step;
      record.lane = row.lane;
      record.kind = row.kind;
      record.args_json = row.args.dump();
      auto result = row.lane == workflows::outbox::kGitHubLane ? github.Execute(record)
                                                               : linear.Execute(record);
      engine::Event event =
          result ? engine::Event{engine::kEffectDone,
                                 {{"step", queue[i].step}, {"kind", row.kind}, {"result", *result}},
                                 "effect:" + queue[i].step}
                 : engine::Event{engine::kEffectDead,
                                 {{"step", queue[i].step},
                                  {"kind", row.kind},
                                  {"error", result.error().message}},
                                 "effect:" + queue[i].step};
      d = workflow.Decide(context, state, event);
      state = d.state;
      queue.insert(queue.end(), d.effects.begin(), d.effects.end());
    }
    ADD_FAILURE() << "the run never posted; state " << state.dump();
    return json();
  }

  core::FakeClock clock_{kNow - days(10)};
  core::net::IoRuntime io_{2};
  core::net::HttpClient http_{io_};
  std::unique_ptr<sandbox::GitHubSandbox> github_;
  std::unique_ptr<sandbox::LinearSandbox> linear_;
  std::unique_ptr<integrations::github::GitHubRestClient> github_client_;
  std::unique_ptr<integrations::linear::LinearGraphqlClient> linear_client_;
  std::size_t reads_ = 0;
};

builtin::ReportScope Scope() {
  builtin::ReportScope scope;
  scope.linear = true;
  scope.github = true;
  scope.repos = {kRepo};
  return scope;
}

TEST_F(ReportDigestSandboxTest, MatchesTheGoldenRendering) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  const json post = RunReport(Scope(), {});
  EXPECT_EQ(reads_, 3u) << "Linear issues, the repository's PRs and its runs on main";
  ASSERT_TRUE(post.contains("blocks")) << post.dump();
  for (const auto& v : integrations::slack::blocks::FindViolations(
           post, integrations::slack::blocks::Surface::kMessage)) {
    ADD_FAILURE() << v.message;
  }
  const json rendered = {{"text", post["text"]}, {"blocks", post["blocks"]}};
  if (std::getenv("CONTEXTEN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(GoldenPath()) << rendered.dump(2) << "\n";
  }
  std::ifstream in(GoldenPath());
  ASSERT_TRUE(in.good()) << "no golden at " << GoldenPath() << " (see the comment on top)";
  const json golden = json::parse(in);
  EXPECT_EQ(rendered, golden) << rendered.dump(2);

  // What the golden shows, said plainly, so a regenerated golden cannot hide a regression.
  const std::string all = rendered["blocks"].dump();
  EXPECT_NE(all.find("Awaiting first review* (1)"), std::string::npos);
  EXPECT_NE(all.find("Reviewed, awaiting action* (2)"), std::string::npos);
  EXPECT_NE(all.find("acme/api#1"), std::string::npos);  // stale
  EXPECT_EQ(all.find("acme/api#3"), std::string::npos);  // the draft
  EXPECT_NE(all.find("Failed CI on default branches* (1)"), std::string::npos);
  EXPECT_NE(all.find("Linear issues* (5 open)"), std::string::npos);
}

TEST_F(ReportDigestSandboxTest, AReadTheRelayGaveUpOnLeavesItsSectionSayingSo) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  builtin::ReportScope scope = Scope();
  scope.repos = {kRepo, "acme/missing"};  // the sandbox answers 404 for it
  const json post = RunReport(scope, {});
  const std::string all = post.dump();
  EXPECT_NE(all.find("Partial: could not read acme/missing"), std::string::npos) << all;
  EXPECT_NE(all.find("acme/api#5"), std::string::npos);
}

}  // namespace
}  // namespace contexten
