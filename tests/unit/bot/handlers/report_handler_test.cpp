// `/ctx report ...`: parsing (cron in a row or quoted, tz:, in #channel, options), scheduling
// with the next three fire times in the schedule's zone, list, unschedule, and the run preview.

#include "bot/handlers/report_handler.hpp"

#include <gtest/gtest.h>

#include "tests/support/fakes/memory_schedule_store.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

// Friday 2026-03-27 12:00 UTC: Berlin changes to summer time on Sunday the 29th.
constexpr std::int64_t kNow = 1'774'612'800'000;

class ReportHandlerTest : public ::testing::Test {
 protected:
  json Reply(const std::string& text) {
    ReportDeps deps{store_, source_, [this] { ++woken_; }};
    return ReportReply(text, {"U1", "C_HERE", kNow}, deps);
  }
  static std::string Text(const json& reply) { return reply.value("text", ""); }

  testing::MemoryScheduleStore store_;
  ReportSource source_;
  int woken_ = 0;
};

TEST(ReportCommandTest, ScheduleTakesTheCronInARowOrQuotedWithZoneChannelAndOptions) {
  auto c = ParseReportCommand(
      "schedule digest 0 9 * * 1-5 tz:Europe/Berlin in <#C123|eng> stale:24h drafts:include "
      "ignore-labels:wip,skip repos:acme/api");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->verb, ReportCommand::Verb::kSchedule);
  EXPECT_EQ(c->kind, "digest");
  EXPECT_EQ(c->cron, "0 9 * * 1-5");
  EXPECT_EQ(c->tz, "Europe/Berlin");
  EXPECT_EQ(c->channel, "C123");
  EXPECT_EQ(c->options.stale_hours, 24);
  EXPECT_TRUE(c->options.include_drafts);
  EXPECT_EQ(c->options.ignore_labels, (std::vector<std::string>{"wip", "skip"}));
  EXPECT_EQ(c->options.repos, (std::vector<std::string>{"acme/api"}));

  auto quoted = ParseReportCommand("schedule weekly \"30 8 * * MON\" in #team-eng");
  ASSERT_TRUE(quoted.has_value()) << quoted.error().message;
  EXPECT_EQ(quoted->cron, "30 8 * * MON");
  EXPECT_EQ(quoted->tz, "UTC");
  EXPECT_EQ(quoted->channel, "#team-eng");
  EXPECT_EQ(ParseReportCommand("schedule digest @daily")->cron, "@daily");
}

TEST(ReportCommandTest, ErrorsSayWhatIsWrong) {
  auto message = [](const std::string& text) {
    auto c = ParseReportCommand(text);
    EXPECT_FALSE(c.has_value()) << text;
    return c ? std::string() : c.error().message;
  };
  EXPECT_NE(message("schedule monthly 0 9 * * *").find("`digest` and `weekly`"), std::string::npos);
  EXPECT_NE(message("schedule digest 0 25 * * *").find("hour field: '25'"), std::string::npos);
  EXPECT_NE(message("schedule digest 0 9 * *").find("needs 5 fields"), std::string::npos);
  EXPECT_NE(message("schedule digest 0 9 * * * tz:Mars/Base").find("Mars/Base"), std::string::npos);
  EXPECT_NE(message("schedule digest").find("When?"), std::string::npos);
  EXPECT_NE(message("schedule digest 0 9 * * * color:blue").find("`color:`"), std::string::npos);
  EXPECT_NE(message("schedule digest 0 9 * * * in nowhere").find("`in` takes a channel"),
            std::string::npos);
  EXPECT_NE(message("unschedule x").find("report unschedule &lt;id&gt;"), std::string::npos);
  EXPECT_NE(message("frobnicate").find("Usage"), std::string::npos);
  EXPECT_NE(message("run digest 0 9 * * *").find("options only"), std::string::npos);
}

TEST(ReportCommandTest, ReportWordsFindsTheCommand) {
  EXPECT_EQ(ReportWords("report list"), " list");
  EXPECT_EQ(ReportWords("  REPORT"), "");
  EXPECT_EQ(ReportWords("reports"), std::nullopt);
  EXPECT_EQ(ReportWords("issue create ENG report"), std::nullopt);
}

TEST_F(ReportHandlerTest, ScheduleStoresTheRowAndAnswersTheNextThreeFireTimesInTheZone) {
  const json reply = Reply(" schedule digest 0 9 * * 1-5 tz:Europe/Berlin");
  EXPECT_EQ(reply["response_type"], "ephemeral");
  const std::string text = Text(reply);
  EXPECT_NE(text.find("`#1` in <#C_HERE>"), std::string::npos) << text;
  // Friday noon: next Monday and Tuesday are already summer time.
  EXPECT_NE(text.find("• Mon 2026-03-30 09:00 CEST\n• Tue 2026-03-31 09:00 CEST\n"
                      "• Wed 2026-04-01 09:00 CEST"),
            std::string::npos)
      << text;
  EXPECT_EQ(woken_, 1);
  auto row = store_.Get(1);
  ASSERT_TRUE(row.has_value() && row->has_value());
  EXPECT_EQ((*row)->channel, "C_HERE");
  EXPECT_EQ((*row)->kind, "digest");
  EXPECT_EQ((*row)->cron, "0 9 * * 1-5");
  EXPECT_EQ((*row)->tz, "Europe/Berlin");
  EXPECT_EQ((*row)->created_by, "U1");
  EXPECT_EQ((*row)->created_at_ms, kNow);
  EXPECT_EQ((*row)->next_due_ms, 1'774'854'000'000);  // 2026-03-30 07:00 UTC
  EXPECT_EQ(json::parse((*row)->options)["stale_hours"], 48);
}

