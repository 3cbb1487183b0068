#pragma once

// rebalance_strategy: holds a long-only portfolio of the symbols it is given
// (its universe), rebuilt every `period` bars by portfolio construction
// (actors/portfolio_construction.hpp, docs/OPTIMISATION.md) over the last
// `lookback` closes.
//
// Bars arrive one symbol at a time (a Signal, or a row of a SignalBatch).
// The bars of one event time form a *step* (bars and reports of symbols
// outside the universe are not its business and are dropped):
//
//   bar of time T ──► T == the open step's time: its close is staged
//                     (a bar of a step already committed is stale)
//                     T > it: the open step commits (symbols without a bar
//                         at its time keep their last close), T opens a new one
//                     T < it: stale, dropped
//   every symbol's bar staged ──► the step commits at once (no waiting for
//                                 the next time)
//
// A committed step pushes each symbol's close into its window (a ring of
// `lookback` closes). Once every window is full, the first step rebalances,
// then every `period` steps after that:
//   1. with an order of ours still in flight, the rebalance waits for the
//      next step (positions and cash are not known yet);
//   2. per-step simple returns of the windows → construct_portfolio; a
//      failure (a singular covariance, say) skips this rebalance and is
//      counted in the stats with its text;
//   3. investable = equity × (1 − cash_buffer); a symbol's target is
//      floor(investable × weight / close) shares, its target weight
//      (1 − cash_buffer) × weight; only symbols whose weight drifts from
//      their target weight by more than `drift` trade, by the difference,
//      as market orders: every sell before any buy, so the buys find the
//      cash the sells free.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/portfolio_construction.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// How the rebalancing strategy builds and keeps its portfolio.
struct rebalance_params {
  portfolio_settings portfolio;
  size_t lookback = 60;     ///< Closes per window; the returns are lookback - 1.
  size_t period = 20;       ///< Steps (bar times) between rebalances.
  double drift = 0.02;      ///< Trade a symbol only beyond this absolute weight drift.
  double cash_buffer = 0.02; ///< Share of equity kept in cash.
  bool fractional = false;   ///< Target fractions of a share, not whole shares.
  /// Steps before this event time (ns) only fill the windows (backtest
  /// --from): the first rebalance comes at or after it.
  int64_t trade_from_ns = INT64_MIN;
};

/// Throws std::invalid_argument, naming the field and its value, when the
/// parameters cannot work for `symbols` symbols (a lookback too short for
/// the covariance, a cap that cannot sum to 1, a drift or buffer outside
/// [0, 1), ...).
void validate(const rebalance_params& p, uint32_t symbols);

/// The last `capacity` closes of one symbol (micro-dollars), oldest first.
class close_window {
public:
  explicit close_window(size_t capacity = 0) : ring_(capacity) {}

  /// Adds the newest close, dropping the oldest when full.
  void push(int64_t close) noexcept {
    ring_[next_] = close;
    next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
    if (count_ < ring_.size())
      ++count_;
  }
  /// Returns the k-th close kept, 0 being the oldest.
  int64_t at(size_t k) const noexcept {
    size_t start = count_ < ring_.size() ? 0 : next_;
    size_t i = start + k;
    return ring_[i >= ring_.size() ? i - ring_.size() : i];
  }
  /// Returns the newest close (0 before any).
  int64_t last() const noexcept {
    return count_ == 0 ? 0 : ring_[next_ == 0 ? ring_.size() - 1 : next_ - 1];
  }
  size_t size() const noexcept { return count_; }
  size_t capacity() const noexcept { return ring_.size(); }
  bool full() const noexcept { return count_ == ring_.size(); }

private:
  std::vector<int64_t> ring_;
  size_t next_ = 0;
  size_t count_ = 0;
};

/// Counters the strategy exposes (stats_atom). A construction failure is
/// counted here with its text rather than journaled: no strategy journals
/// its skipped decisions, and the journal schema has no record for one.
struct rebalance_stats {
  uint64_t bars = 0;             ///< Bars taken in.
  uint64_t stale_bars = 0;       ///< Bars dropped: older than the open step, of a
                                 ///< committed step or unknown symbol, or no close.
  uint64_t steps = 0;            ///< Steps committed.
  uint64_t incomplete_steps = 0; ///< Committed with some symbol's close carried forward.
  uint64_t rebalances = 0;       ///< Portfolios constructed and compared.
  uint64_t deferred = 0;         ///< Rebalances put off a step for an order in flight.
  uint64_t construction_failures = 0; ///< Rebalances skipped: construction refused.
  uint64_t not_converged = 0;    ///< Rebalances whose solver hit its iteration limit.
  uint64_t skipped_no_equity = 0; ///< Rebalances skipped: equity not positive.
  uint64_t intents = 0;          ///< Orders sent.
  std::string last_failure;      ///< The last construction failure's text.
};

