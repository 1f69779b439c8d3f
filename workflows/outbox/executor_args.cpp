#include "workflows/outbox/executor_args.hpp"

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

}  // namespace contexten::workflows::outbox
