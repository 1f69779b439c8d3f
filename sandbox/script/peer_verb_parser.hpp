#pragma once
// The grammar of the sandbox console's "play the other side" verbs (see PeerVerbs): one terminal
// line in, a typed command out. Pure: no stand-in is touched here.
//   linear state <ID> <state name words...>
//   linear comment <ID> <text...>
//   linear outage <seconds> [status=<http status>]
//   linear comments <ID>              (reads: the issue's comments in the stand-in, no webhook)
//   linear edit-comment <ID> <n> <text...>   (n: the comment's place in `linear comments`, from 1)
//   linear delete-comment <ID> <n>
//   gh pr open <owner/repo> "<title>" [branch=<b>] [body="<text>"] [author=<login>]
//   gh pr merge <owner/repo>#<n>
//   gh pr review <owner/repo>#<n> approve|changes [by=<login>]
//   gh ci fail|pass <owner/repo> [branch=<b>]
// Words are separated by spaces; "double" or 'single' quotes group words (inside double quotes
// a backslash escapes " and \); `key=value` is an option and its value may be quoted.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace contexten::sandbox {

// One word of a line. A word whose unquoted start is `key=` (letters, digits, '_', '-') is an
// option: `key` holds the name and `text` the value.
struct PeerVerbWord {
  std::string text;
  std::string key;  // empty for a plain word
  // The word as a plain word: `key=value` for an option, else the text.
  std::string Plain() const { return key.empty() ? text : key + "=" + text; }
};

// An unterminated quote -> kInvalidInput.
core::Result<std::vector<PeerVerbWord>> SplitPeerVerbLine(std::string_view line);

struct LinearStateVerb {
  std::string issue;  // identifier or id, as typed
  std::string state;  // state name, words joined by one space
};
struct LinearCommentVerb {
  std::string issue;
  std::string text;
};
// The Linear stand-in answers every API call with `status` (default 503) for `seconds` of its
// clock: a platform outage, for the health monitor and degraded mode to meet.
struct LinearOutageVerb {
  int seconds = 0;
  int status = 503;
};
struct LinearCommentsVerb {
  std::string issue;
};
// Someone edits (text set) or deletes (text empty) the issue's n-th comment (1 = the oldest, as
// `linear comments` lists them) in Linear.
struct LinearEditCommentVerb {
  std::string issue;
  int number = 0;
  std::string text;
  bool remove = false;
};
// What the Linear stand-in holds for one issue: title, state, assignee, labels.
struct LinearShowVerb {
  std::string issue;
};
struct GitHubPrOpenVerb {
  std::string repo;  // owner/repo
  std::string title;
  std::string branch;  // head ref; BranchFromTitle(title) when not given
  std::string body;
  std::string author = "octocat";  // the PR's user.login (e.g. dependabot[bot])
};
struct GitHubPrMergeVerb {
  std::string repo;
  int number = 0;
};
struct GitHubPrReviewVerb {
  std::string repo;
  int number = 0;
  std::string state;                  // "approved" | "changes_requested" (the webhook's words)
  std::string reviewer = "reviewer";  // by=<login>
};
struct GitHubCiVerb {
  std::string repo;
  std::string branch;  // empty: the repository's default branch
  bool pass = false;   // `gh ci pass`: success; `gh ci fail`: failure
};

using PeerVerb =
    std::variant<LinearStateVerb, LinearCommentVerb, LinearOutageVerb, LinearCommentsVerb,
                 LinearShowVerb, GitHubPrOpenVerb, GitHubPrMergeVerb, GitHubPrReviewVerb,
                 GitHubCiVerb, LinearEditCommentVerb>;

// The one-line usage of each verb, as errors and help show them.
inline constexpr char kLinearStateUsage[] = "linear state <ID> <state name>";
inline constexpr char kLinearCommentUsage[] = "linear comment <ID> <text>";
inline constexpr char kLinearOutageUsage[] = "linear outage <seconds> [status=<code>]";
inline constexpr char kLinearCommentsUsage[] = "linear comments <ID>";
inline constexpr char kLinearShowUsage[] = "linear show <ID>";
inline constexpr char kLinearEditCommentUsage[] = "linear edit-comment <ID> <n> <text>";
inline constexpr char kLinearDeleteCommentUsage[] = "linear delete-comment <ID> <n>";
inline constexpr char kGitHubPrOpenUsage[] =
    "gh pr open <owner/repo> \"<title>\" [branch=<b>] [body=\"<text>\"] [author=<login>]";
inline constexpr char kGitHubPrMergeUsage[] = "gh pr merge <owner/repo>#<n>";
inline constexpr char kGitHubPrReviewUsage[] =
    "gh pr review <owner/repo>#<n> approve|changes [by=<login>]";
inline constexpr char kGitHubCiUsage[] = "gh ci fail|pass <owner/repo> [branch=<b>]";

// A line that does not fit a verb -> kInvalidInput whose message says what is wrong and shows
// the verb's usage (or, for an unknown verb, every usage of that platform).
core::Result<PeerVerb> ParsePeerVerb(std::string_view line);

// A branch name from a PR title, as people name them: "ENG-12 Fix login crash!" ->
// "eng-12-fix-login-crash" (lower case, runs of other characters become one '-', at most 60
// characters); "sandbox-change" when nothing is left.
std::string BranchFromTitle(std::string_view title);

}  // namespace contexten::sandbox
