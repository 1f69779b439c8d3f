#pragma once
// Who asked for an issue's move, told to the runs tracking the issue (its card's file_issue run)
// before the move is made. Linear's webhook for the move names the API key's user as its actor
// (Contexten, or whoever owns the key), not the person in Slack; the card's thread line names
// the person from this. The request is recorded where it is known, rather than guessed from the
// webhook's actor: with a personal API key that actor is a real person, whose own moves in Linear
// must still be told as theirs.

#include <nlohmann/json.hpp>
#include <string>

#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

// close, reopen, change_state, assign and change_priority: the intents that change an issue in a
// way its card's thread tells.
bool MovesIssue(const std::string& intent);

// Delivers workflows::builtin::kSlackStateRequestEvent for `intent` on entities["issue"] to the
// runs waiting on that issue. Returns how many took it (0 when none tracks it, or on error).
std::size_t NoteStateRequest(workflows::engine::Engine& engine, const std::string& intent,
                             const nlohmann::json& entities, const std::string& user,
                             const std::string& dedupe_key);

}  // namespace contexten::bot::handlers
