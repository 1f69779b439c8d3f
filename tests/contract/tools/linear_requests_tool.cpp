// Drives every LinearApi call through the real LinearGraphqlClient against the sandbox Linear
// and prints, as one JSON object, for linear_requests.test.mjs to check against Linear's schema:
//   documents: the names of every document the client has;
//   requests: every GraphQL request the client sent {call, operationName, query, variables};
//   reads:    per operation, every response field path (relative to `data`, list levels
//             flattened: "issues.nodes.id") the client's readers demonstrably read.
// A path counts as read when changing that one value in a recorded response (string, number,
// boolean flipped, null made a string) and replaying the call changes what the client returns
// (or makes it fail). Replays compare each request with the recorded one, so a value that only
// feeds the next request (a page cursor) counts too.

#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/linear/graphql_documents.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/linear/linear_json.hpp"
#include "sandbox/linear/linear_sandbox.hpp"

namespace {

using namespace contexten;
using integrations::linear::LinearApi;
using integrations::linear::LinearGraphqlClient;
using Json = nlohmann::json;

struct Exchange {
  std::string body;      // the request body as sent
  std::string response;  // the response body
  int status = 0;
};

// --- digests of what a call returned -------------------------------------------------------
template <class T>
Json Digest(const core::Result<T>& r) {
  if (!r) return Json{{"error", r.error().message}};
  return integrations::linear::ToJson(*r);
}
template <class T>
Json Digest(const core::Result<std::vector<T>>& r) {
  if (!r) return Json{{"error", r.error().message}};
  Json out = Json::array();
  for (const auto& item : *r) out.push_back(integrations::linear::ToJson(item));
  return out;
}
template <class T>
Json Digest(const core::Result<std::optional<T>>& r) {
  if (!r) return Json{{"error", r.error().message}};
  return *r ? integrations::linear::ToJson(**r) : Json("none");
}

struct Call {
  std::string name;
  std::function<Json(LinearApi&)> run;
};

integrations::linear::LinearClientOptions ClientOptions(const sandbox::LinearSandbox& linear) {
  integrations::linear::LinearClientOptions options;
  options.api_url = linear.base_url();
  options.credential = linear.options().api_key;
  options.page_size = 2;  // lists take several pages, so the paging fields are exercised
  return options;
}

// Replays `exchanges` in order; a request that differs from the recorded one, or one past the
// end, fails (so the result changes).
Json Replay(const Call& call, const std::vector<Exchange>& exchanges,
            const integrations::linear::LinearClientOptions& options) {
  std::size_t next = 0;
  LinearGraphqlClient client(
      [&](core::net::OutgoingRequest request) -> core::Result<core::net::HttpResponse> {
        if (next >= exchanges.size() || exchanges[next].body != request.body) {
          return core::Unexpected(
              core::MakeError(core::ErrorKind::kInternal, "unexpected request"));
        }
        core::net::HttpResponse response;
        response.status = exchanges[next].status;
        response.body = exchanges[next].response;
        ++next;
        return response;
      },
      options);
  return call.run(client);
}

// Visits every leaf under `node` (list elements one by one), with its flattened path.
void Leaves(Json& node, const std::string& path,
            const std::function<void(Json&, const std::string&)>& fn) {
  if (node.is_object() && !node.empty()) {
    for (auto& [key, value] : node.items())
      Leaves(value, path.empty() ? key : path + "." + key, fn);
  } else if (node.is_array() && !node.empty()) {
    for (auto& element : node) Leaves(element, path, fn);
  } else if (!node.is_object() && !node.is_array()) {
    fn(node, path);
  }
}

Json Changed(const Json& value) {
  if (value.is_string()) return value.get<std::string>() + "~probe";
  if (value.is_boolean()) return !value.get<bool>();
  if (value.is_number_float()) return value.get<double>() + 0.5;
  if (value.is_number()) return value.get<std::int64_t>() + 1;
  return "probe";  // null
}

}  // namespace

