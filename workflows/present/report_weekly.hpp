#pragma once
// The weekly summary (issue 12): issues created and completed, median cycle time, merged PRs, CI
// failure rate and incidents for the week before the report. Pure: model in, Block Kit out.

#include <nlohmann/json.hpp>

#include "workflows/present/report_model.hpp"

namespace contexten::workflows::present {

// {"text": fallback, "blocks": [...]}, within Block Kit's message limits.
nlohmann::json RenderWeekly(const ReportModel& model);

}  // namespace contexten::workflows::present
