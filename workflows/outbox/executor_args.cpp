#include "workflows/outbox/executor_args.hpp"

#include <ctime>

#include "core/json_fields.hpp"

namespace contexten::workflows::outbox {

using nlohmann::json;

core::Result<json> ParseArgs(const store::EffectRecord& effect) {
  json args = json::parse(effect.args_json, nullptr, false);
  if (!args.is_object()) {
    return core::Unexpected(core::MakeError(
        core::ErrorKind::kInvalidInput, "effect " + effect.idempotency_key() + " has bad args"));
  }
  return args;
}

core::Result<std::string> RequiredString(const json& args, const char* name,
                                         const store::EffectRecord& effect) {
  std::string value = OptionalString(args, name);
  if (value.empty()) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, effect.kind + " needs '" + name + "'"));
  }
  return value;
}

std::string OptionalString(const json& args, const char* name) {
  return core::json_fields::Str(args, name);
}

core::Error UnknownKind(const store::EffectRecord& effect) {
  return core::MakeError(core::ErrorKind::kInvalidInput,
                         "lane " + effect.lane + " does not perform " + effect.kind);
}

std::int64_t EpochMsFromIso8601(const std::string& text) {
  std::tm tm{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

}  // namespace contexten::workflows::outbox
