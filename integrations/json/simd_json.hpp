#pragma once
// Fast validation and reading of webhook bodies with simdjson (DOM API). Include only from the
// few .cpp files that parse bodies on the ingest path: simdjson.h is a large header.
//
// The getters are total, like core/json_fields for nlohmann: a missing key, a value of another
// type or a parent that is not an object gives an empty value, never an error or exception.

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace contexten::integrations::json {

// A parsed document. `root` points into the parser that produced it, so it is valid only while
// this object lives and no other ParseJson runs on the same thread (the parser is reused per
// thread to keep its buffers warm).
struct ParsedJson {
  simdjson::error_code error = simdjson::UNINITIALIZED;
  simdjson::dom::element root;
  std::unique_ptr<simdjson::dom::parser> owned;  // for bodies too big to keep buffers for

  bool ok() const { return error == simdjson::SUCCESS; }
  bool is_object() const { return ok() && root.is_object(); }
  std::string_view error_message() const { return simdjson::error_message(error); }
};

// Validates the whole of `body` (strict JSON, UTF-8; a leading BOM is skipped) and builds the
// DOM. Depth over simdjson's default (1024) and integers beyond 64 bits are errors.
ParsedJson ParseJson(std::string_view body);

// The member, or a null-like absent element (check with Has/IsObject...).
inline std::optional<simdjson::dom::element> At(simdjson::dom::element parent,
                                                std::string_view key) {
  simdjson::dom::object object;
  if (parent.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

inline std::optional<simdjson::dom::element> At(const std::optional<simdjson::dom::element>& parent,
                                                std::string_view key) {
  return parent ? At(*parent, key) : std::nullopt;
}

inline bool IsObject(const std::optional<simdjson::dom::element>& value) {
  return value && value->is_object();
}

inline std::string Str(const std::optional<simdjson::dom::element>& parent, std::string_view key) {
  std::string_view text;
  if (auto v = At(parent, key); v && v->get_string().get(text) == simdjson::SUCCESS) {
    return std::string(text);
  }
  return {};
}

// Integers only (a float id would be a peer's bug worth not papering over).
inline std::optional<std::int64_t> OptInt(const std::optional<simdjson::dom::element>& parent,
                                          std::string_view key) {
  std::int64_t number = 0;
  if (auto v = At(parent, key); v && v->get_int64().get(number) == simdjson::SUCCESS) return number;
  return std::nullopt;
}

inline std::int64_t Int(const std::optional<simdjson::dom::element>& parent, std::string_view key) {
  return OptInt(parent, key).value_or(0);
}

inline bool Bool(const std::optional<simdjson::dom::element>& parent, std::string_view key) {
  bool flag = false;
  if (auto v = At(parent, key); v && v->get_bool().get(flag) == simdjson::SUCCESS) return flag;
  return false;
}

}  // namespace contexten::integrations::json
