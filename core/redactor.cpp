#include "core/redactor.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace contexten::core {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// Prefixes of token formats: Slack (xoxb-, xoxp-, xapp-, ...), GitHub (ghp_, gho_, ghu_, ghs_,
// ghr_, github_pat_), Linear (lin_api_, lin_oauth_). The token runs to the first character
// that cannot be part of one.
constexpr std::array<std::string_view, 15> kTokenPrefixes = {
    "xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xapp-",
    "ghp_",  "gho_",  "ghu_",  "ghs_",  "ghr_",  "github_pat_", "lin_api_"};
constexpr std::string_view kLinearOauth = "lin_oauth_";
constexpr std::string_view kBearer = "Bearer ";

bool StartsAt(std::string_view text, std::size_t pos, std::string_view prefix) {
  return text.substr(pos, prefix.size()) == prefix;
}

std::size_t MatchPrefix(std::string_view text, std::size_t pos) {
  // A prefix only counts at a word boundary, so "foxoxb-" in prose is left alone.
  if (pos > 0 && IsTokenChar(text[pos - 1])) return 0;
  for (auto p : kTokenPrefixes) {
    if (StartsAt(text, pos, p)) return p.size();
  }
  if (StartsAt(text, pos, kLinearOauth)) return kLinearOauth.size();
  if (StartsAt(text, pos, kBearer)) return kBearer.size();
  return 0;
}

}  // namespace

std::string RedactTokenShapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t prefix = MatchPrefix(text, i);
    if (prefix == 0) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t end = i + prefix;
    while (end < text.size() && IsTokenChar(text[end])) ++end;
    if (end - (i + prefix) < 4) {  // "Bearer of bad news", "xoxb-" alone: not a token
      out.append(text.substr(i, end - i));
    } else {
      out.append(text.substr(i, prefix));
      out.append(kRedacted);
    }
    i = end;
  }
  return out;
}

Redactor& Redactor::Global() {
  static Redactor redactor;
  return redactor;
}

void Redactor::AddSecret(std::string secret) {
  if (secret.size() < 6) return;
  std::unique_lock lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.push_back(std::move(secret));
  // Longest first, so a secret that contains another is masked whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::ClearSecrets() {
  std::unique_lock lock(mu_);
  secrets_.clear();
}

std::string Redactor::Redact(std::string_view text) const {
  std::string out(text);
  {
    std::shared_lock lock(mu_);
    for (const auto& secret : secrets_) {
      std::size_t pos = 0;
      while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  return RedactTokenShapes(out);
}

}  // namespace contexten::core
