#pragma once

// The engine's configuration as plain structs, read once from TOML at start.
// Every error names the file, the line and the key.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "actors/collector.hpp"
#include "actors/order_manager.hpp"
#include "actors/rebalance_strategy.hpp"
#include "actors/risk_controller.hpp"
#include "actors/rule_strategy.hpp"
#include "actors/signal.hpp"
#include "actors/strategy.hpp"
#include "adapters/csv_replay.hpp"
#include "adapters/sim_broker.hpp"
#include "adapters/synthetic_market.hpp"
#include "runtime/journal_writer.hpp"

namespace osprey {

/// How idle scheduler workers wait, which sets latency at low event rates.
enum class latency_profile {
  efficient,     ///< CAF's default: idle workers sleep (saves CPU).
  spin,          ///< Idle workers busy-poll: lowest latency, burns the cores.
  deterministic, ///< One thread, one event at a time: byte-identical runs.
};

/// Which clock stamps ingress times and paces the synthetic market.
enum class clock_kind {
  wall,  ///< Real time; the market is paced at `speed` x real time.
  event, ///< Event time; the market runs as fast as the engine goes.
};

/// Whose scheduler runs the actors on threads (see runtime/scheduler.hpp).
enum class scheduler_kind {
  osprey, ///< osprey's: CAF's scheduling order without its per-job bookkeeping.
  caf,    ///< CAF's own work-stealing scheduler, to compare against.
};

struct scheduler_config {
  uint32_t workers = 0; ///< 0: the number of cores.
  latency_profile profile = latency_profile::efficient;
  scheduler_kind kind = scheduler_kind::osprey;
};

/// The strategy written in the rule language ([rules]); empty text: the
/// breakout strategy trades.
struct rules_config {
  std::string strategy = "breakout"; ///< A built-in template's name, "custom" or "breakout".
  std::string text;                  ///< The rule set, templates filled in.
  opposite_signal opposite = opposite_signal::close_only;
  bool long_short = false;
  /// exits = "bracket": stops and targets go with the entry as a bracket
  /// order (see actors/rule_strategy.hpp); "strategy" (default): checked per bar.
  bool bracket_exits = false;
  /// Entries buy fractions of a share (to the nano-share), not whole shares.
  bool fractional = false;
};

/// What a strategy slot runs. To add a kind: a value here, its parameters
/// in strategy_slot, a reader in config.cpp (slot_kinds) and a spawn in
/// engine.cpp (spawn_strategy).
enum class strategy_kind : uint8_t {
  breakout, ///< The breakout actor (actors/strategy.hpp), [strategy] keys.
  rules,    ///< The rule strategy (actors/rule_strategy.hpp), [rules] keys.
  rebalance, ///< The rebalancing strategy (actors/rebalance_strategy.hpp), [rebalance] keys.
};

/// Returns the kind's name as the config writes it ("breakout", "rules").
const char* to_string(strategy_kind k) noexcept;

/// One strategy actor and the symbols it trades (one [[strategies]] table;
/// the single [rules]/[strategy] configuration is one slot of every symbol).
struct strategy_slot {
  std::string name;                 ///< Unique among the running strategies.
  std::vector<std::string> symbols; ///< Its shard; empty: every traded symbol.
  strategy_kind kind = strategy_kind::breakout;
  breakout_params breakout;         ///< kind == breakout.
  rules_config rules;               ///< kind == rules (text filled in, compiles).
  rebalance_params rebalance;       ///< kind == rebalance.
};

struct engine_config {
  std::string source = "(defaults)"; ///< The file it came from.
  scheduler_config scheduler;
  clock_kind clock = clock_kind::wall;
  double speed = 3000;               ///< Event seconds per wall second.
  std::optional<int64_t> duration_ns; ///< Wall (or event) time to run.
  std::optional<uint64_t> max_events; ///< Stop after this many market events.
  std::string journal_path = "osprey.journal";
  /// When the journal is forced to the device (see docs/BENCHMARKS.md for
  /// what each costs).
  fsync_policy journal_fsync = fsync_policy::none;
  int64_t status_interval_ns = 1'000'000'000;
  synthetic_market_config market;
  collector_params collector;
  sim_broker_config broker;
  signal_params signal;
  /// The VADER lexicon the signal actor reads news with ([signal] lexicon;
  /// empty: the default places, see find_sentiment_lexicon).
  std::string sentiment_lexicon;
  /// Company names by symbol ([universe]), for news that names companies
  /// rather than listing symbols.
  std::vector<sentiment::ticker_entry> universe;
  /// How `--replay` reads CSV files ([replay]: a column mapping instead of
  /// header detection, adjustments, the daily close time).
  csv_replay_options replay;
  /// Bars of the same time sent as one BarBatch of up to this many rows
  /// ([replay] batch; 1: one message per bar).
  uint32_t replay_batch = 1;
  breakout_params strategy;
  rules_config rules;
  /// [rebalance]: used when [rules] strategy = "rebalance".
  rebalance_params rebalance;
  /// Every strategy decides nothing on bars before this event time: they
  /// only warm the indicators (backtest --from).
  int64_t trade_from_ns = INT64_MIN;
  /// Strategies side by side ([[strategies]]); empty: the one slot that
  /// [rules] (or, without rules, [strategy]) describes. Read them through
  /// strategy_slots().
  std::vector<strategy_slot> strategies;
  risk_limits risk;
  order_manager_params orders;
};

/// A configuration error: `what()` reads "file:line: key: problem".
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Returns the strategies to run: `strategies`, or the one slot of every
/// symbol that the [rules] and [strategy] fields describe (named after the
/// rules' strategy, or "breakout").
std::vector<strategy_slot> strategy_slots(const engine_config& c);

/// Checks that each slot's name is unique and non-empty, that its symbols
/// are in `traded` and that no symbol has two owners (a slot without
/// symbols owns every one). Throws config_error naming the strategies and
/// the symbol.
void check_strategy_slots(const std::vector<strategy_slot>& slots,
                          const std::vector<std::string>& traded);

/// Returns the built-in demo configuration (eight symbols, defaults).
engine_config default_config();

/// Reads a TOML file over the defaults, then `overrides` ("SECTION.KEY=VALUE",
/// as `--set` gives them) over the file. Throws config_error.
engine_config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// Reads TOML text over the defaults; `source` names it in errors.
engine_config parse_config(std::string_view text, const std::string& source,
                           const std::vector<std::string>& overrides = {});

/// Parses "250ms", "30s", "2m", "1h" or "1500us" into nanoseconds.
std::optional<int64_t> parse_duration(std::string_view text);

const char* to_string(latency_profile p) noexcept;
const char* to_string(scheduler_kind k) noexcept;

} // namespace osprey
