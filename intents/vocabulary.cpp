#include "intents/vocabulary.hpp"

#include <algorithm>

#include "intents/text.hpp"

namespace contexten::intents {
namespace {

constexpr std::string_view kFeatures[] = {"issues",  "pulls",     "commits",    "releases",
                                          "reviews", "comments",  "branches",   "deployments",
                                          "ci",      "workflows", "discussions"};

}  // namespace

bool IsSubscriptionFeature(std::string_view word) {
  return std::find(std::begin(kFeatures), std::end(kFeatures), word) != std::end(kFeatures);
}

std::string SubscriptionFeatureList() {
  std::string out;
  for (const auto f : kFeatures) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

std::string NormalizeReportKind(std::string_view word) {
  std::string w = AsciiLower(word);
  std::replace(w.begin(), w.end(), '-', '_');
  if (w == "digest" || w == "daily_digest" || w == "daily") return "digest";
  if (w == "stale_prs" || w == "stale" || w == "stale_pulls") return "stale_prs";
  if (w == "ci_failures" || w == "ci" || w == "failures") return "ci_failures";
  if (w == "health" || w == "integration_health") return "health";
  return "";
}

std::string ReportKindList() { return "digest, stale_prs, ci_failures, health"; }

}  // namespace contexten::intents
