#include "workflows/correlation/link_json.hpp"

#include <string>

namespace contexten::workflows::correlation {
namespace {

using nlohmann::json;

std::string StringMember(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

json ToJson(const Link& link) {
  return {{"from", link.from.Key()},
          {"to", link.to.Key()},
          {"kind", std::string(ToString(link.kind))},
          {"evidence",
           {{"event", link.evidence.event},
            {"field", link.evidence.field},
            {"excerpt", link.evidence.excerpt}}}};
}

std::optional<Link> LinkFromJson(const json& in) {
  if (!in.is_object()) return std::nullopt;
  auto from = EntityRef::FromKey(StringMember(in, "from"));
  auto to = EntityRef::FromKey(StringMember(in, "to"));
  const auto kind = LinkKindFromString(StringMember(in, "kind"));
  if (!from || !to || !kind) return std::nullopt;
  Link link{std::move(*from), std::move(*to), *kind, {}};
  if (const auto it = in.find("evidence"); it != in.end() && it->is_object()) {
    link.evidence = {StringMember(*it, "event"), StringMember(*it, "field"),
                     StringMember(*it, "excerpt")};
  }
  return link;
}

}  // namespace contexten::workflows::correlation
