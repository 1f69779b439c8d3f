// The documents come from integrations/linear/graphql/*.graphql, embedded at build time by
// cmake/EmbedGraphql.cmake; edit the .graphql files.
#include "integrations/linear/graphql_documents.hpp"

#include <cstdlib>

namespace contexten::integrations::linear {

const std::vector<GraphqlDocument>& AllDocuments() {
  static const std::vector<GraphqlDocument> kDocuments = {
#include "linear_graphql_documents.inc"
  };
  return kDocuments;
}

const std::string& Document(std::string_view name) {
  for (const auto& document : AllDocuments()) {
    if (document.name == name) return document.text;
  }
  std::abort();
}

}  // namespace contexten::integrations::linear
