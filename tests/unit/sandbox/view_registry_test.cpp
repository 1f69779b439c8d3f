#include "sandbox/slack/view_registry.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace contexten::sandbox {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

json Modal(const std::string& callback_id, const std::string& title = "Title") {
  return {{"type", "modal"},
          {"callback_id", callback_id},
          {"title", {{"type", "plain_text"}, {"text", title}}},
          {"blocks", json::array()}};
}

class ViewRegistryTest : public ::testing::Test {
 protected:
  core::FakeClock clock_;
  ViewRegistry views_{clock_, ViewRegistryOptions{milliseconds(3000), 3,
                                                  json{{"team_id", "T1"}, {"app_id", "A1"}}}};
};

TEST_F(ViewRegistryTest, OpenStoresTheViewAsSlackDescribesIt) {
  const auto trigger = views_.IssueTrigger("U1");
  auto view = views_.Open(trigger, Modal("cb"));
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->user, "U1");
  EXPECT_EQ(view->callback_id, "cb");
  EXPECT_EQ(view->depth, 1);
  EXPECT_FALSE(view->hash.empty());
  EXPECT_EQ(view->view["id"], view->id);
  EXPECT_EQ(view->view["root_view_id"], view->id);
  EXPECT_TRUE(view->view["previous_view_id"].is_null());
  EXPECT_EQ(view->view["team_id"], "T1");
  EXPECT_EQ(view->view["state"], (json{{"values", json::object()}}));
  ASSERT_EQ(views_.OpenViews("U1").size(), 1u);
  EXPECT_TRUE(views_.OpenViews("U2").empty());
}

TEST_F(ViewRegistryTest, TriggerIsSingleUse) {
  const auto trigger = views_.IssueTrigger("U1");
  ASSERT_TRUE(views_.Open(trigger, Modal("a")));
  auto again = views_.Open(trigger, Modal("b"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "exchanged_trigger_id");
}

TEST_F(ViewRegistryTest, TriggerExpiresAfterThreeSeconds) {
  const auto fresh = views_.IssueTrigger("U1");
  const auto stale = views_.IssueTrigger("U1");
  clock_.Advance(milliseconds(2999));
  EXPECT_TRUE(views_.Open(fresh, Modal("a")));
  clock_.Advance(milliseconds(2));
  auto late = views_.Open(stale, Modal("b"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "expired_trigger_id");
}

TEST_F(ViewRegistryTest, UnknownTriggerIsInvalid) {
  auto view = views_.Open("123.456.nope", Modal("a"));
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().message, "invalid_trigger_id");
}

TEST_F(ViewRegistryTest, PushStacksUpToThreeThenRefuses) {
  auto root = views_.Open(views_.IssueTrigger("U1"), Modal("1"));
  ASSERT_TRUE(root);
  auto second = views_.Push(views_.IssueTrigger("U1"), Modal("2"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->depth, 2);
  EXPECT_EQ(second->view["root_view_id"], root->id);
  EXPECT_EQ(second->view["previous_view_id"], root->id);
  ASSERT_TRUE(views_.Push(views_.IssueTrigger("U1"), Modal("3")));
  const auto trigger = views_.IssueTrigger("U1");
  auto fourth = views_.Push(trigger, Modal("4"));
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().message, "push_limit_reached");
  EXPECT_EQ(views_.OpenViews("U1").size(), 3u);
  EXPECT_EQ(views_.TopView("U1")->callback_id, "3");
}

TEST_F(ViewRegistryTest, UpdateChangesTheHashAndRefusesAStaleOne) {
  auto view = views_.Open(views_.IssueTrigger("U1"), Modal("a", "First"));
  ASSERT_TRUE(view);
  auto updated = views_.Update(view->id, "", Modal("a", "Second"), view->hash);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->id, view->id);
  EXPECT_NE(updated->hash, view->hash);
  EXPECT_EQ(updated->view["title"]["text"], "Second");
  auto stale = views_.Update(view->id, "", Modal("a", "Third"), view->hash);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().message, "hash_conflict");
  EXPECT_TRUE(views_.Update(view->id, "", Modal("a", "Fourth"), ""));
  auto missing = views_.Update("V404", "", Modal("a"), "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "not_found");
}

TEST_F(ViewRegistryTest, UpdateByExternalId) {
  json modal = Modal("a");
  modal["external_id"] = "ext-1";
  auto view = views_.Open(views_.IssueTrigger("U1"), modal);
  ASSERT_TRUE(view);
  json next = Modal("b");
  next["external_id"] = "ext-1";
  auto updated = views_.Update("", "ext-1", next, "");
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->id, view->id);
  EXPECT_EQ(updated->callback_id, "b");
}

TEST_F(ViewRegistryTest, SubmissionOutcomes) {
  auto root = views_.Open(views_.IssueTrigger("U1"), Modal("1"));
  auto top = views_.Push(views_.IssueTrigger("U1"), Modal("2"));
  ASSERT_TRUE(root && top);
  auto errored = views_.SetErrors(top->id, json{{"title_block", "Too short"}});
  ASSERT_TRUE(errored);
  EXPECT_EQ(errored->errors["title_block"], "Too short");
  auto replaced = views_.Replace(top->id, Modal("2b"));
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->callback_id, "2b");
  EXPECT_TRUE(replaced->errors.is_null());
  auto closed = views_.CloseTop(top->id);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(views_.TopView("U1")->id, root->id);
  ASSERT_TRUE(views_.Push(views_.IssueTrigger("U1"), Modal("3")));
  EXPECT_EQ(views_.CloseAll("U1").size(), 2u);
  EXPECT_TRUE(views_.OpenViews().empty());
}

TEST_F(ViewRegistryTest, OpenReplacesTheUsersStackOnly) {
  ASSERT_TRUE(views_.Open(views_.IssueTrigger("U1"), Modal("1")));
  ASSERT_TRUE(views_.Push(views_.IssueTrigger("U1"), Modal("2")));
  ASSERT_TRUE(views_.Open(views_.IssueTrigger("U2"), Modal("other")));
  ASSERT_TRUE(views_.Open(views_.IssueTrigger("U1"), Modal("fresh")));
  ASSERT_EQ(views_.OpenViews("U1").size(), 1u);
  EXPECT_EQ(views_.OpenViews("U1")[0].callback_id, "fresh");
  EXPECT_EQ(views_.OpenViews().size(), 2u);
}

}  // namespace
}  // namespace contexten::sandbox
