#pragma once
// An in-memory store::ScheduleStore for unit tests above the port (scheduler, report commands),
// with SqliteScheduleStore's semantics: ids from 1, List by id, MarkFired only moves last_slot
// forward (compare and set), NextDue is the earliest of the enabled rows.

#include <map>
#include <mutex>

#include "store/schedule_store.hpp"

namespace contexten::testing {

class MemoryScheduleStore final : public store::ScheduleStore {
 public:
  core::Result<std::int64_t> Add(const store::ScheduleRecord& record) override {
    std::lock_guard lock(mu_);
    store::ScheduleRecord row = record;
    row.id = ++last_id_;
    if (row.tz.empty()) row.tz = "UTC";
    rows_[row.id] = row;
    return row.id;
  }
  core::Result<std::optional<store::ScheduleRecord>> Get(std::int64_t id) override {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return std::optional<store::ScheduleRecord>();
    return std::optional<store::ScheduleRecord>(it->second);
  }
  core::Result<std::vector<store::ScheduleRecord>> List(bool enabled_only) override {
    std::lock_guard lock(mu_);
    std::vector<store::ScheduleRecord> out;
    for (const auto& [id, row] : rows_) {
      if (!enabled_only || row.enabled) out.push_back(row);
    }
    return out;
  }
  core::Result<bool> Remove(std::int64_t id) override {
    std::lock_guard lock(mu_);
    return rows_.erase(id) > 0;
  }
  core::Result<bool> MarkFired(std::int64_t id, std::int64_t slot_ms,
                               std::optional<std::int64_t> next_due_ms) override {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return false;
    if (it->second.last_slot_ms && *it->second.last_slot_ms >= slot_ms) return false;
    it->second.last_slot_ms = slot_ms;
    it->second.next_due_ms = next_due_ms;
    return true;
  }
  core::Status SetNextDue(std::int64_t id, std::optional<std::int64_t> next_due_ms) override {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) {
      return core::MakeError(core::ErrorKind::kNotFound, "no schedule " + std::to_string(id));
    }
    it->second.next_due_ms = next_due_ms;
    return core::Ok();
  }
  core::Result<std::optional<std::int64_t>> NextDue() override {
    std::lock_guard lock(mu_);
    std::optional<std::int64_t> next;
    for (const auto& [id, row] : rows_) {
      if (row.enabled && row.next_due_ms && (!next || *row.next_due_ms < *next)) {
        next = row.next_due_ms;
      }
    }
    return next;
  }

 private:
  std::mutex mu_;
  std::int64_t last_id_ = 0;
  std::map<std::int64_t, store::ScheduleRecord> rows_;
};

}  // namespace contexten::testing
