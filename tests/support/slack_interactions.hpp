#pragma once
// An interaction payload as the listeners receive it: wrapped in a Socket Mode envelope of
// `type` ("interactive", ...) and parsed by the product's own parser.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "integrations/slack/interaction.hpp"

namespace contexten::testing {

inline integrations::slack::Interaction ParseTestInteraction(std::string type,
                                                             nlohmann::json payload) {
  integrations::slack::Envelope e;
  e.envelope_id = "E1";
  e.type = std::move(type);
  e.payload = std::move(payload);
  auto i = integrations::slack::ParseInteraction(e);
  EXPECT_TRUE(i) << i.error().message;
  return *i;
}

}  // namespace contexten::testing
