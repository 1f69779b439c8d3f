#include "integrations/json/simd_json.hpp"

namespace contexten::integrations::json {
namespace {

// A parser keeps buffers sized for the largest document it has seen. Typical webhooks are
// 1-30 KB; GitHub allows 25 MB. Bodies above this get a parser of their own, freed with the
// result, so one huge delivery does not pin its buffers to the thread for good.
constexpr std::size_t kReusedParserMaxBytes = 1024 * 1024;

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser(kReusedParserMaxBytes);
  return parser;
}

}  // namespace

ParsedJson ParseJson(std::string_view body) {
  // RFC 8259 lets a parser ignore a UTF-8 byte order mark; simdjson refuses one, nlohmann
  // skips it, and a sender's BOM is no reason to answer 400.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (body.substr(0, kBom.size()) == kBom) body.remove_prefix(kBom.size());
  // simdjson copies the body with memcpy, whose source must not be null even for zero bytes;
  // a default-constructed string_view has a null data() (found by fuzz/github_webhook_fuzzer).
  if (body.data() == nullptr) body = std::string_view("", 0);
  ParsedJson parsed;
  simdjson::dom::parser* parser = &ThreadParser();
  if (body.size() > kReusedParserMaxBytes) {
    parsed.owned = std::make_unique<simdjson::dom::parser>(body.size());
    parser = parsed.owned.get();
  }
  parsed.error = parser->parse(body.data(), body.size()).get(parsed.root);
  return parsed;
}

}  // namespace contexten::integrations::json
