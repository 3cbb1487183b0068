#pragma once

// The actor in front of a broker adapter (simulated or real): commands from
// the order manager go in, execution reports go back to it. The adapter runs
// inside the actor, so it needs no locking of its own.

#include <functional>
#include <memory>

#include "actors/caf_types.hpp"
#include "adapters/broker.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// Builds the broker adapter, given the sink its reports must go to.
using broker_factory = std::function<std::unique_ptr<broker>(msg_sink& reports)>;

/// Execution reports go to the subscribers (the order manager).
using broker_actor = msg_actor::extend<caf::reacts_to<subscribe_atom, msg_actor>>;

/// Sends everything pushed to it to the subscribed actors, from inside the
/// actor `self`.
class forwarding_sink final : public msg_sink {
public:
  explicit forwarding_sink(broker_actor::pointer self) : self_(self) {}
  void push(const msg& m) override {
    for (auto& t : targets_)
      self_->send(t, m);
  }
  void add(msg_actor target) { targets_.push_back(std::move(target)); }

private:
  broker_actor::pointer self_;
  std::vector<msg_actor> targets_;
};

struct broker_actor_state {
  std::unique_ptr<forwarding_sink> reports;
  std::unique_ptr<broker> venue;
};

broker_actor::behavior_type
broker_bridge(broker_actor::stateful_pointer<broker_actor_state> self,
              broker_factory make);

} // namespace osprey
