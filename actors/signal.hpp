#pragma once

// signal: per-symbol incremental indicators. Every bar updates each
// indicator in O(1) and produces one Signal message for the strategy.

#include <memory>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/indicators.hpp"
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
};

/// Returns the indicator values after `bar`. The N-bar high, M-bar low and
/// average volume describe the bars before this one, so that "close above
/// the N-bar high" compares the bar with its predecessors.
signal_values update_indicators(symbol_indicators& ind, const fb::Bar& bar);

struct signal_state {
  signal_params params;
  std::vector<symbol_indicators> symbols; ///< Indexed by symbol id.
  msg_builder builder;
  uint64_t bars = 0;

  /// Returns the indicators of `symbol`, creating them on first use.
  symbol_indicators& indicators(uint32_t symbol);
};

/// Rebuilds the indicators from one journal record (the collector's bars).
void recover(signal_state& st, const msg& record);

struct signal_settings {
  signal_params params;
  msg_actor strategy;
  msg_sink* journal = nullptr;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

using signal_actor = msg_actor;

signal_actor::behavior_type
signal(signal_actor::stateful_pointer<signal_state> self,
       signal_settings settings);

} // namespace osprey
