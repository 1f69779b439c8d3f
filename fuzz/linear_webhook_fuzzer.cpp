// Linear webhook deliveries as the webhook ingress handles them: the Linear-Signature header
// checked against the raw body, the webhookTimestamp window, the top-level scan and the typed
// event parse. Input: line 1 the Linear-Signature header as sent, the rest the body; the body is
// also checked with its correct signature, which must verify.

#include "bot/webhooks/top_level_scan.hpp"
#include "core/clock.hpp"
#include "fuzz/fuzz_support.hpp"
#include "integrations/linear/events.hpp"
#include "integrations/linear/webhook_verify.hpp"

using namespace contexten::integrations::linear;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr std::string_view kSecret = "lin_wh_fuzz_secret";
  std::string_view rest = contexten::fuzz::AsText(data, size);
  const std::string_view header = contexten::fuzz::TakeLine(rest);
  const std::string_view body = rest;

  (void)VerifyLinearSignature(kSecret, body, header);
  FUZZ_CHECK(VerifyLinearSignature(kSecret, body, SignLinearPayload(kSecret, body)).has_value());

  static contexten::core::FakeClock clock;
  (void)CheckLinearTimestamp(body, clock);
  (void)contexten::bot::webhooks::ScanTopLevel(body);
  if (auto event = ParseLinearWebhook(body)) {
    if (event->webhook_timestamp_ms)
      (void)CheckLinearTimestampMs(*event->webhook_timestamp_ms, clock);
  }
  return 0;
}
