#include "bot/handlers/link_request.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <limits>

#include "bot/handlers/deliver_to_runs.hpp"
#include "core/logging.hpp"
#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::bot::handlers {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("link_request");
  return log;
}

}  // namespace

std::optional<PullRequestRef> ParsePullRequestRef(const std::string& text) {
  const auto hash = text.rfind('#');
  const auto slash = text.find('/');
  if (hash == std::string::npos || slash == std::string::npos || slash == 0 || slash + 1 >= hash ||
      hash + 1 >= text.size()) {
    return std::nullopt;
  }
  PullRequestRef ref;
  ref.repo = text.substr(0, hash);
  const char* first = text.data() + hash + 1;
  const char* last = text.data() + text.size();
  auto [end, error] = std::from_chars(first, last, ref.number);
  if (error != std::errc() || end != last || ref.number <= 0 ||
      ref.number > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return ref;
}

std::size_t NoteLinkRequest(workflows::engine::Engine& engine, const std::string& issue,
                            const PullRequestRef& pr, const std::string& user,
                            const std::string& dedupe_key) {
  namespace builtin = workflows::builtin;
  auto told =
      DeliverToWaitingOfType(engine, builtin::LinearIssueKey(issue), builtin::kFileIssueType,
                             {builtin::kSlackLinkRequestEvent,
                              {{"user", user}, {"repo", pr.repo}, {"number", pr.number}},
                              dedupe_key});
  if (!told) {
    Log()->warn("runs tracking {} not read: {}", issue, told.error().Describe());
    return 0;
  }
  return *told;
}

}  // namespace contexten::bot::handlers
