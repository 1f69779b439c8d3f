#pragma once
// Finding Linear issue identifiers ("ENG-123") in GitHub text, with the rules users know from
// Linear's GitHub integration: an identifier in a branch name, PR title or body links the PR;
// a closing keyword ("Fixes ENG-123") also moves the issue to done when the PR merges.
// https://linear.app/docs/github

#include <string>
#include <string_view>
#include <vector>

namespace contexten::integrations::linear {

struct IdentifierOptions {
  // Branch names are lower case ("alice/eng-123-fix-login"); prose is matched in upper case
  // only, which keeps out most words-with-numbers. Results are always upper case.
  bool case_insensitive = false;
};

// Identifiers as whole tokens: team key [A-Z][A-Z0-9]{0,9}, '-', a number from 1 without
// leading zeros, not glued to other letters or digits. Distinct, in order of first appearance.
// Strings like "UTF-8" also match: callers check the team key against known teams.
std::vector<std::string> ExtractLinearIdentifiers(std::string_view text,
                                                  IdentifierOptions options = {});

struct LinkingKeywords {
  std::vector<std::string> closes;  // move to done on merge
  std::vector<std::string> refs;    // link only
};

// Scans a PR body (or commit message) for keyword + identifier list, case-insensitively:
//   closing: close(s|d), closing, fix(es|ed), fixing, resolve(s|d), resolving,
//            complete(s|d), completing
//   linking: ref, refs, references, part of, related to, contributes to, toward(s)
// A keyword may be followed by ':' and takes one or more identifiers (or linear.app issue URLs)
// separated by spaces, commas, '&' or "and": "Fixes ENG-1, ENG-2 and ENG-3". An identifier both
// closed and referenced is only in `closes`. Distinct, in order of first appearance.
LinkingKeywords ParseLinkingKeywords(std::string_view pr_body);

}  // namespace contexten::integrations::linear
