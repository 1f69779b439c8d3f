#include "store/inbox.hpp"

namespace contexten::store {

std::string_view ToString(InboxStatus status) {
  switch (status) {
    case InboxStatus::kPending:
      return "pending";
    case InboxStatus::kDone:
      return "done";
    case InboxStatus::kSkipped:
      return "skipped";
    case InboxStatus::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<InboxStatus> InboxStatusFromString(std::string_view text) {
  for (InboxStatus status :
       {InboxStatus::kPending, InboxStatus::kDone, InboxStatus::kSkipped, InboxStatus::kFailed}) {
    if (ToString(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace contexten::store
