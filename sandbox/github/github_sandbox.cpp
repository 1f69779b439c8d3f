#include "sandbox/github/github_sandbox.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "core/crypto.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "integrations/github/github_app_auth.hpp"

namespace contexten::sandbox {
namespace {

using core::net::HttpRequest;
using core::net::HttpResponse;
using nlohmann::json;

constexpr const char* kDocs = "https://docs.github.com/rest";

struct Answer {
  int status = 200;
  json body;  // null: empty body
  core::net::HttpHeaders headers;
};

Answer Error(int status, std::string message, json errors = nullptr) {
  json body = {{"message", std::move(message)}, {"documentation_url", kDocs}};
  if (!errors.is_null()) body["errors"] = std::move(errors);
  return Answer{status, std::move(body), {}};
}

Answer MissingField(const std::string& resource, const std::string& field) {
  return Error(422, "Invalid request.",
               json::array({{{"resource", resource},
                             {"field", field},
                             {"code", "missing_field"},
                             {"message", field + " is missing"}}}));
}

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto slash = path.find('/', pos);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > pos) parts.push_back(core::net::UrlDecode(path.substr(pos, end - pos)));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return parts;
}

std::optional<std::int64_t> ToInt(const std::string& s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  return std::stoll(s);
}

constexpr const char* kPublicApi = "https://api.github.com";

json User(const std::string& login) {
  const std::int64_t id = static_cast<std::int64_t>(std::hash<std::string>{}(login) % 1000000);
  const std::string url = std::string(kPublicApi) + "/users/" + login;
  const bool bot = login.size() > 5 && login.compare(login.size() - 5, 5, "[bot]") == 0;
  return {{"login", login},
          {"id", id},
          {"node_id", "U_sandbox" + std::to_string(id)},
          {"avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(id) + "?v=4"},
          {"gravatar_id", ""},
          {"url", url},
          {"html_url", "https://github.com/" + login},
          {"followers_url", url + "/followers"},
          {"following_url", url + "/following{/other_user}"},
          {"gists_url", url + "/gists{/gist_id}"},
          {"starred_url", url + "/starred{/owner}{/repo}"},
          {"subscriptions_url", url + "/subscriptions"},
          {"organizations_url", url + "/orgs"},
          {"repos_url", url + "/repos"},
          {"events_url", url + "/events{/privacy}"},
          {"received_events_url", url + "/received_events"},
          {"type", bot ? "Bot" : "User"},
          {"site_admin", false}};
}

// The repository object of REST answers and webhook payloads (the fields of GitHub's examples).
json RepositoryJson(std::int64_t id, const std::string& owner, const std::string& name,
                    const std::string& default_branch, const std::string& api_base,
                    const std::string& now) {
  const std::string full_name = owner + "/" + name;
  const std::string api = api_base + "/repos/" + full_name;
  const std::string html = "https://github.com/" + full_name;
  json repo = {{"id", id},
               {"node_id", "R_sandbox" + std::to_string(id)},
               {"name", name},
               {"full_name", full_name},
               {"private", false},
               {"owner", User(owner)},
               {"html_url", html},
               {"description", nullptr},
               {"fork", false},
               {"url", api},
               {"created_at", now},
               {"updated_at", now},
               {"pushed_at", now},
               {"git_url", "git://github.com/" + full_name + ".git"},
               {"ssh_url", "git@github.com:" + full_name + ".git"},
               {"clone_url", html + ".git"},
               {"svn_url", html},
               {"homepage", nullptr},
               {"size", 0},
               {"stargazers_count", 0},
               {"watchers_count", 0},
               {"watchers", 0},
               {"language", "C++"},
               {"has_issues", true},
               {"has_projects", true},
               {"has_downloads", true},
               {"has_wiki", true},
               {"has_pages", false},
               {"forks_count", 0},
               {"forks", 0},
               {"mirror_url", nullptr},
               {"archived", false},
               {"disabled", false},
               {"open_issues_count", 0},
               {"open_issues", 0},
               {"license", nullptr},
               {"is_template", false},
               {"topics", json::array()},
               {"visibility", "public"},
               {"web_commit_signoff_required", false},
               {"custom_properties", json::object()},
               {"default_branch", default_branch}};
  static const std::pair<const char*, const char*> kUrls[] = {
      {"archive_url", "/{archive_format}{/ref}"},
      {"assignees_url", "/assignees{/user}"},
      {"blobs_url", "/git/blobs{/sha}"},
      {"branches_url", "/branches{/branch}"},
      {"collaborators_url", "/collaborators{/collaborator}"},
      {"comments_url", "/comments{/number}"},
      {"commits_url", "/commits{/sha}"},
      {"compare_url", "/compare/{base}...{head}"},
      {"contents_url", "/contents/{+path}"},
      {"contributors_url", "/contributors"},
      {"deployments_url", "/deployments"},
      {"downloads_url", "/downloads"},
      {"events_url", "/events"},
      {"forks_url", "/forks"},
      {"git_commits_url", "/git/commits{/sha}"},
      {"git_refs_url", "/git/refs{/sha}"},
      {"git_tags_url", "/git/tags{/sha}"},
      {"hooks_url", "/hooks"},
      {"issue_comment_url", "/issues/comments{/number}"},
      {"issue_events_url", "/issues/events{/number}"},
      {"issues_url", "/issues{/number}"},
      {"keys_url", "/keys{/key_id}"},
      {"labels_url", "/labels{/name}"},
      {"languages_url", "/languages"},
      {"merges_url", "/merges"},
      {"milestones_url", "/milestones{/number}"},
      {"notifications_url", "/notifications{?since,all,participating}"},
      {"pulls_url", "/pulls{/number}"},
      {"releases_url", "/releases{/id}"},
      {"stargazers_url", "/stargazers"},
      {"statuses_url", "/statuses/{sha}"},
      {"subscribers_url", "/subscribers"},
      {"subscription_url", "/subscription"},
      {"tags_url", "/tags"},
      {"teams_url", "/teams"},
      {"trees_url", "/git/trees{/sha}"},
  };
  for (const auto& [key, suffix] : kUrls) repo[key] = api + suffix;
  return repo;
}

// A commit as push and workflow_run payloads show it.
json CommitJson(const std::string& sha, const std::string& tree, const std::string& message,
                const std::string& author, const std::string& timestamp,
                const std::string& full_name) {
  const json person = {
      {"name", author}, {"email", author + "@users.noreply.github.com"}, {"username", author}};
  return {{"id", sha},
          {"tree_id", tree},
          {"distinct", true},
          {"message", message},
          {"timestamp", timestamp},
          {"url", "https://github.com/" + full_name + "/commit/" + sha},
          {"author", person},
          {"committer", person},
          {"added", json::array()},
          {"removed", json::array()},
          {"modified", json::array()}};
}

std::string RandomHex(std::size_t bytes) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string raw(bytes, '\0');
  for (char& c : raw) c = static_cast<char>(rng() & 0xFF);
  return core::HexEncode(raw);
}

