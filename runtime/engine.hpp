#pragma once

// The engine: one actor system with the actor graph wired for a mode.
//
//   inject ─► collector ─► signal ─► strategy ─► risk controller ─► order manager ─► broker
//                 │                     ▲  ▲           ▲   │            │ ▲             │
//                 │                     │  └─ denials ─┼───┘            │ └─ reports ───┘
//                 │                     └──── positions, reports ───────┤
//                 └── market data to risk, order manager and broker     └─► risk
//
// Every actor also pushes what it produces to the journal sink.

#include <memory>
#include <vector>

#include <caf/all.hpp>

#include "actors/collector.hpp"
#include "actors/order_manager.hpp"
#include "actors/risk_controller.hpp"
#include "messages/msg_sink.hpp"
#include "runtime/broker_actor.hpp"
#include "runtime/config.hpp"

namespace osprey {

struct engine_stats {
  collector_stats collector;
  risk_stats risk;
  order_manager_stats orders;
};

/// The signal actor's news reader from the configured lexicon and universe
/// (null when no lexicon is configured); throws std::runtime_error naming
/// the file when the lexicon cannot be read.
std::shared_ptr<const news_reader> load_news_reader(const engine_config& c);

class engine {
public:
  /// Spawns the actor graph. `journal` may be null; `make_broker` builds the
  /// broker adapter; `clock` stamps order-out times (null: no latency);
  /// `recovered` (may be null) holds a journal's records that every actor
  /// rebuilds its state from before the first event (see recovery.hpp).
  engine(const engine_config& cfg, msg_sink* journal, broker_factory make_broker,
         clock_fn clock, std::shared_ptr<const std::vector<msg>> recovered = nullptr);
  ~engine();

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Hands one market event to the collector. Thread-safe.
  void inject(msg m);

  /// In the deterministic profile, runs every queued message to completion;
  /// otherwise does nothing (the scheduler's threads run them).
  void drain();

  /// Returns whether the actors run one event at a time on the caller's thread.
  bool deterministic() const noexcept { return deterministic_; }

  /// Asks every actor for its counters (blocks until they answer).
  engine_stats stats();

  /// Engages or releases the risk controller's kill switch.
  void kill_switch(bool engaged);

  /// A person's resume after a halt.
  void resume();

  /// Hands an order intent, CancelOrder or ReplaceOrder from outside the
  /// graph (a person, a script) to the risk controller, like the strategy's.
  void submit(msg intent_or_command);

  /// Makes `listener` receive the order manager's execution reports and
  /// position changes, after the actors of the graph.
  void watch_orders(msg_actor listener);

  /// Returns the actor system, to spawn observers into it.
  caf::actor_system& system() noexcept { return *system_; }

  /// Stops all actors (breaking the handle cycles between them). Idempotent.
  void shutdown();

private:
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> system_;
  bool deterministic_ = false;
  collector_actor collector_;
  risk_controller_actor risk_;
  order_manager_actor orders_;
  std::vector<caf::actor_addr> all_;
};

/// Applies the scheduler settings (workers, latency profile) to a CAF config.
void apply_scheduler(caf::actor_system_config& cfg, const scheduler_config& s);

} // namespace osprey
