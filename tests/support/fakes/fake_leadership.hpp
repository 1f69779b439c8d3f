#pragma once
// A Leadership (store/leadership.hpp) the test hands over and takes away: while `leading`, Lead
// answers `epoch`; a test that bumps the epoch plays a takeover by another replica and back.
// `on_lead` runs inside each Lead call (to lose the term in the middle of a tick).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/leadership.hpp"

namespace contexten::testing {

class FakeLeadership final : public store::Leadership {
 public:
  core::Result<std::optional<std::int64_t>> Lead(const std::string& role) override {
    ++calls;
    last_role = role;
    if (on_lead) on_lead();
    if (!leading) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(epoch);
  }
  void StepDown(const std::string&) override { leading = false; }

  bool leading = true;
  std::int64_t epoch = 1;
  int calls = 0;
  std::string last_role;
  std::function<void()> on_lead;
};

}  // namespace contexten::testing
