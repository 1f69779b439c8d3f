#pragma once
#include <string_view>

namespace contexten::bot {
std::string_view Version();
}
