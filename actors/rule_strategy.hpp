#pragma once

// rule_strategy: a strategy written in the rule language (docs/RULES.md):
// entry and exit rules, optionally short entry and exit, sizing, a stop and
// a target. The built-in strategies (actors/rule_templates.hpp) are rule
// sets with parameters; the breakout actor is the one written by hand.
//
// Per symbol, on every bar (a Signal or a row of a SignalBatch, whose
// `values` carry the indicators the rules read), in this order:
//   1. the bar goes into the rules' history;
//   2. with an order of the symbol in flight, nothing more (its outcome
//      decides what the position is);
//   3. long: exit on the exit rule, or when the bar's low reaches the stop
//      level or its high the target level; a short entry signal is an
//      opposite signal (ignored, closes, or reverses: a policy);
//      short: the mirror image;
//   4. flat: enter long on the entry rule, short on the short-entry rule
//      (long/short mode only), sized from the account.
// Stop and target levels are set from the close the entry was decided on
// and checked on each later bar's range; the exit then goes as a market
// order (filled at the next bar under bar fills).
//
// With bracket exits, the entry goes out as one bracket order (one-triggers-
// other with a single level) whose legs the venue holds: a take-profit limit
// at the target and a stop-loss stop at the stop, good till canceled, prices
// on the venue's tick (cents from $1, else 1/100 of a cent). The venue then
// closes the position; the strategy only waits for it to be flat. An exit
// rule or an opposite signal would have to cancel the legs first, so that
// combination is refused (bracket_conflict).

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/rule_compiler.hpp"
#include "actors/rule_vm.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// What a signal of the other side does to an open position.
enum class opposite_signal : uint8_t { ignore, close_only, reverse };

struct rule_strategy_params {
  std::string name = "rules";
  /// Compiled and rebased onto the signal actor's extras.
  std::shared_ptr<const rules::compiled_rules> rules;
  /// Used when the rules say no `size:`.
  rules::sizing default_size{rules::sizing_kind::percent_of_equity, 0.10, {}};
  opposite_signal opposite = opposite_signal::close_only;
  bool long_short = false;
  /// Entries carry their stop and target as a bracket (see above).
  bool bracket_exits = false;
  /// Entries buy fractions of a share (Alpaca: simple day orders only, so
  /// not with bracket exits).
  bool fractional = false;
  /// Bars before this event time (ns) only fill the rules' history: a
  /// backtest from a date starts with warm indicators.
  int64_t trade_from_ns = INT64_MIN;
  money starting_cash{100'000 * micros_per_dollar};
};

/// Why `rules` cannot trade with bracket exits under `opposite` (an exit
/// rule, a short exit rule, no stop and no target, an opposite signal that
/// acts), or an empty string when they can.
std::string bracket_conflict(const rules::compiled_rules& rules, opposite_signal opposite);

/// `dollars` on the venue's price grid: cents from $1, else 1/100 of a cent
/// (rounded to the nearest), in micro-dollars.
int64_t venue_price(double dollars);

/// What the strategy keeps per symbol.
struct rule_position {
  rules::rule_state history;
  int64_t qty = 0;
  bool pending = false;
  double stop_level = NAN, target_level = NAN; ///< Dollars; NaN: none.
  rules::fundamentals news;
  int64_t close = 0; ///< The last close, micro-dollars (for equity).
};

struct rule_strategy_state {
  rule_strategy_params params;
  std::vector<std::optional<rule_position>> symbols; ///< By symbol id.
  money cash{0};
  msg_builder builder;
  uint64_t intents = 0, vetoed_size = 0;

  rule_position& position(uint32_t symbol);
  /// Cash plus every position at its last close.
  money equity() const;
};

/// An order the strategy wants.
struct rule_order {
  fb::Side side = fb::Side::Buy;
  quantity qty;
  fb::IntentReason reason = fb::IntentReason::RuleEntry;
  /// Bracket exits: the legs' prices in micro-dollars (0: no such leg).
  int64_t take_profit = 0, stop_loss = 0;
};

/// The bar a Signal or SignalBatch row describes, for the rules.
rules::bar_view view_of(const fb::Signal& s, int64_t ts, std::span<const double> values,
                        const rules::fundamentals* news);
rules::bar_view view_of(const fb::SignalRow& s, std::span<const double> values,
                        const rules::fundamentals* news);

/// Steps 1-4 above for one bar of `symbol`; returns the order to send, if any.
std::optional<rule_order> decide(rule_strategy_state& st, uint32_t symbol,
                                 const rules::bar_view& bar);

/// The quantity of an entry at `close` dollars: from the sizing and the
/// account (risk sizing divides the risked equity by the stop distance; all
/// cash spends the cash held), in whole shares or, when `fractional`, to the
/// nano-share; never more than the sizing asks for.
quantity entry_quantity(const rules::sizing& size, double close, double equity, double cash,
                        double stop_distance, bool fractional);

/// Takes in an execution report, position change, portfolio snapshot or
/// news reading.
void on_report(rule_strategy_state& st, const msg& m);

/// Rebuilds the state from one journal record (signals through decide(),
/// reports through on_report()).
void recover(rule_strategy_state& st, const msg& record);

struct rule_strategy_settings {
  rule_strategy_params params;
  msg_actor risk;
  msg_sink* journal = nullptr;
  std::shared_ptr<const std::vector<msg>> recovered;
};

msg_actor::behavior_type rule_strategy(msg_actor::stateful_pointer<rule_strategy_state> self,
                                       rule_strategy_settings settings);

} // namespace osprey
