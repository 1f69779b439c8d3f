#include "sandbox/linear/linear_sandbox.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include "core/crypto.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "integrations/linear/linear_ids.hpp"
#include "integrations/linear/linear_json.hpp"

namespace contexten::sandbox {
namespace {

namespace lin = integrations::linear;
using Json = nlohmann::json;
using core::net::HttpRequest;
using core::net::HttpResponse;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Slug(const std::string& title) {
  std::string slug;
  for (unsigned char c : title) {
    if (std::isalnum(c)) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

std::string Iso8601(core::WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

std::string PriorityLabel(int p) {
  static const char* kLabels[] = {"No priority", "Urgent", "High", "Medium", "Low"};
  return p >= 0 && p <= 4 ? kLabels[p] : "No priority";
}

// A GraphQL error the way Linear shapes them.
Json GraphqlError(const std::string& message, const std::string& type, const std::string& code) {
  return {{"message", message},
          {"extensions", {{"type", type}, {"code", code}, {"userPresentableMessage", message}}}};
}

HttpResponse ErrorResponse(int status, const Json& error) {
  return HttpResponse::Json(status, Json{{"errors", Json::array({error})}}.dump());
}

// Thrown inside an operation handler to answer with a GraphQL error (no state is changed
// before a handler validates its input).
struct OperationError {
  Json error;
};

[[noreturn]] void InvalidInput(const std::string& message) {
  throw OperationError{GraphqlError(message, "invalid input", "INVALID_INPUT")};
}

std::string StrVar(const Json& vars, const char* key) {
  if (!vars.is_object() || !vars.contains(key) || !vars[key].is_string()) return "";
  return vars[key].get<std::string>();
}

// StringComparator / IDComparator evaluation for the keys our filters use.
bool MatchString(const Json& cmp, const std::string& value) {
  if (!cmp.is_object()) return true;
  for (const auto& [op, arg] : cmp.items()) {
    if (op == "eq" && !(arg.is_string() && value == arg.get<std::string>())) return false;
    if (op == "eqIgnoreCase" && !(arg.is_string() && Lower(value) == Lower(arg.get<std::string>())))
      return false;
    if (op == "neq" && arg.is_string() && value == arg.get<std::string>()) return false;
    if (op == "contains" &&
        !(arg.is_string() && value.find(arg.get<std::string>()) != std::string::npos))
      return false;
    if (op == "containsIgnoreCase" &&
        !(arg.is_string() && Lower(value).find(Lower(arg.get<std::string>())) != std::string::npos))
      return false;
    if (op == "in") {
      bool any = false;
      if (arg.is_array()) {
        for (const auto& a : arg) any = any || (a.is_string() && a.get<std::string>() == value);
      }
      if (!any) return false;
    }
  }
  return true;
}

struct Fault {
  enum class Kind {
    kServerError,
    kRateLimited,
    kFailAfterApply,
    kDelay,
    kDrop,
    kResetBeforeApply,
    kResetAfterApply
  } kind;
  int remaining = 0;
  int status = 500;
  std::chrono::milliseconds duration{0};
};

const char* FaultName(Fault::Kind kind) {
  switch (kind) {
    case Fault::Kind::kServerError:
      return "server_error";
    case Fault::Kind::kRateLimited:
      return "rate_limited";
    case Fault::Kind::kFailAfterApply:
      return "fail_after_apply";
    case Fault::Kind::kDelay:
      return "delay";
    case Fault::Kind::kDrop:
      return "drop";
    case Fault::Kind::kResetBeforeApply:
      return "reset";
    case Fault::Kind::kResetAfterApply:
      return "reset_after_apply";
  }
  return "";
}

struct StoredIssue {
  lin::Issue issue;  // state/team/assignee/labels refreshed from the tables when rendered
  std::string state_id;
  std::string assignee_id;
  std::vector<std::string> label_ids;
  std::string team_id;
};

struct PendingWebhook {
  std::string event;
  std::string action;
  Json data;
  Json updated_from;
  std::string url;
  Json actor;  // null: the API key's user (set before sending)
};

}  // namespace

struct LinearSandbox::Impl : std::enable_shared_from_this<LinearSandbox::Impl> {
  Impl(core::net::IoRuntime& io_runtime, LinearSandboxOptions opts, core::Clock& clk)
      : io(io_runtime), options(std::move(opts)), clock(clk), webhook_client(io_runtime) {
    server = std::make_unique<core::net::HttpServer>(io, core::net::HttpServerOptions{});
  }

  core::net::IoRuntime& io;
  LinearSandboxOptions options;
  core::Clock& clock;
  core::net::HttpClient webhook_client;
  std::unique_ptr<core::net::HttpServer> server;

  mutable std::mutex mu;
  std::vector<lin::Team> teams;
  std::map<std::string, int> next_number;  // team id -> last issue number
  std::vector<lin::WorkflowState> states;
  std::vector<lin::User> users;
  std::vector<lin::Label> labels;
  std::vector<StoredIssue> issues;
  std::vector<lin::Comment> comments;
  std::vector<std::string> deleted_comment_ids;
  std::vector<lin::Attachment> attachments;
  std::vector<LinearRequestRecord> requests;
  std::vector<LinearWebhookDelivery> deliveries;
  std::deque<Fault> faults;
  std::optional<core::SteadyTime> outage_until;  // FailFor: answer outage_status until then
  int outage_status = 503;
  std::vector<core::net::HttpResponder> dropped;  // kept so they are never answered
  mutable std::condition_variable delivery_done;  // a webhook POST finished

  // --- lookups (mu held) --------------------------------------------------------------------
  const lin::Team* TeamById(const std::string& id) const {
    for (const auto& t : teams)
      if (t.id == id) return &t;
    return nullptr;
  }
  const lin::Team* TeamByKey(const std::string& key) const {
    for (const auto& t : teams)
      if (Lower(t.key) == Lower(key)) return &t;
    return nullptr;
  }
  const lin::WorkflowState* StateById(const std::string& id) const {
    for (const auto& s : states)
      if (s.id == id) return &s;
    return nullptr;
  }
  const lin::User* UserById(const std::string& id) const {
    for (const auto& u : users)
      if (u.id == id) return &u;
    return nullptr;
  }
  const lin::Label* LabelById(const std::string& id) const {
    for (const auto& l : labels)
      if (l.id == id) return &l;
    return nullptr;
  }
  StoredIssue* FindIssue(const std::string& id_or_identifier) {
    for (auto& i : issues) {
      if (i.issue.id == id_or_identifier || Lower(i.issue.identifier) == Lower(id_or_identifier))
        return &i;
    }
    return nullptr;
  }
  const StoredIssue* FindIssue(const std::string& id_or_identifier) const {
    return const_cast<Impl*>(this)->FindIssue(id_or_identifier);
  }
  bool IdTaken(const std::string& id) const {
    for (const auto& i : issues)
      if (i.issue.id == id) return true;
    for (const auto& c : comments)
      if (c.id == id) return true;
    for (const auto& a : attachments)
      if (a.id == id) return true;
    // Linear keeps a deleted entity's id: creating again with it is still a conflict.
    for (const auto& d : deleted_comment_ids)
      if (d == id) return true;
    return false;
  }
  const lin::User& Viewer() const { return users.front(); }
  // A user by id or email (any case); empty: the Sandbox User, who acts in the control interface.
  const lin::User* UserByRef(const std::string& ref) const {
    const std::string wanted = Lower(ref.empty() ? std::string(kLinearSandboxUserEmail) : ref);
    for (const auto& u : users)
      if (u.id == ref || Lower(u.email) == wanted) return &u;
    return nullptr;
  }
  std::string UserUrl(const lin::User& user) const {
    return options.app_url + "/profiles/" + user.display_name;
  }
  // The envelope's `actor`, as Linear sends it for changes made by a user.
  Json ActorJson(const lin::User& user) const {
    return {{"id", user.id},
            {"type", "user"},
            {"name", user.name},
            {"email", user.email},
            {"url", UserUrl(user)}};
  }

  // The issue as the API shows it now (state, team, assignee and labels resolved).
  lin::Issue Render(const StoredIssue& stored) const {
    lin::Issue issue = stored.issue;
    if (const auto* s = StateById(stored.state_id)) issue.state = {s->id, s->name, s->type};
    if (const auto* t = TeamById(stored.team_id)) {
      issue.team_id = t->id;
      issue.team_key = t->key;
    }
    issue.assignee.reset();
    if (const auto* u = UserById(stored.assignee_id)) {
      issue.assignee = lin::UserRef{u->id, u->name, u->display_name, u->email};
    }
    issue.labels.clear();
    for (const auto& id : stored.label_ids) {
      if (const auto* l = LabelById(id)) issue.labels.push_back({l->id, l->name, l->color});
    }
    return issue;
  }

  // Webhook `data` for an issue: the fields Linear's IssueWebhookPayload carries.
  Json IssueWebhookData(const StoredIssue& stored) const {
    const lin::Issue issue = Render(stored);
    Json labels_json = Json::array();
    for (const auto& l : issue.labels)
      labels_json.push_back({{"id", l.id}, {"name", l.name}, {"color", l.color}});
    Json data = {{"id", issue.id},
                 {"identifier", issue.identifier},
                 {"number", issue.number},
                 {"title", issue.title},
                 {"description", issue.description},
                 {"priority", issue.priority},
                 {"priorityLabel", PriorityLabel(issue.priority)},
                 {"url", issue.url},
                 {"branchName", issue.branch_name},
                 {"createdAt", issue.created_at},
                 {"updatedAt", issue.updated_at},
                 {"teamId", issue.team_id},
                 {"stateId", stored.state_id},
                 {"assigneeId", stored.assignee_id.empty() ? Json() : Json(stored.assignee_id)},
                 {"labelIds", stored.label_ids},
                 {"labels", labels_json},
                 // Required by IssueWebhookPayload; the sandbox keeps no ordering or reactions.
                 {"sortOrder", -static_cast<double>(issue.number)},
                 {"prioritySortOrder", static_cast<double>(issue.number)},
                 {"previousIdentifiers", Json::array()},
                 {"subscriberIds", Json::array()},
                 {"reactionData", Json::object()}};
    if (const auto* t = TeamById(stored.team_id))
      data["team"] = {{"id", t->id}, {"key", t->key}, {"name", t->name}};
    if (const auto* s = StateById(stored.state_id))
      data["state"] = {{"id", s->id}, {"name", s->name}, {"type", s->type}, {"color", s->color}};
    data["assignee"] = nullptr;
    if (issue.assignee) {
      data["assignee"] = {{"id", issue.assignee->id},
                          {"name", issue.assignee->name},
                          {"email", issue.assignee->email},
                          {"url", options.app_url + "/profiles/" + issue.assignee->display_name}};
    }
    return data;
  }

  // --- seeding (mu held) ----------------------------------------------------------------
  lin::Team AddTeam(const std::string& key, const std::string& name) {
    lin::Team team{lin::NewLinearUuid(), key, name};
    teams.push_back(team);
    next_number[team.id] = 0;
    const struct {
      const char* name;
      const char* type;
      const char* color;
    } kStates[] = {{"Backlog", "backlog", "#bec2c8"},     {"Todo", "unstarted", "#e2e2e2"},
                   {"In Progress", "started", "#f2c94c"}, {"In Review", "started", "#0f783c"},
                   {"Done", "completed", "#5e6ad2"},      {"Canceled", "canceled", "#95a2b3"}};
    double position = 0;
    for (const auto& s : kStates) {
      states.push_back({lin::NewLinearUuid(), s.name, s.type, position++, s.color, team.id, key});
    }
    return team;
  }

  lin::User AddUser(const std::string& name, const std::string& email) {
    std::string display = Lower(name.substr(0, name.find(' ')));
    lin::User user{lin::NewLinearUuid(), name, display, email, true};
    users.push_back(user);
    return user;
  }

  lin::Label AddLabel(const std::string& name, const std::string& color,
                      const std::string& team_key) {
    lin::Label label{lin::NewLinearUuid(), name, color, "", ""};
    if (const auto* t = team_key.empty() ? nullptr : TeamByKey(team_key)) {
      label.team_id = t->id;
      label.team_key = t->key;
    }
    labels.push_back(label);
    return label;
  }

  void SeedDefaults() {
    AddUser("Contexten", "contexten@sandbox.example");
    AddUser("Ada Lovelace", "ada@sandbox.example");
    AddUser("Grace Hopper", "grace@sandbox.example");
    AddUser("Sandbox User", kLinearSandboxUserEmail);
    AddTeam("ENG", "Engineering");
    AddLabel("Bug", "#eb5757", "");
    AddLabel("Feature", "#bb87fc", "");
    AddLabel("Improvement", "#4ea7fc", "");
  }

  // --- state changes (mu held); each queues its webhook -----------------------------------
  std::string Now() const { return Iso8601(clock.WallNow()); }

  StoredIssue& DoCreateIssue(const Json& input, std::vector<PendingWebhook>& hooks) {
    std::string id = StrVar(input, "id");
    if (!id.empty() && IdTaken(id)) {
      throw OperationError{
          GraphqlError("Entity already exists: an issue with id " + id + " already exists",
                       "invalid input", "CONFLICT")};
    }
    const lin::Team* team = TeamById(StrVar(input, "teamId"));
    if (team == nullptr) team = TeamByKey(StrVar(input, "teamId"));
    if (team == nullptr) InvalidInput("Argument Validation Error: teamId must be a valid team");
    const std::string title = StrVar(input, "title");
    if (title.empty()) InvalidInput("Argument Validation Error: title must not be empty");
    StoredIssue stored;
    stored.team_id = team->id;
    stored.state_id = StrVar(input, "stateId");
    if (!stored.state_id.empty()) {
      const auto* s = StateById(stored.state_id);
      if (s == nullptr || s->team_id != team->id) InvalidInput("Entity not found: WorkflowState");
    } else {
      for (const auto& s : states) {
        if (s.team_id == team->id) {
          stored.state_id = s.id;  // the first (Backlog) is the team default
          break;
        }
      }
    }
    stored.assignee_id = StrVar(input, "assigneeId");
    if (!stored.assignee_id.empty() && UserById(stored.assignee_id) == nullptr)
      InvalidInput("Entity not found: User");
    if (input.contains("labelIds") && input["labelIds"].is_array()) {
      for (const auto& l : input["labelIds"]) {
        if (!l.is_string() || LabelById(l.get<std::string>()) == nullptr)
          InvalidInput("Entity not found: IssueLabel");
        stored.label_ids.push_back(l.get<std::string>());
      }
    }
    lin::Issue& issue = stored.issue;
    issue.id = id.empty() ? lin::NewLinearUuid() : id;
    issue.number = ++next_number[team->id];
    issue.identifier = team->key + "-" + std::to_string(issue.number);
    issue.title = title;
    issue.description = StrVar(input, "description");
    issue.priority = input.contains("priority") && input["priority"].is_number_integer()
                         ? input["priority"].get<int>()
                         : 0;
    const std::string slug = Slug(title);
    issue.branch_name = Lower(issue.identifier) + (slug.empty() ? "" : "-" + slug);
    issue.url = options.app_url + "/issue/" + issue.identifier + (slug.empty() ? "" : "/" + slug);
    issue.created_at = issue.updated_at = Now();
    issues.push_back(std::move(stored));
    StoredIssue& added = issues.back();
    hooks.push_back({"Issue", "create", IssueWebhookData(added), Json(), added.issue.url, Json()});
    return added;
  }

  StoredIssue& DoUpdateIssue(const std::string& id, const Json& input,
                             std::vector<PendingWebhook>& hooks) {
    StoredIssue* stored = FindIssue(id);
    if (stored == nullptr) InvalidInput("Entity not found: Issue");
    // Validate everything before changing anything.
    if (input.contains("stateId")) {
      const auto* s = StateById(StrVar(input, "stateId"));
      if (s == nullptr || s->team_id != stored->team_id)
        InvalidInput("Entity not found: WorkflowState");
    }
    if (input.contains("assigneeId") && !input["assigneeId"].is_null() &&
        UserById(StrVar(input, "assigneeId")) == nullptr)
      InvalidInput("Entity not found: User");
    if (input.contains("labelIds")) {
      if (!input["labelIds"].is_array()) InvalidInput("labelIds must be a list");
      for (const auto& l : input["labelIds"])
        if (!l.is_string() || LabelById(l.get<std::string>()) == nullptr)
          InvalidInput("Entity not found: IssueLabel");
    }
    Json from = Json::object();
    lin::Issue& issue = stored->issue;
    if (input.contains("title") && input["title"].is_string()) {
      from["title"] = issue.title;
      issue.title = input["title"].get<std::string>();
    }
    if (input.contains("description")) {
      from["description"] = issue.description;
      issue.description = StrVar(input, "description");
    }
    if (input.contains("priority") && input["priority"].is_number_integer()) {
      from["priority"] = issue.priority;
      issue.priority = input["priority"].get<int>();
    }
    if (input.contains("stateId")) {
      from["stateId"] = stored->state_id;
      stored->state_id = StrVar(input, "stateId");
    }
    if (input.contains("assigneeId")) {
      from["assigneeId"] = stored->assignee_id.empty() ? Json() : Json(stored->assignee_id);
      stored->assignee_id = StrVar(input, "assigneeId");
    }
    if (input.contains("labelIds")) {
      from["labelIds"] = stored->label_ids;
      stored->label_ids = input["labelIds"].get<std::vector<std::string>>();
    }
    from["updatedAt"] = issue.updated_at;
    issue.updated_at = Now();
    hooks.push_back({"Issue", "update", IssueWebhookData(*stored), from, issue.url, Json()});
    return *stored;
  }

  lin::Comment DoCreateComment(const Json& input, const lin::User& author,
                               std::vector<PendingWebhook>& hooks) {
    const std::string id = StrVar(input, "id");
    if (!id.empty() && IdTaken(id)) {
      throw OperationError{
          GraphqlError("Entity already exists: a comment with id " + id + " already exists",
                       "invalid input", "CONFLICT")};
    }
    const StoredIssue* stored = FindIssue(StrVar(input, "issueId"));
    if (stored == nullptr) InvalidInput("Entity not found: Issue");
    const std::string body = StrVar(input, "body");
    if (body.empty()) InvalidInput("Argument Validation Error: body must not be empty");
    lin::Comment c;
    c.id = id.empty() ? lin::NewLinearUuid() : id;
    c.body = body;
    c.url = stored->issue.url + "#comment-" + c.id.substr(0, 8);
    c.created_at = Now();
    c.user_id = author.id;
    c.user_name = author.name;
    c.issue_id = stored->issue.id;
    c.issue_identifier = stored->issue.identifier;
    comments.push_back(c);
    hooks.push_back({"Comment", "create", CommentWebhookData(c, author, *stored), Json(), c.url,
                     ActorJson(author)});
    return c;
  }

  // CommentWebhookPayload with its IssueChildWebhookPayload and UserChildWebhookPayload.
  // `updated_at`: empty for a new comment (its createdAt).
  Json CommentWebhookData(const lin::Comment& c, const lin::User& author, const StoredIssue& stored,
                          const std::string& updated_at = "") const {
    Json issue_child = {{"id", c.issue_id},
                        {"identifier", c.issue_identifier},
                        {"title", stored.issue.title},
                        {"teamId", stored.team_id},
                        {"url", stored.issue.url}};
    if (const auto* t = TeamById(stored.team_id))
      issue_child["team"] = {{"id", t->id}, {"key", t->key}, {"name", t->name}};
    Json data = {{"id", c.id},
                 {"body", c.body},
                 {"issueId", c.issue_id},
                 {"issue", issue_child},
                 {"userId", author.id},
                 {"user",
                  {{"id", author.id},
                   {"name", author.name},
                   {"email", author.email},
                   {"url", UserUrl(author)}}},
                 {"reactionData", Json::object()},
                 {"createdAt", c.created_at},
                 {"updatedAt", updated_at.empty() ? c.created_at : updated_at}};
    if (!updated_at.empty()) data["editedAt"] = updated_at;
    return data;
  }

  lin::Comment* FindComment(const std::string& id) {
    for (auto& c : comments)
      if (c.id == id) return &c;
    return nullptr;
  }

  // commentUpdate: as Linear, an update of a comment that is not there (never was, or was
  // deleted) is "Entity not found". `actor` is who edited (the API key's user over GraphQL).
  lin::Comment DoUpdateComment(const std::string& id, const Json& input, const lin::User& actor,
                               std::vector<PendingWebhook>& hooks) {
    lin::Comment* c = FindComment(id);
    if (c == nullptr) InvalidInput("Entity not found: Comment");
    const StoredIssue* stored = FindIssue(c->issue_id);
    if (stored == nullptr) InvalidInput("Entity not found: Issue");
    Json from = Json::object();
    if (input.contains("body") && input["body"].is_string()) {
      const std::string body = input["body"].get<std::string>();
      if (body.empty()) InvalidInput("Argument Validation Error: body must not be empty");
      from["body"] = c->body;
      c->body = body;
    }
    const std::string now = Now();
    const lin::User* author = UserById(c->user_id);
    hooks.push_back({"Comment", "update",
                     CommentWebhookData(*c, author ? *author : actor, *stored, now), from, c->url,
                     ActorJson(actor)});
    return *c;
  }

  // commentDelete: Linear answers "Entity not found" for a comment already gone. The Comment
  // remove webhook carries the comment as it was.
  void DoDeleteComment(const std::string& id, const lin::User& actor,
                       std::vector<PendingWebhook>& hooks) {
    lin::Comment* c = FindComment(id);
    if (c == nullptr) InvalidInput("Entity not found: Comment");
    const lin::Comment gone = *c;
    const StoredIssue* stored = FindIssue(gone.issue_id);
    comments.erase(comments.begin() + (c - comments.data()));
    deleted_comment_ids.push_back(gone.id);
    if (stored == nullptr) return;
    const lin::User* author = UserById(gone.user_id);
    hooks.push_back({"Comment", "remove",
                     CommentWebhookData(gone, author ? *author : actor, *stored, Now()), Json(),
                     gone.url, ActorJson(actor)});
  }

  lin::Attachment DoLink(const Json& vars, bool github, std::vector<PendingWebhook>& hooks) {
    const StoredIssue* stored = FindIssue(StrVar(vars, "issueId"));
    if (stored == nullptr) InvalidInput("Entity not found: Issue");
    const std::string url = StrVar(vars, "url");
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      InvalidInput("Argument Validation Error: url must be a URL");
    if (github && url.find("/pull/") == std::string::npos)
      InvalidInput("Argument Validation Error: url must be a GitHub pull request URL");
    // Linear keeps one attachment per URL per issue: linking again returns that one.
    for (const auto& a : attachments) {
      if (a.issue_id == stored->issue.id && a.url == url) return a;
    }
    const std::string id = StrVar(vars, "id");
    if (!id.empty() && IdTaken(id)) {
      throw OperationError{
          GraphqlError("Entity already exists: an attachment with id " + id + " already exists",
                       "invalid input", "CONFLICT")};
    }
    lin::Attachment a;
    a.id = id.empty() ? lin::NewLinearUuid() : id;
    a.url = url;
    a.title = StrVar(vars, "title");
    if (github) {
      const std::string number = url.substr(url.rfind('/') + 1);
      if (a.title.empty()) a.title = "Pull request #" + number;
      a.subtitle = "Open";
    }
    if (a.title.empty()) a.title = url;
    a.issue_id = stored->issue.id;
    a.issue_identifier = stored->issue.identifier;
    attachments.push_back(a);
    Json data = {{"id", a.id},
                 {"url", a.url},
                 {"title", a.title},
                 {"subtitle", a.subtitle},
                 {"issueId", a.issue_id},
                 {"sourceType", github ? "github" : "api"},
                 {"createdAt", Now()}};
    hooks.push_back({"Attachment", "create", data, Json(), stored->issue.url, Json()});
    return a;
  }

  // --- GraphQL operations (mu held) -----------------------------------------------------------
  static Json Page(const std::vector<Json>& all, const Json& vars) {
    int first = 50;
    if (vars.contains("first") && vars["first"].is_number_integer()) first = vars["first"];
    std::size_t start = 0;
    if (vars.contains("after") && vars["after"].is_string()) {
      start = static_cast<std::size_t>(std::stoul(vars["after"].get<std::string>()));
    }
    if (first < 0) InvalidInput("first must not be negative");
    const std::size_t end = std::min(all.size(), start + static_cast<std::size_t>(first));
    Json nodes = Json::array();
    for (std::size_t i = start; i < end; ++i) nodes.push_back(all[i]);
    return {{"nodes", nodes},
            {"pageInfo",
             {{"hasNextPage", end < all.size()},
              {"hasPreviousPage", start > 0},
              {"startCursor", std::to_string(start)},
              {"endCursor", std::to_string(end)}}}};
  }

  bool MatchesFilter(const StoredIssue& stored, const Json& filter) const {
    if (!filter.is_object()) return true;
    const lin::Issue issue = Render(stored);
    if (filter.contains("team") && filter["team"].contains("key") &&
        !MatchString(filter["team"]["key"], issue.team_key))
      return false;
    if (filter.contains("state")) {
      const Json& s = filter["state"];
      if (s.contains("name") && !MatchString(s["name"], issue.state.name)) return false;
      if (s.contains("type") && !MatchString(s["type"], issue.state.type)) return false;
    }
    if (filter.contains("assignee")) {
      const Json& a = filter["assignee"];
      if (!issue.assignee) return false;
      if (a.contains("id") && !MatchString(a["id"], issue.assignee->id)) return false;
      if (a.contains("email") && !MatchString(a["email"], issue.assignee->email)) return false;
    }
    if (filter.contains("labels") && filter["labels"].contains("some")) {
      const Json& some = filter["labels"]["some"];
      bool any = false;
      for (const auto& l : issue.labels) {
        if (!some.contains("name") || MatchString(some["name"], l.name)) any = true;
      }
      if (!any) return false;
    }
    if (filter.contains("searchableContent") && filter["searchableContent"].contains("contains")) {
      const std::string needle = Lower(filter["searchableContent"].value("contains", ""));
      if (Lower(issue.title + "\n" + issue.description).find(needle) == std::string::npos)
        return false;
    }
    return true;
  }

  Json Execute(const std::string& op, const Json& vars, std::vector<PendingWebhook>& hooks,
               bool& applied) {
    if (op == "IssueCreate") {
      const StoredIssue& s = DoCreateIssue(vars.value("input", Json::object()), hooks);
      applied = true;
      return {
          {"issueCreate", {{"success", true}, {"lastSyncId", 1}, {"issue", ToJson(Render(s))}}}};
    }
    if (op == "IssueUpdate") {
      const StoredIssue& s =
          DoUpdateIssue(StrVar(vars, "id"), vars.value("input", Json::object()), hooks);
      applied = true;
      return {
          {"issueUpdate", {{"success", true}, {"lastSyncId", 1}, {"issue", ToJson(Render(s))}}}};
    }
    if (op == "CommentCreate") {
      const lin::Comment c = DoCreateComment(vars.value("input", Json::object()), Viewer(), hooks);
      applied = true;
      return {{"commentCreate", {{"success", true}, {"lastSyncId", 1}, {"comment", ToJson(c)}}}};
    }
    if (op == "CommentUpdate") {
      const lin::Comment c =
          DoUpdateComment(StrVar(vars, "id"), vars.value("input", Json::object()), Viewer(), hooks);
      applied = true;
      return {{"commentUpdate", {{"success", true}, {"lastSyncId", 1}, {"comment", ToJson(c)}}}};
    }
    if (op == "CommentDelete") {
      const std::string id = StrVar(vars, "id");
      DoDeleteComment(id, Viewer(), hooks);
      applied = true;
      return {{"commentDelete", {{"success", true}, {"lastSyncId", 1}, {"entityId", id}}}};
    }
    if (op == "AttachmentLinkURL" || op == "AttachmentLinkGitHubPR") {
      const bool github = op == "AttachmentLinkGitHubPR";
      const lin::Attachment a = DoLink(vars, github, hooks);
      applied = true;
      return {{github ? "attachmentLinkGitHubPR" : "attachmentLinkURL",
               {{"success", true}, {"lastSyncId", 1}, {"attachment", ToJson(a)}}}};
    }
    if (op == "IssueByIdentifier") {
      const StoredIssue* s = FindIssue(StrVar(vars, "id"));
      if (s == nullptr) InvalidInput("Entity not found: Issue");
      return {{"issue", ToJson(Render(*s))}};
    }
    if (op == "IssueByBranch") {
      const std::string branch = Lower(StrVar(vars, "branchName"));
      const StoredIssue* found = nullptr;
      for (const auto& s : issues) {
        if (Lower(s.issue.branch_name) == branch) found = &s;
      }
      // Like Linear, a branch that contains the identifier ("feature/eng-12-x") also matches.
      for (const auto& s : issues) {
        if (found != nullptr) break;
        const std::string id = Lower(s.issue.identifier);
        for (std::size_t at = branch.find(id); at != std::string::npos;
             at = branch.find(id, at + 1)) {
          const std::size_t end = at + id.size();
          const bool left_ok = at == 0 || !std::isalnum(static_cast<unsigned char>(branch[at - 1]));
          const bool right_ok =
              end == branch.size() || !std::isdigit(static_cast<unsigned char>(branch[end]));
          if (left_ok && right_ok) {
            found = &s;
            break;
          }
        }
      }
      return {{"issueVcsBranchSearch", found ? ToJson(Render(*found)) : Json()}};
    }
    if (op == "IssueSearch") {
      std::vector<Json> all;
      const Json filter = vars.value("filter", Json::object());
      for (const auto& s : issues)
        if (MatchesFilter(s, filter)) all.push_back(ToJson(Render(s)));
      return {{"issues", Page(all, vars)}};
    }
    if (op == "Teams") {
      std::vector<Json> all;
      for (const auto& t : teams) all.push_back(ToJson(t));
      return {{"teams", Page(all, vars)}};
    }
    if (op == "WorkflowStates") {
      std::vector<Json> all;
      const std::string key = StrVar(vars, "teamKey");
      for (const auto& s : states)
        if (s.team_key == key) all.push_back(ToJson(s));
      return {{"workflowStates", Page(all, vars)}};
    }
    if (op == "Users") {
      std::vector<Json> all;
      for (const auto& u : users) all.push_back(ToJson(u));
      return {{"users", Page(all, vars)}};
    }
    if (op == "Labels") {
      std::vector<Json> all;
      for (const auto& l : labels) all.push_back(ToJson(l));
      return {{"issueLabels", Page(all, vars)}};
    }
    throw OperationError{GraphqlError("Unknown operation \"" + op + "\"", "graphql error",
                                      "GRAPHQL_VALIDATION_FAILED")};
  }

  void AddRateLimitHeaders(HttpResponse& response, std::int64_t remaining,
                           std::chrono::milliseconds reset_in) const {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
            .count();
    response.headers.Set("X-RateLimit-Requests-Limit", "5000");
    response.headers.Set("X-RateLimit-Requests-Remaining", std::to_string(remaining));
    response.headers.Set("X-RateLimit-Requests-Reset", std::to_string(now_ms + reset_in.count()));
    response.headers.Set("X-Complexity", "10");
    response.headers.Set("X-RateLimit-Complexity-Limit", "3000000");
    response.headers.Set("X-RateLimit-Complexity-Remaining", "2999990");
    response.headers.Set("X-RateLimit-Complexity-Reset",
                         std::to_string(now_ms + std::chrono::milliseconds(3600000).count()));
  }

  // --- webhooks ----------------------------------------------------------------------------
  void Emit(std::vector<PendingWebhook> hooks) {
    for (auto& hook : hooks) {
      const auto now = clock.WallNow();
      Json body = {
          {"action", hook.action},
          {"type", hook.event},
          {"createdAt", Iso8601(now)},
          {"data", std::move(hook.data)},
          {"url", hook.url},
          {"webhookTimestamp",
           std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()},
          {"webhookId", options.webhook_id},
          {"organizationId", options.organization_id}};
      if (!hook.updated_from.is_null()) body["updatedFrom"] = hook.updated_from;
      std::string url;
      std::string entity_id = body["data"].value("id", "");
      {
        std::lock_guard lock(mu);
        body["actor"] = hook.actor.is_null() ? ActorJson(Viewer()) : hook.actor;
      }
      std::size_t index = 0;
      LinearWebhookDelivery delivery;
      delivery.delivery_id = lin::NewLinearUuid();
      delivery.event = hook.event;
      delivery.action = hook.action;
      delivery.entity_id = std::move(entity_id);
      delivery.body = body.dump();
      delivery.signature = core::HmacSha256Hex(options.webhook_secret, delivery.body);
      {
        std::lock_guard lock(mu);
        url = options.webhook_url;
        delivery.sent = !url.empty();
        deliveries.push_back(delivery);
        index = deliveries.size() - 1;
      }
      if (url.empty()) continue;
      core::net::OutgoingRequest request;
      request.method = "POST";
      request.url = url;
      request.headers.Set("Content-Type", "application/json; charset=utf-8");
      request.headers.Set("User-Agent", "Linear-Webhook");
      request.headers.Set("Linear-Delivery", delivery.delivery_id);
      request.headers.Set("Linear-Event", delivery.event);
      request.headers.Set("Linear-Signature", delivery.signature);
      request.body = delivery.body;
      std::weak_ptr<Impl> weak = shared_from_this();
      webhook_client.SendAsync(std::move(request),
                               [weak, index](core::Result<HttpResponse> result) {
                                 auto self = weak.lock();
                                 if (!self) return;
                                 {
                                   std::lock_guard lock(self->mu);
                                   LinearWebhookDelivery& d = self->deliveries[index];
                                   d.done = true;
                                   if (result) {
                                     d.status = result->status;
                                   } else {
                                     d.error = result.error().Describe();
                                   }
                                 }
                                 self->delivery_done.notify_all();
                               });
    }
  }

  // --- HTTP ----------------------------------------------------------------------------------
  void Handle(HttpRequest&& request, core::net::HttpResponder respond) {
    const Json body = Json::parse(request.body, nullptr, false);
    LinearRequestRecord record;
    if (body.is_object()) {
      record.operation = body.value("operationName", "");
      record.variables = body.value("variables", Json::object());
      if (record.variables.is_null()) record.variables = Json::object();
    }
    const std::string auth(request.headers.Get("Authorization").value_or(""));
    const bool authorized =
        (!options.api_key.empty() && auth == options.api_key) ||
        (!options.oauth_token.empty() && auth == "Bearer " + options.oauth_token);

    std::unique_lock lock(mu);
    const std::size_t index = requests.size();
    requests.push_back(record);
    // Records the status and releases the lock: responders are never called under it.
    auto finish = [this, index, &lock](HttpResponse response) {
      requests[index].status = response.status;
      lock.unlock();
      return response;
    };
    if (outage_until && clock.Now() < *outage_until) {
      requests[index].fault = "outage";
      respond(finish(ErrorResponse(
          outage_status, GraphqlError("Service unavailable", "internal error", "INTERNAL_ERROR"))));
      return;
    }
    if (!authorized) {
      respond(
          finish(ErrorResponse(400, GraphqlError("Authentication required, not authenticated",
                                                 "authentication error", "AUTHENTICATION_ERROR"))));
      return;
    }
    if (!body.is_object() || !body.contains("query") || record.operation.empty()) {
      respond(finish(ErrorResponse(400, GraphqlError("Request must carry query and operationName",
                                                     "graphql error", "GRAPHQL_PARSE_FAILED"))));
      return;
    }

    std::optional<Fault> fault;
    if (!faults.empty()) {
      fault = faults.front();
      if (--faults.front().remaining <= 0) faults.pop_front();
      requests[index].fault = FaultName(fault->kind);
    }
    if (fault && fault->kind == Fault::Kind::kServerError) {
      respond(finish(HttpResponse::Json(fault->status, R"({"error":"injected server error"})")));
      return;
    }
    if (fault && fault->kind == Fault::Kind::kRateLimited) {
      HttpResponse response =
          ErrorResponse(400, GraphqlError("Rate limit exceeded", "ratelimited", "RATELIMITED"));
      AddRateLimitHeaders(response, 0, fault->duration);
      respond(finish(std::move(response)));
      return;
    }
    if (fault && fault->kind == Fault::Kind::kDrop) {
      dropped.push_back(std::move(respond));
      return;
    }
    if (fault && fault->kind == Fault::Kind::kResetBeforeApply) {
      requests[index].status = 0;
      lock.unlock();
      core::net::AbortConnection(std::move(respond));
      return;
    }

    std::vector<PendingWebhook> hooks;
    bool applied = false;
    HttpResponse response;
    try {
      Json data = Execute(record.operation, record.variables, hooks, applied);
      response = HttpResponse::Json(200, Json{{"data", std::move(data)}}.dump());
    } catch (const OperationError& e) {
      const bool unknown = e.error["extensions"].value("code", "") == "GRAPHQL_VALIDATION_FAILED";
      response = unknown
                     ? ErrorResponse(400, e.error)
                     : HttpResponse::Json(
                           200, Json{{"data", nullptr}, {"errors", Json::array({e.error})}}.dump());
    }
    requests[index].applied = applied;
    for (auto& hook : hooks) {
      if (hook.actor.is_null()) hook.actor = ActorJson(Viewer());
    }
    AddRateLimitHeaders(response, 4999, std::chrono::minutes(60));
    if (fault && fault->kind == Fault::Kind::kFailAfterApply) {
      response = HttpResponse::Json(fault->status, R"({"error":"injected after apply"})");
    }
    if (fault && fault->kind == Fault::Kind::kResetAfterApply) {
      lock.unlock();
      Emit(std::move(hooks));
      core::net::AbortConnection(std::move(respond));
      return;
    }
    response = finish(std::move(response));
    Emit(std::move(hooks));
    if (fault && fault->kind == Fault::Kind::kDelay) {
      io.RunAfter(fault->duration, [respond = std::move(respond), response]() mutable {
        respond(std::move(response));
      });
      return;
    }
    respond(std::move(response));
  }

  void AddFault(Fault fault) {
    if (fault.remaining <= 0) return;
    std::lock_guard lock(mu);
    faults.push_back(fault);
  }
};

LinearSandbox::LinearSandbox(core::net::IoRuntime& io, LinearSandboxOptions options,
                             core::Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(options), clock)) {
  if (impl_->options.seed_defaults) impl_->SeedDefaults();
  std::weak_ptr<Impl> weak = impl_;
  impl_->server->Route("POST", "/graphql",
                       [weak](HttpRequest&& request, core::net::HttpResponder respond) {
                         if (auto self = weak.lock()) {
                           self->Handle(std::move(request), std::move(respond));
                         } else {
                           respond(HttpResponse::Text(503, "sandbox stopped"));
                         }
                       });
}

LinearSandbox::~LinearSandbox() { Stop(); }

core::Status LinearSandbox::Start() { return impl_->server->Start(); }

void LinearSandbox::Stop() {
  impl_->server->Stop();
  std::lock_guard lock(impl_->mu);
  impl_->dropped.clear();
}

const LinearSandboxOptions& LinearSandbox::options() const { return impl_->options; }

std::string LinearSandbox::base_url() const { return impl_->server->BaseUrl(); }

lin::Team LinearSandbox::SeedTeam(const std::string& key, const std::string& name) {
  std::lock_guard lock(impl_->mu);
  return impl_->AddTeam(key, name);
}

lin::User LinearSandbox::SeedUser(const std::string& name, const std::string& email) {
  std::lock_guard lock(impl_->mu);
  return impl_->AddUser(name, email);
}

lin::Label LinearSandbox::SeedLabel(const std::string& name, const std::string& color,
                                    const std::string& team_key) {
  std::lock_guard lock(impl_->mu);
  return impl_->AddLabel(name, color, team_key);
}

core::Result<lin::Issue> LinearSandbox::CreateIssue(const std::string& team_key,
                                                    const std::string& title,
                                                    const std::string& description) {
  std::vector<PendingWebhook> hooks;
  lin::Issue issue;
  {
    std::lock_guard lock(impl_->mu);
    const lin::Team* team = impl_->TeamByKey(team_key);
    if (team == nullptr) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "sandbox linear: no team " + team_key));
    }
    try {
      const StoredIssue& s = impl_->DoCreateIssue(
          Json{{"teamId", team->id}, {"title", title}, {"description", description}}, hooks);
      issue = impl_->Render(s);
      if (const lin::User* actor = impl_->UserByRef("")) {
        for (auto& hook : hooks) hook.actor = impl_->ActorJson(*actor);
      }
    } catch (const OperationError& e) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput, e.error.value("message", "")));
    }
  }
  impl_->Emit(std::move(hooks));
  return issue;
}

