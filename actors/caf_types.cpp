#include "actors/caf_types.hpp"

namespace osprey {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<msg>("osprey.msg");
  // Symbol ids of a route (add_route_atom).
  cfg.add_message_type<std::vector<uint32_t>>("osprey.symbol_ids");
}

} // namespace osprey
