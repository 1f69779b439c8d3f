#include "bot/handlers/thread_sync.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::bot::handlers {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("thread_sync");
  return log;
}

}  // namespace

std::string ThreadRun(store::WorkflowStore& workflows, const std::string& channel,
                      const std::string& thread_ts) {
  if (channel.empty() || thread_ts.empty()) return "";
  auto links = workflows.LinksOf("slack_thread:" + channel + "/" + thread_ts);
  if (!links) return "";
  constexpr std::string_view kRunPrefix = "contexten_run:";
  for (const auto& link : *links) {
    if (link.kind != "posted_in") continue;
    for (const std::string* key : {&link.from_key, &link.to_key}) {
      if (key->rfind(kRunPrefix, 0) == 0) return key->substr(kRunPrefix.size());
    }
  }
  return "";
}

core::Status SyncThreadReply(workflows::engine::Engine& engine, store::WorkflowStore& workflows,
                             const ThreadReply& reply) {
  const std::string run = ThreadRun(workflows, reply.channel, reply.thread_ts);
  if (run.empty()) {
    return core::MakeError(core::ErrorKind::kNotFound, "no run keeps this thread");
  }
  workflows::engine::Event event{workflows::builtin::kSlackReplyEvent,
                                 {{"user", reply.user}, {"text", reply.text}, {"ts", reply.ts}},
                                 "slack-reply:" + reply.channel + "/" + reply.ts};
  auto delivered = engine.Deliver(run, std::move(event));
  if (!delivered) return core::Unexpected(delivered.error());
  return core::Ok();
}

core::Status SyncThreadReplyChange(workflows::engine::Engine& engine,
                                   store::WorkflowStore& workflows,
                                   const ThreadReplyChange& change) {
  const std::string run = ThreadRun(workflows, change.channel, change.thread_ts);
  if (run.empty()) {
    Log()->debug("reply {} {} in a thread no run keeps: ignored", change.ts,
                 change.deleted ? "deleted" : "edited");
    return core::MakeError(core::ErrorKind::kNotFound, "no run keeps this thread");
  }
  // One edit is one event (a redelivery of it is dropped); a deletion happens once.
  workflows::engine::Event event =
      change.deleted
          ? workflows::engine::Event{workflows::builtin::kSlackReplyDeleteEvent,
                                     {{"ts", change.ts}, {"user", change.user}},
                                     "slack-reply-delete:" + change.channel + "/" + change.ts}
          : workflows::engine::Event{
                workflows::builtin::kSlackReplyEditEvent,
                {{"user", change.user}, {"text", change.text}, {"ts", change.ts}},
                "slack-reply-edit:" + change.channel + "/" + change.ts + "@" + change.event_ts};
  auto delivered = engine.Deliver(run, std::move(event));
  if (!delivered) return core::Unexpected(delivered.error());
  return core::Ok();
}

}  // namespace contexten::bot::handlers