namespace {
core::Error NoSuchUser(const std::string& ref) {
  return core::MakeError(core::ErrorKind::kNotFound, "sandbox linear: no user " + ref);
}
}  // namespace

core::Result<lin::Issue> LinearSandbox::MoveIssue(const std::string& issue_ref,
                                                  const std::string& state_name,
                                                  const std::string& actor) {
  std::vector<PendingWebhook> hooks;
  lin::Issue issue;
  {
    std::lock_guard lock(impl_->mu);
    StoredIssue* stored = impl_->FindIssue(issue_ref);
    if (stored == nullptr) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "sandbox linear: no issue " + issue_ref));
    }
    const lin::User* user = impl_->UserByRef(actor);
    if (user == nullptr) return core::Unexpected(NoSuchUser(actor));
    std::string state_id;
    std::string known;
    const lin::Team* team = impl_->TeamById(stored->team_id);
    for (const auto& s : impl_->states) {
      if (s.team_id != stored->team_id) continue;
      if (Lower(s.name) == Lower(state_name)) state_id = s.id;
      known += (known.empty() ? "" : ", ") + s.name;
    }
    if (state_id.empty()) {
      return core::Unexpected(core::MakeError(
          core::ErrorKind::kNotFound, "sandbox linear: no state \"" + state_name + "\" in team " +
                                          (team ? team->key : "?") + " (states: " + known + ")"));
    }
    issue = impl_->Render(impl_->DoUpdateIssue(stored->issue.id, {{"stateId", state_id}}, hooks));
    for (auto& hook : hooks) hook.actor = impl_->ActorJson(*user);
  }
  impl_->Emit(std::move(hooks));
  return issue;
}

