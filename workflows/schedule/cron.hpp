#pragma once
// Cron expressions with time zones (pure; ../shared/DESIGN.md §2, workflows/schedule/).
//
// Syntax: five fields, "minute hour day-of-month month day-of-week", each `*`, a number, a
// range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the field's end), or a comma list of
// those. Months take JAN..DEC and days SUN..SAT (any case); day-of-week 0 and 7 are Sunday.
// Macros: @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
// As in Vixie cron and cronie: when both day fields are restricted (do not start with `*`), a day
// matches if EITHER matches; otherwise both must.
//
// Fire times are local times in the schedule's zone (IANA tz database through Howard Hinnant's
// date/tz, reading the system zoneinfo). Around daylight-saving changes:
// - a local time that does not exist (spring forward, 02:30 in a 02:00 -> 03:00 gap) fires once,
//   at the first instant after the gap (the transition itself, 03:00 new time); several slots in
//   one gap are that one instant;
// - a local time that occurs twice (fall back, 02:30 when 03:00 -> 02:00) fires once, at its
//   first occurrence (the earlier offset); the repeated hour does not fire again.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace contexten::workflows::schedule {

struct CronSpec {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // 1..31
  std::bitset<13> months;         // 1..12
  std::bitset<7> days_of_week;    // 0 = Sunday .. 6
  bool day_of_month_restricted = false;
  bool day_of_week_restricted = false;
  std::string text;  // as given
};

// kInvalidInput naming the field and the offending text, e.g.
// "cron minute field: '75' is out of range 0-59".
core::Result<CronSpec> ParseCron(std::string_view text);

// Whether the local calendar day (year, month 1..12, day 1..31, weekday 0 = Sunday) matches.
bool DayMatches(const CronSpec& spec, unsigned month, unsigned day, unsigned weekday);

// An IANA time zone ("Europe/Berlin", "UTC"), looked up once.
class TimeZone {
 public:
  // kInvalidInput for a name the tz database does not know.
  static core::Result<TimeZone> Find(std::string_view name);
  static TimeZone Utc();
  const std::string& name() const { return name_; }
  const date::time_zone* zone() const { return zone_; }

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  const date::time_zone* zone_;
  std::string name_;
};

// The first fire instant strictly after `after` (whole seconds), by the DST rule above; nullopt
// when the expression never fires (e.g. "0 0 30 2 *") within the next eight years.
std::optional<core::WallTime> NextAfter(const CronSpec& spec, core::WallTime after,
                                        const TimeZone& zone);

// The next `count` fire instants after `after`.
std::vector<core::WallTime> NextFires(const CronSpec& spec, core::WallTime after,
                                      const TimeZone& zone, std::size_t count);

// "Mon 2026-03-30 09:00 CEST": `at` as a local time in `zone`, for replies.
std::string FormatLocal(core::WallTime at, const TimeZone& zone);

}  // namespace contexten::workflows::schedule
