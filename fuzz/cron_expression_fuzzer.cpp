// Cron expressions with time zones (workflows/schedule/cron.hpp): the parse, then the next fire
// times, which must be strictly increasing, after the start, and on days the expression matches.
// Input: byte 0 picks the zone (DST shifts of an hour, half an hour, none), bytes 1-4 the start
// (minutes after 2026-01-01T00:00Z, up to about eight years), the rest the expression.

#include <chrono>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "workflows/schedule/cron.hpp"

using namespace contexten::workflows::schedule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  static const char* const kZones[] = {"UTC", "Europe/Berlin", "America/New_York",
                                       "Australia/Lord_Howe", "Asia/Kathmandu"};
  static const TimeZone zones[] = {*TimeZone::Find(kZones[0]), *TimeZone::Find(kZones[1]),
                                   *TimeZone::Find(kZones[2]), *TimeZone::Find(kZones[3]),
                                   *TimeZone::Find(kZones[4])};
  const TimeZone& zone = zones[data[0] % 5];
  const uint32_t minutes =
      (uint32_t{data[1]} << 24 | uint32_t{data[2]} << 16 | uint32_t{data[3]} << 8 | data[4]) %
      (8u * 366 * 24 * 60);
  const auto start =
      contexten::core::WallTime{std::chrono::seconds(1767225600)} + std::chrono::minutes(minutes);
  auto spec = ParseCron(contexten::fuzz::AsText(data + 5, size - 5));
  if (!spec) {
    FUZZ_CHECK(!spec.error().message.empty());
    return 0;
  }
  auto previous = start;
  for (const auto fire : NextFires(*spec, start, zone, 3)) {
    FUZZ_CHECK(fire > previous);
    previous = fire;
    (void)FormatLocal(fire, zone);
  }
  return 0;
}
