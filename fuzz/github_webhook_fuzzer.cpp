// GitHub webhook deliveries as the webhook ingress handles them: X-Hub-Signature-256 checked
// against the raw body, the top-level scan, then the typed event parse.
// Input: line 1 the X-GitHub-Event name, line 2 the X-Hub-Signature-256 header as sent, the rest
// the body. The body is then also checked with its correct signature (which must verify) so that
// every input reaches the parser, as a correctly signed delivery would.

#include "bot/webhooks/top_level_scan.hpp"
#include "fuzz/fuzz_support.hpp"
#include "integrations/github/events.hpp"
#include "integrations/github/webhook_verify.hpp"

using namespace contexten::integrations::github;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr std::string_view kSecret = "It's a Secret to Everybody";
  std::string_view rest = contexten::fuzz::AsText(data, size);
  const std::string_view event = contexten::fuzz::TakeLine(rest);
  const std::string_view header = contexten::fuzz::TakeLine(rest);
  const std::string_view body = rest;

  const auto as_sent = VerifyGitHubSignature(kSecret, body, header);
  const std::string correct = SignGitHubPayload(kSecret, body);
  FUZZ_CHECK(VerifyGitHubSignature(kSecret, body, correct).has_value());
  // A header that verifies is the correct signature (hex case aside).
  if (as_sent) FUZZ_CHECK(header.size() == correct.size());

  (void)contexten::bot::webhooks::ScanTopLevel(body);
  if (auto parsed = ParseGitHubEvent(event, body)) (void)parsed;
  return 0;
}