std::string Uuid() {
  std::string h = RandomHex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace

struct GitHubSandbox::Impl : std::enable_shared_from_this<Impl> {
  struct Repo {
    json repo;
    int next_number = 1;
    std::map<int, json> issues;  // plain issues
    std::map<int, json> pulls;
    std::map<int, std::vector<json>> comments;
    std::map<int, std::vector<json>> files;
    std::map<int, std::vector<json>> reviews;
    std::map<std::int64_t, json> workflows;
    std::map<std::int64_t, json> runs;
    std::vector<json> check_runs;
    std::map<std::string, std::vector<json>> statuses;  // sha -> in creation order
    std::vector<json> dispatches;
    std::map<std::string, json> heads;  // branch -> its head commit (CommitJson)
    std::vector<json> deployments;
  };
  struct PendingWebhook {
    std::string event;
    json payload;
  };

  Impl(core::net::IoRuntime& io_in, GitHubSandboxOptions opts)
      : io(io_in),
        options(std::move(opts)),
        clock(options.clock ? *options.clock : core::DefaultClock()),
        server(io, core::net::HttpServerOptions{}),
        webhook_client(io) {}

  core::net::IoRuntime& io;
  GitHubSandboxOptions options;
  core::Clock& clock;
  core::net::HttpServer server;
  core::net::HttpClient webhook_client;

  mutable std::mutex mu;
  std::map<std::string, Repo> repos;
  std::int64_t next_id = 1000;
  std::vector<GitHubRequestRecord> requests;
  std::vector<GitHubWebhookDelivery> deliveries;
  std::vector<GitHubFault> faults;
  int faults_fired = 0;
  std::map<std::string, core::WallTime> installation_tokens;
  std::int64_t used = 0;
  std::int64_t window_reset = 0;                  // epoch seconds
  std::vector<core::net::HttpResponder> held;     // timeouts: never answered until Stop
  std::vector<PendingWebhook> outbox;             // queued under mu, sent after unlocking
  mutable std::condition_variable delivery_done;  // a webhook POST finished
  std::optional<core::SteadyTime> outage_until;   // FailFor: answer outage_status until then
  int outage_status = 503;

  std::int64_t NowEpoch() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.WallNow().time_since_epoch())
        .count();
  }
  std::string Now() const { return integrations::github::FormatIso8601(clock.WallNow()); }
  std::string Html(const std::string& full_name, const std::string& rest) const {
    return "https://github.com/" + full_name + rest;
  }
  std::string Api(const std::string& full_name, const std::string& rest) const {
    return server.BaseUrl() + "/repos/" + full_name + rest;
  }

  // --- webhooks ------------------------------------------------------------------------
  void Emit(const Repo& repo, std::string event, json payload, const std::string& sender) {
    payload["repository"] = repo.repo;
    if (event == "push") {
      // Push payloads carry the older repository shape, with these two besides.
      payload["repository"]["stargazers"] = 0;
      payload["repository"]["master_branch"] = repo.repo["default_branch"];
    }
    payload["sender"] = User(sender);
    payload["installation"] = {{"id", options.installation_id},
                               {"node_id", "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u" +
                                               std::to_string(options.installation_id)}};
    outbox.push_back({std::move(event), std::move(payload)});
  }

  void Flush() {
    std::vector<PendingWebhook> batch;
    std::vector<std::size_t> indexes;
    std::string url;
    {
      std::lock_guard lock(mu);
      url = options.webhook_url;
      batch.swap(outbox);
      url = options.webhook_url;
      for (auto& hook : batch) {
        GitHubWebhookDelivery d;
        d.event = hook.event;
        d.action = hook.payload.value("action", std::string());
        d.delivery_id = Uuid();
        d.body = hook.payload.dump();
        d.signature = "sha256=" + core::HmacSha256Hex(options.webhook_secret, d.body);
        d.sent = !url.empty();
        indexes.push_back(deliveries.size());
        deliveries.push_back(std::move(d));
      }
    }
    if (url.empty()) return;
    for (std::size_t index : indexes) {
      core::net::OutgoingRequest request;
      request.method = "POST";
      request.url = url;
      {
        std::lock_guard lock(mu);
        const auto& d = deliveries[index];
        request.body = d.body;
        request.headers.Set("Content-Type", "application/json");
        request.headers.Set("User-Agent", "GitHub-Hookshot/sandbox");
        request.headers.Set("X-GitHub-Event", d.event);
        request.headers.Set("X-GitHub-Delivery", d.delivery_id);
        request.headers.Set("X-GitHub-Hook-ID", "1");
        request.headers.Set("X-Hub-Signature-256", d.signature);
      }
      std::weak_ptr<Impl> weak = weak_from_this();
      webhook_client.SendAsync(std::move(request),
                               [weak, index](core::Result<core::net::HttpResponse> result) {
                                 auto self = weak.lock();
                                 if (!self) return;
                                 {
                                   std::lock_guard lock(self->mu);
                                   auto& d = self->deliveries[index];
                                   d.done = true;
                                   if (result) {
                                     d.response_status = result->status;
                                   } else {
                                     d.error = result.error().Describe();
                                   }
                                 }
                                 self->delivery_done.notify_all();
                               });
    }
  }

  // --- model helpers (mu held) ------------------------------------------------------------
  Repo* FindRepo(const std::string& full_name) {
    auto it = repos.find(full_name);
    return it == repos.end() ? nullptr : &it->second;
  }

  json* FindIssueOrPull(Repo& repo, int number) {
    if (auto it = repo.issues.find(number); it != repo.issues.end()) return &it->second;
    if (auto it = repo.pulls.find(number); it != repo.pulls.end()) return &it->second;
    return nullptr;
  }

  json* FindWorkflow(Repo& repo, const std::string& id_or_file) {
    for (auto& [id, wf] : repo.workflows) {
      const std::string path = wf["path"];
      if (std::to_string(id) == id_or_file || path == id_or_file ||
          path == ".github/workflows/" + id_or_file) {
        return &wf;
      }
    }
    return nullptr;
  }

  // The head commit of `branch`, made up (and remembered) the first time it is asked for.
  const json& Head(Repo& repo, const std::string& branch, const std::string& message = "") {
    auto it = repo.heads.find(branch);
    if (it != repo.heads.end()) return it->second;
    const std::string full_name = repo.repo["full_name"];
    const std::string sha = core::Sha256Hex(full_name + "@" + branch).substr(0, 40);
    return repo.heads[branch] = CommitJson(sha, core::Sha256Hex("tree:" + sha).substr(0, 40),
                                           message.empty() ? "Update " + branch : message,
                                           "octocat", Now(), full_name);
  }

  // The `pull_requests` of a workflow run or check suite: open PRs whose head is `branch`.
  json PullRequestRefs(Repo& repo, const std::string& branch) {
    json refs = json::array();
    const json mini = {
        {"id", repo.repo["id"]}, {"url", repo.repo["url"]}, {"name", repo.repo["name"]}};
    for (const auto& [n, pr] : repo.pulls) {
      if (pr["state"] != "open" || pr["head"]["ref"] != branch) continue;
      refs.push_back(
          {{"url", pr["url"]},
           {"id", pr["id"]},
           {"number", n},
           {"head", {{"ref", pr["head"]["ref"]}, {"sha", pr["head"]["sha"]}, {"repo", mini}}},
           {"base", {{"ref", pr["base"]["ref"]}, {"sha", pr["base"]["sha"]}, {"repo", mini}}}});
    }
    return refs;
  }

  json NewRun(Repo& repo, const json& workflow, const std::string& branch,
              const std::string& event) {
    const std::int64_t id = next_id++;
    const std::int64_t suite_id = next_id++;
    int number = 1;
    for (auto& [rid, run] : repo.runs) {
      if (run["workflow_id"] == workflow["id"]) ++number;
    }
    const std::string full_name = repo.repo["full_name"];
    const json head = Head(repo, branch);
    const std::string run_api = Api(full_name, "/actions/runs/" + std::to_string(id));
    const std::string suite_api = Api(full_name, "/check-suites/" + std::to_string(suite_id));
    const json person = {{"name", head["author"]["name"]}, {"email", head["author"]["email"]}};
    json run = {{"id", id},
                {"name", workflow["name"]},
                {"node_id", "WFR_sandbox" + std::to_string(id)},
                {"workflow_id", workflow["id"]},
                {"head_branch", branch},
                {"head_sha", head["id"]},
                {"path", workflow["path"]},
                {"display_title", head["message"]},
                {"event", event},
                {"status", "queued"},
                {"conclusion", nullptr},
                {"run_number", number},
                {"run_attempt", 1},
                {"check_suite_id", suite_id},
                {"check_suite_node_id", "CS_sandbox" + std::to_string(suite_id)},
                {"check_suite_url", suite_api},
                {"pull_requests", PullRequestRefs(repo, branch)},
                {"actor", User("octocat")},
                {"triggering_actor", User("octocat")},
                {"html_url", Html(full_name, "/actions/runs/" + std::to_string(id))},
                {"url", run_api},
                {"jobs_url", run_api + "/jobs"},
                {"logs_url", run_api + "/logs"},
                {"artifacts_url", run_api + "/artifacts"},
                {"cancel_url", run_api + "/cancel"},
                {"rerun_url", run_api + "/rerun"},
                {"previous_attempt_url", nullptr},
                {"workflow_url", workflow.value("url", json(nullptr))},
                {"head_commit",
                 {{"id", head["id"]},
                  {"tree_id", head["tree_id"]},
                  {"message", head["message"]},
                  {"timestamp", head["timestamp"]},
                  {"author", person},
                  {"committer", person}}},
                {"repository", repo.repo},
                {"head_repository", repo.repo},
                {"created_at", Now()},
                {"updated_at", Now()},
                {"run_started_at", Now()}};
    repo.runs[id] = run;
    Emit(repo, "workflow_run",
         {{"action", "requested"}, {"workflow_run", run}, {"workflow", workflow}}, "octocat");
    return run;
  }

  // Moves a run on (status, conclusion) and emits workflow_run with `action`.
  void AdvanceRun(Repo& repo, std::int64_t run_id, const std::string& action,
                  const std::string& status, const std::string& conclusion) {
    json& run = repo.runs[run_id];
    run["status"] = status;
    run["conclusion"] = conclusion.empty() ? json(nullptr) : json(conclusion);
    run["updated_at"] = Now();
    const json workflow = repo.workflows[run["workflow_id"].get<std::int64_t>()];
    Emit(repo, "workflow_run", {{"action", action}, {"workflow_run", run}, {"workflow", workflow}},
         "octocat");
  }

  // The check suite GitHub Actions keeps for a run, completed as the run did.
  void EmitCheckSuiteCompleted(Repo& repo, const json& run) {
    const std::string url = run["check_suite_url"];
    const json owner = User("github");
    json app = {{"id", 15368},
                {"slug", "github-actions"},
                {"node_id", "MDM6QXBwMTUzNjg="},
                {"owner", owner},
                {"name", "GitHub Actions"},
                {"description", "Automate your workflow from idea to production"},
                {"external_url", "https://help.github.com/en/actions"},
                {"html_url", "https://github.com/apps/github-actions"},
                {"created_at", "2018-07-30T09:30:17Z"},
                {"updated_at", "2019-12-10T19:04:12Z"},
                {"permissions", {{"actions", "write"}, {"checks", "write"}, {"contents", "write"}}},
                {"events", json::array({"check_run", "check_suite", "pull_request", "push"})}};
    json suite = {
        {"id", run["check_suite_id"]},
        {"node_id", run["check_suite_node_id"]},
        {"head_branch", run["head_branch"]},
        {"head_sha", run["head_sha"]},
        {"status", "completed"},
        {"conclusion", run["conclusion"]},
        {"url", url},
        {"before", core::Sha256Hex(run["head_sha"].get<std::string>() + "^").substr(0, 40)},
        {"after", run["head_sha"]},
        {"pull_requests", run["pull_requests"]},
        {"app", app},
        {"created_at", run["created_at"]},
        {"updated_at", Now()},
        {"latest_check_runs_count", 1},
        {"check_runs_url", url + "/check-runs"},
        {"head_commit", run["head_commit"]}};
    Emit(repo, "check_suite", {{"action", "completed"}, {"check_suite", suite}}, "octocat");
  }

  std::string CombinedState(const std::vector<json>& latest) {
    if (latest.empty()) return "pending";
    bool pending = false;
    for (const auto& s : latest) {
      const std::string state = s["state"];
      if (state == "failure" || state == "error") return "failure";
      if (state == "pending") pending = true;
    }
    return pending ? "pending" : "success";
  }

  std::vector<json> LatestStatuses(Repo& repo, const std::string& sha) {
    std::vector<json> latest;
    std::set<std::string> seen;
    auto it = repo.statuses.find(sha);
    if (it == repo.statuses.end()) return latest;
    for (auto s = it->second.rbegin(); s != it->second.rend(); ++s) {
      if (seen.insert((*s)["context"].get<std::string>()).second) latest.push_back(*s);
    }
    return latest;
  }

  // Sha of a ref: a PR head branch, or the ref itself (treated as a sha).
  std::string ResolveRef(Repo& repo, const std::string& ref) {
    for (auto& [n, pr] : repo.pulls) {
      if (pr["head"]["ref"] == ref) return pr["head"]["sha"];
    }
    return ref;
  }

  // A page of `items` with GitHub's Link header.
  Answer Page(const std::vector<json>& items, const HttpRequest& request,
              const std::string& wrap = "") {
    const int per_page = std::clamp<int>(
        static_cast<int>(ToInt(request.Query("per_page").value_or("30")).value_or(30)), 1, 100);
    const int page =
        std::max<int>(1, static_cast<int>(ToInt(request.Query("page").value_or("1")).value_or(1)));
    json slice = json::array();
    const std::size_t start = static_cast<std::size_t>(page - 1) * per_page;
    for (std::size_t i = start; i < items.size() && i < start + per_page; ++i) {
      slice.push_back(items[i]);
    }
    Answer answer{200, slice, {}};
    if (!wrap.empty()) answer.body = {{"total_count", items.size()}, {wrap, slice}};
    if (start + per_page < items.size()) {
      // Keep every query parameter but page.
      std::string query;
      const std::string_view target = request.target;
      if (auto q = target.find('?'); q != std::string_view::npos) {
        for (const auto& [k, v] : core::net::ParseForm(target.substr(q + 1))) {
          if (k == "page") continue;
          query += k + "=" + core::net::UrlEncode(v) + "&";
        }
      }
      const std::string base = server.BaseUrl() + std::string(request.Path()) + "?" + query;
      const std::size_t last = (items.size() + per_page - 1) / per_page;
      answer.headers.Set("Link", "<" + base + "page=" + std::to_string(page + 1) +
                                     ">; rel=\"next\", <" + base + "page=" + std::to_string(last) +
                                     ">; rel=\"last\"");
    }
    return answer;
  }

  // --- request handling -------------------------------------------------------------------
  bool Authorized(const HttpRequest& request, bool app_route, std::string* why) {
    auto header = request.headers.Get("Authorization");
    if (!header) {
      *why = "Requires authentication";
      return false;
    }
    std::string_view value = *header;
    std::string credential;
    if (value.rfind("Bearer ", 0) == 0) credential = std::string(value.substr(7));
    if (value.rfind("token ", 0) == 0) credential = std::string(value.substr(6));
    *why = "Bad credentials";
    if (app_route) {
      if (options.app_public_key_pem.empty()) return false;
      auto claims = integrations::github::VerifyRs256Jwt(credential, options.app_public_key_pem);
      if (!claims) return false;
      const std::int64_t now = NowEpoch();
      const auto iss = (*claims)["iss"];
      const std::string issuer = iss.is_string() ? iss.get<std::string>() : iss.dump();
      if (issuer != options.app_id) return false;
      const std::int64_t exp = claims->value("exp", std::int64_t{0});
      const std::int64_t iat = claims->value("iat", std::int64_t{0});
      if (exp <= now || iat > now + 60 || exp - iat > 600) {
        *why = "'Expiration time' claim ('exp') is too far in the future or expired";
        return false;
      }
      return true;
    }
    if (!options.token.empty() && credential == options.token) return true;
    auto it = installation_tokens.find(credential);
    return it != installation_tokens.end() && clock.WallNow() < it->second;
  }

  void AddRateHeaders(core::net::HttpHeaders& headers) {
    headers.Set("x-ratelimit-limit", std::to_string(options.rate_limit));
    headers.Set("x-ratelimit-remaining",
                std::to_string(std::max<std::int64_t>(options.rate_limit - used, 0)));
    headers.Set("x-ratelimit-used", std::to_string(used));
    headers.Set("x-ratelimit-reset", std::to_string(window_reset));
    headers.Set("x-ratelimit-resource", "core");
  }

  std::optional<GitHubFault> TakeFault(const HttpRequest& request) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->method.empty() && it->method != request.method) continue;
      if (!it->path_prefix.empty() && request.Path().rfind(it->path_prefix, 0) != 0) continue;
      GitHubFault fault = *it;
      if (--it->count <= 0) faults.erase(it);
      ++faults_fired;
      return fault;
    }
    return std::nullopt;
  }

  void Handle(HttpRequest&& request, core::net::HttpResponder respond) {
    std::optional<GitHubFault> fault;
    Answer answer;
    std::size_t index = 0;
    {
      std::lock_guard lock(mu);
      GitHubRequestRecord record;
      record.method = request.method;
      record.path = std::string(request.Path());
      if (auto q = request.target.find('?'); q != std::string::npos) {
        record.query = request.target.substr(q + 1);
      }
      if (!request.body.empty()) {
        record.body = json::parse(request.body, nullptr, false);
        if (record.body.is_discarded()) record.body = request.body;
      }
      index = requests.size();
      requests.push_back(std::move(record));

      const std::int64_t now = NowEpoch();
      if (now >= window_reset) {
        window_reset = now + 3600;
        used = 0;
      }
      ++used;
      const bool outage = outage_until && clock.Now() < *outage_until;
      if (!outage) fault = TakeFault(request);
      const bool unanswered = fault && (fault->kind == GitHubFault::Kind::kTimeout ||
                                        fault->kind == GitHubFault::Kind::kReset);
      if (outage) {
        answer =
            Error(outage_status, outage_status == 503 ? "Service Unavailable" : "Server Error");
      } else if (fault && fault->kind != GitHubFault::Kind::kLatency && !unanswered) {
        answer = FaultAnswer(*fault, now);
      } else if (unanswered && !fault->apply_on_timeout) {
        answer = Error(504, "never sent: the request was lost before processing");
      } else if (used > options.rate_limit) {
        answer = Error(403, "API rate limit exceeded for user ID 1.");
      } else {
        answer = Route(request);
      }
      AddRateHeaders(answer.headers);
      if (fault && fault->kind == GitHubFault::Kind::kPrimaryLimit) {
        answer.headers.Set("x-ratelimit-remaining", "0");
        answer.headers.Set("x-ratelimit-reset", std::to_string(now + fault->retry_after.count()));
      }
      requests[index].faulted = fault.has_value() || outage;
      if (!unanswered) requests[index].status = answer.status;
    }
    Flush();

    HttpResponse response;
    response.status = answer.status;
    response.headers = answer.headers;
    if (!answer.body.is_null()) {
      response.headers.Set("Content-Type", "application/json; charset=utf-8");
      response.body = answer.body.dump();
    }
    response.headers.Set("X-GitHub-Request-Id", RandomHex(8));
    if (fault && fault->kind == GitHubFault::Kind::kReset) {
      core::net::AbortConnection(std::move(respond));
      return;
    }
    if (fault && fault->kind == GitHubFault::Kind::kTimeout) {
      std::lock_guard lock(mu);
      held.push_back(std::move(respond));
      return;
    }
    if (fault && fault->kind == GitHubFault::Kind::kLatency) {
      io.RunAfter(fault->latency,
                  [respond = std::move(respond), response = std::move(response)]() mutable {
                    respond(std::move(response));
                  });
      return;
    }
    respond(std::move(response));
  }

  Answer FaultAnswer(const GitHubFault& fault, std::int64_t now) {
    switch (fault.kind) {
      case GitHubFault::Kind::kServerError: {
        const int status = fault.status ? fault.status : 502;
        return Error(status, status == 503 ? "Service Unavailable" : "Server Error");
      }
      case GitHubFault::Kind::kRetryAfter: {
        Answer a = Error(fault.status ? fault.status : 429,
                         "You have exceeded a secondary rate limit. Please wait a few minutes "
                         "before you try again.");
        a.headers.Set("retry-after", std::to_string(fault.retry_after.count()));
        return a;
      }
      case GitHubFault::Kind::kPrimaryLimit: {
        (void)now;
        return Error(fault.status ? fault.status : 403, "API rate limit exceeded for user ID 1.");
      }
      default:
        return Error(500, "unexpected fault");
    }
  }

  Answer Route(const HttpRequest& request) {
    const auto parts = Split(request.Path());
    const bool app_route = !parts.empty() && parts[0] == "app";
    std::string why;
    if (!Authorized(request, app_route, &why)) return Error(401, why);

    json body = json::object();
    if (!request.body.empty()) {
      body = json::parse(request.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) return Error(400, "Problems parsing JSON");
    }
    const std::string& m = request.method;
    if (app_route) {
      // /app/installations/{id}/access_tokens
      if (m == "POST" && parts.size() == 4 && parts[1] == "installations" &&
          parts[3] == "access_tokens") {
        if (ToInt(parts[2]) != options.installation_id) return Error(404, "Not Found");
        const std::string token = "ghs_" + RandomHex(18);
        const core::WallTime expires = clock.WallNow() + options.installation_token_ttl;
        installation_tokens[token] = expires;
        return Answer{201,
                      {{"token", token},
                       {"expires_at", integrations::github::FormatIso8601(expires)},
                       {"permissions", {{"issues", "write"}, {"pull_requests", "write"}}},
                       {"repository_selection", "all"}},
                      {}};
      }
      return Error(404, "Not Found");
    }
    if (parts.size() < 3 || parts[0] != "repos") return Error(404, "Not Found");
    const std::string full_name = parts[1] + "/" + parts[2];
    Repo* repo = FindRepo(full_name);
    if (!repo) return Error(404, "Not Found");
    const std::vector<std::string> rest(parts.begin() + 3, parts.end());
    auto is = [&](std::initializer_list<const char*> shape) {
      if (rest.size() != shape.size()) return false;
      std::size_t i = 0;
      for (const char* s : shape) {
        if (std::string_view(s) != "*" && rest[i] != s) return false;
        ++i;
      }
      return true;
    };
    auto number = [&](std::size_t i) { return static_cast<int>(ToInt(rest[i]).value_or(-1)); };

    if (m == "GET" && rest.empty()) return Answer{200, repo->repo, {}};
    if (m == "POST" && is({"issues"})) return CreateIssue(*repo, body);
    if (m == "GET" && is({"issues"})) return ListIssues(*repo, request);
    if (m == "POST" && is({"issues", "*", "comments"})) {
      return CreateComment(*repo, number(1), body);
    }
    if (m == "GET" && is({"issues", "*", "comments"})) {
      if (!FindIssueOrPull(*repo, number(1))) return Error(404, "Not Found");
      return Page(repo->comments[number(1)], request);
    }
    if (m == "GET" && is({"pulls"})) return ListPulls(*repo, request);
    if (m == "GET" && is({"pulls", "*"})) {
      auto it = repo->pulls.find(number(1));
      if (it == repo->pulls.end()) return Error(404, "Not Found");
      return Answer{200, it->second, {}};
    }
    if (m == "GET" && (is({"pulls", "*", "files"}) || is({"pulls", "*", "reviews"}))) {
      if (!repo->pulls.count(number(1))) return Error(404, "Not Found");
      return Page(rest[2] == "files" ? repo->files[number(1)] : repo->reviews[number(1)], request);
    }
    if (m == "POST" && is({"pulls", "*", "requested_reviewers"})) {
      return RequestReviewers(*repo, number(1), body);
    }
    if (m == "POST" && is({"actions", "workflows", "*", "dispatches"})) {
      return DispatchWorkflow(*repo, rest[2], body);
    }
    if (m == "GET" && (is({"actions", "runs"}) || is({"actions", "workflows", "*", "runs"}))) {
      return ListRuns(*repo, request, rest.size() == 4 ? rest[2] : "");
    }
    if (m == "POST" && is({"actions", "runs", "*", "rerun-failed-jobs"})) {
      return Rerun(*repo, ToInt(rest[2]).value_or(-1));
    }
    if (m == "GET" && is({"commits", "*", "check-runs"})) {
      const std::string sha = ResolveRef(*repo, rest[1]);
      std::vector<json> runs;
      for (const auto& c : repo->check_runs) {
        if (c["head_sha"] == sha) runs.push_back(c);
      }
      return Page(runs, request, "check_runs");
    }
    if (m == "GET" && is({"commits", "*", "status"})) {
      const std::string sha = ResolveRef(*repo, rest[1]);
      auto latest = LatestStatuses(*repo, sha);
      return Answer{200,
                    {{"state", CombinedState(latest)},
                     {"sha", sha},
                     {"total_count", latest.size()},
                     {"statuses", latest},
                     {"repository", repo->repo}},
                    {}};
    }
    if (m == "POST" && is({"statuses", "*"})) return CreateStatus(*repo, rest[1], body);
    if (m == "POST" && is({"dispatches"})) {
      if (!body.contains("event_type") || !body["event_type"].is_string()) {
        return MissingField("RepositoryDispatch", "event_type");
      }
      repo->dispatches.push_back(body);
      Emit(*repo, "repository_dispatch",
           {{"action", body["event_type"]},
            {"branch", repo->repo["default_branch"]},
            {"client_payload", body.value("client_payload", json::object())}},
           "octocat");
      return Answer{204, nullptr, {}};
    }
    return Error(404, "Not Found");
  }

  Answer CreateIssue(Repo& repo, const json& body) {
    if (!body.contains("title") || !(body["title"].is_string() || body["title"].is_number()) ||
        (body["title"].is_string() && body["title"].get<std::string>().empty())) {
      return MissingField("Issue", "title");
    }
    const int number = repo.next_number++;
    const std::string full_name = repo.repo["full_name"];
    json labels = json::array();
    for (const auto& l : body.value("labels", json::array())) {
      labels.push_back({{"name", l.is_string() ? l : l.value("name", json(""))}});
    }
    json assignees = json::array();
    for (const auto& a : body.value("assignees", json::array())) assignees.push_back(User(a));
    json issue = {{"id", next_id++},
                  {"number", number},
                  {"title", body["title"]},
                  {"body", body.value("body", json(nullptr))},
                  {"state", "open"},
                  {"user", User("contexten[bot]")},
                  {"labels", labels},
                  {"assignees", assignees},
                  {"comments", 0},
                  {"html_url", Html(full_name, "/issues/" + std::to_string(number))},
                  {"url", Api(full_name, "/issues/" + std::to_string(number))},
                  {"created_at", Now()},
                  {"updated_at", Now()}};
    repo.issues[number] = issue;
    Emit(repo, "issues", {{"action", "opened"}, {"issue", issue}}, "contexten[bot]");
    return Answer{201, issue, {}};
  }

  Answer ListIssues(Repo& repo, const HttpRequest& request) {
    const std::string state = request.Query("state").value_or("open");
    std::vector<json> items;
    auto add = [&](const json& item) {
      if (state != "all" && item["state"] != state) return;
      items.push_back(item);
    };
    for (auto& [n, issue] : repo.issues) add(issue);
    for (auto& [n, pr] : repo.pulls) {
      json as_issue = pr;
      as_issue["pull_request"] = {{"url", pr["url"]}, {"html_url", pr["html_url"]}};
      add(as_issue);
    }
    std::sort(items.begin(), items.end(),
              [](const json& a, const json& b) { return a["number"] < b["number"]; });
    if (request.Query("direction").value_or("desc") == "desc") {
      std::reverse(items.begin(), items.end());
    }
    return Page(items, request);
  }

  Answer CreateComment(Repo& repo, int number, const json& body) {
    json* parent = FindIssueOrPull(repo, number);
    if (!parent) return Error(404, "Not Found");
    if (!body.contains("body") || !body["body"].is_string())
      return MissingField("IssueComment", "body");
    const std::string full_name = repo.repo["full_name"];
    const std::int64_t id = next_id++;
    json comment = {{"id", id},
                    {"body", body["body"]},
                    {"user", User("contexten[bot]")},
                    {"html_url", Html(full_name, "/issues/" + std::to_string(number) +
                                                     "#issuecomment-" + std::to_string(id))},
                    {"issue_url", Api(full_name, "/issues/" + std::to_string(number))},
                    {"created_at", Now()},
                    {"updated_at", Now()}};
    repo.comments[number].push_back(comment);
    (*parent)["comments"] = (*parent).value("comments", 0) + 1;
    json issue = *parent;
    if (repo.pulls.count(number)) issue["pull_request"] = {{"url", (*parent)["url"]}};
    Emit(repo, "issue_comment", {{"action", "created"}, {"issue", issue}, {"comment", comment}},
         "contexten[bot]");
    return Answer{201, comment, {}};
  }

  Answer ListPulls(Repo& repo, const HttpRequest& request) {
    const std::string state = request.Query("state").value_or("open");
    const std::string head = request.Query("head").value_or("");
    const std::string base = request.Query("base").value_or("");
    std::vector<json> items;
    for (auto it = repo.pulls.rbegin(); it != repo.pulls.rend(); ++it) {
      const json& pr = it->second;
      if (state != "all" && pr["state"] != state) continue;
      if (!base.empty() && pr["base"]["ref"] != base) continue;
      if (!head.empty() && pr["head"]["label"] != head && pr["head"]["ref"] != head) continue;
      items.push_back(pr);
    }
    return Page(items, request);
  }

  Answer RequestReviewers(Repo& repo, int number, const json& body) {
    auto it = repo.pulls.find(number);
    if (it == repo.pulls.end()) return Error(404, "Not Found");
    json& pr = it->second;
    const json reviewers = body.value("reviewers", json::array());
    const json teams = body.value("team_reviewers", json::array());
    if (!reviewers.is_array() || !teams.is_array() || (reviewers.empty() && teams.empty())) {
      return Error(422, "Reviews may only be requested from collaborators.",
                   json::array({"reviewers or team_reviewers is required"}));
    }
    for (const auto& login : reviewers) {
      if (!login.is_string()) return Error(422, "Invalid request.");
      if (login == pr["user"]["login"]) {
        return Error(422, "Review cannot be requested from pull request author.");
      }
      bool present = false;
      for (const auto& u : pr["requested_reviewers"]) present |= u["login"] == login;
      if (!present) pr["requested_reviewers"].push_back(User(login));
      Emit(repo, "pull_request",
           {{"action", "review_requested"},
            {"number", number},
            {"pull_request", pr},
            {"requested_reviewer", User(login)}},
           "contexten[bot]");
    }
    for (const auto& team : teams) {
      pr["requested_teams"].push_back({{"slug", team}, {"name", team}});
    }
    return Answer{201, pr, {}};
  }

  // A deployment of `ref` to `environment` made by run `run` (webhooks deployment.created and
  // deployment_status.created, in_progress). Returns its id.
  std::int64_t CreateDeployment(Repo& repo, const std::string& environment, const std::string& ref,
                                const json& run) {
    const std::string full_name = repo.repo["full_name"];
    const std::int64_t id = next_id++;
    json deployment = {
        {"id", id},
        {"node_id", "DE_sandbox" + std::to_string(id)},
        {"url", Api(full_name, "/deployments/" + std::to_string(id))},
        {"sha", run["head_sha"]},
        {"ref", ref},
        {"task", "deploy"},
        {"payload", json::object()},
        {"original_environment", environment},
        {"environment", environment},
        {"description", nullptr},
        {"creator", User("github-actions[bot]")},
        {"created_at", Now()},
        {"updated_at", Now()},
        {"statuses_url", Api(full_name, "/deployments/" + std::to_string(id) + "/statuses")},
        {"repository_url", Api(full_name, "")},
        {"transient_environment", false},
        {"production_environment", environment == "production"}};
    repo.deployments.push_back(deployment);
    Emit(repo, "deployment",
         {{"action", "created"}, {"deployment", deployment}, {"workflow_run", run}},
         "github-actions[bot]");
    EmitDeploymentStatus(repo, deployment, "in_progress", run);
    return id;
  }

  void EmitDeploymentStatus(Repo& repo, const json& deployment, const std::string& state,
                            const json& run) {
    const std::int64_t id = next_id++;
    json status = {
        {"url", deployment["url"].get<std::string>() + "/statuses/" + std::to_string(id)},
        {"id", id},
        {"node_id", "DES_sandbox" + std::to_string(id)},
        {"state", state},
        {"creator", User("github-actions[bot]")},
        {"description", ""},
        {"environment", deployment["environment"]},
        {"target_url", run["html_url"]},
        {"log_url", run["html_url"]},
        {"environment_url", ""},
        {"created_at", Now()},
        {"updated_at", Now()},
        {"deployment_url", deployment["url"]},
        {"repository_url", deployment["repository_url"]}};
    Emit(repo, "deployment_status",
         {{"action", "created"},
          {"deployment_status", status},
          {"deployment", deployment},
          {"workflow_run", run}},
         "github-actions[bot]");
  }

  // Completes run `run_id` after options.run_duration, on the I/O runtime (a timer, no sleep):
  // workflow_run.completed, and the deployment's final status before it.
  void FinishLater(const std::string& full_name, std::int64_t run_id, const std::string& conclusion,
                   std::optional<std::int64_t> deployment) {
    std::weak_ptr<Impl> weak = weak_from_this();
    io.RunAfter(*options.run_duration, [weak, full_name, run_id, conclusion, deployment] {
      auto self = weak.lock();
      if (!self) return;
      {
        std::lock_guard lock(self->mu);
        Repo* repo = self->FindRepo(full_name);
        if (!repo || !repo->runs.count(run_id)) return;
        if (repo->runs[run_id]["status"] != "in_progress") {
          self->AdvanceRun(*repo, run_id, "in_progress", "in_progress", "");
        }
        if (deployment) {
          for (const auto& d : repo->deployments) {
            if (d["id"] == *deployment) {
              self->EmitDeploymentStatus(*repo, d, conclusion == "success" ? "success" : "failure",
                                         repo->runs[run_id]);
            }
          }
        }
        self->AdvanceRun(*repo, run_id, "completed", "completed", conclusion);
      }
      self->Flush();
    });
  }

  Answer DispatchWorkflow(Repo& repo, const std::string& workflow_id, const json& body) {
    json* workflow = FindWorkflow(repo, workflow_id);
    if (!workflow) return Error(404, "Not Found");
    if (!body.contains("ref") || !body["ref"].is_string()) {
      return MissingField("WorkflowDispatch", "ref");
    }
    const json inputs = body.value("inputs", json::object());
    Emit(repo, "workflow_dispatch",
         {{"inputs", inputs},
          {"ref", "refs/heads/" + body["ref"].get<std::string>()},
          {"workflow", (*workflow)["path"]}},
         "contexten[bot]");
    json run = NewRun(repo, *workflow, body["ref"], "workflow_dispatch");
    const std::int64_t run_id = run["id"];
    repo.runs[run_id]["inputs"] = inputs;
    if (options.run_duration) {
      AdvanceRun(repo, run_id, "in_progress", "in_progress", "");
      std::optional<std::int64_t> deployment;
      if (inputs.contains("environment") && inputs["environment"].is_string()) {
        deployment = CreateDeployment(repo, inputs["environment"], body["ref"], run);
      }
      FinishLater(repo.repo["full_name"], run_id, options.dispatch_conclusion, deployment);
    }
    return Answer{204, nullptr, {}};
  }

  Answer ListRuns(Repo& repo, const HttpRequest& request, const std::string& workflow_id) {
    std::optional<std::int64_t> only;
    if (!workflow_id.empty()) {
      json* wf = FindWorkflow(repo, workflow_id);
      if (!wf) return Error(404, "Not Found");
      only = (*wf)["id"].get<std::int64_t>();
    }
    const std::string branch = request.Query("branch").value_or("");
    const std::string status = request.Query("status").value_or("");
    const std::string event = request.Query("event").value_or("");
    std::vector<json> items;
    for (auto it = repo.runs.rbegin(); it != repo.runs.rend(); ++it) {
      const json& run = it->second;
      if (only && run["workflow_id"] != *only) continue;
      if (!branch.empty() && run["head_branch"] != branch) continue;
      if (!event.empty() && run["event"] != event) continue;
      if (!status.empty() && run["status"] != status && run["conclusion"] != status) continue;
      items.push_back(run);
    }
    return Page(items, request, "workflow_runs");
  }

  Answer Rerun(Repo& repo, std::int64_t run_id) {
    auto it = repo.runs.find(run_id);
    if (it == repo.runs.end()) return Error(404, "Not Found");
    json& run = it->second;
    if (run["status"] != "completed" || run["conclusion"] == "success") {
      return Error(409, "This workflow run cannot be rerun: it has no failed jobs to re-run");
    }
    run["run_attempt"] = run["run_attempt"].get<int>() + 1;
    run["status"] = "queued";
    run["conclusion"] = nullptr;
    run["updated_at"] = Now();
    json workflow = repo.workflows[run["workflow_id"].get<std::int64_t>()];
    Emit(repo, "workflow_run",
         {{"action", "requested"}, {"workflow_run", run}, {"workflow", workflow}},
         "contexten[bot]");
    if (options.run_duration) {
      FinishLater(repo.repo["full_name"], run_id, options.rerun_conclusion, std::nullopt);
    }
    return Answer{201, json::object(), {}};
  }

  Answer CreateStatus(Repo& repo, const std::string& sha, const json& body) {
    static const std::set<std::string> kStates = {"error", "failure", "pending", "success"};
    if (!body.contains("state") || !body["state"].is_string()) {
      return MissingField("Status", "state");
    }
    if (!kStates.count(body["state"].get<std::string>())) {
      return Error(422, "Validation Failed",
                   json::array({{{"resource", "Status"},
                                 {"field", "state"},
                                 {"code", "custom"},
                                 {"message", "state is not included in the list"}}}));
    }
    json status = {{"id", next_id++},
                   {"sha", sha},
                   {"state", body["state"]},
                   {"context", body.value("context", std::string("default"))},
                   {"description", body.value("description", json(nullptr))},
                   {"target_url", body.value("target_url", json(nullptr))},
                   {"creator", User("contexten[bot]")},
                   {"created_at", Now()},
                   {"updated_at", Now()}};
    repo.statuses[sha].push_back(status);
    json event = status;
    event["name"] = repo.repo["full_name"];
    event["commit"] = {{"sha", sha}};
    event["branches"] = json::array();
    Emit(repo, "status", event, "contexten[bot]");
    return Answer{201, status, {}};
  }
};

