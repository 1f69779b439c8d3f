// Runs only the sandbox Slack, for slack_socket_mode.test.mjs to point Slack's own Socket Mode
// client at. Prints `API <api_url>` and `TOKEN <app token>`, then reads commands on stdin:
//   inject        -> InjectSlashCommand("/contexten", "help"); prints `ENVELOPE <id>`
//   ack? <id>     -> `ACKED <id> <latency_us>` or `PENDING <id>`
//   quit          -> exits 0
#include <iostream>
#include <string>

#include "core/net/io_runtime.hpp"
#include "sandbox/slack/slack_sandbox.hpp"

int main() {
  using contexten::sandbox::SlackSandbox;
  contexten::core::net::IoRuntime io;
  contexten::sandbox::SlackSandboxOptions options;
  options.ping_interval = std::chrono::seconds(5);  // the official client expects server pings
  SlackSandbox slack(io, options);
  if (auto started = slack.Start(); !started) {
    std::cerr << "sandbox failed to start: " << started.error().Describe() << "\n";
    return 1;
  }
  std::cout << "API " << slack.api_url() << "\n"
            << "TOKEN " << slack.options().app_token << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "quit") break;
    if (line == "inject") {
      std::cout << "ENVELOPE " << slack.InjectSlashCommand("/contexten", "help") << std::endl;
    } else if (line.starts_with("ack? ")) {
      const std::string id = line.substr(5);
      auto record = slack.AckFor(id);
      if (record && record->latency()) {
        std::cout << "ACKED " << id << " " << record->latency()->count() << std::endl;
      } else {
        std::cout << "PENDING " << id << std::endl;
      }
    } else if (!line.empty()) {
      std::cout << "ERROR unknown command" << std::endl;
    }
  }
  slack.Stop();
  return 0;
}
