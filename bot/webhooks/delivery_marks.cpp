#include "bot/webhooks/delivery_marks.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/logging.hpp"

namespace contexten::bot::webhooks {
namespace {

constexpr std::size_t kMaxReasonChars = 2000;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("webhooks");
  return log;
}

}  // namespace

void InboxPortMarks::Mark(std::int64_t inbox_id, const std::string& status,
                          const std::string& reason) {
  if (status == "failed" && !reason.empty()) {
    if (auto recorded = inbox_.MarkFailed(inbox_id, reason); !recorded) {
      Log()->error("inbox row {}: recording failure reason: {}", inbox_id,
                   recorded.error().Describe());
    }
  }
  if (auto marked = inbox_.MarkDone(inbox_id, status); !marked) {
    Log()->error("inbox row {}: marking {}: {}", inbox_id, status, marked.error().Describe());
  }
}

void AsyncStoreMarks::Mark(std::int64_t inbox_id, const std::string& status,
                           const std::string& reason) {
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
          .count();
  std::string error = reason.substr(0, kMaxReasonChars);
  db_.Submit(
      [inbox_id, status, error = std::move(error), now_ms](SQLite::Database& db) -> core::Status {
        if (status == "failed") {
          SQLite::Statement& update = store::Prepared(
              db,
              "UPDATE inbox SET status = 'failed', attempts = attempts + 1, last_error = ?, "
              "processed_at_ms = ? WHERE id = ?");
          update.bind(1, error);
          update.bind(2, now_ms);
          update.bind(3, inbox_id);
          update.exec();
        } else {
          SQLite::Statement& update =
              store::Prepared(db, "UPDATE inbox SET status = ?, processed_at_ms = ? WHERE id = ?");
          update.bind(1, status);
          update.bind(2, now_ms);
          update.bind(3, inbox_id);
          update.exec();
        }
        return core::Ok();
      },
      [inbox_id, status](core::Status committed) {
        if (!committed) {
          Log()->error("inbox row {}: marking {}: {}", inbox_id, status,
                       committed.error().Describe());
        }
      });
}

}  // namespace contexten::bot::webhooks