GitHubSandbox::GitHubSandbox(core::net::IoRuntime& io, GitHubSandboxOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

GitHubSandbox::~GitHubSandbox() { Stop(); }

core::Status GitHubSandbox::Start() {
  std::weak_ptr<Impl> weak = impl_;
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    impl_->server.RoutePrefix(method, "/",
                              [weak](HttpRequest&& request, core::net::HttpResponder respond) {
                                if (auto self = weak.lock())
                                  self->Handle(std::move(request), std::move(respond));
                              });
  }
  return impl_->server.Start();
}

void GitHubSandbox::Stop() {
  std::vector<core::net::HttpResponder> held;
  {
    std::lock_guard lock(impl_->mu);
    held.swap(impl_->held);
  }
  held.clear();
  impl_->server.Stop();
}

std::string GitHubSandbox::base_url() const { return impl_->server.BaseUrl(); }
const GitHubSandboxOptions& GitHubSandbox::options() const { return impl_->options; }

void GitHubSandbox::AddRepository(const std::string& owner, const std::string& name,
                                  const std::string& default_branch) {
  std::lock_guard lock(impl_->mu);
  const std::string full_name = owner + "/" + name;
  Impl::Repo repo;
  repo.repo = RepositoryJson(impl_->next_id++, owner, name, default_branch, impl_->server.BaseUrl(),
                             impl_->Now());
  impl_->repos[full_name] = std::move(repo);
}

