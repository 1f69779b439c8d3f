// The router against a real store and engine: a run per (subscription, entity) started only
// for an event that brings the entity in, a redelivered event dropped, a label added later
// posting the PR then, and bot PRs left out.

#include "bot/handlers/subscription_router.hpp"

#include <gtest/gtest.h>

#include "bot/handlers/subscription_handler.hpp"
#include "store/sqlite_subscription_store.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/subscriptions/feed_workflow.hpp"

namespace contexten::bot::handlers {
namespace {

namespace gh = integrations::github;
namespace subs = workflows::subscriptions;

class SubscriptionRouterTest : public ::testing::Test {
 protected:
  SubscriptionRouterTest() : subscriptions_(*f_.database), router_(subscriptions_, *f_.engine) {
    f_.engine->Register(std::make_unique<subs::FeedWorkflow>());
  }

  void Subscribe(const std::string& text) {
    auto command = SubscriptionWords(text);
    ASSERT_TRUE(command.has_value());
    auto reply = SubscriptionReply(*command, {"U1", "C1", 1000}, subscriptions_);
    ASSERT_NE(reply.value("text", "").find("Subscribed"), std::string::npos) << reply.dump();
  }

  gh::PullRequestEvent Pr(std::string action, std::vector<std::string> labels = {},
                          std::string author = "alice") {
    gh::PullRequestEvent pr;
    pr.action = std::move(action);
    pr.repository = "acme/web";
    pr.sender = author;
    pr.number = 5;
    pr.title = "Fix login";
    pr.state = "open";
    pr.base_ref = "main";
    pr.author = std::move(author);
    pr.labels = std::move(labels);
    return pr;
  }

  // The Slack posts the PR's run wrote to the outbox so far.
  std::size_t Posts() {
    auto effects =
        f_.workflows->Effects(std::nullopt, subs::FeedRunId(SubId(), "github_pr:acme/web#5"), 100);
    return effects ? effects->size() : 0;
  }

  std::int64_t SubId() { return (*subscriptions_.ForChannel("C1"))[0].id; }
  bool RunExists() {
    auto run = f_.workflows->LoadRun(subs::FeedRunId(SubId(), "github_pr:acme/web#5"));
    return run && run->has_value();
  }

  testing::WorkflowFixture f_;
  store::SqliteSubscriptionStore subscriptions_;
  SubscriptionRouter router_;
};

TEST_F(SubscriptionRouterTest, ARedeliveredEventIsANoOp) {
  Subscribe("subscribe acme/web pulls");
  ASSERT_TRUE(router_.Route(1, "d1", Pr("opened")).has_value());
  ASSERT_TRUE(RunExists());
  const std::size_t after_first = Posts();
  EXPECT_EQ(after_first, 1u);  // the root
  ASSERT_TRUE(router_.Route(1, "d1", Pr("opened")).has_value());
  EXPECT_EQ(Posts(), after_first);
}

TEST_F(SubscriptionRouterTest, ALabelAddedLaterStartsTheThreadThen) {
  Subscribe("subscribe acme/web pulls +label:frontend");
  ASSERT_TRUE(router_.Route(1, "d1", Pr("opened")).has_value());
  EXPECT_FALSE(RunExists());  // nothing to post: no run either
  ASSERT_TRUE(router_.Route(2, "d2", Pr("labeled", {"frontend"})).has_value());
  EXPECT_TRUE(RunExists());
  EXPECT_EQ(Posts(), 1u);
}

TEST_F(SubscriptionRouterTest, BotPullRequestsAreLeftOutByDefault) {
  Subscribe("subscribe acme/web pulls");
  ASSERT_TRUE(router_.Route(1, "d1", Pr("opened", {}, "dependabot[bot]")).has_value());
  EXPECT_FALSE(RunExists());
}

TEST_F(SubscriptionRouterTest, OtherRepositoriesAndUnsubscribedChannelsGetNothing) {
  auto pr = Pr("opened");
  pr.repository = "acme/api";
  ASSERT_TRUE(router_.Route(1, "d1", pr).has_value());  // no subscription at all: fine
  Subscribe("subscribe acme/web pulls");
  ASSERT_TRUE(router_.Route(2, "d2", pr).has_value());
  EXPECT_FALSE(RunExists());
}

}  // namespace
}  // namespace contexten::bot::handlers
