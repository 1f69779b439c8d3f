#pragma once
// Delivers a request said in Slack to the runs of one workflow type waiting on a key: a PR link
// to an issue's card run (link_request.hpp), a re-run to a repository's open CI alerts
// (github_handlers.hpp). Engine::DeliverToWaiting reaches every run on the key; other workflows
// wait on the same keys (a subscription's home thread, a deploy following its run) and would
// count as having taken a request they cannot act on.

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

// The runs waiting on `wait_key` whose type is `type` and whose state `accept` takes (every one
// when null) get `event`; returns how many took it. A run that could not be told is logged and
// skipped; only the read of the waiting runs fails the call.
core::Result<std::size_t> DeliverToWaitingOfType(
    workflows::engine::Engine& engine, const std::string& wait_key, std::string_view type,
    const workflows::engine::Event& event,
    const std::function<bool(const nlohmann::json& state)>& accept = nullptr);

}  // namespace contexten::bot::handlers