core::Result<lin::Comment> LinearSandbox::AddComment(const std::string& issue_ref,
                                                     const std::string& body,
                                                     const std::string& author) {
  std::vector<PendingWebhook> hooks;
  lin::Comment comment;
  {
    std::lock_guard lock(impl_->mu);
    const StoredIssue* stored = impl_->FindIssue(issue_ref);
    if (stored == nullptr) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "sandbox linear: no issue " + issue_ref));
    }
    const lin::User* user = impl_->UserByRef(author);
    if (user == nullptr) return core::Unexpected(NoSuchUser(author));
    try {
      comment =
          impl_->DoCreateComment(Json{{"issueId", stored->issue.id}, {"body", body}}, *user, hooks);
    } catch (const OperationError& e) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput, e.error.value("message", "")));
    }
  }
  impl_->Emit(std::move(hooks));
  return comment;
}

core::Result<lin::Comment> LinearSandbox::EditComment(const std::string& comment_id,
                                                      const std::string& body,
                                                      const std::string& actor) {
  std::vector<PendingWebhook> hooks;
  lin::Comment comment;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->FindComment(comment_id) == nullptr) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "sandbox linear: no comment " + comment_id));
    }
    const lin::User* user = impl_->UserByRef(actor);
    if (user == nullptr) return core::Unexpected(NoSuchUser(actor));
    try {
      comment = impl_->DoUpdateComment(comment_id, Json{{"body", body}}, *user, hooks);
    } catch (const OperationError& e) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kInvalidInput, e.error.value("message", "")));
    }
  }
  impl_->Emit(std::move(hooks));
  return comment;
}

