#pragma once

#include <string>

namespace contexten::core::net {

// Client-side trust. With ca_file empty the system CAs are used. SNI and host name
// verification are always on; there is deliberately no switch to turn verification off.
struct TlsClientOptions {
  std::string ca_file;  // PEM bundle to trust instead of the system store
};

// Server-side identity (tests and the sandbox serve TLS with a throwaway CA).
struct TlsServerOptions {
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
  bool enabled() const { return !cert_file.empty(); }
};

}  // namespace contexten::core::net
