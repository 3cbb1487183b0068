#pragma once

// `osprey backtest`: history through the same actors as a live run, on
// event time, one time step at a time on one thread (the deterministic
// profile: the same inputs give byte-identical journals), with the simulated
// broker filling on bars. The result is the round-trip trades, the account
// sampled at every step, and the statistics of docs/BACKTEST.md, as text,
// JSON or a self-contained HTML report.
//
// The options that decide whether a result can be compared with another
// tool's are explicit: the fill model (next bar's open by default), sizing,
// what an opposite signal does, long-only or long/short, and what happens
// to positions still open at the end.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sim_broker.hpp"
#include "runtime/backtest_ledger.hpp"
#include "runtime/backtest_report.hpp"
#include "runtime/config.hpp"

namespace osprey {

/// Positions still open after the last bar.
enum class end_policy : uint8_t {
  close_at_last_close, ///< Sold (or covered) at the last bar's close, with costs.
  close_at_last_open,  ///< At the last bar's open, with costs.
  keep_open,           ///< Kept, marked to the last close (no exit costs).
};

struct backtest_options {
  /// CSV files (bars; see csv_replay.hpp), or one journal of a recorded
  /// run (its market events; with fill = bar_fill::none its quotes fill,
  /// as in the run).
  std::vector<std::string> data;
  /// A configuration file; without one, the built-in defaults with the risk
  /// controller's loss and drawdown halts off (a backtest measures the
  /// strategy, not the desk's stop-outs, unless the config says otherwise).
  std::string config_path;
  /// Settings over the config, "SECTION.KEY=VALUE" (`--set`, and what a
  /// parameter search varies).
  std::vector<std::string> overrides;
  std::optional<bar_fill> fill;  ///< Overrides [broker] bar_fills (default next_open).
  end_policy end = end_policy::close_at_last_close;
  uint32_t batch = 1024;         ///< Bars of one time step per message.
  std::string journal_path;      ///< Also write the journal here (empty: none).
  bool json = false;
  std::string report_path;       ///< Self-contained HTML report (empty: none).
  bool progress = true;          ///< A progress bar on a terminal's stderr.
  std::string project_dir;       ///< Where to look for node_modules (the report's charts).
  bool keep_prices = false;      ///< Keep every bar (the report's price charts).
  /// Trade only from this event time (ns); earlier bars still go through the
  /// actors, so indicators start warm (`--from`). Unset: from the first bar.
  std::optional<int64_t> from_ns;
  /// Stop after this event time (ns, inclusive; `--to`). Unset: the last bar.
  std::optional<int64_t> to_ns;
};

/// What a run produced.
struct backtest_run {
  engine_config config;             ///< As run.
  std::vector<std::string> symbols; ///< By interned id.
  std::vector<closed_trade> trades;
  equity_curve curve;
  uint64_t bars = 0, steps = 0, fills = 0, orders = 0, denied = 0;
  uint64_t warm_up_bars = 0;         ///< Before from_ns: indicators only.
  uint32_t bar_interval_s = 0;       ///< Of the first bar.
  std::vector<std::vector<price_bar>> prices; ///< By symbol id, with keep_prices.
  std::vector<std::string> warnings; ///< Skipped rows, look-ahead, ...
};

/// The configuration a backtest runs with: the file's, or the defaults with
/// the loss and drawdown halts off; always the deterministic profile on
/// event time, and bars filling orders.
engine_config backtest_config(const backtest_options& opts);

/// Runs the history through the engine. Throws std::runtime_error naming
/// the file or the setting when the inputs cannot be used (no data, a
/// missing file, no bars in the files).
backtest_run run_backtest(const backtest_options& opts, std::ostream& progress_out);

class market_feed;

/// Replays an opened feed through the engine with `config` (its
/// market.symbols name the feed's symbol ids): what run_backtest does once
/// it has opened the files. `total_rows` sizes the progress bar (0: none).
/// The bench replays bars preloaded in memory with it, to measure the
/// actors apart from reading CSV text.
backtest_run replay_backtest(const backtest_options& opts, engine_config config,
                             market_feed& feed, uint64_t total_rows,
                             std::ostream& progress_out);

/// The statistics of a run: its starting cash, annualised by its bars'
/// interval (daily and longer: trading days; intraday: bars per session).
backtest_metrics metrics_of(const backtest_run& run);

/// Reads a --from / --to value: "YYYY-MM-DD" (UTC; as --to, the end of
/// that day) or a date with a time. Returns nullopt when it is neither.
std::optional<int64_t> parse_backtest_time(const std::string& text, bool end_of_day) noexcept;

/// The whole command; returns the exit code (0, 1 for unusable inputs with
/// the reason on `err`, 2 for bad options).
int backtest_command(const backtest_options& opts, std::ostream& out, std::ostream& err);

} // namespace osprey
