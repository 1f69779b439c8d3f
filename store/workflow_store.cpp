#include "store/workflow_store.hpp"

#include <array>
#include <utility>

// The workflow store port's own vocabulary, shared by the SQLite and PostgreSQL implementations.

namespace contexten::store {
namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 4> kRunStatuses = {{
    {RunStatus::kRunning, "running"},
    {RunStatus::kWaiting, "waiting"},
    {RunStatus::kCompleted, "completed"},
    {RunStatus::kFailed, "failed"},
}};
constexpr std::array<std::pair<EffectStatus, std::string_view>, 4> kEffectStatuses = {{
    {EffectStatus::kPending, "pending"},
    {EffectStatus::kInFlight, "in_flight"},
    {EffectStatus::kDone, "done"},
    {EffectStatus::kDead, "dead"},
}};

}  // namespace

std::string_view ToString(RunStatus status) {
  for (const auto& [s, name] : kRunStatuses) {
    if (s == status) return name;
  }
  return "running";
}

std::optional<RunStatus> RunStatusFromString(std::string_view text) {
  for (const auto& [s, name] : kRunStatuses) {
    if (name == text) return s;
  }
  return std::nullopt;
}

std::string_view ToString(EffectStatus status) {
  for (const auto& [s, name] : kEffectStatuses) {
    if (s == status) return name;
  }
  return "pending";
}

std::optional<EffectStatus> EffectStatusFromString(std::string_view text) {
  for (const auto& [s, name] : kEffectStatuses) {
    if (name == text) return s;
  }
  return std::nullopt;
}

void EffectCounts::Add(std::string_view status_text, std::int64_t n) {
  const auto s = EffectStatusFromString(status_text);
  if (!s) return;
  switch (*s) {
    case EffectStatus::kPending:
      pending = n;
      break;
    case EffectStatus::kInFlight:
      in_flight = n;
      break;
    case EffectStatus::kDone:
      done = n;
      break;
    case EffectStatus::kDead:
      dead = n;
      break;
  }
}

}  // namespace contexten::store
