#include "integrations/linear/linear_graphql_client.hpp"

#include <utility>

#include "integrations/linear/graphql_documents.hpp"
#include "integrations/linear/linear_ids.hpp"
#include "integrations/linear/linear_json.hpp"

namespace contexten::integrations::linear {
namespace {

using Json = nlohmann::json;
using core::ErrorKind;

std::int64_t UnixMs(const core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
      .count();
}

core::Error Prefixed(std::string_view operation, core::Error error) {
  error.message = "linear " + std::string(operation) + ": " + error.message;
  return error;
}

// The payload object of a mutation, checked for success:true.
core::Result<Json> Payload(std::string_view operation, const Json& data, const char* field,
                           const char* entity) {
  const Json& payload = data.contains(field) ? data[field] : Json();
  if (!payload.is_object() || !payload.value("success", false) || !payload.contains(entity) ||
      !payload[entity].is_object()) {
    return core::Unexpected(core::MakeError(
        ErrorKind::kInternal, "linear " + std::string(operation) + ": not successful"));
  }
  return payload[entity];
}

Json AttachmentVariables(const AttachmentLinkRequest& request) {
  Json vars = {{"issueId", request.issue_id}, {"url", request.url}};
  if (request.title) vars["title"] = *request.title;
  return vars;
}

}  // namespace

LinearGraphqlClient::LinearGraphqlClient(core::net::HttpClient& http, LinearClientOptions options,
                                         core::Clock& clock)
    : LinearGraphqlClient(
          [&http](core::net::OutgoingRequest request) { return http.Send(std::move(request)); },
          std::move(options), clock) {}

LinearGraphqlClient::LinearGraphqlClient(LinearTransport transport, LinearClientOptions options,
                                         core::Clock& clock)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      clock_(clock),
      authorization_(AuthorizationFor(options_.credential, options_.auth)) {
  while (!options_.api_url.empty() && options_.api_url.back() == '/') options_.api_url.pop_back();
}

std::string LinearGraphqlClient::AuthorizationFor(const std::string& credential,
                                                  LinearAuthScheme scheme) {
  if (scheme == LinearAuthScheme::kAuto) {
    scheme = credential.rfind("lin_oauth_", 0) == 0 ? LinearAuthScheme::kOAuth
                                                    : LinearAuthScheme::kApiKey;
  }
  return scheme == LinearAuthScheme::kOAuth ? "Bearer " + credential : credential;
}

core::Result<Json> LinearGraphqlClient::Execute(std::string_view operation, const Json& variables) {
  core::net::OutgoingRequest request;
  request.method = "POST";
  request.url = options_.api_url + "/graphql";
  request.headers.Set("Authorization", authorization_);
  request.headers.Set("Content-Type", "application/json");
  request.headers.Set("Accept", "application/json");
  request.body = Json{
      {"query", Document(operation)},
      {"variables", variables.is_null() ? Json::object() : variables},
      {"operationName",
       operation}}.dump();
  request.timeout = options_.request_timeout;

  core::Result<core::net::HttpResponse> sent = transport_(std::move(request));
  if (!sent) return core::Unexpected(Prefixed(operation, sent.error()));
  const core::net::HttpResponse& response = sent.value();

  if (RateLimitInfo info = ParseRateLimitHeaders(response.headers); !info.empty()) {
    std::lock_guard lock(mu_);
    rate_limit_ = info;
  }
  const Json body = Json::parse(response.body, nullptr, false);
  const bool has_errors = body.is_object() && body.contains("errors") &&
                          body["errors"].is_array() && !body["errors"].empty();
  if (response.status != 200 || has_errors) {
    return core::Unexpected(MapLinearError(operation, response, body, UnixMs(clock_)));
  }
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object()) {
    return core::Unexpected(core::MakeError(
        ErrorKind::kInternal, "linear " + std::string(operation) + ": response has no data"));
  }
  return body["data"];
}

core::Result<Issue> LinearGraphqlClient::CreateIssue(const IssueCreateRequest& request) {
  Json input = {{"id", request.id.empty() ? NewLinearUuid() : request.id},
                {"teamId", request.team_id},
                {"title", request.title}};
  if (request.description) input["description"] = *request.description;
  if (request.assignee_id) input["assigneeId"] = *request.assignee_id;
  if (request.state_id) input["stateId"] = *request.state_id;
  if (request.priority) input["priority"] = *request.priority;
  if (!request.label_ids.empty()) input["labelIds"] = request.label_ids;
  auto data = Execute("IssueCreate", {{"input", input}});
  if (!data) return core::Unexpected(data.error());
  auto issue = Payload("IssueCreate", *data, "issueCreate", "issue");
  if (!issue) return core::Unexpected(issue.error());
  return IssueFromJson(*issue);
}

