#include "actors/caf_types.hpp"

namespace osprey {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<msg>("osprey.msg");
}

} // namespace osprey
