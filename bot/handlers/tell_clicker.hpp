#pragma once
// An ephemeral note to the person who clicked a button, in the thread of the message they
// clicked (the fast path: a click's problem is told to that person alone, at once).

#include <string>

#include "integrations/slack/listeners/listener_context.hpp"

namespace contexten::bot::handlers {

// Failures are logged, not returned: the click is acked either way.
void TellClicker(integrations::slack::listeners::ListenerContext& context, const std::string& text);

}  // namespace contexten::bot::handlers
