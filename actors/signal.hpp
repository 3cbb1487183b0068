#pragma once

// signal: per-symbol incremental indicators and news readings. Every bar
// updates each indicator in O(1) and produces one Signal message for the
// strategy, carrying the breakout fields and the configured extra
// indicators. Every news item is scored (sentiment, event tags) and updates
// the narrative of each symbol it names, which goes to the strategy as one
// NewsSentiment per symbol.
//
// Several strategies can run side by side, each on its own symbols (its
// shard): every symbol's messages go to the strategy that owns it (a flat
// table by symbol id), and a SignalBatch is split into one batch per owning
// strategy. With one strategy owning every symbol the batch goes whole, as
// before. Routes are added and removed while running (add_route_atom,
// remove_route_atom); indicators are computed for every symbol, owned or not,
// so a strategy added later starts on warm indicators.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/indicator_catalog.hpp"
#include "actors/indicators.hpp"
#include "actors/narrative.hpp"
#include "actors/news_tickers.hpp"
#include "actors/sentiment.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// Indicator periods, in bars.
struct signal_params {
  int sma_period = 20;
  int ema_period = 20;
  int rsi_period = 14;
  int volume_period = 20; ///< Rolling average volume.
  int high_period = 20;   ///< N-bar high (the breakout level).
  int low_period = 10;    ///< M-bar low (the exit level).
  /// Extra indicators every Signal carries in `values` ([signal] indicators,
  /// e.g. "rsi:14,macd:12:26:9"), parsed and checked when the config is read.
  std::vector<ind::indicator_spec> extra;
  /// Computes the breakout's fields (sma, ema, rsi, average volume, N-bar
  /// high, M-bar low, ready). Off when no breakout strategy runs: the rule
  /// strategies read `values` only, and the six windows cost a quarter of
  /// a backtest's replay. Off, those fields are 0 and ready is false.
  bool breakout_fields = true;
  /// News: the narrative's "now" window and its baseline.
  narrative_params narrative;
};

/// One symbol's indicators.
struct symbol_indicators {
  explicit symbol_indicators(const signal_params& p);

  ind::sma sma;
  ind::ema ema;
  ind::rsi rsi;
  ind::rolling_mean avg_volume;
  ind::rolling_max high;
  ind::rolling_min low;
  ind::indicator_set extra;
  std::vector<double> extra_values; ///< extra's columns after the last bar.
  bool breakout = true;             ///< signal_params::breakout_fields.
};

/// The prices (micro-dollars) and volume of one bar, wherever it came from.
struct bar_fields {
  int64_t open = 0, high = 0, low = 0, close = 0, volume = 0;
};
inline bar_fields fields_of(const fb::Bar& b) noexcept {
  return {b.open(), b.high(), b.low(), b.close(), b.volume()};
}
inline bar_fields fields_of(const fb::BarRow& b) noexcept {
  return {b.open(), b.high(), b.low(), b.close(), b.volume()};
}

/// Returns the indicator values after `bar`, whose trading session is
/// `session` (the session VWAP restarts when it changes). The N-bar high,
/// M-bar low and average volume describe the bars before this one, so that
/// "close above the N-bar high" compares the bar with its predecessors.
/// `extra` in the result points into `ind` (valid until its next update).
signal_values update_indicators(symbol_indicators& ind, const bar_fields& bar,
                                int64_t session = 0);
inline signal_values update_indicators(symbol_indicators& ind, const fb::Bar& bar,
                                       int64_t session = 0) {
  return update_indicators(ind, fields_of(bar), session);
}

/// The trading session of a bar closing at `ts_event`: its UTC day.
inline int64_t session_of(int64_t ts_event) noexcept {
  return (ts_event - 1) / 86'400'000'000'000;
}

/// What the signal actor reads news with.
struct news_reader {
  /// The sentiment model (finance-aware); scoring keeps scratch, so each
  /// actor has its own copy.
  sentiment::analyzer model;
  /// Symbols and company names, for items that do not list their symbols.
  sentiment::ticker_universe universe;
};

/// Which strategy receives each symbol's messages. Strategies are small
/// indexes (the actor keeps their handles under the same index); the table
/// is read once per message, so routing costs a load, not a lookup.
struct signal_routes {
  static constexpr uint16_t nobody = 0xffff;
  std::vector<uint16_t> owner; ///< Strategy index by symbol id (nobody: unrouted).
  uint16_t rest = nobody;      ///< Owner of the symbol ids past `owner`.
  uint16_t only = nobody;      ///< The one strategy owning every symbol, if there is one.

