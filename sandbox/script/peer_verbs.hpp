#pragma once
// "Play the other side" from the sandbox terminal: a line such as `linear state ENG-1 In
// Progress` or `gh ci fail contexten/sandbox branch=eng-1-fix` does on the Linear or GitHub
// stand-in what a person in Linear's or GitHub's UI (or a CI runner) would, and the stand-in
// sends its signed webhook as the platform does. Run returns once those webhooks have been
// answered (or have failed), with one line to print. Grammar: sandbox/script/peer_verb_parser.hpp.
// Linear verbs act as the seeded Sandbox User (kLinearSandboxUserEmail).

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sandbox/script/peer_verb_parser.hpp"

namespace contexten::sandbox {

class GitHubSandbox;
class LinearSandbox;

class PeerVerbs {
 public:
  // Either stand-in may be null (its verbs then fail with kUnavailable). `webhook_timeout` is
  // how long Run waits for the receiver to answer (GitHub gives up after 10 s).
  PeerVerbs(GitHubSandbox* github, LinearSandbox* linear,
            std::chrono::milliseconds webhook_timeout = std::chrono::seconds(10));

  // The first word is "linear" or "gh".
  static bool IsPeerVerb(std::string_view line);
  // Runs the line (`linear help` and `gh help` answer Help()). Success: a one-line description,
  // e.g. "linear: ENG-1 -> In Progress (webhook 200)". A malformed line: kInvalidInput naming the
  // usage; an unknown repository, pull request, issue or state: kNotFound saying what exists.
  // Blocks until the webhooks are answered: never call it on a thread of the stand-ins' IoRuntime.
  core::Result<std::string> Run(std::string_view line);
  // The verbs, with one example each.
  static std::string Help();

 private:
  core::Result<std::string> Execute(const LinearStateVerb& verb);
  core::Result<std::string> Execute(const LinearCommentVerb& verb);
  core::Result<std::string> Execute(const LinearOutageVerb& verb);
  core::Result<std::string> Execute(const LinearCommentsVerb& verb);
  core::Result<std::string> Execute(const LinearShowVerb& verb);
  core::Result<std::string> Execute(const LinearEditCommentVerb& verb);
  core::Result<std::string> Execute(const GitHubPrOpenVerb& verb);
  core::Result<std::string> Execute(const GitHubPrMergeVerb& verb);
  core::Result<std::string> Execute(const GitHubPrReviewVerb& verb);
  core::Result<std::string> Execute(const GitHubCiVerb& verb);
  core::Status CheckRepository(const std::string& repo) const;

  GitHubSandbox* github_;
  LinearSandbox* linear_;
  std::chrono::milliseconds webhook_timeout_;
};

}  // namespace contexten::sandbox
