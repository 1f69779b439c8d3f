// The .graphql files are the source of truth; the embedded copies must match them byte for
// byte, and every file must be embedded (and nothing else).
#include <gtest/gtest.h>

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

TEST(LinearGraphqlDocumentsTest, EveryFileIsEmbeddedVerbatim) {
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
    EXPECT_EQ(document.text, ReadFile(path))
        << document.name << ": the embedded text differs from " << path;
  }
  EXPECT_EQ(embedded, files);
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