core::Status LinearSandbox::DeleteComment(const std::string& comment_id, const std::string& actor) {
  std::vector<PendingWebhook> hooks;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->FindComment(comment_id) == nullptr) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, "sandbox linear: no comment " + comment_id));
    }
    const lin::User* user = impl_->UserByRef(actor);
    if (user == nullptr) return core::Unexpected(NoSuchUser(actor));
    impl_->DoDeleteComment(comment_id, *user, hooks);
  }
  impl_->Emit(std::move(hooks));
  return core::Ok();
}

std::optional<lin::Issue> LinearSandbox::GetIssue(const std::string& id_or_identifier) const {
  std::lock_guard lock(impl_->mu);
  const StoredIssue* s = impl_->FindIssue(id_or_identifier);
  if (s == nullptr) return std::nullopt;
  return impl_->Render(*s);
}

std::vector<lin::Issue> LinearSandbox::Issues() const {
  std::lock_guard lock(impl_->mu);
  std::vector<lin::Issue> out;
  for (const auto& s : impl_->issues) out.push_back(impl_->Render(s));
  return out;
}

std::vector<lin::Comment> LinearSandbox::Comments(const std::string& issue) const {
  std::lock_guard lock(impl_->mu);
  const StoredIssue* s = issue.empty() ? nullptr : impl_->FindIssue(issue);
  std::vector<lin::Comment> out;
  for (const auto& c : impl_->comments) {
    if (issue.empty() || (s != nullptr && c.issue_id == s->issue.id)) out.push_back(c);
  }
  return out;
}

