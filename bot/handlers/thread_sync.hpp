#pragma once
// Synced threads (issue 10): a person's reply in an issue's home thread that is not a command
// becomes a Linear comment through the file_issue run (workflows/builtin/file_issue.hpp,
// "slack.reply"). Bot messages never get here (the listener framework drops them), and the
// run drops the webhook of its own comment, so nothing echoes.

#include <string>

#include "core/result.hpp"
#include "store/workflow_store.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

// The file_issue run whose card is the root of `channel`/`thread_ts`, or "".
std::string ThreadRun(store::WorkflowStore& workflows, const std::string& channel,
                      const std::string& thread_ts);

struct ThreadReply {
  std::string channel;
  std::string thread_ts;
  std::string ts;  // the reply's own ts: its dedupe key (a redelivery is dropped)
  std::string user;
  std::string text;
};

// Hands the reply to the thread's run. kNotFound when the thread has none.
core::Status SyncThreadReply(workflows::engine::Engine& engine, store::WorkflowStore& workflows,
                             const ThreadReply& reply);

// A reply in such a thread edited (message_changed) or deleted (message_deleted) in Slack.
struct ThreadReplyChange {
  std::string channel;
  std::string thread_ts;
  std::string ts;        // the reply's own ts (what the run remembers it by)
  std::string event_ts;  // the message_changed event's ts: one edit, its dedupe key
  std::string user;
  std::string text;  // the new text; empty for a deletion
  bool deleted = false;
};

// Hands the change to the thread's run, which updates or deletes the Linear comment that mirrors
// the reply (and ignores a reply it never synced). kNotFound when no run keeps the thread.
core::Status SyncThreadReplyChange(workflows::engine::Engine& engine,
                                   store::WorkflowStore& workflows,
                                   const ThreadReplyChange& change);

}  // namespace contexten::bot::handlers
