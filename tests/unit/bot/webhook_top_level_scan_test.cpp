#include <gtest/gtest.h>

#include "bot/webhooks/top_level_scan.hpp"

namespace contexten::bot::webhooks {
namespace {

TEST(WebhookTopLevelScanTest, KeepsTopLevelActionZenAndTimestampOnly) {
  auto fields = ScanTopLevel(
      R"({"pull_request":{"action":"nested","zen":"no"},"action":"opened","zen":"Keep it simple.",)"
      R"("webhookTimestamp":1714557600000})");
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->action, "opened");
  EXPECT_EQ(fields->zen, "Keep it simple.");
  ASSERT_TRUE(fields->webhook_timestamp_ms.has_value());
  EXPECT_EQ(*fields->webhook_timestamp_ms, 1714557600000);
}

TEST(WebhookTopLevelScanTest, NestedActionAfterTheTopLevelOneDoesNotOverrideIt) {
  auto fields =
      ScanTopLevel(R"({"action":"closed","issue":{"action":"x","list":[{"action":"y"}]}})");
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->action, "closed");
}

TEST(WebhookTopLevelScanTest, RejectsNonObjectsAndInvalidJson) {
  EXPECT_FALSE(ScanTopLevel("Hello, World!").has_value());
  EXPECT_FALSE(ScanTopLevel("[1,2]").has_value());
  EXPECT_FALSE(ScanTopLevel("\"text\"").has_value());
  EXPECT_FALSE(ScanTopLevel(R"({"a":1} trailing)").has_value());
  EXPECT_FALSE(ScanTopLevel(R"({"a":)").has_value());
  EXPECT_FALSE(ScanTopLevel("").has_value());
  EXPECT_TRUE(ScanTopLevel(" {} ").has_value());
}

TEST(WebhookTopLevelScanTest, TimestampMustBeIntegral) {
  auto text = ScanTopLevel(R"({"webhookTimestamp":"1714557600000"})");
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(text->has_webhook_timestamp);
  EXPECT_FALSE(text->webhook_timestamp_ms.has_value());
  auto fraction = ScanTopLevel(R"({"webhookTimestamp":1.5})");
  ASSERT_TRUE(fraction.has_value());
  EXPECT_FALSE(fraction->webhook_timestamp_ms.has_value());
  auto absent = ScanTopLevel(R"({"action":"create"})");
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_webhook_timestamp);
}

}  // namespace
}  // namespace contexten::bot::webhooks
