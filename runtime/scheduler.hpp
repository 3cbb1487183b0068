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

#include <caf/actor_system_config.hpp>

namespace osprey {

/// How idle workers of the scheduler wait for work.
enum class idle_policy {
  spin,  ///< Poll forever: the lowest latency, a core per worker.
  sleep, ///< Poll briefly, then nap with CAF's timings; work from outside wakes it.
};

/// Installs the scheduler in `cfg` with `workers` threads (at least one).
/// The actor system built from `cfg` uses it instead of CAF's.
void install_scheduler(caf::actor_system_config& cfg, uint32_t workers, idle_policy idle);

} // namespace osprey
