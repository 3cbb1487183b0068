#include "runtime/backtest_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "adapters/csv_fields.hpp"
#include "runtime/json_text.hpp"

namespace osprey {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double ns_per_year = 365.25 * 86'400.0 * 1e9;

double dollars(money m) {
  return m.dollars();
}

double ratio_or_nan(double num, double den) {
  return den == 0 ? nan : num / den;
}

// Returns and the risk ratios built on them.
void fill_return_stats(backtest_metrics& m, const equity_curve& curve,
                       const metrics_options& o) {
  const double start = dollars(o.starting_cash);
  const double end = dollars(curve.back().equity);
  m.start_equity = start;
  m.end_equity = end;
  m.total_return = end / start - 1;
  const double elapsed = static_cast<double>(curve.back().ts_ns - curve.front().ts_ns);
  m.years = elapsed / ns_per_year;
  m.cagr = (elapsed > 0 && end > 0) ? std::pow(end / start, 1 / m.years) - 1 : nan;

  m.periods = curve.size() - 1;
  const double n = static_cast<double>(m.periods);
  const double rf = o.risk_free_rate / o.periods_per_year;
  double sum = 0;
  for (size_t i = 1; i < curve.size(); ++i)
    sum += dollars(curve[i].equity) / dollars(curve[i - 1].equity) - 1;
  const double mean = m.periods > 0 ? sum / n : nan;
  double sq = 0;
  double down_sq = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    const double r = dollars(curve[i].equity) / dollars(curve[i - 1].equity) - 1;
    sq += (r - mean) * (r - mean);
    if (r < 0)
      down_sq += r * r; // target 0: only returns below it count
  }
  // Sample deviation (n - 1): one period leaves it undefined.
  const double stdev = m.periods > 1 ? std::sqrt(sq / (n - 1)) : nan;
  // Downside deviation over all periods, the ones above target counting zero.
  const double downside = m.periods > 0 ? std::sqrt(down_sq / n) : nan;
  const double annual = std::sqrt(o.periods_per_year);
  m.volatility = stdev * annual;
  // A deviation that is zero (or rounding noise on a flat curve) leaves the
  // ratio undefined rather than huge.
  const double tiny = 1e-15;
  m.sharpe = (stdev > tiny) ? (mean - rf) / stdev * annual : nan;
  m.sortino = (downside > tiny) ? (mean - rf) / downside * annual : nan;
}

void fill_drawdown(backtest_metrics& m, const equity_curve& curve, money starting_cash) {
  double peak = dollars(starting_cash);
  int64_t peak_ts = curve.front().ts_ns;
  bool under = false;
  for (const auto& p : curve) {
    const double e = dollars(p.equity);
    if (e >= peak) {
      if (under)
        m.longest_underwater_ns = std::max(m.longest_underwater_ns, p.ts_ns - peak_ts);
      under = false;
      peak = e;
      peak_ts = p.ts_ns;
      continue;
    }
    under = true;
    const double dd = 1 - e / peak;
    if (dd > m.max_drawdown) {
      m.max_drawdown = dd;
      m.max_drawdown_peak_ts_ns = peak_ts;
      m.max_drawdown_trough_ts_ns = p.ts_ns;
      m.max_drawdown_duration_ns = p.ts_ns - peak_ts;
    }
  }
  if (under)
    m.longest_underwater_ns = std::max(m.longest_underwater_ns, curve.back().ts_ns - peak_ts);
  m.underwater_at_end = under;
  m.calmar = m.max_drawdown > 0 ? m.cagr / m.max_drawdown : nan;
}

