#pragma once

// Performance statistics of a finished backtest: plain data in, plain data
// out. docs/BACKTEST.md gives every formula; the text and JSON writers here
// print fixed decimals so byte-identical inputs give byte-identical output.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "messages/units.hpp"

namespace osprey {

/// One sample of the account, taken once per bar (at the bar's close).
struct equity_point {
  int64_t ts_ns = 0;
  money equity;   // cash plus the marked value of every position
  money exposure; // gross position value: the sum of |position value|
};

/// The account sampled once per bar, in time order. The first point is the
/// opening state (before any fill), normally equal to the starting cash.
using equity_curve = std::vector<equity_point>;

/// Which way a round trip was held.
enum class trade_side : uint8_t { long_side, short_side };

/// Returns "long" or "short".
const char* to_string(trade_side s);

/// A round trip: opened at entry, closed at exit.
struct closed_trade {
  std::string symbol;
  trade_side side = trade_side::long_side;
  int64_t entry_ts_ns = 0;
  price entry_price;
  int64_t exit_ts_ns = 0;
  price exit_price;
  quantity qty;     // shares, positive for both sides
  money commission; // both legs
  money pnl;        // net of commission; a win when > 0, a loss when < 0
};

/// What the statistics need besides the curve and the trades.
struct metrics_options {
  money starting_cash;           // must be > 0
  double periods_per_year = 252; // bars per year: 252 for daily bars
  double risk_free_rate = 0;     // annual, simple; per period rf / periods_per_year
};

/// Trading days per year, the base of every annualisation.
inline constexpr double trading_days_per_year = 252;

/// Returns the periods per year of bars `bar_interval_ns` long in sessions
/// `session_ns` long (6.5 hours for US equities): 252 x bars per session.
double periods_per_year_for_bars(int64_t bar_interval_ns,
                                 int64_t session_ns = 23'400'000'000'000);

/// The statistics of one run. A value that is undefined (a ratio over a zero
/// deviation, an average over no trades) is NaN: "n/a" in text, null in JSON.
struct backtest_metrics {
  // Returns.
  double total_return = 0;      // final equity / starting cash - 1
  double cagr = 0;              // by calendar time between first and last point
  double volatility = 0;        // sample stdev of period returns x sqrt(ppy)
  double sharpe = 0;            // mean excess period return / stdev x sqrt(ppy)
  double sortino = 0;           // mean excess period return / downside dev x sqrt(ppy)
  double calmar = 0;            // cagr / max_drawdown
  size_t periods = 0;           // number of period returns (points - 1)
  double years = 0;             // elapsed calendar time / 365.25 days
  double start_equity = 0;      // dollars: the starting cash
  double end_equity = 0;        // dollars: the last point

  // Drawdown.
  double max_drawdown = 0;               // fraction of the peak, >= 0
  int64_t max_drawdown_peak_ts_ns = 0;   // the peak before the deepest trough
  int64_t max_drawdown_trough_ts_ns = 0; // the deepest trough
  int64_t max_drawdown_duration_ns = 0;  // peak to trough of the deepest drawdown
  int64_t longest_underwater_ns = 0;     // longest peak to recovery (or to the end)
  bool underwater_at_end = false;        // the last point is below its peak

  // Trades.
  size_t trades = 0;
  size_t wins = 0;
  size_t losses = 0;
  double win_rate = 0;             // wins / trades
  double average_win = 0;          // dollars
  double average_loss = 0;         // dollars, negative
  double gross_profit = 0;         // dollars
  double gross_loss = 0;           // dollars, negative or zero
  double profit_factor = 0;        // gross profit / |gross loss|
  bool profit_factor_infinite = false; // wins and no losses: profit_factor is NaN
  double best_trade = 0;           // dollars
  double worst_trade = 0;          // dollars
  double average_holding_ns = 0;   // mean of exit - entry
  double commission = 0;           // dollars, all trades

  // Exposure and turnover.
  double time_in_market = 0;       // fraction of points with a position
  double average_exposure = 0;     // mean of gross exposure / equity
  double traded_notional = 0;      // dollars, both legs of every trade
  double turnover = 0;             // traded notional / average equity
  double turnover_annualised = 0;  // turnover / years
};

/// Computes the statistics; throws std::invalid_argument when the starting
/// cash is not positive, the curve is empty or out of time order.
backtest_metrics compute_metrics(const equity_curve& curve,
                                 const std::vector<closed_trade>& trades,
                                 const metrics_options& options);

/// Returns the drawdown at each point: 1 - equity / running peak, the peak
/// starting at the starting cash.
std::vector<double> drawdown_series(const equity_curve& curve, money starting_cash);

/// How a metric's value is printed.
enum class metric_format : uint8_t { percent, ratio, dollars, duration, count, years };

/// One line of the metrics table: its JSON key, its label and its value.
struct metric_row {
  const char* key;
  const char* label;
  double value;
  metric_format format;
};

/// Returns the metrics in the order every output prints them.
std::vector<metric_row> metric_rows(const backtest_metrics& m);

/// Formats a value for text ("n/a" when NaN); fixed decimals.
std::string format_metric(double value, metric_format format);

/// Formats a value for JSON ("null" when not finite); fixed decimals.
std::string json_number(double value, int decimals);

/// Formats nanoseconds as "3d 04:05:06" (or "04:05:06" under a day).
std::string format_duration(int64_t ns);

/// Writes an aligned metrics table followed by the trade list.
void write_metrics_text(std::ostream& out, const backtest_metrics& m,
                        const std::vector<closed_trade>& trades);

/// Writes one JSON object {"metrics": {...}, "trades": [...], "equity": [...]}.
void write_metrics_json(std::ostream& out, const backtest_metrics& m,
                        const std::vector<closed_trade>& trades, const equity_curve& curve,
                        money starting_cash);

/// Writes the "trades" array alone (shared with the HTML report's data).
void write_trades_json(std::ostream& out, const std::vector<closed_trade>& trades);

/// Writes the "metrics" object alone (shared with the HTML report's data).
void write_metrics_object_json(std::ostream& out, const backtest_metrics& m);

/// Writes the "equity" array alone: time, equity, exposure and drawdown.
void write_equity_json(std::ostream& out, const equity_curve& curve, money starting_cash);

} // namespace osprey
