// Socket Mode frames as Slack sends them over the WebSocket (hello, disconnect, envelopes of
// events_api, slash_commands and interactive), through the same calls the client and the
// dispatcher make: ParseSocketMessage, then ParseInteraction, the dedupe key and the ack.

#include <variant>

#include "fuzz/fuzz_support.hpp"
#include "integrations/slack/envelope.hpp"
#include "integrations/slack/interaction.hpp"

using namespace contexten::integrations::slack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = ParseSocketMessage(contexten::fuzz::AsText(data, size));
  if (!message) return 0;
  if (const auto* envelope = std::get_if<Envelope>(&*message)) {
    (void)envelope->event_id();
    (void)envelope->DedupeKey();
    const std::string ack = SerializeAck(envelope->envelope_id, nullptr);
    FUZZ_CHECK(!ack.empty());
    if (auto interaction = ParseInteraction(*envelope)) {
      (void)interaction->thread_ts();
      (void)interaction->action();
      (void)ToString(interaction->kind);
    }
  }
  return 0;
}
