// The slash-command grammar: the text after `/ctx` as a user types it, through the word
// splitter, the tokenizer, the typed parse and the typo suggestions.

#include "fuzz/fuzz_support.hpp"
#include "intents/intent.hpp"
#include "intents/slash_command.hpp"

using namespace contexten::intents;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = contexten::fuzz::AsText(data, size);
  const auto words = SplitWords(text);
  const auto tokens = Tokenize(text);
  // The tokenizer and the word splitter agree on what is malformed and on how many words.
  FUZZ_CHECK(words.has_value() == tokens.has_value());
  if (words && tokens) FUZZ_CHECK(words->size() == tokens->size());
  if (tokens && !tokens->empty()) {
    (void)SuggestCommands(tokens->front());
    (void)ParsePriority(tokens->back());
  }
  if (auto intent = ParseSlashCommand(text)) {
    FUZZ_CHECK(!IntentName(*intent).empty());
    if (const auto* unknown = std::get_if<UnknownIntent>(&*intent)) {
      (void)UnknownCommandMessage(*unknown);
    }
  } else {
    FUZZ_CHECK(!intent.error().message.empty());
  }
  return 0;
}
