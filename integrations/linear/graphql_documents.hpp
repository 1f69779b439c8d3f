#pragma once
// The GraphQL documents the Linear client sends. integrations/linear/graphql/*.graphql are the
// only copy; the build embeds them byte for byte (a unit test checks that every file is embedded
// verbatim, and a contract test validates every one against Linear's published schema).

#include <string>
#include <string_view>
#include <vector>

namespace contexten::integrations::linear {

struct GraphqlDocument {
  std::string name;  // the operation name, also the file's base name
  std::string text;
};

const std::vector<GraphqlDocument>& AllDocuments();
// The document for `name`; aborts on an unknown name (a programming error, caught by tests).
const std::string& Document(std::string_view name);

}  // namespace contexten::integrations::linear
