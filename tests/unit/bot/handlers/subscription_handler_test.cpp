// `/ctx subscribe | unsubscribe | subscriptions` against the SQLite store.

#include "bot/handlers/subscription_handler.hpp"

#include <gtest/gtest.h>

#include "store/sqlite_subscription_store.hpp"
#include "tests/support/workflow_fixture.hpp"

namespace contexten::bot::handlers {
namespace {

class SubscriptionHandlerTest : public ::testing::Test {
 protected:
  SubscriptionHandlerTest() : store_(*f_.database) {}
  std::string Say(const std::string& text, const std::string& channel = "C1") {
    auto command = SubscriptionWords(text);
    if (!command) return "<not a subscription command>";
    return SubscriptionReply(*command, {"U1", channel, 1000}, store_).value("text", "");
  }

  testing::WorkflowFixture f_;
  store::SqliteSubscriptionStore store_;
};

TEST_F(SubscriptionHandlerTest, SubscribeListsAndUnsubscribesPerChannel) {
  EXPECT_NE(Say("subscriptions").find("no subscriptions"), std::string::npos);
  EXPECT_NE(Say("subscribe acme/web pulls,ci -author:dependabot[bot] ci:failures")
                .find("Subscribed this channel to acme/web: pulls, ci · -author:dependabot[bot] "
                      "ci:failures · threads"),
            std::string::npos);
  EXPECT_NE(Say("Subscribe linear ENG comments threads:off").find("Linear ENG: comments"),
            std::string::npos);
  const std::string list = Say("subscriptions");
  EXPECT_NE(list.find("• acme/web: pulls, ci"), std::string::npos) << list;
  EXPECT_NE(list.find("• Linear ENG: comments · threads:off"), std::string::npos) << list;
  EXPECT_NE(Say("subscriptions", "C2").find("no subscriptions"), std::string::npos);
  // Dropping one feature keeps the rest and the filters.
  EXPECT_NE(Say("unsubscribe acme/web ci").find("Now: acme/web: pulls · -author:dependabot[bot]"),
            std::string::npos);
  EXPECT_NE(Say("unsubscribe acme/web").find("Unsubscribed"), std::string::npos);
  EXPECT_NE(Say("unsubscribe acme/web").find("not subscribed"), std::string::npos);
  EXPECT_EQ(Say("subscriptions").find("acme/web"), std::string::npos);
}

TEST_F(SubscriptionHandlerTest, AWrongWordIsNamedAndNothingIsSaved) {
  const std::string reply = Say("subscribe acme/web pulls +lable:ui");
  EXPECT_NE(reply.find("+lable:ui"), std::string::npos) << reply;
  EXPECT_TRUE(store_.ForChannel("C1")->empty());
  EXPECT_EQ(Say("report list"), "<not a subscription command>");
}

}  // namespace
}  // namespace contexten::bot::handlers
