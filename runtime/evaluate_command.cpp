#include "runtime/evaluate_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "actors/narrative.hpp"
#include "actors/run_features.hpp"
#include "adapters/csv_fields.hpp"
#include "runtime/history_store.hpp"
#include "runtime/json_text.hpp"

namespace osprey {

namespace {

std::string number(double x) {
  if (!std::isfinite(x))
    return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

std::string date_of(int64_t ts) {
  return csv::format_time(ts).substr(0, 10);
}

struct evaluation {
  std::string ticker;
  int64_t ts = 0;
  run_score score;
  upside_band band;
  std::vector<comparable> setups;
};

void print_text(std::ostream& out, const evaluation& e) {
  char line[256];
  std::snprintf(line, sizeof line, "%s as of %s: run score %.1f — %s\n", e.ticker.c_str(),
                date_of(e.ts).c_str(), e.score.score, to_string(e.score.call));
  out << line;
  for (auto& p : e.score.pillars) {
    if (!p.present) {
      out << "  " << p.name << ": absent (no inputs), left out of the score\n";
      continue;
    }
    std::snprintf(line, sizeof line, "  %s %.1f\n", p.name.c_str(), p.score);
    out << line;
    for (auto& s : p.parts) {
      std::snprintf(line, sizeof line, "    %-26s %5.1f  %s\n", s.name.c_str(), s.score,
                    s.evidence.c_str());
      out << line;
    }
  }
  auto known = static_cast<size_t>(
    std::count_if(e.setups.begin(), e.setups.end(),
                  [](const comparable& c) { return std::isfinite(c.forward_return); }));
  if (e.setups.empty()) {
    out << "  upside band: no comparable set-ups in the history\n";
    return;
  }
  if (std::isnan(e.band.median)) {
    out << "  upside band: no comparable set-ups with a known outcome\n";
  } else {
    std::snprintf(line, sizeof line,
                  "  upside band: %+.1f%% .. %+.1f%% (median %+.1f%%) from %zu comparable set-ups\n",
                  e.band.low * 100, e.band.high * 100, e.band.median * 100, known);
    out << line;
  }
  for (auto& c : e.setups) {
    if (std::isfinite(c.forward_return))
      std::snprintf(line, sizeof line, "    %s  distance %.2f  then %+.1f%%  (%s, %s)\n",
                    date_of(c.ts).c_str(), c.distance, c.forward_return * 100, c.ticker.c_str(),
                    to_string(c.source));
    else
      std::snprintf(line, sizeof line,
                    "    %s  distance %.2f  outcome not yet known  (%s, %s)\n",
                    date_of(c.ts).c_str(), c.distance, c.ticker.c_str(), to_string(c.source));
    out << line;
  }
}

std::string to_json(const evaluation& e) {
  std::ostringstream j;
  j << "{\"ticker\": " << json_string(e.ticker) << ", \"date\": " << json_string(date_of(e.ts))
    << ", \"run_score\": " << number(e.score.score)
    << ", \"verdict\": " << json_string(to_string(e.score.call)) << ", \"pillars\": [";
  for (size_t k = 0; k < e.score.pillars.size(); ++k) {
    auto& p = e.score.pillars[k];
    j << (k ? ", " : "") << "{\"name\": " << json_string(p.name)
      << ", \"present\": " << (p.present ? "true" : "false") << ", \"score\": " << number(p.score)
      << ", \"parts\": [";
    for (size_t s = 0; s < p.parts.size(); ++s)
      j << (s ? ", " : "") << "{\"name\": " << json_string(p.parts[s].name)
        << ", \"score\": " << number(p.parts[s].score)
        << ", \"evidence\": " << json_string(p.parts[s].evidence) << "}";
    j << "]}";
  }
  j << "], \"upside_band\": {\"low\": " << number(e.band.low)
    << ", \"median\": " << number(e.band.median) << ", \"high\": " << number(e.band.high)
    << "}, \"comparables\": [";
  for (size_t c = 0; c < e.setups.size(); ++c) {
    auto& s = e.setups[c];
    j << (c ? ", " : "") << "{\"date\": " << json_string(date_of(s.ts))
      << ", \"distance\": " << number(s.distance)
      << ", \"forward_return\": " << number(s.forward_return)
      << ", \"ticker\": " << json_string(s.ticker)
      << ", \"source\": " << json_string(to_string(s.source)) << "}";
  }
  j << "]}";
  return j.str();
}

narrative_features narrative_of(const evaluation_inputs& in, const std::string& ticker,
                                int64_t ts, const evaluate_options& opts) {
  narrative_params np;
  np.window_ns = opts.news_window_ns;
  np.baseline_ns = opts.news_baseline_ns;
  narrative_tracker tracker{np};
  int bullish = 0, bearish = 0;
  bool any_news = false;
  for (auto& item : in.news) {
    if (item.ts > ts || !mentions(item, ticker))
      continue;
    tracker.mention(0, item.ts, item.reading.sentiment);
    if (item.ts > ts - opts.news_window_ns) {
      bullish += item.reading.bullish_events;
      bearish += item.reading.bearish_events;
    }
    any_news = true;
  }
  narrative_features nf;
  if (any_news) {
    auto nm = tracker.metrics(0, ts);
    nf.mentions = nm.mentions_window;
    nf.velocity = nm.velocity;
    if (nm.mentions_window) {
      nf.sentiment = nm.sentiment;
      nf.sentiment_trend = nm.sentiment_trend;
      nf.positive_events = bullish;
      nf.negative_events = bearish;
    }
  }
  return nf;
}

/// Block trades of `ticker` on `day`; missing when it has no trade that day.
double block_trades_of(const evaluation_inputs& in, const std::string& ticker, int64_t day,
                       const evaluate_options& opts) {
  auto it = in.trades.find(ticker);
  if (it == in.trades.end())
    return missing;
  bool traded = std::any_of(it->second.begin(), it->second.end(), [day](const trade_print& t) {
    return utc_day_of(t.ts) == day;
  });
  if (!traded)
    return missing;
  block_rules rules{opts.block_shares, opts.block_notional.micros};
  return static_cast<double>(count_block_trades(it->second, day, rules));
}

/// Past stored evaluations as comparable candidates: the latest of each
/// (ticker, day) on or before today, except days the ticker's own bars
/// already cover, each with its outcome when the bars `horizon` days after
/// it are loaded and not later than today.
std::vector<setup_candidate> past_candidates(const evaluation_inputs& in,
                                             const std::string& ticker, int64_t ts,
                                             const evaluate_options& opts) {
  auto today = utc_day_of(ts);
  std::map<std::pair<std::string, int64_t>, const evaluation_record*> latest;
  for (auto& r : in.past)
    if (r.features.size() == std::tuple_size_v<setup_point> && utc_day_of(r.ts) <= today)
      latest[{r.ticker, utc_day_of(r.ts)}] = &r;
  auto bar_on = [&in](const std::string& symbol, int64_t day) -> std::optional<size_t> {
    auto it = in.bars.find(symbol);
    if (it == in.bars.end())
      return std::nullopt;
    auto& b = it->second;
    auto at = std::lower_bound(b.begin(), b.end(), day,
                               [](const daily_bar& x, int64_t d) { return x.ts < d; });
    if (at == b.end() || utc_day_of(at->ts) != day)
      return std::nullopt;
    return static_cast<size_t>(at - b.begin());
  };
  std::vector<setup_candidate> pool;
  for (auto& [key, r] : latest) {
    auto& [symbol, day] = key;
    if (symbol == ticker && (day == today || bar_on(symbol, day)))
      continue;
    setup_candidate c;
    std::copy(r->features.begin(), r->features.end(), c.features.begin());
    c.about.ticker = symbol;
    c.about.ts = r->ts;
    c.about.source = setup_source::past_evaluation;
    c.about.forward_return = missing;
    if (auto j = bar_on(symbol, day)) {
      auto& b = in.bars.at(symbol);
      if (*j + opts.horizon < b.size() && b[*j + opts.horizon].ts <= ts && b[*j].close > 0)
        c.about.forward_return = b[*j + opts.horizon].close / b[*j].close - 1.0;
    }
    pool.push_back(std::move(c));
  }
  return pool;
}

} // namespace

evaluation_inputs load_inputs(const evaluate_options& opts, const headline_reader& read_headline,
                              const history_store* history, std::ostream& err) {
  auto in = load_evaluation_inputs({opts.data, opts.news, opts.options, opts.fundamentals},
                                   read_headline, err);
  if (history)
    in.past = history->all();
  return in;
}

ticker_evaluation evaluate_ticker(const evaluation_inputs& in, const std::string& ticker,
                                  const evaluate_options& opts) {
  ticker_evaluation out;
  out.ticker = ticker;
  auto it = in.bars.find(ticker);
  if (it == in.bars.end() || it->second.empty()) {
    out.code = 1;
    out.error = "no daily bars for ";
    out.error += ticker;
    out.error += " in the --data files";
    return out;
  }
  auto& bars = it->second;
  evaluation e;
  e.ticker = ticker;
  auto i = bars.size() - 1;
  e.ts = bars[i].ts;
  // The evaluation day is the UTC date of the last bar's close.
  auto day = utc_day_of(e.ts);
  auto inst = institutional_at(bars, i);
  inst.block_trades = block_trades_of(in, ticker, day, opts);
  inst.options_call_put_oi = call_put_oi_ratio(in.options, ticker, day);
  auto other = other_at(bars, i);
  fill_fundamentals(in.fundamentals, ticker, day, other);
  e.score = score_run(inst, narrative_of(in, ticker, e.ts, opts), other, opts.weights);

  auto today = setup_features_at(bars, i);
  auto pool = history_candidates(bars, i, opts.horizon, ticker);
  auto past = past_candidates(in, ticker, e.ts, opts);
  pool.insert(pool.end(), std::make_move_iterator(past.begin()),
              std::make_move_iterator(past.end()));
  e.setups = nearest_setups(today, pool, opts.comparables);
  e.band = band_of(e.setups);

  std::ostringstream text;
  print_text(text, e);
  out.text = text.str();
  out.json = to_json(e);
  out.record = {e.ts, ticker, e.score.score, to_string(e.score.call), e.score.pillars[0].score,
                e.score.pillars[1].score, e.score.pillars[2].score, out.json, {}};
  if (complete(today))
    out.record.features.assign(today.begin(), today.end());
  return out;
}

int emit_evaluations(const std::vector<ticker_evaluation>& results, bool json,
                     history_store* history, std::ostream& out, std::ostream& err) {
  int code = 0;
  bool first = true;
  if (json)
    out << "[";
  for (auto& r : results) {
    if (r.code) {
      err << "osprey evaluate: " << r.error << "\n";
      code = 1;
      continue;
    }
    if (json)
      out << (first ? "" : ",\n ") << r.json;
    else
      out << r.text;
    first = false;
    if (history)
      history->add(r.record);
  }
  if (json)
    out << "]\n";
  return code;
}

int evaluate_command(const evaluate_options& opts, const headline_reader& read_headline,
                     std::ostream& out, std::ostream& err) {
  if (opts.tickers.empty()) {
    err << "osprey evaluate: name at least one ticker\n";
    return 2;
  }
  if (opts.data.empty()) {
    err << "osprey evaluate: give the tickers' daily bars with --data FILE...\n";
    return 2;
  }
  try {
    std::unique_ptr<history_store> history;
    if (!opts.history_path.empty())
      history = std::make_unique<history_store>(opts.history_path);
    auto in = load_inputs(opts, read_headline, history.get(), err);
    std::vector<ticker_evaluation> results;
    for (auto& ticker : opts.tickers)
      results.push_back(evaluate_ticker(in, ticker, opts));
    return emit_evaluations(results, opts.json, history.get(), out, err);
  } catch (const std::exception& ex) {
    err << "osprey evaluate: " << ex.what() << "\n";
    return 1;
  }
}

int history_command(const std::string& ticker, const std::string& history_path,
                    std::ostream& out, std::ostream& err) {
  try {
    history_store h{history_path};
    auto rows = h.of(ticker);
    if (rows.empty()) {
      out << "no evaluations of " << ticker << " in " << history_path << "\n";
      return 0;
    }
    char line[160];
    for (auto& r : rows) {
      std::snprintf(line, sizeof line,
                    "%s %s run score %5.1f %-15s institutional %5.1f narrative %5.1f other %5.1f\n",
                    date_of(r.ts).c_str(), r.ticker.c_str(), r.score, r.verdict.c_str(),
                    r.institutional, r.narrative, r.other);
      out << line;
    }
    return 0;
  } catch (const std::exception& ex) {
    err << "osprey history: " << ex.what() << "\n";
    return 1;
  }
}

} // namespace osprey
