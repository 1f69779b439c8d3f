#include "workflows/subscriptions/subscription.hpp"

#include <algorithm>
#include <cctype>

namespace contexten::workflows::subscriptions {
namespace {

using nlohmann::json;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A filter value as typed, without quotes around it (+label:"good first issue").
std::string Unquote(std::string value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

core::Error Invalid(const std::string& message) {
  return core::MakeError(core::ErrorKind::kInvalidInput, message);
}

bool ValidRepo(std::string_view repo) {
  const auto slash = repo.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= repo.size()) return false;
  if (repo.find('/', slash + 1) != std::string_view::npos) return false;
  return std::all_of(repo.begin(), repo.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

bool ValidTeam(std::string_view team) {
  return !team.empty() && team.size() <= 10 && std::all_of(team.begin(), team.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c));
  });
}

std::string CanonicalFeature(const std::string& platform, std::string feature) {
  feature = Lower(feature);
  if (platform == kGitHub) {
    if (feature == "deployments" || feature == "deploy") return "deploys";
    if (feature == "workflows" || feature == "checks") return "ci";
    if (feature == "prs" || feature == "pull" || feature == "pr") return "pulls";
  } else {
    if (feature == "create" || feature == "new") return "created";
    if (feature == "state" || feature == "status") return "states";
  }
  return feature;
}

std::string FeatureList(const std::string& platform) {
  std::string out;
  for (const auto& f : FeaturesOf(platform)) out += (out.empty() ? "" : ", ") + f;
  return out;
}

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// Linear's priority names (1 urgent .. 4 low).
int PriorityNumber(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "urgent") return 1;
  if (n == "high") return 2;
  if (n == "medium") return 3;
  if (n == "low") return 4;
  return 0;
}

const char* PriorityName(int p) {
  switch (p) {
    case 1:
      return "urgent";
    case 2:
      return "high";
    case 3:
      return "medium";
    case 4:
      return "low";
    default:
      return "none";
  }
}

