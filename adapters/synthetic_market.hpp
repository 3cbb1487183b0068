#pragma once

// A deterministic, seeded market: trades, quotes and 1-minute bars for a set
// of symbols, realistic enough that a breakout strategy trades on it. The
// model is a log-price random walk with Markov-switching volatility regimes,
// opening gaps, occasional breakout episodes (a drift burst with a volume
// surge), and volume with an intraday U-shape plus random spikes.
//
// Every symbol draws from its own generator, seeded from the run's seed and
// the symbol's name, so adding a symbol never changes another one's path.
// Randomness comes from a hand-written xoshiro256** and polar-method normals,
// never std::*_distribution, whose output differs between standard libraries.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"
#include "messages/symbol_table.hpp"
#include "messages/units.hpp"

namespace osprey {

/// What to generate and how the generated market behaves.
struct synthetic_market_config {
  /// Tickers to generate; each must already be interned in the symbol_table.
  std::vector<std::string> symbols;
  /// Same seed, same symbols: the same bytes.
  uint64_t seed = 1;
  /// Open of the first session (default 2026-01-05 14:30:00 UTC, a Monday).
  int64_t session_open_ns = 1'767'623'400'000'000'000;
  /// 1-minute bars per session (390 = 09:30 to 16:00 New York).
  int bars_per_session = 390;
  /// Quotes per symbol inside each minute.
  int quotes_per_bar = 4;
  /// Trades per symbol inside each minute.
  int trades_per_bar = 4;

  // Tuning. Volatilities and probabilities are per 1-minute bar.

  /// Starting prices are log-uniform in [min_start_price, max_start_price].
  double min_start_price = 20.0;
  double max_start_price = 500.0;
  /// Standard deviation of the log return in the calm regime.
  double calm_volatility = 0.0008;
  /// Standard deviation of the log return in the volatile regime.
  double volatile_volatility = 0.0022;
  /// Chance of switching from calm to volatile.
  double calm_to_volatile = 0.02;
  /// Chance of switching from volatile back to calm.
  double volatile_to_calm = 0.10;
  /// Chance per bar that a breakout episode starts.
  double breakout_probability = 0.006;
  /// An episode lasts a uniform number of bars in [min, max].
  int breakout_min_bars = 5;
  int breakout_max_bars = 12;
  /// Log-price drift per bar during an episode.
  double breakout_drift = 0.0025;
  /// Share of episodes that break upwards.
  double breakout_up_share = 0.7;
  /// Volume multiplier during an episode.
  double breakout_volume_factor = 3.0;
  /// Chance per bar of a one-bar volume spike.
  double spike_probability = 0.03;
  /// Volume multiplier of a spike.
  double spike_volume_factor = 3.0;
  /// Standard deviation of the overnight log-price gap.
  double gap_volatility = 0.012;
  /// Mean shares traded per bar at midday (scaled per symbol by 0.5x..2x).
  double base_volume_per_bar = 20'000;
};

/// Returns an empty string when `cfg` is usable, otherwise what is wrong.
std::string validate(const synthetic_market_config& cfg);

/// A generator of market events in event-time order, endless over sessions.
class synthetic_market {
public:
  /// Builds the market; throws std::invalid_argument on a bad config or a
  /// symbol missing from `symbols` (a start-up error).
  synthetic_market(synthetic_market_config cfg, const symbol_table& symbols);

  /// Returns the ts_event of the event next() will return.
  int64_t peek_time() const noexcept;

  /// Returns the next event (Trade, Quote or Bar) stamped with `ts_ingress`.
  msg next(int64_t ts_ingress);

  /// Returns how many events next() has returned.
  uint64_t events_generated() const noexcept { return generated_; }

  /// A xoshiro256** generator seeded through splitmix64.
  class rng {
  public:
    /// Seeds the four words of state from `seed`.
    explicit rng(uint64_t seed = 0) noexcept;
    /// Returns the next 64 random bits.
    uint64_t next() noexcept;
    /// Returns a double uniform in [0, 1).
    double uniform() noexcept;
    /// Returns an integer uniform in [lo, hi].
    int64_t between(int64_t lo, int64_t hi) noexcept;
    /// Returns a standard normal sample (Marsaglia's polar method).
    double normal() noexcept;

  private:
    std::array<uint64_t, 4> s_{};
    double spare_ = 0;
    bool has_spare_ = false;
  };

private:
  struct symbol_state {
    symbol_id id;
    rng gen;
    double log_mid = 0;
    double log_anchor = 0; // weak mean reversion keeps long runs in range
    double volume_scale = 1;
    bool volatile_regime = false;
    int breakout_left = 0;
    double breakout_sign = 1;
    int64_t bid = 0, ask = 0; // the prevailing quote, micro-dollars
  };

  // One pending event; `v` holds the payload's numbers in schema order.
  struct event {
    int64_t ts;
    uint32_t symbol;
    uint32_t order;
    fb::Payload type;
    std::array<int64_t, 5> v;
  };

  void generate_minute();
  void generate_symbol_minute(symbol_state& s, int64_t minute_open);
  void quote_from_mid(symbol_state& s);

  synthetic_market_config cfg_;
  std::vector<symbol_state> states_;
  std::vector<event> pending_; // one minute of events, sorted
  size_t cursor_ = 0;
  int64_t session_open_ = 0;
  int bar_in_session_ = 0;
  uint64_t generated_ = 0;
  msg_builder builder_;
};

} // namespace osprey