int main() {
  core::net::IoRuntime io(1);
  core::net::HttpClient http(io);
  sandbox::LinearSandbox linear(io);
  if (auto started = linear.Start(); !started) {
    std::cerr << "sandbox: " << started.error().Describe() << "\n";
    return 2;
  }
  const auto options = ClientOptions(linear);
  const auto team = linear.Teams().at(0);
  const auto user = linear.Users().at(0);
  const auto label = linear.Labels().at(0);
  const auto states = linear.States(team.key);
  const auto state = states.at(std::min<std::size_t>(2, states.size() - 1));

  integrations::linear::IssueCreateRequest full;
  full.id = "0b2f6d7e-1111-4222-8333-444455556666";
  full.team_id = team.id;
  full.title = "Login crash on Safari";
  full.description = "Steps: open the login page";
  full.assignee_id = user.id;
  full.state_id = state.id;
  full.priority = 2;
  full.label_ids = {label.id};
  integrations::linear::IssueCreateRequest minimal;
  minimal.id = "0b2f6d7e-1111-4222-8333-777788889999";
  minimal.team_id = team.id;
  minimal.title = "Minimal";
  integrations::linear::IssueUpdateRequest update_all;
  update_all.title = "Login crash on Safari 17";
  update_all.description = "Updated";
  update_all.assignee_id = user.id;
  update_all.state_id = state.id;
  update_all.priority = 2;
  update_all.label_ids = std::vector<std::string>{label.id};
  integrations::linear::IssueUpdateRequest update_title;
  update_title.title = "Login crash on Safari 17.1";
  integrations::linear::IssueSearchQuery search_all;
  search_all.team_key = team.key;
  search_all.state_name = state.name;
  search_all.state_type = state.type;
  search_all.assignee_id = user.id;
  search_all.assignee_email = user.email;
  search_all.label_names = {label.name};
  search_all.text = "Login";
  search_all.limit = 5;
  const std::string issue_key = team.key + "-1";  // the first issue created below

  const std::vector<Call> calls = {
      {"Teams", [](LinearApi& c) { return Digest(c.Teams()); }},
      {"Users", [](LinearApi& c) { return Digest(c.Users()); }},
      {"Labels", [](LinearApi& c) { return Digest(c.Labels()); }},
      {"WorkflowStates", [&](LinearApi& c) { return Digest(c.WorkflowStates(team.key)); }},
      {"CreateIssue(all fields)", [&](LinearApi& c) { return Digest(c.CreateIssue(full)); }},
      {"CreateIssue(required)", [&](LinearApi& c) { return Digest(c.CreateIssue(minimal)); }},
      {"UpdateIssue(all fields)",
       [&](LinearApi& c) { return Digest(c.UpdateIssue(issue_key, update_all)); }},
      {"UpdateIssue(title)",
       [&](LinearApi& c) { return Digest(c.UpdateIssue(full.id, update_title)); }},
      {"CreateComment",
       [&](LinearApi& c) {
         return Digest(c.CreateComment(
             {"5c3e1a2b-1111-4222-8333-444455556666", issue_key, "Seen on *prod*"}));
       }},
      {"UpdateComment",
       [&](LinearApi& c) {
         return Digest(
             c.UpdateComment({"5c3e1a2b-1111-4222-8333-444455556666", "Seen on *prod* too"}));
       }},
      {"DeleteComment",
       [&](LinearApi& c) {
         auto deleted = c.DeleteComment("5c3e1a2b-1111-4222-8333-444455556666");
         return deleted ? Json::object() : Json{{"error", deleted.error().message}};
       }},
      {"LinkUrl(title)",
       [&](LinearApi& c) {
         return Digest(c.LinkUrl({issue_key, "https://example.com/incident/7", "Incident 7"}));
       }},
      {"LinkUrl(no title)",
       [&](LinearApi& c) {
         return Digest(c.LinkUrl({full.id, "https://example.com/incident/8", std::nullopt}));
       }},
      {"LinkGitHubPullRequest",
       [&](LinearApi& c) {
         return Digest(
             c.LinkGitHubPullRequest({issue_key, "https://github.com/octo/hello/pull/1", "PR #1"}));
       }},
      {"IssueByIdentifier", [&](LinearApi& c) { return Digest(c.IssueByIdentifier(issue_key)); }},
      {"SearchIssues(all criteria)",
       [&](LinearApi& c) { return Digest(c.SearchIssues(search_all)); }},
      {"SearchIssues(none)", [](LinearApi& c) { return Digest(c.SearchIssues({})); }},
      {"IssueByBranch",
       [&](LinearApi& c) {
         auto issue = linear.GetIssue(issue_key);
         return Digest(c.IssueByBranch(issue ? issue->branch_name : "none"));
       }},
  };

  Json requests = Json::array();
  std::map<std::string, std::set<std::string>> reads;
  int failures = 0;
  for (const auto& call : calls) {
    std::vector<Exchange> exchanges;
    LinearGraphqlClient recording(
        [&](core::net::OutgoingRequest request) -> core::Result<core::net::HttpResponse> {
          Exchange exchange;
          exchange.body = request.body;
          auto response = http.Send(std::move(request));
          if (response) {
            exchange.status = response->status;
            exchange.response = response->body;
          }
          exchanges.push_back(std::move(exchange));
          return response;
        },
        options);
    const Json result = call.run(recording);
    if (result.is_object() && result.contains("error")) {
      std::cerr << call.name << " failed against the sandbox: " << result["error"] << "\n";
      ++failures;
      continue;
    }
    for (const auto& exchange : exchanges) {
      Json body = Json::parse(exchange.body);
      requests.push_back({{"call", call.name},
                          {"operationName", body.value("operationName", "")},
                          {"query", body.value("query", "")},
                          {"variables", body.value("variables", Json::object())}});
    }
    if (Replay(call, exchanges, options) != result) {
      std::cerr << call.name << ": replaying the recorded exchanges changes the result\n";
      ++failures;
      continue;
    }
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
      const std::string operation =
          Json::parse(exchanges[i].body).value("operationName", std::string());
      Json response = Json::parse(exchanges[i].response);
      // Each leaf is changed alone: walk a fresh copy per leaf, changing the n-th one.
      std::size_t count = 0;
      Leaves(response["data"], "", [&](Json&, const std::string&) { ++count; });
      for (std::size_t n = 0; n < count; ++n) {
        Json probe = response;
        std::size_t k = 0;
        std::string path;
        Leaves(probe["data"], "", [&](Json& leaf, const std::string& p) {
          if (k++ == n) {
            leaf = Changed(leaf);
            path = p;
          }
        });
        auto altered = exchanges;
        altered[i].response = probe.dump();
        if (Replay(call, altered, options) != result) reads[operation].insert(path);
      }
    }
  }
  Json names = Json::array();
  for (const auto& document : integrations::linear::AllDocuments()) names.push_back(document.name);
  Json out = {{"documents", names}, {"requests", requests}, {"reads", Json::object()}};
  for (const auto& [operation, paths] : reads) out["reads"][operation] = paths;
  std::cout << out.dump(2) << "\n";
  linear.Stop();
  return failures == 0 ? 0 : 1;
}
