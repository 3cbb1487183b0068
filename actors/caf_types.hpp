#pragma once

// Everything CAF needs to know about osprey's messages, and the handle types
// the actors use to address each other.

#include <string>
#include <vector>

#include <caf/all.hpp>

#include "messages/msg.hpp"

namespace osprey {

/// Serializes a message as its FlatBuffers bytes so it can cross CAF's
/// network layer; bytes arriving from another process are verified on load.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, msg& x) {
  std::vector<uint8_t> bytes;
  if constexpr (Inspector::reads_state) {
    bytes.assign(x.data(), x.data() + x.size());
    return f(caf::meta::type_name("osprey.msg"), bytes);
  } else {
    auto verify = caf::meta::load_callback([&]() -> caf::error {
      std::string error;
      x = msg::parse(bytes, error);
      if (!x)
        return caf::make_error(caf::sec::invalid_argument, error);
      return caf::none;
    });
    return f(caf::meta::type_name("osprey.msg"), bytes, verify);
  }
}

/// Asks an actor for a snapshot of its counters.
using stats_atom = caf::atom_constant<caf::atom("stats")>;

/// Engages (true) or releases (false) the kill switch.
using kill_switch_atom = caf::atom_constant<caf::atom("killsw")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>; ///< Ends a halt: a person resumes trading.

/// Adds a consumer of the messages an actor publishes.
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsubscr")>;

/// Routes symbols' signals to a strategy (the signal actor): a strategy's
/// handle and its symbol ids (none: every symbol, also ones first seen later).
using add_route_atom = caf::atom_constant<caf::atom("addroute")>;

/// Stops routing anything to a strategy (the signal actor).
using remove_route_atom = caf::atom_constant<caf::atom("droproute")>;

/// Anything that consumes osprey messages.
using msg_actor = caf::typed_actor<caf::reacts_to<msg>>;

/// Registers osprey's message types with an actor system configuration.
void register_message_types(caf::actor_system_config& cfg);

} // namespace osprey
