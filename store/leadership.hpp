#pragma once
// Which replica runs the singletons, the scheduler and the health monitor (../shared/DESIGN.md
// §2, store/). A term is fenced by its epoch: a later term has a greater one, so work stamped
// with an old term's epoch can be told apart (and refused) after another replica took over.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace contexten::store {

class Leadership {
 public:
  virtual ~Leadership() = default;
  // Leads `role` if no other replica does (or confirms this one still does): the term's epoch
  // while leading, nullopt while another replica leads.
  virtual core::Result<std::optional<std::int64_t>> Lead(const std::string& role) = 0;
  // Steps down (at shutdown): another replica may lead from now.
  virtual void StepDown(const std::string& role) = 0;
};

// The SQLite store has one process: it always leads, in one term.
class AlwaysLeader final : public Leadership {
 public:
  core::Result<std::optional<std::int64_t>> Lead(const std::string&) override {
    return std::optional<std::int64_t>(1);
  }
  void StepDown(const std::string&) override {}
};

}  // namespace contexten::store
