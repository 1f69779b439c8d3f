#include "workflows/subscriptions/subscription.hpp"

#include <gtest/gtest.h>

namespace contexten::workflows::subscriptions {
namespace {

TEST(SubscriptionParseTest, ReadsFeaturesFiltersAndNoiseSettings) {
  auto s = ParseSubscribe({"Acme/Web", "pulls,ci", "+label:ui", "+label:\"good first issue\"",
                           "-label:wip", "-author:dependabot[bot]", "branch:main", "drafts:off",
                           "ci:failures", "threads:off", "broadcast:states"},
                          "C1");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->platform, kGitHub);
  EXPECT_EQ(s->target, "acme/web");
  EXPECT_EQ(s->channel, "C1");
  EXPECT_EQ(s->features, (std::vector<std::string>{"pulls", "ci"}));
  EXPECT_EQ(s->filters.require_labels, (std::vector<std::string>{"ui", "good first issue"}));
  EXPECT_EQ(s->filters.exclude_labels, (std::vector<std::string>{"wip"}));
  EXPECT_EQ(s->filters.exclude_authors, (std::vector<std::string>{"dependabot[bot]"}));
  EXPECT_EQ(s->filters.branch_glob, "main");
  EXPECT_FALSE(s->filters.drafts);
  EXPECT_TRUE(s->filters.ci_failures_only);
  EXPECT_FALSE(s->threads);
  EXPECT_TRUE(s->broadcast_states);
  // The JSON it is stored as gives the same subscription back.
  const auto back = FromJson(ToJson(*s));
  EXPECT_EQ(Describe(back), Describe(*s));
  EXPECT_EQ(FilterWords(back),
            "+label:ui +label:good first issue -label:wip -author:dependabot[bot] branch:main "
            "drafts:off ci:failures");
}

TEST(SubscriptionParseTest, DefaultsAndAliases) {
  auto s = ParseSubscribe({"acme/web"}, "C1");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->features, DefaultFeatures(kGitHub));
  EXPECT_TRUE(s->threads);
  EXPECT_FALSE(s->filters.include_bots);
  auto aliases = ParseSubscribe({"acme/web", "workflows,deployments"}, "C1");
  ASSERT_TRUE(aliases.has_value());
  EXPECT_EQ(aliases->features, (std::vector<std::string>{"ci", "deploys"}));
  auto linear =
      ParseSubscribe({"linear", "eng", "created,states,comments", "priority>=high"}, "C1");
  ASSERT_TRUE(linear.has_value()) << linear.error().message;
  EXPECT_EQ(linear->platform, kLinear);
  EXPECT_EQ(linear->target, "ENG");
  EXPECT_EQ(linear->filters.min_priority, 2);
}

TEST(SubscriptionParseTest, NamesTheWordItDoesNotUnderstand) {
  auto feature = ParseSubscribe({"acme/web", "pulls,commitz"}, "C1");
  ASSERT_FALSE(feature.has_value());
  EXPECT_NE(feature.error().message.find("commitz"), std::string::npos);
  auto filter = ParseSubscribe({"acme/web", "+lable:ui"}, "C1");
  ASSERT_FALSE(filter.has_value());
  EXPECT_NE(filter.error().message.find("+lable:ui"), std::string::npos);
  EXPECT_FALSE(ParseSubscribe({"not-a-repo"}, "C1").has_value());
  EXPECT_FALSE(ParseSubscribe({"acme/web", "priority>=high"}, "C1").has_value());
}

TEST(SubscriptionParseTest, UnsubscribeKeepsOnlyTheFeaturesTyped) {
  auto all = ParseUnsubscribe({"acme/web"});
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->features.empty());
  auto some = ParseUnsubscribe({"acme/web", "ci"});
  ASSERT_TRUE(some.has_value());
  EXPECT_EQ(some->features, (std::vector<std::string>{"ci"}));
}

}  // namespace
}  // namespace contexten::workflows::subscriptions