void GitHubSandbox::SeedDefaults() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->FindRepo(kDefaultRepository) != nullptr) return;
  }
  const std::string full_name = kDefaultRepository;
  const auto slash = full_name.find('/');
  AddRepository(full_name.substr(0, slash), full_name.substr(slash + 1));
  AddWorkflow(full_name, "ci.yml", "CI");
}

void GitHubSandbox::SetWebhookUrl(std::string url) {
  std::lock_guard lock(impl_->mu);
  impl_->options.webhook_url = std::move(url);
}

std::int64_t GitHubSandbox::AddWorkflow(const std::string& full_name, const std::string& file,
                                        const std::string& name) {
  std::lock_guard lock(impl_->mu);
  auto* repo = impl_->FindRepo(full_name);
  if (!repo) return 0;
  const std::int64_t id = impl_->next_id++;
  const std::string path = ".github/workflows/" + file;
  repo->workflows[id] = {
      {"id", id},
      {"node_id", "W_sandbox" + std::to_string(id)},
      {"name", name},
      {"path", path},
      {"state", "active"},
      {"created_at", impl_->Now()},
      {"updated_at", impl_->Now()},
      {"url", impl_->Api(full_name, "/actions/workflows/" + std::to_string(id))},
      {"html_url",
       impl_->Html(full_name,
                   "/blob/" + repo->repo["default_branch"].get<std::string>() + "/" + path)},
      {"badge_url",
       impl_->Html(full_name, "/workflows/" + core::net::UrlEncode(name) + "/badge.svg")}};
  return id;
}