// One filter word; false when `word` is not a filter (then it is a feature list).
core::Result<bool> ApplyFilter(Subscription& s, const std::string& word) {
  const std::string lower = Lower(word);
  Filters& f = s.filters;
  auto value = [&](std::size_t prefix) { return Unquote(word.substr(prefix)); };
  if (lower == "+bots" || lower == "bots:on") {
    f.include_bots = true;
  } else if (lower == "-bots" || lower == "bots:off") {
    f.include_bots = false;
  } else if (lower.starts_with("+label:") || lower.starts_with("label:")) {
    const std::string label = value(lower.find(':') + 1);
    if (label.empty()) return Invalid("`" + word + "` names no label.");
    AddUnique(f.require_labels, label);
  } else if (lower.starts_with("-label:")) {
    const std::string label = value(7);
    if (label.empty()) return Invalid("`" + word + "` names no label.");
    AddUnique(f.exclude_labels, label);
  } else if (lower.starts_with("-author:")) {
    const std::string author = value(8);
    if (author.empty()) return Invalid("`" + word + "` names no author.");
    AddUnique(f.exclude_authors, Lower(author));
  } else if (lower.starts_with("branch:")) {
    f.branch_glob = value(7);
    if (f.branch_glob.empty()) return Invalid("`" + word + "` names no branch.");
  } else if (lower == "drafts:off" || lower == "drafts:on") {
    f.drafts = lower == "drafts:on";
  } else if (lower == "ci:failures" || lower == "ci:all") {
    f.ci_failures_only = lower == "ci:failures";
  } else if (lower == "threads:off" || lower == "threads:on") {
    s.threads = lower == "threads:on";
  } else if (lower == "broadcast:states" || lower == "broadcast:off") {
    s.broadcast_states = lower == "broadcast:states";
  } else if (lower.starts_with("priority>=") || lower.starts_with("priority:")) {
    const int p = PriorityNumber(lower.substr(lower.find_first_of(":=") + 1));
    if (p == 0) return Invalid("`" + word + "`: priorities are urgent, high, medium and low.");
    f.min_priority = p;
  } else if (word.find(':') != std::string::npos || word.starts_with("+") ||
             word.starts_with("-")) {
    return Invalid("Unknown filter `" + word +
                   "`. Filters: +label:x, -label:x, -author:x, +bots, branch:<glob>, drafts:off, "
                   "ci:failures, threads:off, broadcast:states, priority>=high.");
  } else {
    return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& FeaturesOf(std::string_view platform) {
  static const std::vector<std::string> github = {"pulls", "issues",  "reviews", "comments",
                                                  "ci",    "deploys", "releases"};
  static const std::vector<std::string> linear = {"created", "states", "comments"};
  return platform == kLinear ? linear : github;
}

std::vector<std::string> DefaultFeatures(std::string_view platform) {
  if (platform == kLinear) return {"created", "states"};
  return {"pulls", "issues", "deploys", "releases"};
}

core::Result<Subscription> ParseSubscribe(const std::vector<std::string>& words,
                                          const std::string& channel) {
  Subscription s;
  s.channel = channel;
  std::size_t i = 0;
  if (!words.empty() && Lower(words[0]) == "linear") {
    s.platform = kLinear;
    if (words.size() < 2) return Invalid("Missing the Linear team key, e.g. `linear ENG`.");
    if (!ValidTeam(words[1])) {
      return Invalid("`" + words[1] + "` is not a Linear team key such as ENG.");
    }
    s.target = Upper(words[1]);
    i = 2;
  } else {
    s.platform = kGitHub;
    if (words.empty()) return Invalid("Missing the repository, e.g. `acme/web`.");
    if (!ValidRepo(words[0]))
      return Invalid("`" + words[0] + "` is not a repository (owner/name).");
    s.target = Lower(words[0]);
    i = 1;
  }
  for (; i < words.size(); ++i) {
    auto filter = ApplyFilter(s, words[i]);
    if (!filter) return core::Unexpected(filter.error());
    if (*filter) continue;
    std::string list = words[i];
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto comma = std::min(list.find(',', start), list.size());
      std::string item = list.substr(start, comma - start);
      start = comma + 1;
      if (item.empty()) continue;
      const std::string feature = CanonicalFeature(s.platform, item);
      const auto& known = FeaturesOf(s.platform);
      if (std::find(known.begin(), known.end(), feature) == known.end()) {
        return Invalid("Unknown feature `" + item + "`: use " + FeatureList(s.platform) + ".");
      }
      AddUnique(s.features, feature);
    }
  }
  if (s.features.empty()) s.features = DefaultFeatures(s.platform);
  if (s.filters.min_priority != 0 && s.platform != kLinear) {
    return Invalid("priority filters are for Linear subscriptions (`subscribe linear ENG ...`).");
  }
  return s;
}

core::Result<Unsubscribe> ParseUnsubscribe(const std::vector<std::string>& words) {
  auto parsed = ParseSubscribe(words, "");
  if (!parsed) return core::Unexpected(parsed.error());
  Unsubscribe u{parsed->platform, parsed->target, {}};
  // Only the features typed (ParseSubscribe fills in defaults when none are).
  const std::size_t first = parsed->platform == kLinear ? 2 : 1;
  if (words.size() > first) u.features = parsed->features;
  return u;
}

std::string FilterWords(const Subscription& s) {
  std::string out;
  auto add = [&](const std::string& word) { out += (out.empty() ? "" : " ") + word; };
  const Filters& f = s.filters;
  for (const auto& l : f.require_labels) add("+label:" + l);
  for (const auto& l : f.exclude_labels) add("-label:" + l);
  for (const auto& a : f.exclude_authors) add("-author:" + a);
  if (f.include_bots) add("+bots");
  if (!f.branch_glob.empty()) add("branch:" + f.branch_glob);
  if (!f.drafts) add("drafts:off");
  if (f.ci_failures_only) add("ci:failures");
  if (f.min_priority != 0) add(std::string("priority>=") + PriorityName(f.min_priority));
  return out;
}

std::string Describe(const Subscription& s) {
  std::string out = (s.platform == kLinear ? "Linear " : "") + s.target + ": ";
  for (std::size_t i = 0; i < s.features.size(); ++i) out += (i ? ", " : "") + s.features[i];
  const std::string filters = FilterWords(s);
  if (!filters.empty()) out += " · " + filters;
  out += s.threads ? " · threads" : " · threads:off";
  if (s.broadcast_states) out += " · broadcast:states";
  return out;
}

json ToJson(const Subscription& s) {
  const Filters& f = s.filters;
  return {{"id", s.id},
          {"channel", s.channel},
          {"platform", s.platform},
          {"target", s.target},
          {"features", s.features},
          {"threads", s.threads},
          {"broadcast_states", s.broadcast_states},
          {"filters",
           {{"require_labels", f.require_labels},
            {"exclude_labels", f.exclude_labels},
            {"exclude_authors", f.exclude_authors},
            {"include_bots", f.include_bots},
            {"branch", f.branch_glob},
            {"drafts", f.drafts},
            {"ci_failures_only", f.ci_failures_only},
            {"min_priority", f.min_priority}}}};
}

Subscription FromJson(const json& j) {
  Subscription s;
  if (!j.is_object()) return s;
  auto strings = [](const json& parent, const char* key) {
    std::vector<std::string> out;
    if (parent.contains(key) && parent[key].is_array()) {
      for (const auto& v : parent[key]) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  };
  auto str = [](const json& parent, const char* key) {
    return parent.contains(key) && parent[key].is_string() ? parent[key].get<std::string>()
                                                           : std::string();
  };
  auto boolean = [](const json& parent, const char* key, bool fallback) {
    return parent.contains(key) && parent[key].is_boolean() ? parent[key].get<bool>() : fallback;
  };
  s.id = j.contains("id") && j["id"].is_number_integer() ? j["id"].get<std::int64_t>() : 0;
  s.channel = str(j, "channel");
  s.platform = str(j, "platform");
  s.target = str(j, "target");
  s.features = strings(j, "features");
  s.threads = boolean(j, "threads", true);
  s.broadcast_states = boolean(j, "broadcast_states", false);
  const json f = j.contains("filters") && j["filters"].is_object() ? j["filters"] : json::object();
  s.filters.require_labels = strings(f, "require_labels");
  s.filters.exclude_labels = strings(f, "exclude_labels");
  s.filters.exclude_authors = strings(f, "exclude_authors");
  s.filters.include_bots = boolean(f, "include_bots", false);
  s.filters.branch_glob = str(f, "branch");
  s.filters.drafts = boolean(f, "drafts", true);
  s.filters.ci_failures_only = boolean(f, "ci_failures_only", false);
  s.filters.min_priority = f.contains("min_priority") && f["min_priority"].is_number_integer()
                               ? f["min_priority"].get<int>()
                               : 0;
  return s;
}

bool GlobMatch(std::string_view glob, std::string_view text) {
  // Iterative wildcard match with one backtrack point: linear in practice, no recursion.
  std::size_t g = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace contexten::workflows::subscriptions
