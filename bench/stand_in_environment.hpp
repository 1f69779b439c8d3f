#pragma once
// The environment a `contexten run` child needs to talk to the sandbox stand-ins in the bench's
// process: their base URLs and the tokens and webhook secrets they expect. Callers add the
// store, the port and the log level.

#include <map>
#include <string>

#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

namespace contexten::bench {

std::map<std::string, std::string> StandInEnvironment(const sandbox::SlackSandbox& slack,
                                                      const sandbox::GitHubSandbox& github,
                                                      const sandbox::LinearSandbox& linear);

}  // namespace contexten::bench
