#pragma once
// The words the natural-language reader listens for (../shared/DESIGN.md §2, intents/): a
// hand-written lexicon of cue words with light stemming (noun plurals) and typo tolerance, and
// the closed lists it recognises (states, environments, words that are not team keys). Pure.

#include <span>
#include <string_view>

#include "intents/utterance.hpp"

namespace contexten::intents {

struct Cued {
  std::string_view cue;  // "create", "noun", "close", ... or "" for an ordinary word
  bool typo = false;     // matched within an edit or two of a cue word ("clsoe")
};

// The cue a word token stands for. Inflected verbs ("closed", "deploying", "closes") are not
// cues: they narrate rather than ask. Real words near a cue word ("lint", "return") never match
// as typos of it.
Cued CueOf(const Token& token);

bool IsDeterminer(std::string_view word);    // the, a, my, this, last, ...
bool IsAcronym(std::string_view word);       // CSV, API, QA: capitals that are no team key
std::span<const std::string_view> States();  // "in progress", "todo", "done", ...
bool IsEnvironment(std::string_view word);   // staging, production, prod, qa, ...

}  // namespace contexten::intents
