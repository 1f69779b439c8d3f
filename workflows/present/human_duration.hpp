#pragma once
// A duration the way a person says it in a Slack line: "12s", "1m 30s", "15m", "2h 5m", "3h".
// Two units at most, the smaller left out when zero. Used wherever a message names an elapsed
// or allowed time (an incident's length, a question's time to answer).

#include <cstdint>
#include <string>

namespace contexten::workflows::present {

std::string HumanDuration(std::int64_t ms);

}  // namespace contexten::workflows::present
