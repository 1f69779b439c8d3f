#pragma once
// A throwaway certificate authority for TLS tests, generated at test time with the OpenSSL C
// API: no committed keys and no shelling out.

#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace contexten::testing {

struct TlsTestFiles {
  std::string ca_cert;      // PEM: the CA to trust
  std::string server_cert;  // PEM: server certificate signed by the CA
  std::string server_key;   // PEM: the server's private key
};

// Writes a fresh EC P-256 CA and a server certificate signed by it into `dir`. The server
// certificate names `dns_names` and `ip_addresses` in its subjectAltName. Throws on failure.
TlsTestFiles MakeTlsTestFiles(const TempDir& dir,
                              const std::vector<std::string>& dns_names = {"localhost"},
                              const std::vector<std::string>& ip_addresses = {"127.0.0.1"},
                              const std::string& prefix = "test");

}  // namespace contexten::testing