int GitHubSandbox::OpenPullRequest(const std::string& full_name,
                                   const SandboxPullRequestSeed& seed) {
  int number = 0;
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo) return 0;
    number = repo->next_number++;
    const std::string owner = repo->repo["owner"]["login"];
    const std::string n = std::to_string(number);
    // The branch gets a new head commit (the PR's), so a CI run on it matches the PR.
    repo->heads.erase(seed.head_ref);
    const std::string sha = impl_->Head(*repo, seed.head_ref, seed.title)["id"];
    json labels = json::array();
    for (const auto& label : seed.labels) {
      labels.push_back({{"id", impl_->next_id++}, {"name", label}, {"color", "ededed"}});
    }
    const std::string base_sha = impl_->Head(*repo, seed.base_ref)["id"];
    const std::string api = impl_->Api(full_name, "/pulls/" + n);
    const std::string issue_api = impl_->Api(full_name, "/issues/" + n);
    const std::string html = impl_->Html(full_name, "/pull/" + n);
    int additions = 0, deletions = 0;
    for (const auto& f : seed.files) {
      additions += f.value("additions", 0);
      deletions += f.value("deletions", 0);
    }
    auto ref = [&](const std::string& name, const std::string& ref_sha) {
      return json{{"label", owner + ":" + name},
                  {"ref", name},
                  {"sha", ref_sha},
                  {"user", repo->repo["owner"]},
                  {"repo", repo->repo}};
    };
    json pr = {{"id", impl_->next_id++},
               {"node_id", "PR_sandbox" + n},
               {"number", number},
               {"title", seed.title},
               {"body", seed.body},
               {"state", "open"},
               {"locked", false},
               {"draft", seed.draft},
               {"merged", false},
               {"merged_at", nullptr},
               {"merged_by", nullptr},
               {"auto_merge", nullptr},
               {"active_lock_reason", nullptr},
               {"closed_at", nullptr},
               {"merge_commit_sha", nullptr},
               {"mergeable", nullptr},
               {"mergeable_state", "unknown"},
               {"rebaseable", nullptr},
               {"maintainer_can_modify", false},
               {"author_association", seed.user == owner ? "OWNER" : "CONTRIBUTOR"},
               {"user", User(seed.user)},
               {"assignee", nullptr},
               {"assignees", json::array()},
               {"labels", labels},
               {"milestone", nullptr},
               {"head", ref(seed.head_ref, sha)},
               {"base", ref(seed.base_ref, base_sha)},
               {"requested_reviewers", json::array()},
               {"requested_teams", json::array()},
               {"comments", 0},
               {"review_comments", 0},
               {"commits", 1},
               {"additions", additions},
               {"deletions", deletions},
               {"changed_files", seed.files.size()},
               {"html_url", html},
               {"diff_url", html + ".diff"},
               {"patch_url", html + ".patch"},
               {"url", api},
               {"issue_url", issue_api},
               {"commits_url", api + "/commits"},
               {"review_comments_url", api + "/comments"},
               {"review_comment_url", impl_->Api(full_name, "/pulls/comments{/number}")},
               {"comments_url", issue_api + "/comments"},
               {"statuses_url", impl_->Api(full_name, "/statuses/" + sha)},
               {"_links",
                {{"self", {{"href", api}}},
                 {"html", {{"href", html}}},
                 {"issue", {{"href", issue_api}}},
                 {"comments", {{"href", issue_api + "/comments"}}},
                 {"review_comments", {{"href", api + "/comments"}}},
                 {"review_comment", {{"href", impl_->Api(full_name, "/pulls/comments{/number}")}}},
                 {"commits", {{"href", api + "/commits"}}},
                 {"statuses", {{"href", impl_->Api(full_name, "/statuses/" + sha)}}}}},
               {"created_at", impl_->Now()},
               {"updated_at", impl_->Now()}};
    for (const auto& f : seed.files) {
      json file = f;
      const int add = file.value("additions", 0), del = file.value("deletions", 0);
      file["additions"] = add;
      file["deletions"] = del;
      file["changes"] = add + del;
      if (!file.contains("status")) file["status"] = "modified";
      repo->files[number].push_back(file);
    }
    repo->pulls[number] = pr;
    impl_->Emit(*repo, "pull_request",
                {{"action", "opened"}, {"number", number}, {"pull_request", pr}}, seed.user);
  }
  impl_->Flush();
  return number;
}

