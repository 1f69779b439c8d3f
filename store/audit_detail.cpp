#include "store/audit_detail.hpp"

#include <nlohmann/json.hpp>

namespace contexten::store {

using nlohmann::json;

std::string AuditDetailJson(const AuditEntry& e) {
  return json{{"channel", e.channel},
              {"source", e.source},
              {"args", e.args},
              {"decision", e.decision},
              {"outcome", e.outcome}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

void ReadAuditDetail(const std::string& text, AuditEntry& e) {
  const json detail = json::parse(text, nullptr, false);
  if (!detail.is_object()) return;
  auto str = [&](const char* key) {
    auto it = detail.find(key);
    return it != detail.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  e.channel = str("channel");
  e.source = str("source");
  e.args = str("args");
  e.decision = str("decision");
  e.outcome = str("outcome");
}

}  // namespace contexten::store
