#pragma once

// osprey's own CAF scheduler, installed as CAF's scheduler module.
//
// Debian's CAF 0.17.6 is built with its logging hooks in: every time its
// work-stealing worker runs an actor it does a dynamic_cast to find the
// actor's id and records that id in a map behind a shared spinlock (twice,
// plus twice more inside the actor's resume), and every job handed to a
// worker allocates a queue node. On this project's 2-vCPU machine that was
// a quarter of the tick-to-order latency (docs/BENCHMARKS.md). This
// scheduler keeps CAF's scheduling order (a worker runs the actor it woke
// last first, jobs from outside a worker run in arrival order, idle workers
// steal the oldest job of a busy one) without that bookkeeping: jobs live on
// rings that never shrink, behind spinlocks held for a few instructions (none
// when a single worker owns its queue), and the worker threads carry no CAF
// logger. bench/tick_to_order measures it against CAF's own
// (`--caf-scheduler`).

#include <cstdint>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/fwd.hpp>

#include "messages/msg.hpp"

namespace osprey {

/// How idle workers of the scheduler wait for work.
enum class idle_policy {
  spin,  ///< Poll forever: the lowest latency, a core per worker.
  sleep, ///< Poll briefly, then nap with CAF's timings; work from outside wakes it.
};

/// Installs the scheduler in `cfg` with `workers` threads (at least one).
/// The actor system built from `cfg` uses it instead of CAF's.
void install_scheduler(caf::actor_system_config& cfg, uint32_t workers, idle_policy idle);

/// Returns whether every worker of `sys`'s scheduler found nothing to do on
/// its last look (no job queued, none in hand), or nullopt when `sys` does
/// not run on osprey's scheduler. A latency harness uses it to send its next
/// event into an idle graph; a message arriving from outside can make it
/// stale at once.
std::optional<bool> workers_idle(caf::actor_system& sys);

/// Messages for one actor from threads outside the actor system (a market
/// data feed, a replay): the way events enter the actor graph.
///
/// On osprey's scheduler a push is a lock-free ring write that one worker
/// polls and turns into a send of its own, so the actor it wakes runs on
/// that worker at once and the mailbox and its allocations stay on the
/// worker's core; only the message's bytes cross. A sending thread waits
/// while the ring is full (backpressure on a feed the actors cannot keep up
/// with), and nothing pushed is lost or reordered. On any other scheduler
/// (CAF's, the deterministic test coordinator) a push is a plain send.
class ingress {
public:
  virtual ~ingress() = default;

  /// Hands `m` to the actor, after every message pushed before it from the
  /// same thread. Thread-safe. Once the actor system has stopped, drops it.
  virtual void push(msg m) = 0;
};

/// Opens an ingress into `target`, an actor of `sys`. The ingress does not
/// keep `target` alive (messages for an actor that is gone are dropped), and
/// it may outlive `sys`: once `sys` has stopped, pushes are dropped. A push
/// must not race with the destruction of `sys`.
std::shared_ptr<ingress> open_ingress(caf::actor_system& sys, caf::strong_actor_ptr target);

} // namespace osprey