std::vector<lin::Attachment> LinearSandbox::Attachments(const std::string& issue) const {
  std::lock_guard lock(impl_->mu);
  const StoredIssue* s = issue.empty() ? nullptr : impl_->FindIssue(issue);
  std::vector<lin::Attachment> out;
  for (const auto& a : impl_->attachments) {
    if (issue.empty() || (s != nullptr && a.issue_id == s->issue.id)) out.push_back(a);
  }
  return out;
}

std::vector<lin::Team> LinearSandbox::Teams() const {
  std::lock_guard lock(impl_->mu);
  return impl_->teams;
}

std::vector<lin::WorkflowState> LinearSandbox::States(const std::string& team_key) const {
  std::lock_guard lock(impl_->mu);
  std::vector<lin::WorkflowState> out;
  for (const auto& s : impl_->states)
    if (s.team_key == team_key) out.push_back(s);
  return out;
}

std::vector<lin::User> LinearSandbox::Users() const {
  std::lock_guard lock(impl_->mu);
  return impl_->users;
}

std::vector<lin::Label> LinearSandbox::Labels() const {
  std::lock_guard lock(impl_->mu);
  return impl_->labels;
}

std::vector<LinearRequestRecord> LinearSandbox::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

int LinearSandbox::RequestCount(const std::string& operation) const {
  std::lock_guard lock(impl_->mu);
  return static_cast<int>(std::count_if(impl_->requests.begin(), impl_->requests.end(),
                                        [&](const auto& r) { return r.operation == operation; }));
}

