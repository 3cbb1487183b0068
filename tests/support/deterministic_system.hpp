#pragma once

// An actor system on CAF's deterministic test coordinator, and a spy actor
// that records what it receives: what the actor tests share.

#include <memory>
#include <vector>

#include <caf/all.hpp>

#include "actors/caf_types.hpp"

namespace osprey::test {

/// Records every message an actor receives, in order.
struct spy_state {
  std::vector<msg>* seen = nullptr;
};

inline msg_actor::behavior_type spy(msg_actor::stateful_pointer<spy_state> self,
                                    std::vector<msg>* seen) {
  self->state.seen = seen;
  return {[self](const msg& m) { self->state.seen->push_back(m); }};
}

/// An actor system whose actors run one message at a time, on the calling
/// thread, when `sched->run()` is called.
struct deterministic_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;

  deterministic_system() {
    register_message_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }
};

} // namespace osprey::test