TEST_F(ReportHandlerTest, ACronThatNeverFiresIsNotScheduled) {
  const std::string text = Text(Reply("schedule digest 0 0 30 2 *"));
  EXPECT_NE(text.find("never fires"), std::string::npos) << text;
  EXPECT_TRUE(store_.List(false)->empty());
}

TEST_F(ReportHandlerTest, ListAndUnschedule) {
  EXPECT_NE(Text(Reply("list")).find("No reports are scheduled"), std::string::npos);
  Reply("schedule digest 0 9 * * 1-5 tz:Europe/Berlin");
  Reply("schedule weekly @weekly in #leads");
  const std::string list = Text(Reply("list"));
  EXPECT_NE(list.find("`#1` *digest* in <#C_HERE>: `0 9 * * 1-5` (Europe/Berlin), next Mon "
                      "2026-03-30 09:00 CEST, by <@U1>"),
            std::string::npos)
      << list;
  EXPECT_NE(list.find("`#2` *weekly* in #leads: `@weekly` (UTC), next Sun 2026-03-29 00:00 UTC"),
            std::string::npos)
      << list;
  EXPECT_NE(Text(Reply("unschedule #1")).find("Unscheduled report `#1`"), std::string::npos);
  EXPECT_EQ(woken_, 3);
  EXPECT_NE(Text(Reply("unschedule 1")).find("No scheduled report `#1`"), std::string::npos);
  EXPECT_EQ(store_.List(false)->size(), 1u);
}

TEST_F(ReportHandlerTest, RunAnswersThePreviewFromTheSourceWithTheOptions) {
  workflows::present::ReportOptions seen;
  source_ = [&](const workflows::present::ReportOptions& options) {
    seen = options;
    workflows::present::ReportModel model;
    model.health.push_back({"Linear", false, "breaker open"});
    return model;
  };
  const json reply = Reply("run digest stale:8");
  EXPECT_EQ(reply["response_type"], "ephemeral");
  EXPECT_EQ(seen.stale_hours, 8);
  ASSERT_TRUE(reply.contains("blocks"));
  EXPECT_NE(reply["blocks"].dump().find("breaker open"), std::string::npos);
  EXPECT_TRUE(store_.List(false)->empty());  // nothing scheduled
  EXPECT_NE(Text(Reply("run weekly")).find("Weekly summary"), std::string::npos);
}

TEST_F(ReportHandlerTest, RunDailyWithAPlatformToReadStartsAPreviewRunForTheAsker) {
  std::vector<workflows::builtin::ReportRequest> started;
  ReportDeps deps{store_, source_, nullptr};
  deps.scope = [](const std::string& channel) {
    workflows::builtin::ReportScope scope;
    scope.github = true;
    scope.repos = {channel == "C_HERE" ? "acme/api" : "other/repo"};
    return scope;
  };
  deps.start_run = [&](const workflows::builtin::ReportRequest& r) {
    started.push_back(r);
    return core::Ok();
  };
  const json reply = ReportReply("run daily drafts:include", {"U1", "C_HERE", kNow}, deps);
  EXPECT_EQ(reply["response_type"], "ephemeral");
  EXPECT_NE(Text(reply).find("Gathering the digest"), std::string::npos) << reply.dump();
  EXPECT_FALSE(reply.contains("blocks"));  // the digest comes with the run, not in the ack
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].kind, "digest");
  EXPECT_EQ(started[0].ephemeral_user, "U1");
  EXPECT_EQ(started[0].channel, "C_HERE");
  EXPECT_EQ(started[0].scope.repos, (std::vector<std::string>{"acme/api"}));
  EXPECT_TRUE(started[0].options.include_drafts);
  // The weekly summary has nothing to read: rendered in the ack, as before.
  EXPECT_NE(Text(ReportReply("run weekly", {"U1", "C_HERE", kNow}, deps)).find("Weekly summary"),
            std::string::npos);
  EXPECT_EQ(started.size(), 1u);
}

TEST_F(ReportHandlerTest, HelpWithoutWords) {
  EXPECT_NE(Text(Reply("")).find("report schedule &lt;digest|weekly&gt; &lt;cron&gt;"), std::string::npos);
}

}  // namespace
}  // namespace contexten::bot::handlers
