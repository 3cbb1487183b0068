#include "runtime/broker_actor.hpp"

namespace osprey {

broker_actor::behavior_type
broker_bridge(broker_actor::stateful_pointer<broker_actor_state> self,
              broker_factory make) {
  auto& st = self->state;
  st.reports = std::make_unique<forwarding_sink>(self);
  st.venue = make(*st.reports);
  return {
    [self](const msg& m) {
      switch (m.type()) {
        case fb::Payload::SubmitOrder:
        case fb::Payload::CancelOrder:
        case fb::Payload::ReplaceOrder:
          self->state.venue->on_command(m);
          break;
        default:
          self->state.venue->on_market(m);
      }
    },
    [self](subscribe_atom, msg_actor target) {
      self->state.reports->add(std::move(target));
    },
  };
}

} // namespace osprey