namespace {
core::Status NotFound(const std::string& what) {
  return core::Unexpected(core::MakeError(core::ErrorKind::kNotFound, what + " not found"));
}
}  // namespace

core::Status GitHubSandbox::MergePullRequest(const std::string& full_name, int number) {
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo || !repo->pulls.count(number))
      return NotFound(full_name + "#" + std::to_string(number));
    json& pr = repo->pulls[number];
    if (pr["state"] != "open") {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kConflict, "pull request is not open"));
    }
    pr["state"] = "closed";
    pr["merged"] = true;
    pr["merged_at"] = impl_->Now();
    pr["closed_at"] = impl_->Now();
    pr["updated_at"] = impl_->Now();
    pr["merged_by"] = User("octocat");
    pr["mergeable"] = nullptr;
    pr["mergeable_state"] = "unknown";
    const std::string merge_sha = core::Sha256Hex(pr.dump()).substr(0, 40);
    pr["merge_commit_sha"] = merge_sha;
    impl_->Emit(*repo, "pull_request",
                {{"action", "closed"}, {"number", number}, {"pull_request", pr}}, "octocat");
    // The merge commit lands on the base branch: a push, as GitHub sends it.
    const std::string base = pr["base"]["ref"];
    const std::string before = impl_->Head(*repo, base)["id"];
    const json commit = CommitJson(merge_sha, core::Sha256Hex("tree:" + merge_sha).substr(0, 40),
                                   "Merge pull request #" + std::to_string(number) + " from " +
                                       pr["head"]["label"].get<std::string>() + "\n\n" +
                                       pr["title"].get<std::string>(),
                                   "octocat", impl_->Now(), full_name);
    repo->heads[base] = commit;
    impl_->Emit(*repo, "push",
                {{"ref", "refs/heads/" + base},
                 {"before", before},
                 {"after", merge_sha},
                 {"base_ref", nullptr},
                 {"created", false},
                 {"deleted", false},
                 {"forced", false},
                 {"compare", impl_->Html(full_name, "/compare/" + before.substr(0, 12) + "..." +
                                                        merge_sha.substr(0, 12))},
                 {"commits", json::array({commit})},
                 {"head_commit", commit},
                 {"pusher", {{"name", "octocat"}, {"email", "octocat@users.noreply.github.com"}}}},
                "octocat");
  }
  impl_->Flush();
  return core::Ok();
}

