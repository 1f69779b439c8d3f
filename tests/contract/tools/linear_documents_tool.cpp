// Prints every GraphQL document the Linear client can send as a JSON array of
// {name, text}, for linear_schema.test.mjs to validate against Linear's schema.
#include <iostream>
#include <nlohmann/json.hpp>

#include "integrations/linear/graphql_documents.hpp"

int main() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& document : contexten::integrations::linear::AllDocuments()) {
    out.push_back({{"name", document.name}, {"text", document.text}});
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
