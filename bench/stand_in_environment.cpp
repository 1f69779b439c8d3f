#include "bench/stand_in_environment.hpp"

namespace contexten::bench {

std::map<std::string, std::string> StandInEnvironment(const sandbox::SlackSandbox& slack,
                                                      const sandbox::GitHubSandbox& github,
                                                      const sandbox::LinearSandbox& linear) {
  return {{"SLACK_API_URL", slack.api_url()},
          {"SLACK_APP_TOKEN", slack.options().app_token},
          {"SLACK_BOT_TOKEN", slack.options().bot_token},
          {"GITHUB_API_URL", github.base_url()},
          {"GITHUB_TOKEN", github.options().token},
          {"GITHUB_WEBHOOK_SECRET", github.options().webhook_secret},
          {"LINEAR_API_URL", linear.base_url()},
          {"LINEAR_API_KEY", linear.options().api_key},
          {"LINEAR_WEBHOOK_SECRET", linear.options().webhook_secret},
          {"CONTEXTEN_HTTP_BIND", "127.0.0.1"}};
}

}  // namespace contexten::bench
