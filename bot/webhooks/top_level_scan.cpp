#include "bot/webhooks/top_level_scan.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace contexten::bot::webhooks {
namespace {

using Json = nlohmann::json;

// SAX handler: validates the whole document (the parser does) and records values whose key sits
// directly under the root object.
class TopLevelHandler final : public nlohmann::json_sax<Json> {
 public:
  bool root_is_object() const { return root_is_object_; }
  TopLevelFields& fields() { return fields_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override {
    if (AtTopLevel() && key_ == "webhookTimestamp") fields_.webhook_timestamp_ms = v;
    return true;
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (AtTopLevel() && key_ == "webhookTimestamp" &&
        v <= static_cast<number_unsigned_t>(std::numeric_limits<int64_t>::max())) {
      fields_.webhook_timestamp_ms = static_cast<int64_t>(v);
    }
    return true;
  }
  bool number_float(number_float_t v, const string_t&) override {
    // Some senders serialise integral milliseconds as 1.7e12; accept those, not fractions.
    if (AtTopLevel() && key_ == "webhookTimestamp" && std::isfinite(v) && v == std::floor(v) &&
        std::fabs(v) < 9e15) {
      fields_.webhook_timestamp_ms = static_cast<int64_t>(v);
    }
    return true;
  }
  bool string(string_t& v) override {
    if (AtTopLevel()) {
      if (key_ == "action") {
        fields_.action = v;
      } else if (key_ == "zen") {
        fields_.zen = v;
      }
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth_ == 0) root_is_object_ = true;
    ++depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      key_ = k;
      if (key_ == "webhookTimestamp") fields_.has_webhook_timestamp = true;
    }
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool AtTopLevel() const { return depth_ == 1; }

  int depth_ = 0;
  bool root_is_object_ = false;
  std::string key_;
  TopLevelFields fields_;
};

}  // namespace

std::optional<TopLevelFields> ScanTopLevel(std::string_view body) {
  TopLevelHandler handler;
  bool ok = false;
  try {
    ok = Json::sax_parse(body.begin(), body.end(), &handler, Json::input_format_t::json, true);
  } catch (const std::exception&) {
    ok = false;  // defensive: a parse error is reported through parse_error, not thrown
  }
  if (!ok || !handler.root_is_object()) return std::nullopt;
  return std::move(handler.fields());
}

}  // namespace contexten::bot::webhooks
