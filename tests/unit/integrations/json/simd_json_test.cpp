// integrations/json ParseJson on the edges of its input: empty bodies (including a string_view
// with no storage at all, found by fuzz/github_webhook_fuzzer), a byte order mark, and a
// document too big for the reused per-thread parser.

#include "integrations/json/simd_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contexten::integrations::json {
namespace {

TEST(ParseJsonTest, ViewWithoutStorageIsAnEmptyDocumentError) {
  // data() == nullptr: simdjson would memcpy from a null pointer (undefined behaviour that
  // UBSan reports); it must be the same error as an empty body.
  const ParsedJson parsed = ParseJson(std::string_view());
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error, simdjson::EMPTY);
}

TEST(ParseJsonTest, EmptyBodyIsAnEmptyDocumentError) {
  const std::string body;
  const ParsedJson parsed = ParseJson(body);
  EXPECT_EQ(parsed.error, simdjson::EMPTY);
}

TEST(ParseJsonTest, SkipsAByteOrderMark) {
  const ParsedJson parsed = ParseJson("\xEF\xBB\xBF{\"zen\":\"ok\"}");
  ASSERT_TRUE(parsed.is_object()) << parsed.error_message();
  EXPECT_EQ(Str(parsed.root, "zen"), "ok");
}

TEST(ParseJsonTest, BomAloneIsEmpty) {
  EXPECT_EQ(ParseJson("\xEF\xBB\xBF").error, simdjson::EMPTY);
}

TEST(ParseJsonTest, ParsesABodyLargerThanTheReusedParser) {
  const std::string big = "{\"body\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"}";
  const ParsedJson parsed = ParseJson(big);
  ASSERT_TRUE(parsed.is_object()) << parsed.error_message();
  EXPECT_EQ(Str(parsed.root, "body").size(), 2u * 1024 * 1024);
}

}  // namespace
}  // namespace contexten::integrations::json
