#pragma once
// The one wrapper through which Asio/Beast are included (only by core/net/*.cpp). Boost 1.74
// with GCC 12 needs <utility> before Asio's awaitable header.
// clang-format off
#include <utility>  // must come first, see above
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
// clang-format on

namespace contexten::core::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
}  // namespace contexten::core::net
