#include "bot/version.hpp"

namespace contexten::bot {
std::string_view Version() { return CONTEXTEN_VERSION; }
}  // namespace contexten::bot
