#include "workflows/schedule/cron.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/workflows/schedule/utc_time.hpp"

namespace contexten::workflows::schedule {
namespace {

using namespace std::chrono_literals;

using test::Utc;

CronSpec Parse(const std::string& text) {
  auto spec = ParseCron(text);
  EXPECT_TRUE(spec.has_value()) << text << ": " << (spec ? "" : spec.error().message);
  return spec ? *spec : CronSpec{};
}

TimeZone Zone(const std::string& name) {
  auto zone = TimeZone::Find(name);
  EXPECT_TRUE(zone.has_value()) << name;
  return zone ? *zone : TimeZone::Utc();
}

TEST(CronParseTest, FieldsListsRangesStepsAndNames) {
  const CronSpec spec = Parse("5,10-12,*/20 9-17/4 1,15 JAN-mar,dec mon-FRI");
  for (int m : {0, 5, 10, 11, 12, 20, 40}) EXPECT_TRUE(spec.minutes[m]) << m;
  EXPECT_EQ(spec.minutes.count(), 7u);
  for (int h : {9, 13, 17}) EXPECT_TRUE(spec.hours[h]) << h;
  EXPECT_EQ(spec.hours.count(), 3u);
  EXPECT_EQ(spec.days_of_month.count(), 2u);
  EXPECT_TRUE(spec.months[1] && spec.months[2] && spec.months[3] && spec.months[12]);
  EXPECT_EQ(spec.months.count(), 4u);
  EXPECT_EQ(spec.days_of_week.count(), 5u);
  EXPECT_FALSE(spec.days_of_week[0]);
  EXPECT_TRUE(spec.day_of_month_restricted);
  EXPECT_TRUE(spec.day_of_week_restricted);
}

TEST(CronParseTest, SevenIsSundayAndStartSlashStepRunsToTheEnd) {
  const CronSpec spec = Parse("7/15 0 * * 5-7");
  EXPECT_TRUE(spec.minutes[7] && spec.minutes[22] && spec.minutes[37] && spec.minutes[52]);
  EXPECT_EQ(spec.minutes.count(), 4u);
  EXPECT_TRUE(spec.days_of_week[0] && spec.days_of_week[5] && spec.days_of_week[6]);
  EXPECT_EQ(spec.days_of_week.count(), 3u);
  EXPECT_FALSE(spec.day_of_month_restricted);
}

TEST(CronParseTest, MacrosExpand) {
  EXPECT_EQ(Parse("@daily").minutes.count(), 1u);
  EXPECT_EQ(Parse("@hourly").hours.count(), 24u);
  const CronSpec weekly = Parse("@weekly");
  EXPECT_TRUE(weekly.days_of_week[0]);
  EXPECT_EQ(weekly.days_of_week.count(), 1u);
  const CronSpec yearly = Parse("@yearly");
  EXPECT_TRUE(yearly.months[1]);
  EXPECT_EQ(yearly.months.count(), 1u);
  EXPECT_TRUE(Parse("@monthly").days_of_month[1]);
}

TEST(CronParseTest, ErrorsNameTheFieldAndTheText) {
  auto expect_error = [](const std::string& text, const std::string& needle) {
    auto spec = ParseCron(text);
    ASSERT_FALSE(spec.has_value()) << text;
    EXPECT_EQ(spec.error().kind, core::ErrorKind::kInvalidInput);
    EXPECT_NE(spec.error().message.find(needle), std::string::npos) << spec.error().message;
  };
  expect_error("75 * * * *", "minute field: '75' is out of range 0-59");
  expect_error("0 24 * * *", "hour field: '24'");
  expect_error("0 0 0 * *", "day-of-month field: '0'");
  expect_error("0 0 * FOO *", "month field: 'FOO'");
  expect_error("0 0 * * 8", "day-of-week field: '8'");
  expect_error("0 0 * * MON-SUNDAY", "day-of-week field: 'MON-SUNDAY'");
  expect_error("*/0 * * * *", "minute field: '*/0' has a step of 0");
  expect_error("0 5-2 * * *", "hour field: '5-2' is a range that runs backwards");
  expect_error("0 1,,2 * * *", "hour field: '1,,2'");
  expect_error("0 9 * *", "needs 5 fields");
  expect_error("0 9 * * * *", "got 6");
  expect_error("@fortnightly", "unknown macro '@fortnightly'");
  expect_error("0 MON * * *", "hour field: 'MON' is not a number");
}

TEST(CronDayTest, BothDayFieldsRestrictedMeansEither) {
  const CronSpec spec = Parse("0 0 13 * 5");  // the 13th, or any Friday
  EXPECT_TRUE(DayMatches(spec, 3, 13, 2));
  EXPECT_TRUE(DayMatches(spec, 3, 6, 5));
  EXPECT_FALSE(DayMatches(spec, 3, 6, 4));
}

TEST(CronDayTest, OneDayFieldStarredMeansBoth) {
  // Vixie cron: a field starting with '*' (even "*/2") counts as unrestricted.
  const CronSpec spec = Parse("0 0 */2 * 1");
  EXPECT_TRUE(DayMatches(spec, 1, 5, 1));
  EXPECT_FALSE(DayMatches(spec, 1, 3, 6));
  EXPECT_FALSE(DayMatches(spec, 1, 12, 1));
  EXPECT_FALSE(Parse("0 0 * * 1").day_of_month_restricted);
}

TEST(CronNextTest, UtcBasics) {
  const TimeZone utc = TimeZone::Utc();
  EXPECT_EQ(NextAfter(Parse("*/15 * * * *"), Utc("2026-01-01 10:07"), utc),
            Utc("2026-01-01 10:15"));
  // Strictly after: an instant that is a slot gives the next one.
  EXPECT_EQ(NextAfter(Parse("0 9 * * *"), Utc("2026-01-01 09:00"), utc), Utc("2026-01-02 09:00"));
  EXPECT_EQ(NextAfter(Parse("0 9 * * *"), Utc("2026-01-01 08:59") + 59s + 999ms, utc),
            Utc("2026-01-01 09:00"));
  EXPECT_EQ(NextAfter(Parse("0 0 29 2 *"), Utc("2026-03-01 00:00"), utc), Utc("2028-02-29 00:00"));
  EXPECT_EQ(NextAfter(Parse("0 0 13 * 5"), Utc("2026-03-07 00:00"), utc), Utc("2026-03-13 00:00"));
  EXPECT_EQ(NextAfter(Parse("0 0 31 * *"), Utc("2026-04-01 00:00"), utc), Utc("2026-05-31 00:00"));
  EXPECT_EQ(NextAfter(Parse("0 0 30 2 *"), Utc("2026-01-01 00:00"), utc), std::nullopt);
}

TEST(CronNextTest, ZoneOffsetsApply) {
  const TimeZone berlin = Zone("Europe/Berlin");
  EXPECT_EQ(NextAfter(Parse("0 9 * * *"), Utc("2026-01-15 00:00"), berlin),
            Utc("2026-01-15 08:00"));
  EXPECT_EQ(NextAfter(Parse("0 9 * * *"), Utc("2026-07-15 00:00"), berlin),
            Utc("2026-07-15 07:00"));
  const TimeZone kolkata = Zone("Asia/Kolkata");
  EXPECT_EQ(NextAfter(Parse("0 9 * * *"), Utc("2026-07-15 00:00"), kolkata),
            Utc("2026-07-15 03:30"));
}

TEST(CronDstTest, SpringForwardGapFiresOnceAtTheEndOfTheGap) {
  // New York, 2026-03-08: 02:00 EST -> 03:00 EDT (07:00 UTC); 02:30 does not exist.
  const TimeZone ny = Zone("America/New_York");
  const CronSpec daily = Parse("30 2 * * *");
  const auto fires = NextFires(daily, Utc("2026-03-06 12:00"), ny, 4);
  ASSERT_EQ(fires.size(), 4u);
  EXPECT_EQ(fires[0], Utc("2026-03-07 07:30"));  // 02:30 EST
  EXPECT_EQ(fires[1], Utc("2026-03-08 07:00"));  // the gap: once, at 03:00 EDT
  EXPECT_EQ(fires[2], Utc("2026-03-09 06:30"));  // 02:30 EDT
  EXPECT_EQ(fires[3], Utc("2026-03-10 06:30"));
  // Every 15 minutes through the gap: 02:00..02:45 and 03:00 are one instant, once.
  const auto quarter = NextFires(Parse("*/15 1-3 8 3 *"), Utc("2026-03-08 06:40"), ny, 3);
  ASSERT_EQ(quarter.size(), 3u);
  EXPECT_EQ(quarter[0], Utc("2026-03-08 06:45"));  // 01:45 EST
  EXPECT_EQ(quarter[1], Utc("2026-03-08 07:00"));  // 03:00 EDT, standing for 02:00..03:00
  EXPECT_EQ(quarter[2], Utc("2026-03-08 07:15"));  // 03:15 EDT
}

TEST(CronDstTest, FallBackRepeatedTimeFiresOnceAtTheFirst) {
  // New York, 2026-11-01: 02:00 EDT -> 01:00 EST (06:00 UTC); 01:30 occurs twice.
  const TimeZone ny = Zone("America/New_York");
  const auto fires = NextFires(Parse("30 1 * * *"), Utc("2026-10-31 12:00"), ny, 2);
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires[0], Utc("2026-11-01 05:30"));  // 01:30 EDT, the first
  EXPECT_EQ(fires[1], Utc("2026-11-02 06:30"));  // next day; not 06:30 on Nov 1 (01:30 EST)
  // Asked from inside the repeated hour (01:10 EST), the second 01:30 does not fire.
  EXPECT_EQ(NextAfter(Parse("30 1 * * *"), Utc("2026-11-01 06:10"), ny), Utc("2026-11-02 06:30"));
  // Hourly: 01:00 fires once (EDT), then 02:00 EST.
  const auto hourly = NextFires(Parse("0 * * * *"), Utc("2026-11-01 04:30"), ny, 2);
  ASSERT_EQ(hourly.size(), 2u);
  EXPECT_EQ(hourly[0], Utc("2026-11-01 05:00"));
  EXPECT_EQ(hourly[1], Utc("2026-11-01 07:00"));
}

TEST(CronZoneTest, UnknownZoneIsAnInputError) {
  auto zone = TimeZone::Find("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.has_value());
  EXPECT_EQ(zone.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(zone.error().message.find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(CronFormatTest, LocalTimeWithAbbreviation) {
  EXPECT_EQ(FormatLocal(Utc("2026-03-30 07:00"), Zone("Europe/Berlin")),
            "Mon 2026-03-30 09:00 CEST");
  EXPECT_EQ(FormatLocal(Utc("2026-01-05 08:00"), Zone("Europe/Berlin")),
            "Mon 2026-01-05 09:00 CET");
}

}  // namespace
}  // namespace contexten::workflows::schedule
