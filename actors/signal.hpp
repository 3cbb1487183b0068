#pragma once

// signal: per-symbol incremental indicators and news readings. Every bar
// updates each indicator in O(1) and produces one Signal message for the
// strategy, carrying the breakout fields and the configured extra
// indicators. Every news item is scored (sentiment, event tags) and updates
// the narrative of each symbol it names, which goes to the strategy as one
// NewsSentiment per symbol.

#include <memory>
#include <optional>
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
  uint64_t batches = 0;

  /// Returns the indicators of `symbol`, creating them on first use.
  symbol_indicators& indicators(uint32_t symbol);
};

/// Updates the indicators with every bar of a BarBatch and returns the
/// SignalBatch for it (the rows in the same order).
msg signal_batch_of(signal_state& st, const msg& batch);

/// Scores one NewsItem and returns one NewsSentiment per traded symbol it
/// names (its `symbols`, else the tickers found in its headline), in the
/// order named; empty when the actor has no reader or the item names
/// nothing traded.
std::vector<msg> read_news(signal_state& st, const msg& item);

/// Rebuilds the indicators and narrative from one journal record (the
/// collector's bars and news).
void recover(signal_state& st, const msg& record);

struct signal_settings {
  signal_params params;
  msg_actor strategy;
  msg_sink* journal = nullptr;
  /// The traded symbols by interned id (news names symbols as text).
  std::vector<std::string> symbols;
  /// How to read news (null: news is ignored).
  std::shared_ptr<const news_reader> news;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

using signal_actor = msg_actor;

signal_actor::behavior_type
signal(signal_actor::stateful_pointer<signal_state> self,
       signal_settings settings);

} // namespace osprey
