#pragma once
// Private to core/net/*.cpp.
#include <thread>
#include <vector>

#include "core/net/asio.hpp"
#include "core/net/io_runtime.hpp"

namespace contexten::core::net {

struct IoRuntime::Impl {
  asio::io_context context;
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::vector<std::thread> threads;
  std::vector<std::thread::id> thread_ids;
};

}  // namespace contexten::core::net
