#include "core/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/redactor.hpp"

namespace contexten::core {
namespace {

std::string Timestamp(spdlog::log_clock::time_point tp) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(tp);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(tp - secs).count();
  const std::time_t t = spdlog::log_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingSink(bool json, LogWriter writer) : json_(json), writer_(std::move(writer)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string text =
        Redactor::Global().Redact(std::string_view(msg.payload.data(), msg.payload.size()));
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string logger(msg.logger_name.data(), msg.logger_name.size());
    std::string line;
    if (json_) {
      nlohmann::json j = {{"ts", Timestamp(msg.time)},
                          {"level", std::string(level.data(), level.size())},
                          {"logger", logger},
                          {"msg", text}};
      line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      line = Timestamp(msg.time) + " " + std::string(level.data(), level.size()) + " [" +
             logger + "] " + text;
    }
    writer_(line);
  }
  void flush_() override {}

 private:
  bool json_;
  LogWriter writer_;
};

std::mutex g_mu;
std::shared_ptr<spdlog::sinks::sink> g_sink;
spdlog::level::level_enum g_level = spdlog::level::info;

}  // namespace

void InitLogging(const LogOptions& options, LogWriter writer) {
  if (options.format != "text" && options.format != "json") {
    throw std::invalid_argument("log.format must be 'text' or 'json', got '" + options.format +
                                "'");
  }
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("log.level '" + options.level + "' is not a level");
  }
  if (!writer) {
    writer = [](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fputc('\n', stderr);
    };
  }
  std::lock_guard lock(g_mu);
  g_sink = std::make_shared<RedactingSink>(options.format == "json", std::move(writer));
  g_level = level;
  spdlog::drop_all();
  auto logger = std::make_shared<spdlog::logger>("contexten", g_sink);
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

std::shared_ptr<spdlog::logger> Logger(const std::string& name) {
  std::lock_guard lock(g_mu);
  if (!g_sink) {
    g_sink = std::make_shared<RedactingSink>(false, [](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fputc('\n', stderr);
    });
  }
  if (auto existing = spdlog::get(name); existing && existing->sinks().size() == 1 &&
                                         existing->sinks()[0] == g_sink) {
    return existing;
  }
  spdlog::drop(name);
  auto logger = std::make_shared<spdlog::logger>(name, g_sink);
  logger->set_level(g_level);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace contexten::core
