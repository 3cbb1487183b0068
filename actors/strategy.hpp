#pragma once

// strategy: the breakout strategy. Enters long when a bar closes above the
// N-bar high on volume above k times its average; exits on a trailing stop
// from the highest close since entry, or on a close below the M-bar low.
// With a news gate set, it does not buy a breakout while the symbol's news
// reads worse than the gate (the narrative sentiment of its latest item).

#include <cstdint>
#include <optional>
#include <memory>
#include <vector>

#include "actors/caf_types.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

struct breakout_params {
  double volume_factor = 1.5;  ///< k: bar volume must exceed k x average.
  double trailing_stop = 0.02; ///< Exit when close <= (1 - this) x high water.
  money position_notional{10'000 * micros_per_dollar}; ///< Size of an entry.
  /// Buy fractions of a share (to the nano-share) instead of whole shares.
  bool fractional = false;
  /// No entry while the symbol's narrative sentiment is below this (in
  /// [-1, 1]; the default, below -1, never blocks).
  double min_news_sentiment = -2;
  /// Bars before this event time (ns) only warm the indicators: a backtest
  /// from a date, or a walk-forward window, starts with warm indicators.
  int64_t trade_from_ns = INT64_MIN;
};

/// What the strategy believes about one symbol.
struct breakout_position {
  quantity qty;        ///< Filled position, from the order manager.
  bool pending = false; ///< An intent is in flight; wait for its outcome.
  price high_water;    ///< Highest close since entry.
  /// The narrative sentiment after the symbol's latest news (0 before any).
  double news_sentiment = 0;
  uint64_t entries_vetoed_by_news = 0;
};

/// One intent the strategy wants to send.
struct breakout_intent {
  fb::Side side;
  quantity qty;
  intent_reason why;
};

/// The fields of a signal the breakout reads (from a Signal or a row of a
/// SignalBatch).
struct breakout_inputs {
  price close, high_n, low_m;
  quantity volume;
  double avg_volume = 0;
  bool ready = false;
};
inline breakout_inputs inputs_of(const fb::Signal& s) noexcept {
  return {price{s.close()}, price{s.high_n()}, price{s.low_m()}, quantity::from_nanos(s.volume()),
          s.avg_volume(), s.ready()};
}
inline breakout_inputs inputs_of(const fb::SignalRow& s) noexcept {
  return {price{s.close()}, price{s.high_n()}, price{s.low_m()}, quantity::from_nanos(s.volume()),
          s.avg_volume(), s.ready()};
}

/// Returns the intent that `signal` calls for, if any, and updates the
/// symbol's high-water mark and pending flag.
std::optional<breakout_intent> decide(breakout_position& pos,
                                      const breakout_params& params,
                                      const breakout_inputs& signal);
inline std::optional<breakout_intent> decide(breakout_position& pos,
                                             const breakout_params& params,
                                             const fb::Signal& signal) {
  return decide(pos, params, inputs_of(signal));
}

/// Updates the symbol's position after an execution report or denial. The
/// order manager sends PositionChanged before the fill that completes an
/// order, so the position is current when the pending flag clears.
void on_outcome(breakout_position& pos, const msg& event);

/// Takes in the signal actor's reading of a news item about the symbol.
void on_news(breakout_position& pos, const fb::NewsSentiment& news);

struct strategy_state {
  breakout_params params;
  std::vector<breakout_position> symbols; ///< Indexed by symbol id.
  msg_builder builder;
  uint64_t intents = 0;

  breakout_position& position(uint32_t symbol);
};

/// Rebuilds the positions' state from one journal record: signals run
/// through decide() again (the intents it made are in the journal already),
/// and outcomes through on_outcome().
void recover(strategy_state& st, const msg& record);

struct strategy_settings {
  breakout_params params;
  msg_actor risk;
  msg_sink* journal = nullptr;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

using strategy_actor = msg_actor;

strategy_actor::behavior_type
strategy(strategy_actor::stateful_pointer<strategy_state> self,
         strategy_settings settings);

/// Returns the symbol an execution report or denial is about, if it is one.
std::optional<uint32_t> outcome_symbol(const msg& event);

} // namespace osprey
