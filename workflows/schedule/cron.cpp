#include "workflows/schedule/cron.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <sstream>

namespace contexten::workflows::schedule {
namespace {

using core::ErrorKind;

struct Field {
  const char* name;
  unsigned min;
  unsigned max;
  const std::array<const char*, 12>* names;  // names[i] stands for min + i
};

constexpr std::array<const char*, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 12> kDayNames = {
    "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr, nullptr, nullptr, nullptr, nullptr};

const Field kFields[5] = {
    {"minute", 0, 59, nullptr},        {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},  {"month", 1, 12, &kMonthNames},
    {"day-of-week", 0, 7, &kDayNames},  // 7 is Sunday too
};

core::Error FieldError(const Field& field, std::string_view text, const std::string& why) {
  return core::MakeError(ErrorKind::kInvalidInput, std::string("cron ") + field.name + " field: '" +
                                                       std::string(text) + "' " + why);
}

std::string Range(const Field& field) {
  return std::to_string(field.min) + "-" + std::to_string(field.max);
}

core::Result<unsigned> ParseValue(const Field& field, std::string_view text,
                                  std::string_view item) {
  if (text.empty()) return FieldError(field, item, "has an empty value");
  if (std::isdigit(static_cast<unsigned char>(text[0]))) {
    unsigned value = 0;
    for (char c : text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return FieldError(field, item, "is not a number");
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > 1000) break;
    }
    if (value < field.min || value > field.max) {
      return FieldError(field, item, "is out of range " + Range(field));
    }
    return value;
  }
  if (field.names) {
    std::string upper(text);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (std::size_t i = 0; i < field.names->size(); ++i) {
      if ((*field.names)[i] && upper == (*field.names)[i]) {
        return field.min + static_cast<unsigned>(i);
      }
    }
    return FieldError(field, item, "is not a number or a name");
  }
  return FieldError(field, item, "is not a number");
}

// Sets the bits of one field (bit i = value i); day-of-week 7 lands on bit 7 and is folded into
// Sunday by the caller.
core::Status ParseField(const Field& field, std::string_view text, std::bitset<64>& bits) {
  if (text.empty()) return FieldError(field, text, "is empty");
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) return FieldError(field, text, "has an empty list item");
    std::string_view base = item;
    unsigned step = 1;
    bool stepped = false;
    if (const auto slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      if (step_text.empty() || !std::all_of(step_text.begin(), step_text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          })) {
        return FieldError(field, item, "has a step that is not a number");
      }
      // Digits only, so at most 6 of them parse without overflow; larger steps act as "once".
      step =
          std::min(static_cast<unsigned>(std::stoul(std::string(step_text.substr(0, 6)))), 1000u);
      if (step == 0) return FieldError(field, item, "has a step of 0");
      stepped = true;
    }
    unsigned low = field.min;
    unsigned high = field.max;
    if (base == "*" || base == "?") {
      // the whole range
    } else if (const auto dash = base.find('-'); dash != std::string_view::npos) {
      auto a = ParseValue(field, base.substr(0, dash), item);
      if (!a) return a.error();
      auto b = ParseValue(field, base.substr(dash + 1), item);
      if (!b) return b.error();
      low = *a;
      high = *b;
      if (low > high) return FieldError(field, item, "is a range that runs backwards");
    } else {
      auto a = ParseValue(field, base, item);
      if (!a) return a.error();
      low = *a;
      high = stepped ? field.max : *a;  // "a/n" runs from a to the field's end
    }
    for (unsigned v = low; v <= high; v += step) bits.set(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return core::Ok();
}

std::string_view ExpandMacro(std::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return {};
}

template <std::size_t N>
std::bitset<N> Narrow(const std::bitset<64>& bits) {
  std::bitset<N> out;
  for (std::size_t i = 0; i < N; ++i) out[i] = bits[i];
  return out;
}

// The instant a local time stands for, by the DST rule in the header.
date::sys_seconds ToInstant(const date::time_zone* zone, date::local_seconds local) {
  const date::local_info info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return info.first.end;  // the transition: the first instant after the gap
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default:
      return date::sys_seconds{local.time_since_epoch()} - info.first.offset;
  }
}

}  // namespace

