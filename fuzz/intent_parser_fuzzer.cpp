// intents::Understand: every way of asking (slash command, mention, direct message, thread
// reply) becomes one Understanding. The first byte picks the source and the thread context.

#include <string>

#include "fuzz/fuzz_support.hpp"
#include "intents/understanding.hpp"

using namespace contexten::intents;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  UtteranceContext context;
  context.source = static_cast<UtteranceContext::Source>(data[0] % 4);
  if (data[0] & 0x10) context.thread_issue = "ENG-42";
  if (data[0] & 0x20) context.team_keys = {"ENG", "OPS"};
  const std::string_view text = contexten::fuzz::AsText(data + 1, size - 1);
  const Understanding understanding = Understand(text, context);
  FUZZ_CHECK(understanding.confidence >= 0 && understanding.confidence <= 1);
  // A vocabulary intent, or a command outside it under its own name (understanding.hpp).
  FUZZ_CHECK(!understanding.intent.empty());
  FUZZ_CHECK(understanding.entities.is_object());
  (void)IsDestructive(understanding.intent);
  // From well-formed text (all Slack can deliver), every entity serializes: no code point is
  // split when words are cut out, so the JSON stored with the run is valid.
  if (contexten::fuzz::IsValidUtf8(text)) {
    (void)understanding.entities.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  }
  return 0;
}
