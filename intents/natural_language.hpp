#pragma once
// The natural-language reader for mentions, direct messages and thread replies
// (../shared/DESIGN.md §2, intents/): deterministic and local. Normalises Slack markup,
// tokenizes, maps words to cues (light stemming, typo-tolerant matching), scores each intent
// from its cues and the entities present, fills the entities of the best one and says which
// required ones are missing rather than guessing them.

#include <string_view>

#include "intents/understanding.hpp"

namespace contexten::intents {

// `text` must be valid UTF-8 (SanitizeUtf8). Work is linear in the text and capped at a few
// hundred tokens.
Understanding UnderstandNaturalLanguage(std::string_view text, const UtteranceContext& context);

}  // namespace contexten::intents