core::Result<CronSpec> ParseCron(std::string_view text) {
  CronSpec spec;
  spec.text = std::string(text);
  std::string_view body = text;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) {
    body.remove_prefix(1);
  }
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) {
    body.remove_suffix(1);
  }
  if (!body.empty() && body.front() == '@') {
    const std::string_view expanded = ExpandMacro(body);
    if (expanded.empty()) {
      return core::MakeError(ErrorKind::kInvalidInput,
                             "cron: unknown macro '" + std::string(body) +
                                 "' (known: @yearly, @monthly, @weekly, @daily, @hourly)");
    }
    body = expanded;
  }
  std::vector<std::string> parts;
  {
    std::istringstream in{std::string(body)};
    std::string part;
    while (in >> part) parts.push_back(part);
  }
  if (parts.size() != 5) {
    return core::MakeError(
        ErrorKind::kInvalidInput,
        "cron needs 5 fields (minute hour day-of-month month day-of-week), got " +
            std::to_string(parts.size()) + " in '" + std::string(text) + "'");
  }
  std::bitset<64> bits[5];
  for (int i = 0; i < 5; ++i) {
    if (auto parsed = ParseField(kFields[i], parts[i], bits[i]); !parsed) return parsed.error();
  }
  if (bits[4][7]) bits[4].set(0);  // 7 = Sunday
  spec.minutes = Narrow<60>(bits[0]);
  spec.hours = Narrow<24>(bits[1]);
  spec.days_of_month = Narrow<32>(bits[2]);
  spec.months = Narrow<13>(bits[3]);
  spec.days_of_week = Narrow<7>(bits[4]);
  spec.day_of_month_restricted = parts[2][0] != '*' && parts[2][0] != '?';
  spec.day_of_week_restricted = parts[4][0] != '*' && parts[4][0] != '?';
  return spec;
}

bool DayMatches(const CronSpec& spec, unsigned month, unsigned day, unsigned weekday) {
  if (!spec.months[month]) return false;
  const bool dom = spec.days_of_month[day];
  const bool dow = spec.days_of_week[weekday];
  if (spec.day_of_month_restricted && spec.day_of_week_restricted) return dom || dow;
  return dom && dow;
}

core::Result<TimeZone> TimeZone::Find(std::string_view name) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(zone, std::string(zone->name()));
  } catch (const std::exception&) {
    return core::MakeError(
        ErrorKind::kInvalidInput,
        "unknown time zone '" + std::string(name) + "' (use Area/City, e.g. " + "Europe/Berlin)");
  }
}

TimeZone TimeZone::Utc() { return TimeZone(date::locate_zone("UTC"), "UTC"); }

std::optional<core::WallTime> NextAfter(const CronSpec& spec, core::WallTime after,
                                        const TimeZone& zone) {
  using namespace std::chrono;
  const date::time_zone* tz = zone.zone();
  const auto after_s = floor<seconds>(after);
  const date::local_seconds local_after = tz->to_local(after_s);
  // Candidates on days before after's local day map to instants before it (the mapping of local
  // times to instants never decreases), so the search starts on that day.
  date::local_days day = floor<date::days>(local_after);
  const date::local_days last = day + date::days(366 * 8 + 2);
  for (; day <= last; day += date::days(1)) {
    const date::year_month_day ymd{day};
    const unsigned weekday = date::weekday{day}.c_encoding();
    if (!DayMatches(spec, static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    weekday)) {
      continue;
    }
    for (unsigned h = 0; h < 24; ++h) {
      if (!spec.hours[h]) continue;
      for (unsigned m = 0; m < 60; ++m) {
        if (!spec.minutes[m]) continue;
        const date::local_seconds local = day + hours(h) + minutes(m);
        const date::sys_seconds instant = ToInstant(tz, local);
        const core::WallTime at{instant.time_since_epoch()};
        if (at > after) return at;
      }
    }
  }
  return std::nullopt;
}

std::vector<core::WallTime> NextFires(const CronSpec& spec, core::WallTime after,
                                      const TimeZone& zone, std::size_t count) {
  std::vector<core::WallTime> out;
  while (out.size() < count) {
    auto next = NextAfter(spec, after, zone);
    if (!next) break;
    out.push_back(*next);
    after = *next;
  }
  return out;
}

std::string FormatLocal(core::WallTime at, const TimeZone& zone) {
  const auto zoned = date::make_zoned(zone.zone(), std::chrono::floor<std::chrono::seconds>(at));
  return date::format("%a %Y-%m-%d %H:%M %Z", zoned);
}

}  // namespace contexten::workflows::schedule
