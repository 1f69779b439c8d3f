// Block Kit validation: JSON a builder produced or a client sent the sandbox Slack, checked
// against Slack's limits for each surface. The first byte picks the surface.

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.hpp"
#include "integrations/slack/block_kit/validate.hpp"

using namespace contexten::integrations::slack::blocks;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto payload = nlohmann::json::parse(contexten::fuzz::AsText(data + 1, size - 1), nullptr,
                                             /*allow_exceptions=*/false);
  if (payload.is_discarded()) return 0;
  const auto surface = static_cast<Surface>(data[0] % 3);
  const auto violations = FindViolations(payload, surface);
  const auto status = Validate(payload, surface);
  // Validate is Ok exactly when there is no violation.
  FUZZ_CHECK(status.has_value() == violations.empty());
  for (const auto& violation : violations) FUZZ_CHECK(!violation.message.empty());
  return 0;
}
