#pragma once

#include <string>

namespace contexten::integrations::linear {

// A random (version 4) UUID, the form Linear accepts for client-chosen entity ids.
std::string NewLinearUuid();

}  // namespace contexten::integrations::linear