core::Result<Issue> LinearGraphqlClient::UpdateIssue(const std::string& id,
                                                     const IssueUpdateRequest& request) {
  Json input = Json::object();
  if (request.title) input["title"] = *request.title;
  if (request.description) input["description"] = *request.description;
  if (request.assignee_id) input["assigneeId"] = *request.assignee_id;
  if (request.state_id) input["stateId"] = *request.state_id;
  if (request.priority) input["priority"] = *request.priority;
  if (request.label_ids) input["labelIds"] = *request.label_ids;
  auto data = Execute("IssueUpdate", {{"id", id}, {"input", input}});
  if (!data) return core::Unexpected(data.error());
  auto issue = Payload("IssueUpdate", *data, "issueUpdate", "issue");
  if (!issue) return core::Unexpected(issue.error());
  return IssueFromJson(*issue);
}

core::Result<Comment> LinearGraphqlClient::CreateComment(const CommentCreateRequest& request) {
  Json input = {{"id", request.id.empty() ? NewLinearUuid() : request.id},
                {"issueId", request.issue_id},
                {"body", request.body}};
  auto data = Execute("CommentCreate", {{"input", input}});
  if (!data) return core::Unexpected(data.error());
  auto comment = Payload("CommentCreate", *data, "commentCreate", "comment");
  if (!comment) return core::Unexpected(comment.error());
  return CommentFromJson(*comment);
}

core::Result<Comment> LinearGraphqlClient::UpdateComment(const CommentUpdateRequest& request) {
  auto data = Execute("CommentUpdate", {{"id", request.id}, {"input", {{"body", request.body}}}});
  if (!data) return core::Unexpected(data.error());
  auto comment = Payload("CommentUpdate", *data, "commentUpdate", "comment");
  if (!comment) return core::Unexpected(comment.error());
  return CommentFromJson(*comment);
}

core::Status LinearGraphqlClient::DeleteComment(const std::string& comment_id) {
  auto data = Execute("CommentDelete", {{"id", comment_id}});
  if (!data) return core::Unexpected(data.error());
  const Json& payload = data->contains("commentDelete") ? (*data)["commentDelete"] : Json();
  if (!payload.is_object() || !payload.value("success", false)) {
    return core::Unexpected(
        core::MakeError(ErrorKind::kInternal, "linear CommentDelete: not successful"));
  }
  return core::Ok();
}

core::Result<Attachment> LinearGraphqlClient::LinkUrl(const AttachmentLinkRequest& request) {
  auto data = Execute("AttachmentLinkURL", AttachmentVariables(request));
  if (!data) return core::Unexpected(data.error());
  auto a = Payload("AttachmentLinkURL", *data, "attachmentLinkURL", "attachment");
  if (!a) return core::Unexpected(a.error());
  return AttachmentFromJson(*a);
}

core::Result<Attachment> LinearGraphqlClient::LinkGitHubPullRequest(
    const AttachmentLinkRequest& request) {
  auto data = Execute("AttachmentLinkGitHubPR", AttachmentVariables(request));
  if (!data) return core::Unexpected(data.error());
  auto a = Payload("AttachmentLinkGitHubPR", *data, "attachmentLinkGitHubPR", "attachment");
  if (!a) return core::Unexpected(a.error());
  return AttachmentFromJson(*a);
}

core::Result<Issue> LinearGraphqlClient::IssueByIdentifier(const std::string& id_or_identifier) {
  auto data = Execute("IssueByIdentifier", {{"id", id_or_identifier}});
  if (!data) return core::Unexpected(data.error());
  const Json& issue = (*data)["issue"];
  if (!issue.is_object()) {
    return core::Unexpected(core::MakeError(
        ErrorKind::kNotFound, "linear IssueByIdentifier: no issue " + id_or_identifier));
  }
  return IssueFromJson(issue);
}

Json LinearGraphqlClient::BuildIssueFilter(const IssueSearchQuery& query) {
  Json filter = Json::object();
  if (query.team_key) filter["team"] = {{"key", {{"eq", *query.team_key}}}};
  if (query.state_name) filter["state"]["name"] = {{"eqIgnoreCase", *query.state_name}};
  if (query.state_type) filter["state"]["type"] = {{"eq", *query.state_type}};
  if (query.assignee_id) filter["assignee"]["id"] = {{"eq", *query.assignee_id}};
  if (query.assignee_email) filter["assignee"]["email"] = {{"eqIgnoreCase", *query.assignee_email}};
  if (!query.label_names.empty()) {
    filter["labels"] = {{"some", {{"name", {{"in", query.label_names}}}}}};
  }
  if (query.text) filter["searchableContent"] = {{"contains", *query.text}};
  return filter;
}

