#include "sandbox/script/peer_verb_parser.hpp"

#include <cctype>
#include <charconv>
#include <optional>

namespace contexten::sandbox {
namespace {

core::Unexpected Usage(const std::string& problem, std::string_view usage) {
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kInvalidInput, problem + "; usage: " + std::string(usage)));
}

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

// Plain words joined by one space (options count as their `key=value` text).
std::string Join(const std::vector<PeerVerbWord>& words, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i].Plain();
  }
  return out;
}

bool ValidRepo(const std::string& repo) {
  const auto slash = repo.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < repo.size() &&
         repo.find('/', slash + 1) == std::string::npos &&
         repo.find_first_of(" #") == std::string::npos;
}

std::optional<int> PositiveInt(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

core::Result<PeerVerb> ParseLinear(const std::vector<PeerVerbWord>& words) {
  const std::string all_usages =
      std::string(kLinearStateUsage) + " | " + std::string(kLinearCommentUsage) + " | " +
      std::string(kLinearOutageUsage) + " | " + std::string(kLinearCommentsUsage) + " | " +
      std::string(kLinearShowUsage) + " | " + std::string(kLinearEditCommentUsage) + " | " +
      std::string(kLinearDeleteCommentUsage);
  if (words.size() < 2) return Usage("linear: which verb?", all_usages);
  const std::string& verb = words[1].Plain();
  if (verb == "state") {
    if (words.size() < 3) return Usage("linear state: missing the issue id", kLinearStateUsage);
    if (words.size() < 4) return Usage("linear state: missing the state name", kLinearStateUsage);
    return PeerVerb(LinearStateVerb{words[2].Plain(), Join(words, 3)});
  }
  if (verb == "show") {
    if (words.size() != 3) return Usage("linear show: name one issue", kLinearShowUsage);
    return PeerVerb(LinearShowVerb{words[2].Plain()});
  }
  if (verb == "comments") {
    if (words.size() != 3) {
      return Usage("linear comments: name one issue", kLinearCommentsUsage);
    }
    return PeerVerb(LinearCommentsVerb{words[2].Plain()});
  }
  if (verb == "comment") {
    if (words.size() < 3) {
      return Usage("linear comment: missing the issue id", kLinearCommentUsage);
    }
    const std::string text = Join(words, 3);
    if (text.empty()) return Usage("linear comment: missing the text", kLinearCommentUsage);
    return PeerVerb(LinearCommentVerb{words[2].Plain(), text});
  }
  if (verb == "edit-comment" || verb == "delete-comment") {
    const bool remove = verb == "delete-comment";
    const char* usage = remove ? kLinearDeleteCommentUsage : kLinearEditCommentUsage;
    if (words.size() < 3) return Usage("linear " + verb + ": missing the issue id", usage);
    if (words.size() < 4) return Usage("linear " + verb + ": which comment (1, 2, ...)?", usage);
    const auto number = PositiveInt(words[3].Plain());
    if (!number) {
      return Usage("linear " + verb + ": \"" + words[3].Plain() + "\" is not a comment number",
                   usage);
    }
    LinearEditCommentVerb edit{words[2].Plain(), *number, Join(words, 4), remove};
    if (remove && !edit.text.empty()) {
      return Usage("linear delete-comment: unexpected \"" + edit.text + "\"", usage);
    }
    if (!remove && edit.text.empty()) return Usage("linear edit-comment: missing the text", usage);
    return PeerVerb(edit);
  }
  if (verb == "outage") {
    if (words.size() < 3) return Usage("linear outage: for how many seconds?", kLinearOutageUsage);
    LinearOutageVerb outage;
    const auto seconds = PositiveInt(words[2].Plain());
    if (!seconds) {
      return Usage("linear outage: \"" + words[2].Plain() + "\" is not a number of seconds",
                   kLinearOutageUsage);
    }
    outage.seconds = *seconds;
    for (std::size_t i = 3; i < words.size(); ++i) {
      const auto status = PositiveInt(words[i].text);
      if (words[i].key != "status" || !status || *status < 400 || *status > 599) {
        return Usage("linear outage: unexpected \"" + words[i].Plain() + "\"", kLinearOutageUsage);
      }
      outage.status = *status;
    }
    return PeerVerb(outage);
  }
  return Usage("linear: unknown verb \"" + verb + "\"", all_usages);
}

core::Result<PeerVerb> ParsePrOpen(const std::vector<PeerVerbWord>& words) {
  GitHubPrOpenVerb open;
  std::vector<std::string> title;
  for (std::size_t i = 3; i < words.size(); ++i) {
    const PeerVerbWord& w = words[i];
    if (w.key == "branch") {
      open.branch = w.text;
    } else if (w.key == "body") {
      open.body = w.text;
    } else if (w.key == "author") {
      open.author = w.text;
    } else if (!w.key.empty()) {
      return Usage("gh pr open: unknown option \"" + w.key + "=\"", kGitHubPrOpenUsage);
    } else if (open.repo.empty()) {
      open.repo = w.text;
    } else {
      title.push_back(w.text);
    }
  }
  if (open.repo.empty()) return Usage("gh pr open: missing the repository", kGitHubPrOpenUsage);
  if (!ValidRepo(open.repo)) {
    return Usage("gh pr open: \"" + open.repo + "\" is not owner/repo", kGitHubPrOpenUsage);
  }
  for (const auto& t : title) open.title += (open.title.empty() ? "" : " ") + t;
  if (open.title.empty()) return Usage("gh pr open: missing the title", kGitHubPrOpenUsage);
  if (open.branch.empty()) open.branch = BranchFromTitle(open.title);
  if (open.branch.find_first_of(" ~^:?*[\\") != std::string::npos) {
    return Usage("gh pr open: \"" + open.branch + "\" is not a branch name", kGitHubPrOpenUsage);
  }
  return PeerVerb(std::move(open));
}

core::Result<PeerVerb> ParsePrMerge(const std::vector<PeerVerbWord>& words) {
  for (std::size_t i = 3; i < words.size(); ++i) {
    if (!words[i].key.empty()) {
      return Usage("gh pr merge: unknown option \"" + words[i].key + "=\"", kGitHubPrMergeUsage);
    }
  }
  if (words.size() < 4) return Usage("gh pr merge: missing owner/repo#<n>", kGitHubPrMergeUsage);
  std::string target = words[3].text;
  // Also accepted: `owner/repo <n>` and `owner/repo #<n>`.
  if (target.find('#') == std::string::npos && words.size() == 5) {
    target += words[4].text.rfind('#', 0) == 0 ? words[4].text : "#" + words[4].text;
  } else if (words.size() > 4) {
    return Usage("gh pr merge: too many words", kGitHubPrMergeUsage);
  }
  const auto hash = target.find('#');
  if (hash == std::string::npos) {
    return Usage("gh pr merge: missing the pull request number", kGitHubPrMergeUsage);
  }
  GitHubPrMergeVerb merge{target.substr(0, hash), 0};
  if (!ValidRepo(merge.repo)) {
    return Usage("gh pr merge: \"" + merge.repo + "\" is not owner/repo", kGitHubPrMergeUsage);
  }
  const auto number = PositiveInt(std::string_view(target).substr(hash + 1));
  if (!number) {
    return Usage("gh pr merge: \"" + target.substr(hash + 1) + "\" is not a pull request number",
                 kGitHubPrMergeUsage);
  }
  merge.number = *number;
  return PeerVerb(std::move(merge));
}

core::Result<PeerVerb> ParsePrReview(const std::vector<PeerVerbWord>& words) {
  GitHubPrReviewVerb review;
  std::vector<std::string> plain;
  for (std::size_t i = 3; i < words.size(); ++i) {
    if (words[i].key == "by") {
      review.reviewer = words[i].text;
    } else if (!words[i].key.empty()) {
      return Usage("gh pr review: unknown option \"" + words[i].key + "=\"", kGitHubPrReviewUsage);
    } else {
      plain.push_back(words[i].text);
    }
  }
  if (plain.size() != 2) {
    return Usage("gh pr review: expected owner/repo#<n> and approve or changes",
                 kGitHubPrReviewUsage);
  }
  const auto hash = plain[0].find('#');
  if (hash == std::string::npos || !ValidRepo(plain[0].substr(0, hash))) {
    return Usage("gh pr review: \"" + plain[0] + "\" is not owner/repo#<n>", kGitHubPrReviewUsage);
  }
  const auto number = PositiveInt(std::string_view(plain[0]).substr(hash + 1));
  if (!number) {
    return Usage("gh pr review: \"" + plain[0].substr(hash + 1) + "\" is not a pull request number",
                 kGitHubPrReviewUsage);
  }
  if (plain[1] != "approve" && plain[1] != "changes") {
    return Usage("gh pr review: \"" + plain[1] + "\" is neither approve nor changes",
                 kGitHubPrReviewUsage);
  }
  review.repo = plain[0].substr(0, hash);
  review.number = *number;
  review.state = plain[1] == "approve" ? "approved" : "changes_requested";
  return PeerVerb(std::move(review));
}

core::Result<PeerVerb> ParseCi(const std::vector<PeerVerbWord>& words) {
  if (words.size() < 3) return Usage("gh ci: fail or pass?", kGitHubCiUsage);
  const std::string& outcome = words[2].Plain();
  if (outcome != "fail" && outcome != "pass") {
    return Usage("gh ci: \"" + outcome + "\" is neither fail nor pass", kGitHubCiUsage);
  }
  GitHubCiVerb ci;
  ci.pass = outcome == "pass";
  for (std::size_t i = 3; i < words.size(); ++i) {
    const PeerVerbWord& w = words[i];
    if (w.key == "branch") {
      ci.branch = w.text;
    } else if (!w.key.empty()) {
      return Usage("gh ci: unknown option \"" + w.key + "=\"", kGitHubCiUsage);
    } else if (ci.repo.empty()) {
      ci.repo = w.text;
    } else {
      return Usage("gh ci: unexpected \"" + w.text + "\"", kGitHubCiUsage);
    }
  }
  if (ci.repo.empty()) return Usage("gh ci: missing the repository", kGitHubCiUsage);
  if (!ValidRepo(ci.repo)) {
    return Usage("gh ci: \"" + ci.repo + "\" is not owner/repo", kGitHubCiUsage);
  }
  return PeerVerb(std::move(ci));
}

core::Result<PeerVerb> ParseGitHub(const std::vector<PeerVerbWord>& words) {
  const std::string all_usages =
      std::string(kGitHubPrOpenUsage) + " | " + std::string(kGitHubPrMergeUsage) + " | " +
      std::string(kGitHubPrReviewUsage) + " | " + std::string(kGitHubCiUsage);
  if (words.size() < 2) return Usage("gh: which verb?", all_usages);
  const std::string& noun = words[1].Plain();
  if (noun == "pr") {
    const std::string verb = words.size() > 2 ? words[2].Plain() : "";
    if (verb == "open") return ParsePrOpen(words);
    if (verb == "merge") return ParsePrMerge(words);
    if (verb == "review") return ParsePrReview(words);
    return Usage(
        verb.empty() ? "gh pr: open, merge or review?" : "gh pr: unknown verb \"" + verb + "\"",
        std::string(kGitHubPrOpenUsage) + " | " + std::string(kGitHubPrMergeUsage) + " | " +
            std::string(kGitHubPrReviewUsage));
  }
  if (noun == "ci") return ParseCi(words);
  return Usage("gh: unknown verb \"" + noun + "\"", all_usages);
}

}  // namespace

