#include "workflows/present/human_duration.hpp"

#include <algorithm>

namespace contexten::workflows::present {

std::string HumanDuration(std::int64_t ms) {
  std::int64_t s = std::max<std::int64_t>(0, ms / 1000);
  const std::int64_t h = s / 3600, m = (s % 3600) / 60;
  s %= 60;
  if (h > 0) return std::to_string(h) + "h" + (m > 0 ? " " + std::to_string(m) + "m" : "");
  if (m > 0) return std::to_string(m) + "m" + (s > 0 ? " " + std::to_string(s) + "s" : "");
  return std::to_string(s) + "s";
}

}  // namespace contexten::workflows::present