  /// Returns the index of the strategy that owns `symbol` (or nobody).
  uint16_t owner_of(uint32_t symbol) const noexcept {
    return symbol < owner.size() ? owner[symbol] : rest;
  }
};

/// Routes `symbols` to strategy `who`; no symbols: every symbol not owned by
/// another strategy, including ids first seen later. `known` is the number
/// of symbol ids known now. A symbol already routed elsewhere moves to `who`
/// (the engine refuses overlaps before it gets here).
void add_route(signal_routes& r, uint16_t who, std::span<const uint32_t> symbols, uint32_t known);

/// Routes nothing more to strategy `who`; its symbols become unrouted.
void remove_route(signal_routes& r, uint16_t who);

struct signal_state {
  signal_params params;
  std::vector<symbol_indicators> symbols; ///< Indexed by symbol id.
  msg_builder builder;
  uint64_t bars = 0;

  // News.
  std::optional<news_reader> reader; ///< Without one, news is not read.
  std::unordered_map<std::string, uint32_t> symbol_ids; ///< Name -> interned id.
  narrative_tracker narrative;
  uint64_t news = 0;
  uint64_t news_unknown_symbols = 0; ///< Items naming no symbol we trade.

  // Batches: scratch reused from one batch to the next.
  std::vector<fb::SignalRow> batch_rows;
  std::vector<double> batch_values;
  uint32_t batch_width = 0;
  uint64_t batches = 0;

  // Strategies: handles by route index (null: a freed index), and scratch
  // for the part of a batch one of them owns.
  signal_routes routes;
  std::vector<msg_actor> strategies;
  std::vector<fb::SignalRow> part_rows;
  std::vector<double> part_values;
  uint64_t unrouted = 0; ///< Messages of symbols no strategy owns (computed, journaled, not sent).

  /// Returns the indicators of `symbol`, creating them on first use.
  symbol_indicators& indicators(uint32_t symbol);
};

/// Updates the indicators with every bar of a BarBatch and returns the
/// SignalBatch for it (the rows in the same order).
msg signal_batch_of(signal_state& st, const msg& batch);

/// Returns the SignalBatch of the rows of the last batch built by
/// signal_batch_of() that strategy `who` owns, stamped `s`; a null msg when
/// it owns none of them.
msg owned_rows(signal_state& st, uint16_t who, stamp s);

/// Routes `symbols` (none: every symbol) to `strategy`, reusing its index
/// when it already has routes, else a free one.
void add_strategy_route(signal_state& st, msg_actor strategy, std::span<const uint32_t> symbols);

/// Stops routing to `strategy` and frees its index.
void remove_strategy_route(signal_state& st, const msg_actor& strategy);

/// Scores one NewsItem and returns one NewsSentiment per traded symbol it
/// names (its `symbols`, else the tickers found in its headline), in the
/// order named; empty when the actor has no reader or the item names
/// nothing traded.
std::vector<msg> read_news(signal_state& st, const msg& item);

/// Rebuilds the indicators and narrative from one journal record (the
/// collector's bars and news).
void recover(signal_state& st, const msg& record);

/// One strategy and the symbols it owns.
struct signal_route {
  msg_actor strategy;
  std::vector<uint32_t> symbols; ///< Symbol ids; empty: every symbol.
};

struct signal_settings {
  signal_params params;
  /// Receives every symbol's messages (the one-strategy case); may be null.
  msg_actor strategy;
  /// Further strategies with their shards, routed after `strategy`.
  std::vector<signal_route> routes;
  msg_sink* journal = nullptr;
  /// The traded symbols by interned id (news names symbols as text).
  std::vector<std::string> symbols;
  /// How to read news (null: news is ignored).
  std::shared_ptr<const news_reader> news;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

/// The signal actor: market data and news in; routes added and removed at
/// run time.
using signal_actor =
  caf::typed_actor<caf::reacts_to<msg>,
                   caf::reacts_to<add_route_atom, msg_actor, std::vector<uint32_t>>,
                   caf::reacts_to<remove_route_atom, msg_actor>>;

signal_actor::behavior_type
signal(signal_actor::stateful_pointer<signal_state> self,
       signal_settings settings);

} // namespace osprey
