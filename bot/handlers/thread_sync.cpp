#include "bot/handlers/thread_sync.hpp"

#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::bot::handlers {

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

}  // namespace contexten::bot::handlers
