#pragma once
// Link extraction with the rules users know from Linear's GitHub integration
// (../shared/DESIGN.md §4, https://linear.app/docs/github), built on
// integrations/linear/linking.hpp. Pure: text in, links out.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "workflows/correlation/entity.hpp"

namespace contexten::workflows::correlation {

struct PullRequestText {
  std::string repo;  // "owner/repo"
  int number = 0;
  std::string branch, title, body;
  std::string event;  // evidence event id, e.g. "github:pull_request.opened:<delivery id>"
};

// Links from the PR to Linear issues:
//   identifier in the branch (any case) or title       -> kReferences
//   closing word in the body ("Fixes ENG-1, ENG-2")    -> kCloses
//   reference word in the body ("Part of ENG-1")       -> kReferences
//   bare identifier or linear.app issue URL in body    -> kMentions
// One link per issue, the strongest kind (closes > references > mentions), with the evidence of
// the first place that kind was found; links ordered by the first appearance (branch,
// then title, then body). `known_team_keys` are upper-case Linear team keys; an identifier with
// any other key ("UTF-8", "SHA-256") links nothing.
std::vector<Link> ExtractPullRequestLinks(const PullRequestText& pr,
                                          const std::set<std::string>& known_team_keys);

// Free text (a commit message, a comment, a Slack message): identifiers and linear.app issue
// URLs -> kMentions from `from`, one per issue in order of first appearance. An entity never
// mentions itself.
std::vector<Link> ExtractMentions(const EntityRef& from, std::string_view text,
                                  std::string_view field, std::string_view event,
                                  const std::set<std::string>& known_team_keys);

}  // namespace contexten::workflows::correlation
