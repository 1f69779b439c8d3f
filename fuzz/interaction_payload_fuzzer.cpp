// Interaction payloads (block_actions, view_submission, view_closed, shortcuts, message
// actions, event callbacks, slash commands): the JSON inside an envelope, wrapped the way each
// envelope type carries it, so the fuzzer spends its time in ParseInteraction rather than in
// the envelope. The first byte picks the envelope type.

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_support.hpp"
#include "integrations/slack/envelope.hpp"
#include "integrations/slack/interaction.hpp"

using namespace contexten::integrations::slack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kTypes[] = {"events_api", "slash_commands", "interactive", "other"};
  Envelope envelope;
  envelope.envelope_id = "fuzz-envelope";
  envelope.type = kTypes[data[0] % 4];
  envelope.payload = nlohmann::json::parse(contexten::fuzz::AsText(data + 1, size - 1), nullptr,
                                           /*allow_exceptions=*/false);
  if (envelope.payload.is_discarded()) return 0;
  (void)envelope.event_id();
  (void)envelope.DedupeKey();
  if (auto interaction = ParseInteraction(envelope)) {
    (void)interaction->thread_ts();
    if (const auto* action = interaction->action()) FUZZ_CHECK(action == &interaction->actions[0]);
  }
  return 0;
}
