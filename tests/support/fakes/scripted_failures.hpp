#pragma once
// Call counting and scripted failures for the in-memory fakes of platform ports
// (fake_linear_api.hpp, fake_github_api.hpp). Not synchronised: the fake calls it under its own
// mutex.

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace contexten::testing {

class ScriptedFailures {
 public:
  struct Failure {
    core::Error error;
    bool applied = false;  // a mutation took effect although the call failed
    std::string method;    // "" = any method
  };

  // The next `n` calls (of `method`; of any method when empty) fail with `error`. `applied`:
  // whether a failing mutation still took effect; by default, exactly when
  // error.outcome_unknown (it was sent, the answer was lost).
  void Add(int n, const core::Error& error, const std::string& method,
           std::optional<bool> applied) {
    const bool apply = applied.value_or(error.outcome_unknown);
    for (int i = 0; i < n; ++i) failures_.push_back({error, apply, method});
  }

  int Calls(const std::string& method) const {
    auto it = calls_.find(method);
    return it == calls_.end() ? 0 : it->second;
  }

  // Counts the call and takes the first scripted failure meant for it, if any.
  std::optional<Failure> Begin(const std::string& method) {
    ++calls_[method];
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (it->method.empty() || it->method == method) {
        Failure f = *it;
        failures_.erase(it);
        return f;
      }
    }
    return std::nullopt;
  }

  // A mutation under a scripted failure: one not applied fails before touching anything; one
  // applied is performed and then fails (the answer was lost), whatever it would have answered.
  template <typename Do>
  auto Mutate(const std::string& method, Do perform) -> decltype(perform()) {
    auto failure = Begin(method);
    if (failure && !failure->applied) return core::Unexpected(failure->error);
    auto result = perform();
    if (failure) return core::Unexpected(failure->error);
    return result;
  }

 private:
  std::map<std::string, int> calls_;
  std::deque<Failure> failures_;
};

}  // namespace contexten::testing
