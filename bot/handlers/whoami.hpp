#pragma once
// `/ctx whoami` and `/ctx whoami github <login>`: who the person is to GitHub. A login they set
// is kept durably (workflows/builtin/identity.hpp) and wins over the configuration's
// identity.github map, which an admin maintains.

#include <map>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

// The GitHub login of Slack user `user`: the one they set, else the configured one.
core::Result<std::optional<std::string>> GitHubLoginFor(
    workflows::engine::Engine& engine, const std::map<std::string, std::string>& configured,
    const std::string& user);

// Answers `whoami [github <login>]` (the text after `whoami`) for `user`; `origin` is the Slack
// delivery (a replay sets the login once).
std::string WhoAmI(workflows::engine::Engine& engine,
                   const std::map<std::string, std::string>& configured, const std::string& user,
                   const std::string& args, const std::string& origin);

}  // namespace contexten::bot::handlers
