#pragma once
// Private to core/net/*.cpp.
#include <mutex>
#include <thread>
#include <vector>

#include "core/net/asio.hpp"
#include "core/net/io_runtime.hpp"

namespace contexten::core::net {

struct IoRuntime::Impl {
  asio::io_context context;
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::vector<std::thread> threads;
  // Filled before any thread runs the loop and never changed afterwards, so InIoThread() may
  // read it from any thread without a lock.
  std::vector<std::thread::id> thread_ids;
  std::mutex stop_mutex;
};

}  // namespace contexten::core::net
