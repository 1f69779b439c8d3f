#include "workflows/builtin/pull_request_links.hpp"

#include <algorithm>

#include "core/json_fields.hpp"

namespace contexten::workflows::builtin {
namespace {

using core::json_fields::Str;
using nlohmann::json;

int Strength(const std::string& relation) {
  if (relation == "closes") return 3;
  if (relation == "references") return 2;
  return 1;
}

std::string StateOf(const json& data) {
  if (data.value("merged", false)) return "merged";
  if (Str(data, "state") == "closed") return "closed";
  return data.value("draft", false) ? "draft" : "open";
}

}  // namespace

std::string PullRequestName(const json& data) {
  return Str(data, "repo") + "#" + std::to_string(data.value("number", std::int64_t{0}));
}

PullRequestChange ApplyPullRequestEvent(json& prs, const json& data) {
  PullRequestChange change;
  const std::string name = PullRequestName(data);
  const std::string state = StateOf(data);
  const std::string relation = Str(data, "relation");
  if (!prs.contains(name) || !prs[name].is_object()) {
    prs[name] = {{"repo", Str(data, "repo")},
                 {"number", data.value("number", std::int64_t{0})},
                 {"title", Str(data, "title")},
                 {"url", Str(data, "url")},
                 {"state", state},
                 {"relation", relation},
                 {"review", ""},
                 {"checks", ""},
                 {"order", prs.size()}};
    change.is_new = change.any = true;
    change.merged = state == "merged";
    change.closed = state == "closed";
    return change;
  }
  json& pr = prs[name];
  const std::string before = Str(pr, "state");
  if (before != state && before != "merged") {
    pr["state"] = state;
    change.merged = state == "merged";
    change.closed = state == "closed";
    change.any = true;
  }
  if (!Str(data, "title").empty() && Str(data, "title") != Str(pr, "title")) {
    pr["title"] = Str(data, "title");
    change.any = true;
  }
  if (Strength(relation) > Strength(Str(pr, "relation"))) {
    pr["relation"] = relation;
    change.relation_upgraded = relation == "closes";
    change.any = true;
  }
  return change;
}

std::vector<present::LinkedPullRequest> LinkedPullRequests(const json& prs) {
  std::vector<std::pair<std::int64_t, present::LinkedPullRequest>> ordered;
  if (!prs.is_object()) return {};
  for (const auto& [name, pr] : prs.items()) {
    if (!pr.is_object()) continue;
    present::LinkedPullRequest linked;
    linked.repo = Str(pr, "repo");
    linked.number = pr.value("number", 0);
    linked.title = Str(pr, "title");
    linked.url = Str(pr, "url");
    linked.state = Str(pr, "state");
    linked.review = Str(pr, "review");
    linked.checks = Str(pr, "checks");
    ordered.emplace_back(pr.value("order", std::int64_t{0}), std::move(linked));
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<present::LinkedPullRequest> out;
  for (auto& [order, pr] : ordered) out.push_back(std::move(pr));
  return out;
}

}  // namespace contexten::workflows::builtin
