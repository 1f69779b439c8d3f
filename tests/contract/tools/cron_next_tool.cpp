// Reads lines "<cron>\t<time zone>\t<after, ms since the epoch>" on stdin and prints, for each,
// the next fire instant in ms, "none" when it never fires, or "error <message>" when the cron or
// zone does not parse; for cron.test.mjs to compare with cron-parser.
#include <chrono>
#include <iostream>
#include <string>

#include "workflows/schedule/cron.hpp"

namespace schedule = contexten::workflows::schedule;

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 == std::string::npos ? tab1 : tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) {
      std::cout << "error malformed input line\n";
      continue;
    }
    auto spec = schedule::ParseCron(line.substr(0, tab1));
    auto zone = schedule::TimeZone::Find(line.substr(tab1 + 1, tab2 - tab1 - 1));
    if (!spec || !zone) {
      std::cout << "error " << (!spec ? spec.error().message : zone.error().message) << "\n";
      continue;
    }
    const contexten::core::WallTime after{
        std::chrono::milliseconds(std::stoll(line.substr(tab2 + 1)))};
    const auto next = schedule::NextAfter(*spec, after, *zone);
    if (!next) {
      std::cout << "none\n";
    } else {
      std::cout
          << std::chrono::duration_cast<std::chrono::milliseconds>(next->time_since_epoch()).count()
          << "\n";
    }
  }
  return 0;
}