core::Result<std::vector<Issue>> LinearGraphqlClient::SearchIssues(const IssueSearchQuery& query) {
  Json vars = {{"filter", BuildIssueFilter(query)}};
  auto nodes = FetchAll("IssueSearch", "issues", std::move(vars), query.limit);
  if (!nodes) return core::Unexpected(nodes.error());
  std::vector<Issue> issues;
  for (const Json& n : *nodes) issues.push_back(IssueFromJson(n));
  return issues;
}

core::Result<std::optional<Issue>> LinearGraphqlClient::IssueByBranch(
    const std::string& branch_name) {
  auto data = Execute("IssueByBranch", {{"branchName", branch_name}});
  if (!data) return core::Unexpected(data.error());
  const Json& issue = (*data)["issueVcsBranchSearch"];
  if (!issue.is_object()) return std::optional<Issue>();
  return std::optional<Issue>(IssueFromJson(issue));
}

core::Result<std::vector<Json>> LinearGraphqlClient::FetchAll(std::string_view operation,
                                                              std::string_view field,
                                                              Json variables, int limit) {
  std::vector<Json> nodes;
  std::optional<std::string> after;
  for (int page = 0; page < options_.max_pages; ++page) {
    const int want = limit > 0
                         ? std::min(options_.page_size, limit - static_cast<int>(nodes.size()))
                         : options_.page_size;
    variables["first"] = want;
    if (after) variables["after"] = *after;
    auto data = Execute(operation, variables);
    if (!data) return core::Unexpected(data.error());
    const Json& connection = (*data)[std::string(field)];
    if (!connection.is_object() || !connection.contains("nodes") ||
        !connection["nodes"].is_array()) {
      return core::Unexpected(core::MakeError(
          ErrorKind::kInternal, "linear " + std::string(operation) + ": no nodes in response"));
    }
    for (const Json& n : connection["nodes"]) nodes.push_back(n);
    const Json& info = connection.value("pageInfo", Json::object());
    const bool more = info.value("hasNextPage", false);
    const Json& cursor = info.contains("endCursor") ? info["endCursor"] : Json();
    if (limit > 0 && static_cast<int>(nodes.size()) >= limit) break;
    if (!more || !cursor.is_string()) break;
    after = cursor.get<std::string>();
  }
  return nodes;
}

bool LinearGraphqlClient::Fresh(core::SteadyTime fetched) const {
  return clock_.Now() - fetched < options_.cache_ttl;
}

template <class T, class Parse>
core::Result<std::vector<T>> LinearGraphqlClient::CachedList(std::optional<CacheEntry<T>>& slot,
                                                             std::string_view operation,
                                                             std::string_view field, Json variables,
                                                             Parse parse) {
  {
    std::lock_guard lock(mu_);
    if (slot && Fresh(slot->fetched)) return slot->items;
  }
  // Fetched without the lock: two concurrent misses both fetch, which is harmless.
  auto nodes = FetchAll(operation, field, std::move(variables), 0);
  if (!nodes) return core::Unexpected(nodes.error());
  std::vector<T> items;
  for (const Json& n : *nodes) items.push_back(parse(n));
  std::lock_guard lock(mu_);
  slot = CacheEntry<T>{items, clock_.Now()};
  return items;
}

core::Result<std::vector<Team>> LinearGraphqlClient::Teams() {
  return CachedList(teams_, "Teams", "teams", Json::object(), TeamFromJson);
}

core::Result<std::vector<User>> LinearGraphqlClient::Users() {
  return CachedList(users_, "Users", "users", Json::object(), UserFromJson);
}

core::Result<std::vector<Label>> LinearGraphqlClient::Labels() {
  return CachedList(labels_, "Labels", "issueLabels", Json::object(), LabelFromJson);
}

core::Result<std::vector<WorkflowState>> LinearGraphqlClient::WorkflowStates(
    const std::string& team_key) {
  std::optional<CacheEntry<WorkflowState>> slot;
  {
    std::lock_guard lock(mu_);
    if (auto it = states_.find(team_key); it != states_.end()) slot = it->second;
  }
  auto result = CachedList(slot, "WorkflowStates", "workflowStates", {{"teamKey", team_key}},
                           WorkflowStateFromJson);
  if (result && slot) {
    std::lock_guard lock(mu_);
    states_[team_key] = *slot;
  }
  return result;
}

void LinearGraphqlClient::InvalidateCaches() {
  std::lock_guard lock(mu_);
  teams_.reset();
  users_.reset();
  labels_.reset();
  states_.clear();
}

RateLimitInfo LinearGraphqlClient::last_rate_limit() const {
  std::lock_guard lock(mu_);
  return rate_limit_;
}

}  // namespace contexten::integrations::linear
