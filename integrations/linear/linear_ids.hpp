#pragma once

#include <string>
#include <string_view>

namespace contexten::integrations::linear {

// A random (version 4) UUID, the form Linear accepts for client-chosen entity ids.
std::string NewLinearUuid();

// The same UUID for the same `key`, every time and in every process: an entity id a caller
// can derive again after a crash (from a workflow run and step id, say) so that a retried
// create meets Linear's "already exists" instead of making a second issue, and so that
// IssueByIdentifier(UuidFromKey(key)) finds the first one. Name-based (the first 16 bytes of
// SHA-256 over a fixed namespace and the key), but with the version and variant bits of a v4
// UUID, because Linear's schema asks for ids "in UUID v4 format".
std::string UuidFromKey(std::string_view key);

}  // namespace contexten::integrations::linear
