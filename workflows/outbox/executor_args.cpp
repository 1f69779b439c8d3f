#include "workflows/outbox/executor_args.hpp"

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
  auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

core::Error UnknownKind(const store::EffectRecord& effect) {
  return core::MakeError(core::ErrorKind::kInvalidInput,
                         "lane " + effect.lane + " does not perform " + effect.kind);
}

}  // namespace contexten::workflows::outbox
