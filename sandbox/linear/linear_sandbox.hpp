#pragma once
// A Linear stand-in on loopback: POST /graphql answering exactly the operations of
// integrations/linear/graphql/*.graphql (matched on operationName, variables honoured; no
// general GraphQL engine), with state: teams, workflow states, users, labels, issues
// (TEAMKEY-N per team), comments, attachments. Every change emits a signed webhook the way
// Linear does (Linear-Delivery, Linear-Event, Linear-Signature = hex HMAC-SHA256 of the raw
// body). Fault injection for the next N requests: 5xx, rate limited (HTTP 400 with
// extensions.code RATELIMITED and the rate-limit headers, as Linear answers), 5xx after the
// change was applied (a lost response), latency (RunAfter, never a sleeping I/O thread) and
// never answering, and a timed outage (FailFor) measured on the stand-in's Clock.

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/net/io_runtime.hpp"
#include "core/result.hpp"
#include "integrations/linear/linear_api.hpp"

namespace contexten::sandbox {

// The seeded user the sandbox console acts as (the Slack sandbox's default user has this email).
inline constexpr char kLinearSandboxUserEmail[] = "sandbox.user@example.com";

struct LinearSandboxOptions {
  std::string api_key = "lin_api_sandbox0000000000000000000000000000";
  std::string oauth_token = "lin_oauth_sandbox000000000000000000000000";
  std::string webhook_secret = "lin_wh_sandbox_signing_secret";
  std::string webhook_url;  // where webhooks go; empty: recorded but not sent
  std::string organization_id = "8f0f4c1e-0000-4000-8000-00000000a11a";
  std::string webhook_id = "5b1a9a0e-0000-4000-8000-0000000000eb";
  std::string app_url = "https://linear.app/sandbox";  // issue and comment URLs start here
  // Team ENG ("Engineering") with Backlog/Todo/In Progress/In Review/Done/Canceled, users
  // (the API key's own "Contexten" user first; "Sandbox User" <kLinearSandboxUserEmail>, who
  // acts in the control interface by default), labels Bug, Feature, Improvement.
  bool seed_defaults = true;
};

struct LinearRequestRecord {
  std::string operation;  // operationName; empty when absent
  nlohmann::json variables;
  int status = 0;        // HTTP status answered (0: not answered)
  std::string fault;     // the injected fault, if any
  bool applied = false;  // a mutation changed state
};

struct LinearWebhookDelivery {
  std::string delivery_id;  // Linear-Delivery
  std::string event;        // Linear-Event: Issue, Comment, Attachment
  std::string action;       // create, update
  std::string entity_id;    // data.id: the issue, comment or attachment the delivery is about
  std::string body;         // the raw signed body
  std::string signature;    // Linear-Signature
  bool sent = false;        // a webhook URL was set
  bool done = false;        // the POST finished (either way)
  int status = 0;           // the receiver's HTTP status; 0 on transport failure
  std::string error;
};

class LinearSandbox {
 public:
  LinearSandbox(core::net::IoRuntime& io, LinearSandboxOptions options = {},
                core::Clock& clock = core::DefaultClock());
  ~LinearSandbox();
  LinearSandbox(const LinearSandbox&) = delete;
  LinearSandbox& operator=(const LinearSandbox&) = delete;

  core::Status Start();
  void Stop();
  const LinearSandboxOptions& options() const;
  // http://127.0.0.1:port; the client's api_url (it POSTs to api_url + "/graphql").
  std::string base_url() const;

  // --- control interface (tests, console) -------------------------------------------------
  // A team with the default workflow states.
  integrations::linear::Team SeedTeam(const std::string& key, const std::string& name);
  integrations::linear::User SeedUser(const std::string& name, const std::string& email);
  integrations::linear::Label SeedLabel(const std::string& name, const std::string& color,
                                        const std::string& team_key = "");
  // As a user would in Linear's UI; emits the webhook.
  core::Result<integrations::linear::Issue> CreateIssue(const std::string& team_key,
                                                        const std::string& title,
                                                        const std::string& description = "");
  // Moves an issue (UUID or identifier) to the team's state named `state_name` (any case);
  // emits an Issue update webhook with updatedFrom.stateId. `actor` (a user's id or email;
  // empty: the Sandbox User) is the webhook's actor. kNotFound names the issue, or the state
  // and the team's states.
  core::Result<integrations::linear::Issue> MoveIssue(const std::string& issue,
                                                      const std::string& state_name,
                                                      const std::string& actor = "");
  // A comment by `author` (a user's id or email; empty: the Sandbox User) on an issue (UUID or
  // identifier); emits a Comment create webhook.
  core::Result<integrations::linear::Comment> AddComment(const std::string& issue,
                                                         const std::string& body,
                                                         const std::string& author = "");

  // As a user would edit or delete a comment (by its id) in Linear's UI; emits the Comment
  // update / remove webhook, with `actor` (a user's id or email; empty: the Sandbox User) as its
  // actor. kNotFound when there is no such comment (or it is deleted).
  core::Result<integrations::linear::Comment> EditComment(const std::string& comment_id,
                                                          const std::string& body,
                                                          const std::string& actor = "");
  core::Status DeleteComment(const std::string& comment_id, const std::string& actor = "");

  std::optional<integrations::linear::Issue> GetIssue(const std::string& id_or_identifier) const;
  std::vector<integrations::linear::Issue> Issues() const;
  // Comments / attachments of one issue (UUID or identifier), or all when empty.
  std::vector<integrations::linear::Comment> Comments(const std::string& issue = "") const;
  std::vector<integrations::linear::Attachment> Attachments(const std::string& issue = "") const;
  std::vector<integrations::linear::Team> Teams() const;
  std::vector<integrations::linear::WorkflowState> States(const std::string& team_key) const;
  std::vector<integrations::linear::User> Users() const;
  std::vector<integrations::linear::Label> Labels() const;

  std::vector<LinearRequestRecord> Requests() const;
  int RequestCount(const std::string& operation) const;
  std::vector<LinearWebhookDelivery> Deliveries() const;
  std::size_t DeliveryCount() const;
  // Waits until every delivery from index `from` on has been answered or has failed (deliveries
  // without a URL count as finished), at most `timeout` of real time; returns those deliveries,
  // finished or not. Never call it on a thread of the IoRuntime: the POSTs finish there.
  std::vector<LinearWebhookDelivery> AwaitDeliveries(std::size_t from,
                                                     std::chrono::milliseconds timeout) const;
  void SetWebhookUrl(std::string url);

  // --- fault injection: each applies to the next `n` authenticated requests, in the order
  // the faults were added.
  void FailNext(int n, int status = 500);
  void RateLimitNext(int n, std::chrono::milliseconds reset_in = std::chrono::seconds(1));
  // Applies the operation, then answers `status` anyway: the change landed, the reply was lost.
  void FailAfterApplyNext(int n, int status = 502);
  // Applies the operation and answers after `delay`.
  void DelayNext(int n, std::chrono::milliseconds delay);
  // Never answers (the client's timeout must fire).
  void DropNext(int n);
  // Closes the connection without an answer (TCP reset). With `apply`, after applying the
  // operation (the server crashed after committing), else before (the request was lost).
  void ResetNext(int n, bool apply = false);
  // An outage: every GraphQL request (authenticated or not) is answered `status` until
  // `duration` has passed on the stand-in's Clock (a FakeClock's Advance ends it). A later call
  // replaces the outage; ClearFaults ends it.
  void FailFor(std::chrono::milliseconds duration, int status = 503);
  void ClearFaults();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::sandbox
