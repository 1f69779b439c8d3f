#pragma once
// The answers to the questions an intent_action run asks (workflows/builtin/intent_action.hpp):
// Confirm/Yes, Cancel/No and the team buttons become a slack.choice event of the run named in
// the button's value; only the requester's click counts (the run decides that). A create_issue
// answered this way is handed to the file_issue workflow here. The issue card's Close and
// Reopen buttons start such a run for the card's issue (close asks to confirm first).

#include "bot/handlers/conversation_handler.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"

namespace contexten::bot::handlers {

// `conversation` must outlive the registry.
void RegisterIntentActionListeners(integrations::slack::listeners::ListenerRegistry& registry,
                                   ConversationHandler& conversation);

}  // namespace contexten::bot::handlers
