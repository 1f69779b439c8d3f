// The .graphql files are the source of truth; the embedded copies must match them byte for
// byte, and every file must be embedded (and nothing else).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "integrations/linear/graphql_documents.hpp"

namespace contexten::integrations::linear {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(CONTEXTEN_SOURCE_DIR) / "integrations/linear/graphql";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The file's text, then "\n" + each fragments/<Name>.graphql the text spreads as ...Name.
std::string ExpectedEmbedding(const fs::path& path) {
  std::string text = ReadFile(path);
  const std::string own = text;
  for (const auto& entry : fs::directory_iterator(kDir / "fragments")) {
    const std::string spread = "..." + entry.path().stem().string();
    const auto at = own.find(spread);
    if (at == std::string::npos) continue;
    const auto after = at + spread.size();
    if (after < own.size() &&
        (std::isalnum(static_cast<unsigned char>(own[after])) || own[after] == '_')) {
      continue;
    }
    text += "\n" + ReadFile(entry.path());
  }
  return text;
}

TEST(LinearGraphqlDocumentsTest, EveryFileIsEmbeddedVerbatimWithTheFragmentsItSpreads) {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() != ".graphql") continue;
    files.insert(entry.path().stem().string());
  }
  ASSERT_FALSE(files.empty()) << kDir;

  std::set<std::string> embedded;
  for (const auto& document : AllDocuments()) {
    embedded.insert(document.name);
    const fs::path path = kDir / (document.name + ".graphql");
    ASSERT_TRUE(fs::exists(path)) << document.name << " is embedded but has no .graphql file";
    EXPECT_EQ(document.text, ExpectedEmbedding(path))
        << document.name << ": the embedded text differs from " << path;
  }
  EXPECT_EQ(embedded, files);
}

TEST(LinearGraphqlDocumentsTest, IssueDocumentsCarryTheIssueFieldsFragmentOnce) {
  for (const auto& document : AllDocuments()) {
    if (document.text.find("...IssueFields") == std::string::npos) continue;
    const auto first = document.text.find("fragment IssueFields on Issue");
    ASSERT_NE(first, std::string::npos) << document.name;
    EXPECT_EQ(document.text.find("fragment IssueFields on Issue", first + 1), std::string::npos)
        << document.name;
  }
}

TEST(LinearGraphqlDocumentsTest, EachDocumentDefinesTheOperationItIsNamedFor) {
  for (const auto& document : AllDocuments()) {
    const bool query = document.text.find("query " + document.name + "(") != std::string::npos;
    const bool mutation =
        document.text.find("mutation " + document.name + "(") != std::string::npos;
    EXPECT_TRUE(query || mutation) << document.name;
  }
}

TEST(LinearGraphqlDocumentsTest, CoversTheOperationsTheClientSends) {
  for (const char* name : {"IssueCreate", "IssueUpdate", "CommentCreate", "AttachmentLinkURL",
                           "AttachmentLinkGitHubPR", "IssueByIdentifier", "IssueSearch",
                           "IssueByBranch", "Teams", "WorkflowStates", "Users", "Labels"}) {
    EXPECT_FALSE(Document(name).empty()) << name;
  }
}

}  // namespace
}  // namespace contexten::integrations::linear
