#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace contexten::core {
namespace {

nlohmann::json ReadSlackSigningVector() {
  std::ifstream in(std::string(CONTEXTEN_SHARED_DIR) +
                   "/contracts/slack/fixtures/signing_test_vector__python-sdk.json");
  EXPECT_TRUE(in.good()) << "Slack signing fixture missing";
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

TEST(HmacSha256Test, MatchesGitHubDocumentedVector) {
  EXPECT_EQ(HmacSha256Hex("It's a Secret to Everybody", "Hello, World!"),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(HmacSha256Test, MatchesOctokitVector) {
  EXPECT_EQ(HmacSha256Hex("mysecret", R"({"foo":"bar"})"),
            "4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3");
}

TEST(HmacSha256Test, MatchesSlackSigningVector) {
  const auto vector = ReadSlackSigningVector();
  const std::string basestring = "v0:" + vector["X-Slack-Request-Timestamp"].get<std::string>() +
                                 ":" + vector["body"].get<std::string>();
  EXPECT_EQ("v0=" + HmacSha256Hex(vector["signing_secret"].get<std::string>(), basestring),
            vector["X-Slack-Signature"].get<std::string>());
}

TEST(HmacSha256Test, RawDigestIs32BytesAndHexMatches) {
  const std::string raw = HmacSha256("key", "data");
  EXPECT_EQ(raw.size(), 32u);
  EXPECT_EQ(HexEncode(raw), HmacSha256Hex("key", "data"));
}

TEST(HmacSha256Test, Rfc4231Case2AndEmptyKey) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Empty key is legal for HMAC (openssl dgst -sha256 -hmac '' of empty input).
  EXPECT_EQ(HmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Test, KeyLongerThanBlockIsHashedFirst) {
  // RFC 4231 test case 6: 131-byte key of 0xaa.
  const std::string key(131, '\xaa');
  EXPECT_EQ(HmacSha256Hex(key, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Sha256HexTest, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HexTest, EncodeIsLowerCase) {
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexEncode(""), "");
}

TEST(HexTest, DecodeAcceptsBothCasesAndRoundTrips) {
  auto decoded = HexDecode("0001AbFf");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, std::string("\x00\x01\xab\xff", 4));
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  auto round = HexDecode(HexEncode(all_bytes));
  ASSERT_TRUE(round.has_value());
  EXPECT_EQ(*round, all_bytes);
}

TEST(HexTest, DecodeRejectsOddLengthAndNonHex) {
  auto odd = HexDecode("abc");
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().kind, ErrorKind::kInvalidInput);
  auto bad = HexDecode("zz");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidInput);
  EXPECT_FALSE(HexDecode("0g").has_value());
}

TEST(Base64UrlTest, Rfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64UrlTest, UsesUrlSafeAlphabet) {
  // 0xfb 0xff encodes to "+/8=" in standard base64.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  // The JWT header from RFC 7515 appendix A.1 (with its CRLFs).
  EXPECT_EQ(Base64UrlEncode("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"),
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "xbc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
  // Embedded NULs are compared like any other byte.
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace contexten::core