/// One order of a rebalance.
struct rebalance_order {
  uint32_t symbol = 0;      ///< A symbol id (from plan_rebalance: an index into its inputs).
  fb::Side side = fb::Side::Buy;
  quantity qty;
  price close;              ///< The close the target was computed at.
  double target_weight = 0; ///< Of equity, after the cash buffer.
  fb::IntentReason reason = fb::IntentReason::RuleEntry;
};

/// What the strategy keeps. Every vector is sized at init_rebalance; the
/// bar path only writes into them.
struct rebalance_state {
  rebalance_params params;
  // Per-symbol vectors are indexed by the symbol's slot, its place in the
  // universe.
  uint32_t symbols = 0;                ///< Symbols in the universe.
  std::vector<uint32_t> universe;      ///< Symbol id by slot.
  std::vector<int32_t> slot_of;        ///< Slot by symbol id; -1: not in the universe.
  std::vector<close_window> windows;   ///< By slot.
  std::vector<int64_t> qty;            ///< Position by slot (nano-shares), from the order manager.
  std::vector<uint8_t> pending;        ///< An order of ours in flight, by slot.
  std::vector<int64_t> staged;         ///< The open step's close by slot (0: none yet).
  std::vector<int64_t> closes;         ///< Scratch: the last closes, for planning.
  int64_t step_ts = INT64_MIN;         ///< The last step's event time (open or committed).
  uint32_t step_seen = 0;              ///< Symbols staged in the open step (0: none open).
  size_t countdown = 0;                ///< Full steps until the next rebalance (0: due).
  money cash{0};
  std::vector<double> weights;         ///< The last constructed weights by slot.
  return_matrix returns;               ///< Scratch for construction.
  std::vector<rebalance_order> orders; ///< Scratch: the last step's orders.
  rebalance_stats stats;
  msg_builder builder;
};

/// Sets up the state for the symbol ids of `universe` (in that order):
/// windows, positions and scratch. Throws std::invalid_argument on
/// parameters validate() refuses or a symbol id listed twice.
void init_rebalance(rebalance_state& st, const rebalance_params& params,
                    std::span<const uint32_t> universe, money starting_cash);

/// Returns the symbol's slot in the universe, or -1.
inline int32_t slot_of(const rebalance_state& st, uint32_t symbol) noexcept {
  return symbol < st.slot_of.size() ? st.slot_of[symbol] : -1;
}

/// Takes in the close of `symbol`'s bar at event time `ts`; returns the
/// orders a step this bar committed calls for, sells first (a view of
/// st.orders, valid until the next call).
std::span<const rebalance_order> on_bar(rebalance_state& st, uint32_t symbol, int64_t ts,
                                        price close);

/// Fills `out` with the per-step simple returns of the windows, which must
/// hold the same number of closes: close_t / close_{t-1} - 1, one row per
/// step, one column per window.
void window_returns(const std::vector<close_window>& windows, return_matrix& out);

/// Cash plus every position at its last close.
money rebalance_equity(const rebalance_state& st);

/// Appends to `out` the trades that move the positions `qty` (nano-shares)
/// at `closes` toward `weights` with `cash` on hand: sells, then buys, each
/// in index order; an order's `symbol` is its index here. Targets are whole
/// shares, or nano-shares when `fractional`. Nothing when equity is not
/// positive.
void plan_rebalance(std::span<const double> weights, std::span<const int64_t> closes,
                    std::span<const int64_t> qty, money cash, double drift, double cash_buffer,
                    bool fractional, std::vector<rebalance_order>& out);

/// Takes in an execution report, position change or portfolio snapshot.
void on_report(rebalance_state& st, const msg& m);

/// Rebuilds the state from one journal record (bars through on_bar(),
/// whose orders are in the journal already; reports through on_report()).
void recover(rebalance_state& st, const msg& record);

struct rebalance_strategy_settings {
  rebalance_params params;
  /// The symbol ids it holds (its shard; the engine expands "every symbol"
  /// to all ids). Signals of other symbols are dropped.
  std::vector<uint32_t> universe;
  money starting_cash{100'000 * micros_per_dollar};
  msg_actor risk;
  msg_sink* journal = nullptr;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

/// A strategy handle that also answers stats_atom; it converts to msg_actor.
using rebalance_strategy_actor
  = msg_actor::extend<caf::replies_to<stats_atom>::with<rebalance_stats>>;

/// The actor: bars and reports in, order intents to settings.risk (and the
/// journal). Throws std::invalid_argument at spawn on bad parameters.
rebalance_strategy_actor::behavior_type
rebalance_strategy(rebalance_strategy_actor::stateful_pointer<rebalance_state> self,
                   rebalance_strategy_settings settings);

} // namespace osprey

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::rebalance_stats)