core::Status GitHubSandbox::ClosePullRequest(const std::string& full_name, int number) {
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo || !repo->pulls.count(number))
      return NotFound(full_name + "#" + std::to_string(number));
    json& pr = repo->pulls[number];
    pr["state"] = "closed";
    pr["closed_at"] = impl_->Now();
    impl_->Emit(*repo, "pull_request",
                {{"action", "closed"}, {"number", number}, {"pull_request", pr}}, "octocat");
  }
  impl_->Flush();
  return core::Ok();
}

core::Status GitHubSandbox::AddReview(const std::string& full_name, int number,
                                      const std::string& user, const std::string& state,
                                      const std::string& body) {
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo || !repo->pulls.count(number))
      return NotFound(full_name + "#" + std::to_string(number));
    json& pr = repo->pulls[number];
    const std::int64_t id = impl_->next_id++;
    json review = {
        {"id", id},
        {"user", User(user)},
        {"state", state},
        {"body", body},
        {"commit_id", pr["head"]["sha"]},
        {"html_url", impl_->Html(full_name, "/pull/" + std::to_string(number) +
                                                "#pullrequestreview-" + std::to_string(id))},
        {"submitted_at", impl_->Now()},
        {"node_id", "PRR_sandbox" + std::to_string(id)},
        {"author_association", "MEMBER"},
        {"pull_request_url", pr["url"]},
        {"_links",
         {{"html",
           {{"href", impl_->Html(full_name, "/pull/" + std::to_string(number) +
                                                "#pullrequestreview-" + std::to_string(id))}}},
          {"pull_request", {{"href", pr["url"]}}}}}};
    repo->reviews[number].push_back(review);
    pr["updated_at"] = impl_->Now();  // a review is activity on the PR, as on GitHub
    json& requested = pr["requested_reviewers"];
    requested.erase(std::remove_if(requested.begin(), requested.end(),
                                   [&](const json& u) { return u["login"] == user; }),
                    requested.end());
    impl_->Emit(*repo, "pull_request_review",
                {{"action", "submitted"}, {"review", review}, {"pull_request", pr}}, user);
  }
  impl_->Flush();
  return core::Ok();
}

