#pragma once
// "YYYY-MM-DD HH:MM" as a UTC instant, for the schedule tests. (date::parse is avoided: with
// GCC 12 -O2 it trips -Wmaybe-uninitialized inside date.h.)

#include <date/date.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/clock.hpp"

namespace contexten::workflows::schedule::test {

inline core::WallTime Utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5) << text;
  const date::sys_days day{date::year{y} / static_cast<unsigned>(mo) / static_cast<unsigned>(d)};
  return core::WallTime{
      (day + std::chrono::hours(h) + std::chrono::minutes(mi)).time_since_epoch()};
}

}  // namespace contexten::workflows::schedule::test