void fill_trade_stats(backtest_metrics& m, const std::vector<closed_trade>& trades) {
  m.trades = trades.size();
  m.best_trade = nan;
  m.worst_trade = nan;
  double holding = 0;
  for (const auto& t : trades) {
    const double pnl = dollars(t.pnl);
    if (t.pnl.micros > 0) {
      ++m.wins;
      m.gross_profit += pnl;
    } else if (t.pnl.micros < 0) {
      ++m.losses;
      m.gross_loss += pnl;
    }
    if (!(pnl <= m.best_trade))
      m.best_trade = pnl;
    if (!(pnl >= m.worst_trade))
      m.worst_trade = pnl;
    holding += static_cast<double>(t.exit_ts_ns - t.entry_ts_ns);
    m.commission += dollars(t.commission);
    m.traded_notional += dollars(t.entry_price * t.qty) + dollars(t.exit_price * t.qty);
  }
  const auto count = static_cast<double>(m.trades);
  m.win_rate = ratio_or_nan(static_cast<double>(m.wins), count);
  m.average_win = ratio_or_nan(m.gross_profit, static_cast<double>(m.wins));
  m.average_loss = ratio_or_nan(m.gross_loss, static_cast<double>(m.losses));
  m.average_holding_ns = ratio_or_nan(holding, count);
  m.profit_factor_infinite = m.wins > 0 && m.losses == 0;
  m.profit_factor = m.losses > 0 ? m.gross_profit / -m.gross_loss : nan;
}

void fill_exposure(backtest_metrics& m, const equity_curve& curve) {
  size_t invested = 0;
  double exposure_sum = 0;
  double equity_sum = 0;
  for (const auto& p : curve) {
    if (p.exposure.micros != 0)
      ++invested;
    const double e = dollars(p.equity);
    if (e > 0)
      exposure_sum += std::abs(dollars(p.exposure)) / e;
    equity_sum += e;
  }
  const auto n = static_cast<double>(curve.size());
  m.time_in_market = static_cast<double>(invested) / n;
  m.average_exposure = exposure_sum / n;
  const double average_equity = equity_sum / n;
  m.turnover = average_equity > 0 ? m.traded_notional / average_equity : nan;
  m.turnover_annualised = m.years > 0 ? m.turnover / m.years : nan;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  // "-0.00" and "0.00" must not differ by the sign of a rounding residue.
  std::string s = buf;
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos)
    s.erase(0, 1);
  return s;
}

std::string money_text(money m) {
  return fixed(m.dollars(), 2);
}

std::string price_text(price p) {
  return fixed(p.dollars(), 4);
}

} // namespace

const char* to_string(trade_side s) {
  return s == trade_side::long_side ? "long" : "short";
}

double periods_per_year_for_bars(int64_t bar_interval_ns, int64_t session_ns) {
  if (bar_interval_ns <= 0)
    throw std::invalid_argument("bar interval must be positive");
  return trading_days_per_year * static_cast<double>(session_ns)
         / static_cast<double>(bar_interval_ns);
}

backtest_metrics compute_metrics(const equity_curve& curve,
                                 const std::vector<closed_trade>& trades,
                                 const metrics_options& options) {
  if (options.starting_cash.micros <= 0) {
    std::string what = "starting cash must be positive, got ";
    what += to_string(options.starting_cash);
    throw std::invalid_argument(what);
  }
  if (curve.empty())
    throw std::invalid_argument("equity curve is empty: the backtest recorded no bar");
  if (!(options.periods_per_year > 0))
    throw std::invalid_argument("periods per year must be positive");
  for (size_t i = 1; i < curve.size(); ++i) {
    if (curve[i].ts_ns < curve[i - 1].ts_ns) {
      std::string what = "equity curve out of time order at point ";
      what += std::to_string(i);
      throw std::invalid_argument(what);
    }
    if (curve[i - 1].equity.micros <= 0) {
      std::string what = "equity not positive at point ";
      what += std::to_string(i - 1);
      what += ": period returns are undefined";
      throw std::invalid_argument(what);
    }
  }
  backtest_metrics m;
  fill_return_stats(m, curve, options);
  fill_drawdown(m, curve, options.starting_cash);
  fill_trade_stats(m, trades);
  fill_exposure(m, curve);
  return m;
}

std::vector<double> drawdown_series(const equity_curve& curve, money starting_cash) {
  std::vector<double> out;
  out.reserve(curve.size());
  double peak = dollars(starting_cash);
  for (const auto& p : curve) {
    const double e = dollars(p.equity);
    peak = std::max(peak, e);
    out.push_back(peak > 0 ? 1 - e / peak : 0);
  }
  return out;
}

