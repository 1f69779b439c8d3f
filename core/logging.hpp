#pragma once
// spdlog set-up. Every sink we install redacts through core::Redactor before anything is
// written, so a secret that slips into a message (an error echoing a token, a payload) is
// masked at the last moment it could escape.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace contexten::core {

struct LogOptions {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text | json
};

// Where formatted lines go; the default writes to stderr.
using LogWriter = std::function<void(std::string_view line)>;

// Installs the default logger. Throws std::invalid_argument naming a bad level or format.
void InitLogging(const LogOptions& options, LogWriter writer = nullptr);

// A named logger ("slack", "store", ...) sharing the default sinks.
std::shared_ptr<spdlog::logger> Logger(const std::string& name);

}  // namespace contexten::core
