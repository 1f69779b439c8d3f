// The audit log port on both engines: entries come back newest first with every field, after a
// reopen too.

#include <gtest/gtest.h>

#include "tests/support/store_engines.hpp"

namespace contexten::store {
namespace {

using AuditLogTest = testing::StoreEngineTest;
CONTEXTEN_STORE_ENGINES(AuditLogTest);

TEST_P(AuditLogTest, EntriesComeBackNewestFirstWithEveryFieldAfterAReopen) {
  for (int i = 0; i < 3; ++i) {
    AuditEntry e;
    e.at_ms = 1000 + i;
    e.actor = "U" + std::to_string(i);
    e.action = i == 2 ? "close" : "help";
    e.channel = "C9";
    e.source = "thread_reply";
    e.args = R"({"issue":"ENG-1"})";
    e.decision = i == 2 ? "refused" : "allowed";
    e.outcome = "because";
    auto id = store_->audit().Append(e);
    ASSERT_TRUE(id) << id.error().Describe();
  }
  Reopen();
  auto recent = store_->audit().Recent(2);
  ASSERT_TRUE(recent) << recent.error().Describe();
  ASSERT_EQ(recent->size(), 2u);
  const AuditEntry& e = (*recent)[0];
  EXPECT_EQ(e.actor, "U2");
  EXPECT_EQ(e.at_ms, 1002);
  EXPECT_EQ(e.action, "close");
  EXPECT_EQ(e.channel, "C9");
  EXPECT_EQ(e.source, "thread_reply");
  EXPECT_EQ(e.args, R"({"issue":"ENG-1"})");
  EXPECT_EQ(e.decision, "refused");
  EXPECT_EQ(e.outcome, "because");
  EXPECT_GT(e.id, (*recent)[1].id);
  EXPECT_EQ((*recent)[1].actor, "U1");
}

}  // namespace
}  // namespace contexten::store
