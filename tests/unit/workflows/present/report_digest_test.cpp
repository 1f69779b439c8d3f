// The daily digest: PR selection rules, a golden rendering of a seeded model, and Block Kit
// limits with 500 PRs.

#include "workflows/present/report_digest.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/validate.hpp"
#include "workflows/present/report_weekly.hpp"

namespace contexten::workflows::present {
namespace {

using nlohmann::json;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
// Wednesday 2026-03-11 09:00 UTC.
constexpr std::int64_t kNow = 1'773'219'600'000;

ReportPull Pull(std::string repo, int number, std::string title, std::int64_t age,
                std::int64_t idle, int reviews = 0, int approvals = 0) {
  ReportPull p;
  p.repo = std::move(repo);
  p.number = number;
  p.title = std::move(title);
  p.url = "https://github.com/" + p.repo + "/pull/" + std::to_string(number);
  p.author = "dev" + std::to_string(number % 3);
  p.created_at_ms = kNow - age;
  p.updated_at_ms = kNow - idle;
  p.reviews = reviews;
  p.approvals = approvals;
  return p;
}

// The seeded sandbox: issues in several states, PRs of several ages, a draft, a failed run.
ReportModel Seeded() {
  ReportModel m;
  m.has_issues = true;
  m.has_pulls = true;
  m.issues = {
      {"ENG-1", "Login crash", "https://linear.app/acme/issue/ENG-1", "ENG", "In Progress",
       "started", "Ada"},
      {"ENG-2", "Slow search", "https://linear.app/acme/issue/ENG-2", "ENG", "In Progress",
       "started", "Ada"},
      {"ENG-3", "Dark mode", "https://linear.app/acme/issue/ENG-3", "ENG", "In Progress", "started",
       "Grace"},
      {"ENG-4", "Export CSV", "https://linear.app/acme/issue/ENG-4", "ENG", "Todo", "unstarted",
       ""},
      {"ENG-5", "SSO <admin>", "https://linear.app/acme/issue/ENG-5", "ENG", "Backlog", "backlog",
       "Linus"},
      {"ENG-6", "Old bug", "https://linear.app/acme/issue/ENG-6", "ENG", "Done", "completed",
       "Ada"},
  };
  m.pulls = {
      Pull("acme/api", 101, "Add rate limiter", 5 * kHour, 1 * kHour),
      Pull("acme/api", 102, "Fix <script> escaping & links", 30 * kHour, 3 * kHour),
      Pull("acme/web", 7, "Refactor settings page", 3 * kDay, 20 * kHour, 2, 1),
      Pull("acme/web", 8, "Bump deps", 9 * kDay, 6 * kDay, 1, 0),
      Pull("acme/api", 99, "Rewrite scheduler", 12 * kDay, 4 * kDay),
  };
  ReportPull draft = Pull("acme/api", 103, "WIP: new billing", 2 * kDay, 1 * kHour);
  draft.draft = true;
  m.pulls.push_back(draft);
  m.ci_failures = {
      {"acme/api", "main", "CI", "https://github.com/acme/api/actions/runs/555", kNow - 2 * kHour}};
  m.health = {{"Slack", true, "connected"},
              {"Linear", false, "breaker open after 5 errors"},
              {"GitHub", true, ""}};
  m.full_list_url = "https://github.com/pulls?q=is%3Aopen+is%3Apr+org%3Aacme";
  return m;
}

std::string Numbers(const std::vector<ReportPull>& pulls) {
  std::string out;
  for (const auto& p : pulls) out += (out.empty() ? "" : ",") + std::to_string(p.number);
  return out;
}

TEST(ReportDigestTest, SelectionSplitsByReviewAndStalenessOldestFirstWithoutDrafts) {
  const PullSelection s = SelectPulls(Seeded(), ReportOptions{}, kNow);
  EXPECT_EQ(Numbers(s.awaiting_first_review), "102,101");
  EXPECT_EQ(Numbers(s.awaiting_action), "7");
  EXPECT_EQ(Numbers(s.stale), "99,8");
  ReportOptions with_drafts;
  with_drafts.include_drafts = true;
  EXPECT_EQ(Numbers(SelectPulls(Seeded(), with_drafts, kNow).awaiting_first_review), "103,102,101");
}

TEST(ReportDigestTest, ReminderOptionsFilter) {
  ReportModel m = Seeded();
  m.pulls[0].labels = {"skip-reminder"};
  m.pulls[1].labels = {"Backend"};
  ReportOptions o;
  o.ignore_labels = {"skip-reminder"};
  EXPECT_EQ(Numbers(SelectPulls(m, o, kNow).awaiting_first_review), "102");
  o.require_labels = {"backend"};  // case-insensitive
  const PullSelection required = SelectPulls(m, o, kNow);
  EXPECT_EQ(Numbers(required.awaiting_first_review), "102");
  EXPECT_TRUE(required.stale.empty());
  ReportOptions young;
  young.min_age_hours = 24;
  EXPECT_EQ(Numbers(SelectPulls(m, young, kNow).awaiting_first_review), "102");
  ReportOptions approved;
  approved.ignore_approved_at = 1;
  EXPECT_TRUE(SelectPulls(m, approved, kNow).awaiting_action.empty());
  ReportOptions terms;
  terms.ignore_terms = {"REWRITE"};
  EXPECT_EQ(Numbers(SelectPulls(m, terms, kNow).stale), "8");
  ReportOptions repos;
  repos.repos = {"acme/web"};
  const PullSelection web = SelectPulls(m, repos, kNow);
  EXPECT_TRUE(web.awaiting_first_review.empty());
  EXPECT_EQ(Numbers(web.stale), "8");
}

TEST(ReportDigestTest, WorkingDaysOnlyLeavesWeekendsOut) {
  // Friday 2026-03-06 18:00 UTC to Monday 2026-03-09 06:00 UTC: 6 + 6 working hours.
  const std::int64_t friday_18 = 1'772'820'000'000;
  EXPECT_EQ(WorkingMsBetween(friday_18, friday_18 + 60 * kHour), 12 * kHour);
  EXPECT_EQ(WorkingMsBetween(friday_18, friday_18), 0);
  ReportModel m;
  m.has_pulls = true;
  // Idle since Friday 18:00, seen Monday 06:00: 60 hours, 12 of them working.
  m.pulls = {Pull("acme/api", 1, "Weekend PR", 0, 0)};
  m.pulls[0].created_at_ms = m.pulls[0].updated_at_ms = friday_18;
  ReportOptions o;
  o.stale_hours = 48;
  EXPECT_EQ(SelectPulls(m, o, friday_18 + 60 * kHour).stale.size(), 1u);
  o.working_days_only = true;
  EXPECT_TRUE(SelectPulls(m, o, friday_18 + 60 * kHour).stale.empty());
}

// One test per reminder option (GitHub's scheduled reminders: ignored/required labels, minimum
// age, ignore approved PRs, ignore drafts; plus working days only).
TEST(ReportDigestOptionTest, IgnoredLabelsLeaveAPullOutWhateverElseItHas) {
  ReportModel m = Seeded();
  m.pulls[0].labels = {"feature", "Do-Not-Remind"};  // #101
  ReportOptions o;
  EXPECT_EQ(Numbers(SelectPulls(m, o, kNow).awaiting_first_review), "102,101");
  o.ignore_labels = {"do-not-remind"};
  EXPECT_EQ(Numbers(SelectPulls(m, o, kNow).awaiting_first_review), "102");
  o.require_labels = {"feature"};  // ignores win over requirements
  EXPECT_EQ(Numbers(SelectPulls(m, o, kNow).awaiting_first_review), "");
}

TEST(ReportDigestOptionTest, RequiredLabelsKeepOnlyPullsWithOneOfThem) {
  ReportModel m = Seeded();
  m.pulls[2].labels = {"backend"};   // #7
  m.pulls[4].labels = {"frontend"};  // #99
  ReportOptions o;
  o.require_labels = {"backend", "frontend"};
  const PullSelection s = SelectPulls(m, o, kNow);
  EXPECT_EQ(Numbers(s.awaiting_first_review), "");
  EXPECT_EQ(Numbers(s.awaiting_action), "7");
  EXPECT_EQ(Numbers(s.stale), "99");
}

TEST(ReportDigestOptionTest, MinimumAgeLeavesYoungerPullsOutInWorkingHoursWhenAsked) {
  ReportModel m;
  m.has_pulls = true;
  // Opened Friday 2026-03-06 18:00 UTC; seen Monday 2026-03-09 08:00 UTC: 62 hours, 14 working.
  const std::int64_t friday_18 = 1'772'820'000'000;
  const std::int64_t monday_08 = friday_18 + 62 * kHour;
  m.pulls = {Pull("acme/api", 1, "Friday PR", 0, 0)};
  m.pulls[0].created_at_ms = m.pulls[0].updated_at_ms = friday_18;
  ReportOptions o;
  o.stale_hours = 1000;
  o.min_age_hours = 24;
  EXPECT_EQ(SelectPulls(m, o, monday_08).awaiting_first_review.size(), 1u);
  o.working_days_only = true;  // "Minimum age should ignore weekends"
  EXPECT_TRUE(SelectPulls(m, o, monday_08).awaiting_first_review.empty());
  o.min_age_hours = 14;
  EXPECT_EQ(SelectPulls(m, o, monday_08).awaiting_first_review.size(), 1u);
}

TEST(ReportDigestOptionTest, PullsWithNApprovalsAreLeftOut) {
  ReportModel m = Seeded();
  m.pulls[2].approvals = 2;  // #7
  m.pulls[3].approvals = 1;  // #8 (stale)
  ReportOptions o;
  o.ignore_approved_at = 2;
  const PullSelection two = SelectPulls(m, o, kNow);
  EXPECT_EQ(Numbers(two.awaiting_action), "");
  EXPECT_EQ(Numbers(two.stale), "99,8");
  o.ignore_approved_at = 1;
  EXPECT_EQ(Numbers(SelectPulls(m, o, kNow).stale), "99");
  o.ignore_approved_at = 0;  // off
  EXPECT_EQ(Numbers(SelectPulls(m, o, kNow).awaiting_action), "7");
}

TEST(ReportDigestOptionTest, DraftsAreLeftOutByDefaultAndMarkedWhenIncluded) {
  ReportOptions o;
  const std::string without = RenderDigest(Seeded(), o, kNow).dump();
  EXPECT_EQ(without.find("acme/api#103"), std::string::npos);
  EXPECT_NE(without.find("Drafts are not listed."), std::string::npos);
  o.include_drafts = true;
  const std::string with = RenderDigest(Seeded(), o, kNow).dump();
  EXPECT_NE(with.find("acme/api#103"), std::string::npos);
  EXPECT_NE(with.find("(draft)"), std::string::npos);
  EXPECT_EQ(with.find("Drafts are not listed."), std::string::npos);
}

TEST(ReportDigestOptionTest, WorkingDaysOnlyCountsIdleHoursMondayToFriday) {
  ReportModel m;
  m.has_pulls = true;
  const std::int64_t friday_18 = 1'772'820'000'000;
  m.pulls = {Pull("acme/api", 1, "Weekend PR", 0, 0)};
  m.pulls[0].created_at_ms = m.pulls[0].updated_at_ms = friday_18;
  ReportOptions o;
  o.stale_hours = 24;
  // Monday 2026-03-09 12:00 UTC: 66 hours idle, 18 of them working.
  const std::int64_t monday_12 = friday_18 + 66 * kHour;
  EXPECT_EQ(Numbers(SelectPulls(m, o, monday_12).stale), "1");
  o.working_days_only = true;
  EXPECT_EQ(Numbers(SelectPulls(m, o, monday_12).awaiting_first_review), "1");
  const std::string rendered = RenderDigest(m, o, monday_12).dump();
  EXPECT_NE(rendered.find("idle over 24 working hours"), std::string::npos);
  EXPECT_NE(rendered.find("18h old"), std::string::npos);
}

TEST(ReportDigestTest, FormatsAges) {
  EXPECT_EQ(FormatAge(3 * kDay + 5 * kHour), "3d");
  EXPECT_EQ(FormatAge(5 * kHour + 59 * 60'000), "5h");
  EXPECT_EQ(FormatAge(12 * 60'000), "12m");
  EXPECT_EQ(FormatAge(-5), "0m");
}

TEST(ReportDigestTest, MatchesTheGoldenRendering) {
  const json rendered = RenderDigest(Seeded(), ReportOptions{}, kNow);
  const std::string path =
      std::string(CONTEXTEN_SOURCE_DIR) + "/tests/unit/workflows/present/golden/report_digest.json";
  if (std::getenv("CONTEXTEN_UPDATE_GOLDEN")) {
    std::ofstream(path) << rendered.dump(2) << "\n";
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " (run with CONTEXTEN_UPDATE_GOLDEN=1 to create it)";
  const json golden = json::parse(in);
  EXPECT_EQ(rendered, golden) << rendered.dump(2);
  EXPECT_TRUE(integrations::slack::blocks::Validate(
      rendered, integrations::slack::blocks::Surface::kMessage));
}

TEST(ReportDigestTest, FiveHundredPullsStayWithinBlockKitLimitsWithAFullListLink) {
  ReportModel m = Seeded();
  m.pulls.clear();
  for (int i = 0; i < 500; ++i) {
    // A third each: awaiting first review, reviewed, stale; long titles to press on 3000 chars.
    const int kind = i % 3;
    m.pulls.push_back(
        Pull("acme/monorepo-with-a-long-name", 1000 + i,
             "Make the " + std::to_string(i) + "th thing faster " + std::string(120, 'x'),
             (i + 1) * kHour, kind == 2 ? 5 * kDay : kHour, kind == 1 ? 1 : 0));
  }
  for (int i = 0; i < 40; ++i) {
    m.ci_failures.push_back({"acme/api", "main", "CI " + std::to_string(i),
                             "https://github.com/acme/api/actions/runs/" + std::to_string(i),
                             kNow - i * kHour});
  }
  const json rendered = RenderDigest(m, ReportOptions{}, kNow);
  ASSERT_TRUE(rendered.contains("blocks")) << rendered.dump();
  const auto violations = integrations::slack::blocks::FindViolations(
      rendered, integrations::slack::blocks::Surface::kMessage);
  for (const auto& v : violations) ADD_FAILURE() << v.message;
  EXPECT_LE(rendered["blocks"].size(), integrations::slack::blocks::limits::kMessageBlocks);
  const std::string all = rendered.dump();
  EXPECT_NE(all.find("Awaiting first review* (167)"), std::string::npos);
  EXPECT_NE(all.find("more: <https://github.com/pulls?q=is%3Aopen+is%3Apr+org%3Aacme|full list>"),
            std::string::npos);
  // The section shows what fits (at most 15) and counts the rest.
  const std::string section = rendered["blocks"][3]["text"]["text"];
  std::size_t shown = 0;
  for (auto at = section.find("\n• "); at != std::string::npos; at = section.find("\n• ", at + 1)) {
    ++shown;
  }
  EXPECT_GE(shown, 10u);
  EXPECT_LE(shown, 15u);
  EXPECT_NE(section.find("…and " + std::to_string(167 - shown) + " more"), std::string::npos)
      << section;
}

TEST(ReportDigestTest, SaysSoWhenASourceIsNotConfigured) {
  ReportModel m;
  const json rendered = RenderDigest(m, ReportOptions{}, kNow);
  const std::string all = rendered.dump();
  EXPECT_NE(all.find("Linear is not configured"), std::string::npos);
  EXPECT_NE(all.find("GitHub is not configured"), std::string::npos);
  EXPECT_TRUE(integrations::slack::blocks::Validate(
      rendered, integrations::slack::blocks::Surface::kMessage));
}

TEST(ReportWeeklyTest, ShowsTheWeeksCountsAndFailureRate) {
  ReportModel m = Seeded();
  m.week = {12, 9, 30.4, 14, 42, 3, 1};
  const json rendered = RenderWeekly(m);
  const std::string all = rendered.dump();
  EXPECT_NE(all.find("*Issues created*\\n12"), std::string::npos) << all;
  EXPECT_NE(all.find("*Median cycle time*\\n30h"), std::string::npos);
  EXPECT_NE(all.find("7% (3 of 42 runs)"), std::string::npos);
  EXPECT_EQ(rendered["text"], "Weekly summary: 9 issues completed, 14 PRs merged");
  EXPECT_TRUE(integrations::slack::blocks::Validate(
      rendered, integrations::slack::blocks::Surface::kMessage));
}

TEST(ReportModelTest, RoundTripsThroughJson) {
  ReportModel m = Seeded();
  m.week = {1, 2, 3.5, 4, 5, 6, 7};
  m.pulls[0].labels = {"a", "b"};
  EXPECT_EQ(ToJson(ReportModelFromJson(ToJson(m))), ToJson(m));
  ReportOptions o;
  o.stale_hours = 8;
  o.working_days_only = true;
  o.ignore_labels = {"x"};
  o.teams = {"ENG"};
  EXPECT_EQ(ToJson(ReportOptionsFromJson(ToJson(o))), ToJson(o));
  EXPECT_EQ(ReportOptionsFromJson(json::object()).stale_hours, 48);
}

}  // namespace
}  // namespace contexten::workflows::present
