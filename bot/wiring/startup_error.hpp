#pragma once
// How the wiring modules report a startup problem (../shared/DESIGN.md §6: startup errors are
// exceptions and fail fast). App::Start turns it back into the error it carries.

#include <stdexcept>
#include <utility>

#include "core/result.hpp"

namespace contexten::bot::wiring {

class StartupError : public std::runtime_error {
 public:
  explicit StartupError(core::Error error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  const core::Error& error() const { return error_; }

 private:
  core::Error error_;
};

}  // namespace contexten::bot::wiring
