#pragma once
// Small talk said to the bot ("thanks!", "hi"): not a request, but a person who thanks or greets
// the bot should not be told "I'm not sure what you mean". Pure text, no I/O.

#include <string_view>

namespace contexten::intents {

enum class SmallTalk { kNone, kThanks, kGreeting };

// What a short utterance is when all of it is small talk (a few words, any case, punctuation and
// emoji codes like :pray: ignored); kNone for anything else, including a request that starts
// with a greeting ("hi, file a bug ...").
SmallTalk ClassifySmallTalk(std::string_view text);

}  // namespace contexten::intents
