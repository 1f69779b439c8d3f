#pragma once
// Finding Linear issue identifiers ("ENG-123") in GitHub text, with the rules users know from
// Linear's GitHub integration: an identifier in a branch name, PR title or body links the PR;
// a closing keyword ("Fixes ENG-123") also moves the issue to done when the PR merges.
// https://linear.app/docs/github

#include <cstddef>
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

// One occurrence of an identifier, with where it was found (byte offsets into the text) so that
// callers can quote it as evidence. For a linear.app issue URL ("https://linear.app/acme/issue/
// ENG-1/fix-login") the span is the whole URL and its identifier is matched in any case.
struct IdentifierMatch {
  std::string identifier;  // upper case
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Every occurrence, in order (ExtractLinearIdentifiers is the distinct identifiers of this).
std::vector<IdentifierMatch> FindLinearIdentifiers(std::string_view text,
                                                   IdentifierOptions options = {});

struct LinkingKeywords {
  std::vector<std::string> closes;  // move to done on merge
  std::vector<std::string> refs;    // link only
};

// Scans a PR body (or commit message) for keyword + identifier list, case-insensitively:
//   closing: close(s|d), closing, fix(es|ed), fixing, resolve(s|d), resolving,
//            complete(s|d), completing, implement(s|ed|ing)
//   linking: ref, refs, references, part of, related to, relates to, contributes to, toward(s)
// A keyword may be followed by ':' and takes one or more identifiers (or linear.app issue URLs)
// separated by spaces, commas, '&' or "and": "Fixes ENG-1, ENG-2 and ENG-3". An identifier both
// closed and referenced is only in `closes`. Distinct, in order of first appearance.
LinkingKeywords ParseLinkingKeywords(std::string_view pr_body);

// One identifier named after a keyword, with the span from the keyword to the end of that item
// ("Fixes ENG-1, ENG-2" for ENG-2), for evidence.
struct KeywordMatch {
  std::string identifier;  // upper case
  bool closes = false;     // a closing word; otherwise a linking word
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Every keyword + identifier pair, in order, duplicates kept (ParseLinkingKeywords is built on
// this).
std::vector<KeywordMatch> FindLinkingKeywords(std::string_view text);

}  // namespace contexten::integrations::linear
