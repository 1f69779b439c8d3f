#include "integrations/github/github_api.hpp"

namespace contexten::integrations::github {

std::string IdempotencyMarker(const std::string& key) {
  if (key.empty()) return {};
  return "<!-- contexten:idempotency-key=" + key + " -->";
}

bool SurelyNotApplied(const core::Error& error) {
  using core::ErrorKind;
  switch (error.kind) {
    case ErrorKind::kRateLimited:
    case ErrorKind::kUnavailable:
      return true;
    case ErrorKind::kTransient:
      // GitHubRestClient names the status as "HTTP <code>"; HttpClient names refusals.
      return error.message.find("HTTP 502") != std::string::npos ||
             error.message.find("HTTP 503") != std::string::npos ||
             error.message.find("connection refused") != std::string::npos;
    default:
      return false;
  }
}

}  // namespace contexten::integrations::github
