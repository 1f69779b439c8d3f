#pragma once
// Closed word lists the grammar and the natural-language parser share: subscription features,
// report kinds. Pure.

#include <string>
#include <string_view>

namespace contexten::intents {

// GitHub subscription features (as the GitHub app for Slack names them, plus `ci`).
bool IsSubscriptionFeature(std::string_view word);
std::string SubscriptionFeatureList();  // "issues, pulls, ..."

// "digest", "stale_prs", "ci_failures" or "health" from those names and their spellings
// ("daily_digest", "stale-prs", "ci"), or "".
std::string NormalizeReportKind(std::string_view word);
std::string ReportKindList();

}  // namespace contexten::intents
