#include "core/json_fields.hpp"

namespace contexten::core::json_fields {

using Json = nlohmann::json;

const Json& At(const Json& j, std::string_view key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  const auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

const Json& Obj(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::object();
  const Json& v = At(j, key);
  return v.is_object() ? v : kEmpty;
}

const Json& Arr(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json& v = At(j, key);
  return v.is_array() ? v : kEmpty;
}

std::string Str(const Json& j, std::string_view key) {
  const Json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::optional<std::int64_t> OptInt(const Json& j, std::string_view key) {
  const Json& v = At(j, key);
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<std::int64_t>();
  return std::nullopt;
}

std::int64_t Int(const Json& j, std::string_view key) { return OptInt(j, key).value_or(0); }

bool Bool(const Json& j, std::string_view key) {
  const Json& v = At(j, key);
  return v.is_boolean() && v.get<bool>();
}

}  // namespace contexten::core::json_fields
