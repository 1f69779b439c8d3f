#pragma once
// Masks secrets in text bound for logs. Two nets: exact values registered at startup (every
// token and signing secret from the configuration), and the shapes of well-known token formats
// so that a token we never saw (pasted by a user, echoed by an API) is masked too.

#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace contexten::core {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  // The process-wide instance used by the logging sink.
  static Redactor& Global();

  // Registers an exact secret. Values shorter than 6 characters are ignored: masking them
  // would shred ordinary words while protecting nothing.
  void AddSecret(std::string secret);
  void ClearSecrets();  // tests only
  std::string Redact(std::string_view text) const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::string> secrets_;
};

// Shape-based masking only (no registered values); exposed for tests and for callers that
// sanitise text outside logging (e.g. error messages shown in Slack).
std::string RedactTokenShapes(std::string_view text);

}  // namespace contexten::core