core::Result<std::vector<PeerVerbWord>> SplitPeerVerbLine(std::string_view line) {
  std::vector<PeerVerbWord> words;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t') {
      ++i;
      continue;
    }
    PeerVerbWord word;
    // An option: an unquoted key of key characters directly followed by '='.
    std::size_t k = i;
    while (k < line.size() && IsKeyChar(line[k])) ++k;
    if (k > i && k < line.size() && line[k] == '=') {
      word.key = std::string(line.substr(i, k - i));
      i = k + 1;
    }
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      const char c = line[i];
      if (c != '"' && c != '\'') {
        word.text += c;
        ++i;
        continue;
      }
      const std::size_t open = i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == c) {
          closed = true;
          ++i;
          break;
        }
        if (c == '"' && line[i] == '\\' && i + 1 < line.size() &&
            (line[i + 1] == '"' || line[i + 1] == '\\')) {
          ++i;
        }
        word.text += line[i++];
      }
      if (!closed) {
        return core::Unexpected(core::MakeError(
            core::ErrorKind::kInvalidInput, std::string("unterminated ") +
                                                (c == '"' ? "double" : "single") +
                                                " quote at column " + std::to_string(open + 1)));
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

core::Result<PeerVerb> ParsePeerVerb(std::string_view line) {
  auto words = SplitPeerVerbLine(line);
  if (!words) return core::Unexpected(words.error());
  if (words->empty()) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, "empty line"));
  }
  const std::string platform = (*words)[0].Plain();
  if (platform == "linear") return ParseLinear(*words);
  if (platform == "gh") return ParseGitHub(*words);
  return core::Unexpected(core::MakeError(
      core::ErrorKind::kInvalidInput,
      "not a peer verb: \"" + platform + "\" (peer verbs start with linear or gh)"));
}

std::string BranchFromTitle(std::string_view title) {
  std::string branch;
  for (const char ch : title) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0) {
      if (branch.size() >= 60) break;
      branch += static_cast<char>(std::tolower(c));
    } else if (!branch.empty() && branch.back() != '-') {
      branch += '-';
    }
  }
  while (!branch.empty() && branch.back() == '-') branch.pop_back();
  return branch.empty() ? "sandbox-change" : branch;
}

}  // namespace contexten::sandbox