std::vector<LinearWebhookDelivery> LinearSandbox::Deliveries() const {
  std::lock_guard lock(impl_->mu);
  return impl_->deliveries;
}

std::size_t LinearSandbox::DeliveryCount() const {
  std::lock_guard lock(impl_->mu);
  return impl_->deliveries.size();
}

std::vector<LinearWebhookDelivery> LinearSandbox::AwaitDeliveries(
    std::size_t from, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  const auto& all = impl_->deliveries;
  impl_->delivery_done.wait_for(lock, timeout, [&] {
    return std::all_of(all.begin() + static_cast<std::ptrdiff_t>(std::min(from, all.size())),
                       all.end(), [](const auto& d) { return d.done || !d.sent; });
  });
  if (from >= all.size()) return {};
  return {all.begin() + static_cast<std::ptrdiff_t>(from), all.end()};
}

void LinearSandbox::SetWebhookUrl(std::string url) {
  std::lock_guard lock(impl_->mu);
  impl_->options.webhook_url = std::move(url);
}

void LinearSandbox::FailNext(int n, int status) {
  impl_->AddFault({Fault::Kind::kServerError, n, status, {}});
}

void LinearSandbox::RateLimitNext(int n, std::chrono::milliseconds reset_in) {
  impl_->AddFault({Fault::Kind::kRateLimited, n, 400, reset_in});
}

void LinearSandbox::FailAfterApplyNext(int n, int status) {
  impl_->AddFault({Fault::Kind::kFailAfterApply, n, status, {}});
}

void LinearSandbox::DelayNext(int n, std::chrono::milliseconds delay) {
  impl_->AddFault({Fault::Kind::kDelay, n, 200, delay});
}

void LinearSandbox::DropNext(int n) { impl_->AddFault({Fault::Kind::kDrop, n, 0, {}}); }

void LinearSandbox::ResetNext(int n, bool apply) {
  impl_->AddFault(
      {apply ? Fault::Kind::kResetAfterApply : Fault::Kind::kResetBeforeApply, n, 0, {}});
}

void LinearSandbox::FailFor(std::chrono::milliseconds duration, int status) {
  std::lock_guard lock(impl_->mu);
  impl_->outage_until = impl_->clock.Now() + duration;
  impl_->outage_status = status;
}

void LinearSandbox::ClearFaults() {
  std::lock_guard lock(impl_->mu);
  impl_->faults.clear();
  impl_->outage_until.reset();
}

}  // namespace contexten::sandbox
