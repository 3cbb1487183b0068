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
//
// "strategy" is one actor per strategy slot (engine_config::strategies),
// each owning a shard of the symbols: the signal actor sends each symbol's
// signals to its owner, the order manager sends reports to all of them.
// Strategies are added and removed while running (docs/STRATEGIES.md).

#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/collector.hpp"
#include "actors/order_manager.hpp"
#include "actors/risk_controller.hpp"
#include "actors/signal.hpp"
#include "messages/msg_sink.hpp"
#include "runtime/broker_actor.hpp"
#include "runtime/config.hpp"
#include "runtime/scheduler.hpp"

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

  /// Spawns the strategy of `slot`, subscribes it to the order manager and
  /// routes its symbols to it; from the next market event on it trades.
  /// Starts without recovery (it learns of positions as they change).
  /// Throws std::invalid_argument when the name is taken, a symbol is not
  /// traded or already owned, the rules do not compile, or they read an
  /// indicator the signal actor does not compute (indicators are fixed at
  /// start: list it in [signal] indicators).
  void add_strategy(const strategy_slot& slot);

  /// Stops the strategy `name`: the signal actor stops routing to it, then
  /// it exits. Its open positions stay, managed by the risk controller and
  /// the order manager (their stops, limits and halts still apply); its
  /// symbols are free for another strategy. Throws std::invalid_argument
  /// for an unknown name.
  void remove_strategy(const std::string& name);

  /// Returns the running strategies, in the order they were added.
  /// (add_strategy, remove_strategy and strategies are called from the
  /// thread that owns the engine, like shutdown.)
  std::vector<strategy_slot> strategies() const;

  /// Returns the actor system, to spawn observers into it.
  caf::actor_system& system() noexcept { return *system_; }

  /// Stops all actors (breaking the handle cycles between them). Idempotent.
  void shutdown();

private:
  /// A running strategy: its slot, its actor and its symbols by id.
  struct running_strategy {
    strategy_slot slot;
    msg_actor actor;
    std::vector<uint32_t> symbol_ids; ///< Empty: every symbol.
  };

  /// Spawns the actor of `slot` (its rules already rebased onto the signal
  /// actor's indicators), with `recovered` records to rebuild from.
  msg_actor spawn_strategy(const strategy_slot& slot,
                           std::shared_ptr<const rules::compiled_rules> rules,
                           std::shared_ptr<const std::vector<msg>> recovered);

  /// The journal sink for one more actor (its own lane on threads).
  msg_sink* lane();

  bool breakout_fields_ = true; ///< The signal actor computes the breakout's fields.
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> system_;
  bool deterministic_ = false;
  collector_actor collector_;
  std::shared_ptr<ingress> ingress_; ///< inject's way into the collector.
  risk_controller_actor risk_;
  order_manager_actor orders_;
  signal_actor signal_;
  std::vector<caf::actor_addr> all_;
  msg_sink* journal_ = nullptr;
  money starting_cash_{0};
  int64_t trade_from_ns_ = INT64_MIN; ///< engine_config::trade_from_ns, for every strategy.
  std::vector<std::string> traded_;         ///< Symbols by id, as at start.
  std::vector<ind::indicator_spec> extras_; ///< What the signal actor computes.
  std::vector<running_strategy> strategies_;
};

/// Applies the scheduler settings (workers, latency profile) to a CAF config.
void apply_scheduler(caf::actor_system_config& cfg, const scheduler_config& s);

} // namespace osprey
