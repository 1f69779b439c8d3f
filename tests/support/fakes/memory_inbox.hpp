#pragma once
// An in-memory store::Inbox for unit tests of code above the port (ingress, dispatcher), with
// SqliteInbox's semantics: (source, dedupe key) unique, a duplicate answers the existing id;
// rows appended terminal are finished on arrival (kFailed with one attempt); MarkFailed counts
// an attempt and keeps the row pending; MarkDone takes terminal statuses only; Pending is oldest
// first. AppendAsync calls `done` before returning (there is no writer thread). A scripted
// failure makes the next call that writes fail without writing.

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "store/inbox.hpp"

namespace contexten::testing {

class MemoryInbox final : public store::Inbox {
 public:
  explicit MemoryInbox(core::Clock* clock = nullptr) : clock_(clock) {}

  // The next `n` writes (Append, MarkDone, MarkFailed) fail with `error`, changing nothing.
  void FailNextWrites(int n, core::Error error) {
    std::lock_guard lock(mu_);
    fail_writes_ = n;
    write_error_ = std::move(error);
  }
  std::vector<store::InboxItem> items() const {
    std::lock_guard lock(mu_);
    std::vector<store::InboxItem> out;
    for (const auto& [id, item] : rows_) out.push_back(item);
    return out;
  }

  void AppendAsync(store::InboxItem item,
                   std::function<void(core::Result<store::AppendResult>)> done) override {
    auto result = Append(std::move(item));
    if (done) done(std::move(result));
  }

  core::Result<store::AppendResult> Append(store::InboxItem item) override {
    std::lock_guard lock(mu_);
    if (auto error = TakeWriteFailure()) return core::Unexpected(*error);
    if (item.source.empty() || item.dedupe_key.empty()) {
      return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                              "inbox item needs a source and a dedupe key"));
    }
    for (const auto& [id, row] : rows_) {
      if (row.source == item.source && row.dedupe_key == item.dedupe_key) {
        return store::AppendResult{store::AppendOutcome::kDuplicate, id};
      }
    }
    if (item.received_at == core::WallTime{} && clock_ != nullptr) {
      item.received_at = clock_->WallNow();
    }
    item.id = ++next_id_;
    item.attempts = item.status == store::InboxStatus::kFailed ? 1 : 0;
    if (item.status != store::InboxStatus::kFailed) item.last_error.clear();
    rows_[item.id] = item;
    return store::AppendResult{store::AppendOutcome::kInserted, item.id};
  }

  core::Status MarkDone(std::int64_t id,
                        store::InboxStatus status = store::InboxStatus::kDone) override {
    std::lock_guard lock(mu_);
    if (!store::IsTerminal(status)) {
      return core::MakeError(core::ErrorKind::kInvalidInput,
                             "inbox terminal status must be done, failed or skipped");
    }
    if (auto error = TakeWriteFailure()) return *error;
    auto it = rows_.find(id);
    if (it == rows_.end()) return NotFound(id);
    it->second.status = status;
    return core::Ok();
  }

  core::Status MarkFailed(std::int64_t id, std::string reason) override {
    std::lock_guard lock(mu_);
    if (auto error = TakeWriteFailure()) return *error;
    auto it = rows_.find(id);
    if (it == rows_.end()) return NotFound(id);
    ++it->second.attempts;
    it->second.last_error = std::move(reason);
    return core::Ok();
  }

  core::Result<std::vector<store::InboxItem>> Pending(std::size_t limit,
                                                      const std::string& source = {}) override {
    std::lock_guard lock(mu_);
    std::vector<store::InboxItem> out;
    for (const auto& [id, item] : rows_) {  // ids ascend: oldest first
      if (out.size() >= limit) break;
      if (item.status != store::InboxStatus::kPending) continue;
      if (!source.empty() && item.source != source) continue;
      out.push_back(item);
    }
    return out;
  }

  core::Result<std::optional<store::InboxItem>> Find(const std::string& source,
                                                     const std::string& dedupe_key) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, item] : rows_) {
      if (item.source == source && item.dedupe_key == dedupe_key) {
        return std::optional<store::InboxItem>(item);
      }
    }
    return std::optional<store::InboxItem>();
  }

  core::Result<std::int64_t> Count(const std::string& source) override {
    std::lock_guard lock(mu_);
    return static_cast<std::int64_t>(std::count_if(
        rows_.begin(), rows_.end(), [&](const auto& row) { return row.second.source == source; }));
  }

 private:
  static core::Error NotFound(std::int64_t id) {
    return core::MakeError(core::ErrorKind::kNotFound, "no inbox row " + std::to_string(id));
  }
  std::optional<core::Error> TakeWriteFailure() {
    if (fail_writes_ <= 0) return std::nullopt;
    --fail_writes_;
    return write_error_;
  }

  core::Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::int64_t, store::InboxItem> rows_;
  std::int64_t next_id_ = 0;
  int fail_writes_ = 0;
  core::Error write_error_;
};

}  // namespace contexten::testing
