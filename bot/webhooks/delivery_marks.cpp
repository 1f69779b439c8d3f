#include "bot/webhooks/delivery_marks.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::bot::webhooks {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("webhooks");
  return log;
}

}  // namespace

void InboxPortMarks::Mark(std::int64_t inbox_id, const std::string& status,
                          const std::string& reason, std::function<void()> finished) {
  inbox_.MarkDoneAsync(inbox_id, status, reason,
                       [inbox_id, status, finished = std::move(finished)](core::Status marked) {
                         if (!marked) {
                           Log()->error("inbox row {}: marking {}: {}", inbox_id, status,
                                        marked.error().Describe());
                         }
                         if (finished) finished();
                       });
}

}  // namespace contexten::bot::webhooks
