#include "runtime/signals_command.hpp"

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "actors/indicators.hpp"
#include "actors/indicators_levels.hpp"
#include "actors/indicators_momentum.hpp"
#include "actors/indicators_trend.hpp"
#include "actors/indicators_volatility.hpp"
#include "actors/indicators_volume.hpp"
#include "adapters/csv_fields.hpp"
#include "adapters/csv_replay.hpp"
#include "messages/symbol_table.hpp"

namespace osprey {

namespace {

/// One LIST entry made live for one symbol: its columns' values after a bar.
struct column_group {
  std::function<void(const ind::bar_input&, int64_t session)> update;
  std::function<void(std::vector<double>&)> values;
};

struct indicator_spec {
  std::string name;
  std::vector<std::string> params; ///< As written, for the column names.
  std::vector<std::string> columns;
  std::function<column_group()> make;
};

int whole(const std::string& entry, const std::string& p) {
  size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(p, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != p.size() || v < 1)
    throw std::invalid_argument("--indicators: " + entry + ": \"" + p
                                + "\" is not a period (a whole number >= 1)");
  return v;
}

double real(const std::string& entry, const std::string& p) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(p, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != p.size() || !std::isfinite(v) || v <= 0)
    throw std::invalid_argument("--indicators: " + entry + ": \"" + p
                                + "\" is not a positive number");
  return v;
}

/// A column group over a price-fed indicator and its getters.
template <class I, class... Get>
column_group on_close(std::shared_ptr<I> ind, Get... get) {
  return {[ind](const ind::bar_input& b, int64_t) { ind->update(b.close); },
          [ind, get...](std::vector<double>& out) { (out.push_back(((*ind).*get)()), ...); }};
}

/// A column group over a bar-fed indicator and its getters.
template <class I, class... Get>
column_group on_bar(std::shared_ptr<I> ind, Get... get) {
  return {[ind](const ind::bar_input& b, int64_t) { ind->update(b); },
          [ind, get...](std::vector<double>& out) { (out.push_back(((*ind).*get)()), ...); }};
}

std::vector<indicator_spec> parse_list(const std::string& list) {
  std::vector<indicator_spec> specs;
  std::stringstream items{list};
  std::string entry;
  while (std::getline(items, entry, ',')) {
    if (entry.empty())
      throw std::invalid_argument("--indicators: an empty entry in \"" + list + "\"");
    std::vector<std::string> parts;
    std::stringstream fields{entry};
    std::string f;
    while (std::getline(fields, f, ':'))
      parts.push_back(f);
    indicator_spec s;
    s.name = parts[0];
    s.params.assign(parts.begin() + 1, parts.end());
    auto base = s.name;
    for (auto& p : s.params)
      base += "_" + p;
    auto want = [&](size_t n, const char* usage) {
      if (s.params.size() != n)
        throw std::invalid_argument("--indicators: " + entry + ": expected " + usage);
    };
    using namespace ind;
    const auto& n = s.name;
    if (n == "sma" || n == "ema" || n == "wma" || n == "rsi" || n == "stdev" || n == "zscore"
        || n == "roc") {
      want(1, (n + ":PERIOD").c_str());
      int p = whole(entry, s.params[0]);
      s.columns = {base};
      if (n == "sma")
        s.make = [p] { return on_close(std::make_shared<sma>(p), &sma::value); };
      else if (n == "ema")
        s.make = [p] { return on_close(std::make_shared<ema>(p), &ema::value); };
      else if (n == "wma")
        s.make = [p] { return on_close(std::make_shared<wma>(p), &wma::value); };
      else if (n == "rsi")
        s.make = [p] { return on_close(std::make_shared<rsi>(p), &rsi::value); };
      else if (n == "stdev")
        s.make = [p] { return on_close(std::make_shared<rolling_stdev>(p), &rolling_stdev::value); };
      else if (n == "zscore")
        s.make = [p] { return on_close(std::make_shared<zscore>(p), &zscore::value); };
      else
        s.make = [p] { return on_close(std::make_shared<rate_of_change>(p), &rate_of_change::percent); };
    } else if (n == "macd") {
      want(3, "macd:FAST:SLOW:SIGNAL");
      int a = whole(entry, s.params[0]), b = whole(entry, s.params[1]), c = whole(entry, s.params[2]);
      s.columns = {base, base + "_signal", base + "_hist"};
      s.make = [a, b, c] {
        return on_close(std::make_shared<macd>(a, b, c), &macd::line, &macd::signal, &macd::histogram);
      };
    } else if (n == "bb") {
      want(2, "bb:PERIOD:K");
      int p = whole(entry, s.params[0]);
      double k = real(entry, s.params[1]);
      s.columns = {base + "_upper", base + "_middle", base + "_lower"};
      s.make = [p, k] {
        return on_close(std::make_shared<bollinger>(p, k), &bollinger::upper, &bollinger::middle,
                        &bollinger::lower);
      };
    } else if (n == "atr") {
      want(1, "atr:PERIOD");
      int p = whole(entry, s.params[0]);
      s.columns = {base};
      s.make = [p] { return on_bar(std::make_shared<atr>(p), &atr::value); };
    } else if (n == "adx") {
      want(1, "adx:PERIOD");
      int p = whole(entry, s.params[0]);
      s.columns = {base, base + "_plus_di", base + "_minus_di"};
      s.make = [p] {
        return on_bar(std::make_shared<adx>(p), &adx::value, &adx::plus_di, &adx::minus_di);
      };
    } else if (n == "stoch") {
      want(3, "stoch:PERIOD:SMOOTHING:D");
      int a = whole(entry, s.params[0]), b = whole(entry, s.params[1]), c = whole(entry, s.params[2]);
      s.columns = {base + "_k", base + "_d"};
      s.make = [a, b, c] {
        return on_bar(std::make_shared<stochastic>(a, b, c), &stochastic::k, &stochastic::d);
      };
    } else if (n == "obv") {
      want(0, "obv (no parameters)");
      s.columns = {base};
      s.make = [] { return on_bar(std::make_shared<obv>(), &obv::value); };
    } else if (n == "vwap") {
      want(0, "vwap (no parameters: the session VWAP, reset each day)");
      s.columns = {base};
      s.make = [] {
        auto v = std::make_shared<session_vwap>();
        return column_group{[v](const bar_input& b, int64_t day) { v->update(b, day); },
                            [v](std::vector<double>& out) { out.push_back(v->value()); }};
      };
    } else if (n == "rvwap" || n == "volratio" || n == "breakout") {
      want(1, (n + ":PERIOD").c_str());
      int p = whole(entry, s.params[0]);
      if (n == "rvwap") {
        s.columns = {base};
        s.make = [p] { return on_bar(std::make_shared<rolling_vwap>(p), &rolling_vwap::value); };
      } else if (n == "volratio") {
        s.columns = {base};
        s.make = [p] {
          auto v = std::make_shared<volume_ratio>(p);
          return column_group{[v](const bar_input& b, int64_t) { v->update(b); },
                              [v](std::vector<double>& out) { out.push_back(v->value()); }};
        };
      } else {
        s.columns = {base, base + "_prior_high", base + "_prior_low"};
        s.make = [p] {
          return on_bar(std::make_shared<breakout>(p), &breakout::value, &breakout::prior_high,
                        &breakout::prior_low);
        };
      }
    } else if (n == "rvol") {
      if (s.params.size() != 1 && s.params.size() != 2)
        throw std::invalid_argument("--indicators: " + entry + ": expected rvol:PERIOD[:PER_YEAR]");
      int p = whole(entry, s.params[0]);
      double year = s.params.size() == 2 ? real(entry, s.params[1]) : 1.0;
      s.columns = {base};
      s.make = [p, year] {
        return on_close(std::make_shared<realized_volatility>(p, year), &realized_volatility::value);
      };
    } else if (n == "gap") {
      want(0, "gap (no parameters)");
      s.columns = {"gap_pct"};
      s.make = [] { return on_bar(std::make_shared<gap_percent>(), &gap_percent::value); };
    } else {
      throw std::invalid_argument(
        "--indicators: unknown indicator \"" + n
        + "\" (known: sma ema wma rsi macd bb atr adx stoch obv vwap rvwap stdev zscore rvol "
          "breakout gap volratio roc)");
    }
    specs.push_back(std::move(s));
  }
  if (specs.empty())
    throw std::invalid_argument("--indicators: the list is empty");
  return specs;
}

void print_value(std::ostream& out, double v) {
  out << ',';
  if (std::isfinite(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    out << buf;
  }
}

} // namespace

std::vector<std::string> indicator_columns(const std::string& list) {
  std::vector<std::string> cols;
  for (auto& s : parse_list(list))
    cols.insert(cols.end(), s.columns.begin(), s.columns.end());
  return cols;
}

int signals_command(const std::vector<std::string>& files, const std::string& list,
                    std::ostream& out, std::ostream& err) {
  std::vector<indicator_spec> specs;
  try {
    specs = parse_list(list);
  } catch (const std::invalid_argument& e) {
    err << "osprey signals: " << e.what() << "\n";
    return 2;
  }
  try {
    symbol_table symbols;
    csv_replay replay{files, csv_replay_options{}, symbols};
    std::map<uint32_t, std::vector<column_group>> live; // per symbol
    bool header = false;
    msg m;
    std::vector<double> values;
    while (replay.next(m)) {
      auto bar = m.as<fb::Bar>();
      if (!bar)
        continue; // trades and quotes carry no bar
      bool intraday = bar->interval_s() < 86'400;
      if (!header) {
        out << (intraday ? "date,time,symbol" : "date,symbol");
        for (auto& s : specs)
          for (auto& c : s.columns)
            out << ',' << c;
        out << '\n';
        header = true;
      }
      auto& groups = live[bar->symbol()];
      if (groups.empty())
        for (auto& s : specs)
          groups.push_back(s.make());
      ind::bar_input in{price{bar->open()}.dollars(), price{bar->high()}.dollars(),
                        price{bar->low()}.dollars(), price{bar->close()}.dollars(),
                        static_cast<double>(bar->volume())};
      // Intraday bars: the session is the UTC day of the bar's start.
      auto day = (m.ts_event() - 1) / 86'400'000'000'000;
      values.clear();
      for (auto& g : groups) {
        g.update(in, day);
        g.values(values);
      }
      auto when = csv::format_time(m.ts_event());
      auto t = when.find('T');
      if (intraday)
        out << when.substr(0, t) << ',' << when.substr(t + 1, 8);
      else
        out << when.substr(0, t);
      out << ',' << symbols.name(symbol_id{bar->symbol()});
      for (auto v : values)
        print_value(out, v);
      out << '\n';
    }
    for (auto& p : replay.report().problems)
      err << "osprey signals: skipped " << p << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "osprey signals: " << e.what() << "\n";
    return 1;
  }
}

} // namespace osprey