std::int64_t GitHubSandbox::AddCheckRun(const std::string& full_name, const std::string& sha,
                                        const std::string& name, const std::string& status,
                                        const std::string& conclusion) {
  std::int64_t id = 0;
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo) return 0;
    id = impl_->next_id++;
    json run = {{"id", id},
                {"name", name},
                {"head_sha", sha},
                {"status", status},
                {"conclusion", conclusion.empty() ? json(nullptr) : json(conclusion)},
                {"html_url", impl_->Html(full_name, "/runs/" + std::to_string(id))},
                {"started_at", impl_->Now()},
                {"completed_at", status == "completed" ? json(impl_->Now()) : json(nullptr)},
                {"app", {{"slug", "github-actions"}}}};
    repo->check_runs.push_back(run);
    impl_->Emit(*repo, "check_run",
                {{"action", status == "completed" ? "completed" : "created"}, {"check_run", run}},
                "octocat");
  }
  impl_->Flush();
  return id;
}

std::int64_t GitHubSandbox::StartWorkflowRun(const std::string& full_name, std::int64_t workflow_id,
                                             const std::string& branch, const std::string& event) {
  std::int64_t id = 0;
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo || !repo->workflows.count(workflow_id)) return 0;
    id = impl_->NewRun(*repo, repo->workflows[workflow_id], branch, event)["id"];
  }
  impl_->Flush();
  return id;
}

core::Status GitHubSandbox::CompleteWorkflowRun(const std::string& full_name, std::int64_t run_id,
                                                const std::string& conclusion) {
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo || !repo->runs.count(run_id))
      return NotFound("workflow run " + std::to_string(run_id));
    impl_->AdvanceRun(*repo, run_id, "completed", "completed", conclusion);
  }
  impl_->Flush();
  return core::Ok();
}

void GitHubSandbox::SetRerunConclusion(std::string conclusion) {
  std::lock_guard lock(impl_->mu);
  impl_->options.rerun_conclusion = std::move(conclusion);
}

void GitHubSandbox::SetDispatchConclusion(std::string conclusion) {
  std::lock_guard lock(impl_->mu);
  impl_->options.dispatch_conclusion = std::move(conclusion);
}

std::vector<nlohmann::json> GitHubSandbox::Deployments(const std::string& full_name) const {
  std::lock_guard lock(impl_->mu);
  if (auto* repo = impl_->FindRepo(full_name)) return repo->deployments;
  return {};
}

core::Result<std::int64_t> GitHubSandbox::RunCi(const std::string& full_name,
                                                const std::string& branch,
                                                const std::string& conclusion) {
  std::int64_t id = 0;
  {
    std::lock_guard lock(impl_->mu);
    auto* repo = impl_->FindRepo(full_name);
    if (!repo) return core::Unexpected(NotFound("repository " + full_name).error());
    if (repo->workflows.empty()) {
      return core::Unexpected(
          core::MakeError(core::ErrorKind::kNotFound, full_name + " has no workflow to run as CI"));
    }
    const json* workflow = &repo->workflows.begin()->second;
    for (const auto& [wid, wf] : repo->workflows) {
      if (wf["name"] == "CI") {
        workflow = &wf;
        break;
      }
    }
    const std::string on =
        branch.empty() ? repo->repo["default_branch"].get<std::string>() : branch;
    id = impl_->NewRun(*repo, *workflow, on, "push")["id"];
    impl_->AdvanceRun(*repo, id, "in_progress", "in_progress", "");
    impl_->AdvanceRun(*repo, id, "completed", "completed", conclusion);
    // The run's one job, as the checks API lists it for the commit (GitHub Actions reports each
    // job as a check run); no check_run webhook, as the tests count the run's own deliveries.
    const std::int64_t job = impl_->next_id++;
    repo->check_runs.push_back(
        {{"id", job},
         {"name", "build"},
         {"head_sha", repo->runs[id]["head_sha"]},
         {"status", "completed"},
         {"conclusion", conclusion},
         {"html_url", impl_->Html(full_name, "/actions/runs/" + std::to_string(id) + "/job/" +
                                                 std::to_string(job))},
         {"started_at", impl_->Now()},
         {"completed_at", impl_->Now()},
         {"app", {{"slug", "github-actions"}}}});
    impl_->EmitCheckSuiteCompleted(*repo, repo->runs[id]);
  }
  impl_->Flush();
  return id;
}

std::vector<nlohmann::json> GitHubSandbox::Issues(const std::string& full_name) const {
  std::lock_guard lock(impl_->mu);
  std::vector<json> out;
  if (auto* repo = impl_->FindRepo(full_name)) {
    for (auto& [n, issue] : repo->issues) out.push_back(issue);
  }
  return out;
}

std::vector<nlohmann::json> GitHubSandbox::Comments(const std::string& full_name,
                                                    int number) const {
  std::lock_guard lock(impl_->mu);
  if (auto* repo = impl_->FindRepo(full_name)) {
    if (auto it = repo->comments.find(number); it != repo->comments.end()) return it->second;
  }
  return {};
}

std::optional<nlohmann::json> GitHubSandbox::PullRequest(const std::string& full_name,
                                                         int number) const {
  std::lock_guard lock(impl_->mu);
  if (auto* repo = impl_->FindRepo(full_name)) {
    if (auto it = repo->pulls.find(number); it != repo->pulls.end()) return it->second;
  }
  return std::nullopt;
}

std::vector<nlohmann::json> GitHubSandbox::PullRequests(const std::string& full_name) const {
  std::lock_guard lock(impl_->mu);
  std::vector<json> out;
  if (auto* repo = impl_->FindRepo(full_name)) {
    for (const auto& [n, pr] : repo->pulls) out.push_back(pr);
  }
  return out;
}

std::vector<nlohmann::json> GitHubSandbox::WorkflowRuns(const std::string& full_name) const {
  std::lock_guard lock(impl_->mu);
  std::vector<json> out;
  if (auto* repo = impl_->FindRepo(full_name)) {
    for (auto& [id, run] : repo->runs) out.push_back(run);
  }
  return out;
}

std::vector<nlohmann::json> GitHubSandbox::Statuses(const std::string& full_name,
                                                    const std::string& sha) const {
  std::lock_guard lock(impl_->mu);
  if (auto* repo = impl_->FindRepo(full_name)) {
    if (auto it = repo->statuses.find(sha); it != repo->statuses.end()) return it->second;
  }
  return {};
}

std::vector<nlohmann::json> GitHubSandbox::RepositoryDispatches(
    const std::string& full_name) const {
  std::lock_guard lock(impl_->mu);
  if (auto* repo = impl_->FindRepo(full_name)) return repo->dispatches;
  return {};
}

std::vector<GitHubRequestRecord> GitHubSandbox::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

std::vector<std::string> GitHubSandbox::Repositories() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [name, repo] : impl_->repos) out.push_back(name);
  return out;
}

std::vector<GitHubWebhookDelivery> GitHubSandbox::Deliveries() const {
  std::lock_guard lock(impl_->mu);
  return impl_->deliveries;
}

std::size_t GitHubSandbox::DeliveryCount() const {
  std::lock_guard lock(impl_->mu);
  return impl_->deliveries.size();
}

std::vector<GitHubWebhookDelivery> GitHubSandbox::AwaitDeliveries(
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

std::int64_t GitHubSandbox::rate_limit_remaining() const {
  std::lock_guard lock(impl_->mu);
  return std::max<std::int64_t>(impl_->options.rate_limit - impl_->used, 0);
}

void GitHubSandbox::RevokeInstallationTokens() {
  std::lock_guard lock(impl_->mu);
  impl_->installation_tokens.clear();
}

void GitHubSandbox::InjectFault(GitHubFault fault) {
  std::lock_guard lock(impl_->mu);
  impl_->faults.push_back(std::move(fault));
}

void GitHubSandbox::FailFor(std::chrono::milliseconds duration, int status) {
  std::lock_guard lock(impl_->mu);
  impl_->outage_until = impl_->clock.Now() + duration;
  impl_->outage_status = status;
}

void GitHubSandbox::ClearFaults() {
  std::lock_guard lock(impl_->mu);
  impl_->faults.clear();
  impl_->outage_until.reset();
}

int GitHubSandbox::faults_fired() const {
  std::lock_guard lock(impl_->mu);
  return impl_->faults_fired;
}

}  // namespace contexten::sandbox
