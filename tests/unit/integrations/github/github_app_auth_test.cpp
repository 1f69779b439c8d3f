#include "integrations/github/github_app_auth.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "core/crypto.hpp"

namespace contexten::integrations::github {
namespace {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

KeyPair MakeRsaKeyPair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  EXPECT_NE(key, nullptr);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  KeyPair pair{BioToString(priv), BioToString(pub)};
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return pair;
}

const KeyPair& Keys() {
  static const KeyPair keys = MakeRsaKeyPair();
  return keys;
}

// An independent check of the signature with OpenSSL, not through the code under test.
bool OpenSslVerifies(const std::string& jwt, const std::string& public_pem) {
  const auto dot = jwt.rfind('.');
  const std::string input = jwt.substr(0, dot);
  auto signature = Base64UrlDecode(jwt.substr(dot + 1));
  if (!signature) return false;
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

nlohmann::json Segment(const std::string& jwt, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = jwt.find('.', start) + 1;
  const auto end = jwt.find('.', start);
  auto raw = Base64UrlDecode(jwt.substr(start, end - start));
  EXPECT_TRUE(raw.has_value());
  return nlohmann::json::parse(*raw);
}

TEST(GitHubAppJwtTest, HasRs256HeaderAndGitHubClaims) {
  const core::WallTime now = core::WallTime{std::chrono::seconds(1700000000)};
  auto jwt = MakeAppJwt("123456", Keys().private_pem, now);
  ASSERT_TRUE(jwt.has_value()) << jwt.error().Describe();
  EXPECT_EQ(std::count(jwt->begin(), jwt->end(), '.'), 2);
  EXPECT_EQ(jwt->find('='), std::string::npos) << "base64url without padding";

  const auto header = Segment(*jwt, 0);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["typ"], "JWT");
  const auto claims = Segment(*jwt, 1);
  EXPECT_EQ(claims["iss"], "123456");
  EXPECT_EQ(claims["iat"], 1700000000 - 60);
  EXPECT_EQ(claims["exp"], 1700000000 + 9 * 60);
}

TEST(GitHubAppJwtTest, SignatureVerifiesWithThePublicKey) {
  auto jwt = MakeAppJwt("1", Keys().private_pem, std::chrono::system_clock::now());
  ASSERT_TRUE(jwt.has_value());
  EXPECT_TRUE(OpenSslVerifies(*jwt, Keys().public_pem));
  auto claims = VerifyRs256Jwt(*jwt, Keys().public_pem);
  ASSERT_TRUE(claims.has_value()) << claims.error().Describe();
  EXPECT_EQ((*claims)["iss"], "1");
}

TEST(GitHubAppJwtTest, TamperedClaimsOrOtherKeyFailVerification) {
  auto jwt = MakeAppJwt("1", Keys().private_pem, std::chrono::system_clock::now());
  ASSERT_TRUE(jwt.has_value());
  const auto first = jwt->find('.');
  const auto second = jwt->find('.', first + 1);
  const std::string forged_claims = core::Base64UrlEncode(R"({"iss":"2","iat":0,"exp":1})");
  const std::string forged = jwt->substr(0, first + 1) + forged_claims + jwt->substr(second);
  EXPECT_FALSE(OpenSslVerifies(forged, Keys().public_pem));
  auto rejected = VerifyRs256Jwt(forged, Keys().public_pem);
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().kind, core::ErrorKind::kUnauthorized);

  const KeyPair other = MakeRsaKeyPair();
  EXPECT_FALSE(VerifyRs256Jwt(*jwt, other.public_pem).has_value());
}

TEST(GitHubAppJwtTest, UnreadableKeyIsInvalidInputWithoutTheKey) {
  const std::string bad = "-----BEGIN PRIVATE KEY-----\nnot-a-key-secret-bytes\n-----END";
  auto jwt = MakeAppJwt("1", bad, std::chrono::system_clock::now());
  ASSERT_FALSE(jwt.has_value());
  EXPECT_EQ(jwt.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_EQ(jwt.error().message.find("not-a-key-secret-bytes"), std::string::npos);
}

TEST(Base64UrlDecodeTest, RoundTripsAndRejectsBadCharacters) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00?"}) {
    auto decoded = Base64UrlDecode(core::Base64UrlEncode(s));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
}

TEST(Iso8601Test, FormatsAndParsesUtc) {
  const core::WallTime t{std::chrono::seconds(1700000000)};
  EXPECT_EQ(FormatIso8601(t), "2023-11-14T22:13:20Z");
  auto parsed = ParseIso8601("2023-11-14T22:13:20Z");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, t);
  EXPECT_FALSE(ParseIso8601("yesterday").has_value());
}

}  // namespace
}  // namespace contexten::integrations::github