std::vector<metric_row> metric_rows(const backtest_metrics& m) {
  using f = metric_format;
  return {
    {"start_equity", "Starting cash", m.start_equity, f::dollars},
    {"end_equity", "Final equity", m.end_equity, f::dollars},
    {"total_return", "Total return", m.total_return, f::percent},
    {"cagr", "CAGR", m.cagr, f::percent},
    {"years", "Years", m.years, f::years},
    {"periods", "Periods", static_cast<double>(m.periods), f::count},
    {"volatility", "Volatility (annualised)", m.volatility, f::percent},
    {"sharpe", "Sharpe", m.sharpe, f::ratio},
    {"sortino", "Sortino", m.sortino, f::ratio},
    {"calmar", "Calmar", m.calmar, f::ratio},
    {"max_drawdown", "Max drawdown", m.max_drawdown, f::percent},
    {"max_drawdown_duration_ns", "Max drawdown peak to trough",
     static_cast<double>(m.max_drawdown_duration_ns), f::duration},
    {"longest_underwater_ns", "Longest underwater",
     static_cast<double>(m.longest_underwater_ns), f::duration},
    {"trades", "Trades", static_cast<double>(m.trades), f::count},
    {"win_rate", "Win rate", m.win_rate, f::percent},
    {"average_win", "Average win", m.average_win, f::dollars},
    {"average_loss", "Average loss", m.average_loss, f::dollars},
    {"profit_factor", "Profit factor", m.profit_factor, f::ratio},
    {"best_trade", "Best trade", m.best_trade, f::dollars},
    {"worst_trade", "Worst trade", m.worst_trade, f::dollars},
    {"average_holding_ns", "Average holding time", m.average_holding_ns, f::duration},
    {"commission", "Commission", m.commission, f::dollars},
    {"time_in_market", "Time in market", m.time_in_market, f::percent},
    {"average_exposure", "Average gross exposure", m.average_exposure, f::percent},
    {"turnover", "Turnover", m.turnover, f::ratio},
    {"turnover_annualised", "Turnover (annualised)", m.turnover_annualised, f::ratio},
  };
}

std::string format_duration(int64_t ns) {
  const int64_t total = ns / 1'000'000'000;
  const int64_t days = total / 86'400;
  const int64_t rem = total % 86'400;
  char buf[64];
  if (days > 0)
    std::snprintf(buf, sizeof buf, "%lldd %02lld:%02lld:%02lld", static_cast<long long>(days),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60));
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

std::string format_metric(double value, metric_format format) {
  if (!std::isfinite(value))
    return "n/a";
  switch (format) {
    case metric_format::percent: return fixed(value * 100, 2) + "%";
    case metric_format::ratio: return fixed(value, 3);
    case metric_format::dollars: return fixed(value, 2);
    case metric_format::duration: return format_duration(static_cast<int64_t>(value));
    case metric_format::count: return fixed(value, 0);
    case metric_format::years: return fixed(value, 3);
  }
  return "n/a";
}

std::string json_number(double value, int decimals) {
  return std::isfinite(value) ? fixed(value, decimals) : "null";
}

void write_metrics_text(std::ostream& out, const backtest_metrics& m,
                        const std::vector<closed_trade>& trades) {
  char line[512];
  for (const auto& row : metric_rows(m)) {
    std::string value = format_metric(row.value, row.format);
    if (std::string_view{row.key} == "profit_factor" && m.profit_factor_infinite)
      value = "n/a (no losing trade)";
    std::snprintf(line, sizeof line, "%-28s %s\n", row.label, value.c_str());
    out << line;
  }
  out << "\nTrades (" << trades.size() << ")\n";
  if (trades.empty()) {
    out << "  none\n";
    return;
  }
  std::snprintf(line, sizeof line, "  %-10s %-5s %-20s %12s %-20s %12s %10s %10s %12s\n",
                "symbol", "side", "entry", "price", "exit", "price", "qty", "comm", "pnl");
  out << line;
  for (const auto& t : trades) {
    std::snprintf(line, sizeof line, "  %-10s %-5s %-20s %12s %-20s %12s %10s %10s %12s\n",
                  t.symbol.c_str(), to_string(t.side), csv::format_time(t.entry_ts_ns).c_str(),
                  price_text(t.entry_price).c_str(), csv::format_time(t.exit_ts_ns).c_str(),
                  price_text(t.exit_price).c_str(), to_string(t.qty).c_str(),
                  money_text(t.commission).c_str(), money_text(t.pnl).c_str());
    out << line;
  }
}

void write_metrics_object_json(std::ostream& out, const backtest_metrics& m) {
  out << '{';
  bool first = true;
  for (const auto& row : metric_rows(m)) {
    if (!first)
      out << ',';
    first = false;
    const int decimals = row.format == metric_format::count       ? 0
                         : row.format == metric_format::duration ? 0
                         : row.format == metric_format::dollars  ? 2
                                                                  : 6;
    out << json_string(row.key) << ':';
    // Durations beyond 2^53 ns (104 days) are not exact as doubles.
    const std::string_view key = row.key;
    if (key == "max_drawdown_duration_ns")
      out << m.max_drawdown_duration_ns;
    else if (key == "longest_underwater_ns")
      out << m.longest_underwater_ns;
    else
      out << json_number(row.value, decimals);
  }
  out << ",\"profit_factor_infinite\":" << (m.profit_factor_infinite ? "true" : "false");
  out << ",\"underwater_at_end\":" << (m.underwater_at_end ? "true" : "false");
  out << ",\"max_drawdown_peak_ts_ns\":" << m.max_drawdown_peak_ts_ns;
  out << ",\"max_drawdown_trough_ts_ns\":" << m.max_drawdown_trough_ts_ns;
  out << '}';
}

void write_trades_json(std::ostream& out, const std::vector<closed_trade>& trades) {
  out << '[';
  for (size_t i = 0; i < trades.size(); ++i) {
    const auto& t = trades[i];
    if (i > 0)
      out << ',';
    out << "{\"symbol\":" << json_string(t.symbol) << ",\"side\":\"" << to_string(t.side)
        << "\",\"entry_ts_ns\":" << t.entry_ts_ns
        << ",\"entry_time\":" << json_string(csv::format_time(t.entry_ts_ns))
        << ",\"entry_price\":" << price_text(t.entry_price)
        << ",\"exit_ts_ns\":" << t.exit_ts_ns
        << ",\"exit_time\":" << json_string(csv::format_time(t.exit_ts_ns))
        << ",\"exit_price\":" << price_text(t.exit_price) << ",\"qty\":" << to_string(t.qty)
        << ",\"commission\":" << money_text(t.commission) << ",\"pnl\":" << money_text(t.pnl)
        << '}';
  }
  out << ']';
}

void write_equity_json(std::ostream& out, const equity_curve& curve, money starting_cash) {
  const auto dd = drawdown_series(curve, starting_cash);
  out << '[';
  for (size_t i = 0; i < curve.size(); ++i) {
    const auto& p = curve[i];
    if (i > 0)
      out << ',';
    out << "{\"ts_ns\":" << p.ts_ns << ",\"time\":" << json_string(csv::format_time(p.ts_ns))
        << ",\"equity\":" << money_text(p.equity) << ",\"exposure\":" << money_text(p.exposure)
        << ",\"drawdown\":" << json_number(dd[i], 6) << '}';
  }
  out << ']';
}

void write_metrics_json(std::ostream& out, const backtest_metrics& m,
                        const std::vector<closed_trade>& trades, const equity_curve& curve,
                        money starting_cash) {
  out << "{\"metrics\":";
  write_metrics_object_json(out, m);
  out << ",\"trades\":";
  write_trades_json(out, trades);
  out << ",\"equity\":";
  write_equity_json(out, curve, starting_cash);
  out << "}\n";
}

} // namespace osprey
