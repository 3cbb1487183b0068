#include "runtime/optimize_command.hpp"
#include "runtime/text_fields.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "messages/symbol_table.hpp"
#include "runtime/backtest_metrics.hpp"
#include "runtime/json_text.hpp"
#include "runtime/market_feed.hpp"

namespace osprey {

namespace {



void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty())
    return;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

/// "strategy.volume_factor" -> "strategy__volume_factor".
std::string internal_name(const std::string& key) {
  std::string n = key;
  replace_all(n, ".", "__");
  return n;
}

/// The shortest text that reads back as `v`.
std::string number_text(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string{buf, p} : std::string{"nan"};
}

std::string json_num(double v) {
  return std::isfinite(v) ? number_text(v) : std::string{"null"};
}

/// Micro-units as a decimal with six places: "123.456700", exact.
std::string micros_text(int64_t micros) {
  std::string s;
  uint64_t mag = micros < 0 ? uint64_t(0) - static_cast<uint64_t>(micros)
                            : static_cast<uint64_t>(micros);
  if (micros < 0)
    s += '-';
  s += std::to_string(mag / 1'000'000);
  s += '.';
  auto frac = std::to_string(mag % 1'000'000);
  s.append(6 - frac.size(), '0');
  s += frac;
  return s;
}

/// A stream that drops everything (run_backtest's progress output).
class null_buffer final : public std::streambuf {
protected:
  int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
};

/// Temporary CSV files of one walk-forward, removed with it.
class scratch_files {
public:
  scratch_files() {
    static std::atomic<uint64_t> next{0};
    std::string name = "osprey-wf-";
    name += std::to_string(::getpid());
    name += '-';
    name += std::to_string(next++);
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir_);
  }
  ~scratch_files() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  scratch_files(const scratch_files&) = delete;
  scratch_files& operator=(const scratch_files&) = delete;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

private:
  std::filesystem::path dir_;
};

search_settings parsed_settings(const optimize_options& opts) {
  auto s = opts.search;
  s.method = parse_search_method(opts.method);
  auto known = optimize_metric_names();
  s.objective = parse_objective(opts.objective, known);
  s.constraints.clear();
  if (!trim(opts.constraints).empty())
    s.constraints = parse_constraints(opts.constraints, known);
  return s;
}

/// Base options for one quiet trial.
backtest_options quiet(backtest_options o) {
  o.progress = false;
  o.json = false;
  o.journal_path.clear();
  o.report_path.clear();
  o.keep_prices = false;
  return o;
}

} // namespace

// ------------------------------------------------------------ the space --

config_space parse_config_space(std::string_view text) {
  config_space cs;
  std::string rewritten;
  std::vector<std::pair<std::string, std::string>> renames; // internal -> key
  if (trim(text).empty())
    throw std::invalid_argument("--params is empty: give e.g. strategy.volume_factor=1..3:0.5");
  for (auto& entry : split_trimmed(text, ',')) {
    auto eq = entry.find('=');
    std::string key = trim(std::string_view{entry}.substr(0, eq));
    if (eq != std::string::npos && key.find('.') == std::string::npos) {
      std::string e = "parameter \"";
      e += entry;
      e += "\": name a setting as SECTION.KEY, e.g. strategy.volume_factor";
      throw std::invalid_argument(e);
    }
    std::string name = internal_name(key);
    if (!rewritten.empty())
      rewritten += ',';
    rewritten += name;
    if (eq != std::string::npos)
      rewritten += entry.substr(eq);
    cs.keys.push_back(key);
    renames.emplace_back(name, key);
  }
  try {
    cs.space = parse_param_space(rewritten);
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    for (auto& [name, key] : renames)
      replace_all(what, name, key);
    throw std::invalid_argument(what);
  }
  return cs;
}

void name_by_keys(param_set& params, const config_space& space) {
  for (size_t i = 0; i < params.values.size() && i < space.keys.size(); ++i)
    params.values[i].name = space.keys[i];
}

void name_by_keys(search_result& result, const config_space& space) {
  for (auto& t : result.trials)
    name_by_keys(t.params, space);
}

std::vector<std::string> trial_overrides(const std::vector<std::string>& base,
                                         const param_set& params, const config_space& space) {
  auto out = base;
  for (size_t i = 0; i < params.values.size(); ++i) {
    std::string s = i < space.keys.size() ? space.keys[i] : params.values[i].name;
    s += '=';
    s += params.values[i].text;
    out.push_back(std::move(s));
  }
  return out;
}

param_set first_values(const config_space& space) {
  param_set p;
  for (auto& spec : space.space.params) {
    param_value v;
    v.name = spec.name;
    if (spec.kind == param_kind::choice) {
      v.text = spec.choices.front();
    } else {
      v.number = spec.low;
      v.text = spec.kind == param_kind::integer ? std::to_string(std::llround(spec.low))
                                                : number_text(spec.low);
    }
    p.values.push_back(std::move(v));
  }
  return p;
}

void check_config_space(const backtest_options& base, const config_space& space) {
  auto o = base;
  o.overrides = trial_overrides(base.overrides, first_values(space), space);
  (void)backtest_config(o);
}

// ------------------------------------------------------------ metrics --

std::vector<std::string> optimize_metric_names() {
  auto names = default_metric_names();
  for (const char* extra : {"time_in_market", "end_equity", "commission", "turnover"})
    names.push_back(extra);
  return names;
}

std::map<std::string, double> search_metrics(const backtest_run& run) {
  auto m = metrics_of(run);
  std::map<std::string, double> out;
  out["sharpe"] = m.sharpe;
  out["sortino"] = m.sortino;
  out["cagr"] = m.cagr;
  out["calmar"] = m.calmar;
  out["max_drawdown"] = m.max_drawdown;
  out["total_return"] = m.total_return;
  out["volatility"] = m.volatility;
  out["trades"] = static_cast<double>(m.trades);
  out["win_rate"] = m.win_rate;
  // Wins and no losses: an infinite profit factor, not a missing one.
  out["profit_factor"] =
    m.profit_factor_infinite ? std::numeric_limits<double>::infinity() : m.profit_factor;
  out["exposure"] = m.average_exposure;
  out["time_in_market"] = m.time_in_market;
  out["end_equity"] = m.end_equity;
  out["commission"] = m.commission;
  out["turnover"] = m.turnover;
  return out;
}

objective_fn backtest_objective(const backtest_options& base, const config_space& space) {
  auto o = quiet(base);
  return [o, space](const param_set& p) {
    auto opts = o;
    opts.overrides = trial_overrides(o.overrides, p, space);
    null_buffer nb;
    std::ostream silent{&nb};
    trial_result r;
    r.metrics = search_metrics(run_backtest(opts, silent));
    return r;
  };
}

std::string set_line(const param_set& params) {
  std::string s;
  for (auto& v : params.values) {
    if (!s.empty())
      s += ' ';
    s += "--set ";
    s += v.name;
    s += '=';
    s += v.text;
  }
  return s;
}

// ------------------------------------------------------------ search --

search_result optimize_backtests(const optimize_options& opts) {
  auto space = parse_config_space(opts.params);
  auto settings = parsed_settings(opts);
  check_config_space(opts.base, space);
  auto r = run_search(space.space, backtest_objective(opts.base, space), settings);
  name_by_keys(r, space);
  return r;
}

// ------------------------------------------------------------ history --

wf_settings parse_walk_forward_spec(std::string_view text, bool anchored) {
  auto parts = split_trimmed(text, ':');
  auto bad = [&](const char* why) {
    std::string e = "--walk-forward \"";
    e += text;
    e += "\": ";
    e += why;
    return std::invalid_argument(e);
  };
  if (parts.size() < 2 || parts.size() > 3)
    throw bad("expected IN_SAMPLE:OUT_OF_SAMPLE[:STEP] in bars, e.g. 500:100");
  std::vector<int64_t> v;
  for (auto& p : parts) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (ec != std::errc{} || end != p.data() + p.size() || n <= 0)
      throw bad("each length must be a whole number of bars above 0");
    v.push_back(n);
  }
  wf_settings s;
  s.unit = wf_unit::bars;
  s.anchored = anchored;
  s.in_sample = v[0];
  s.out_of_sample = v[1];
  s.step = v.size() == 3 ? v[2] : 0;
  return s;
}

bar_history load_bar_history(const backtest_options& base) {
  for (auto& f : base.data)
    if (f.size() < 4 || f.compare(f.size() - 4, 4, ".csv") != 0) {
      std::string e = "walk-forward needs CSV bar files; ";
      e += f;
      e += " is not one";
      throw std::runtime_error(e);
    }
  auto cfg = backtest_config(base);
  symbol_table symbols;
  csv_feed feed{base.data, cfg.replay, symbols, 1};
  bar_history h;
  auto take = [&](int64_t ts, uint32_t s, uint32_t iv, int64_t o, int64_t hi, int64_t lo,
                  int64_t c, int64_t vol) {
    h.bars.push_back({ts, s, iv, o, hi, lo, c, vol});
  };
  while (auto t = feed.peek_time()) {
    auto m = feed.next(*t);
    if (auto b = m.as<fb::Bar>())
      take(m.ts_event(), b->symbol(), b->interval_s(), b->open(), b->high(), b->low(), b->close(),
           b->volume());
    else if (auto batch = m.as<fb::BarBatch>())
      for (auto r : *batch->bars())
        take(r->ts_event(), r->symbol(), r->interval_s(), r->open(), r->high(), r->low(),
             r->close(), r->volume());
  }
  h.symbols = symbols.names();
  if (h.bars.empty())
    throw std::runtime_error("no bars in the --data files");
  std::stable_sort(h.bars.begin(), h.bars.end(),
                   [](const history_bar& a, const history_bar& b) { return a.ts_ns < b.ts_ns; });
  for (auto& b : h.bars)
    if (h.times.empty() || h.times.back() != b.ts_ns)
      h.times.push_back(b.ts_ns);
  return h;
}

size_t write_history_csv(const std::string& path, const bar_history& h, int64_t from_ns,
                         int64_t to_ns, std::optional<uint32_t> only_symbol) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  if (!out) {
    std::string e = "cannot write the temporary file ";
    e += path;
    throw std::runtime_error(e);
  }
  out << "ts_event,symbol,kind,interval_s,open,high,low,close,volume\n";
  auto first = std::lower_bound(h.bars.begin(), h.bars.end(), from_ns,
                                [](const history_bar& b, int64_t t) { return b.ts_ns < t; });
  size_t rows = 0;
  for (auto it = first; it != h.bars.end() && it->ts_ns <= to_ns; ++it) {
    if (only_symbol && it->symbol != *only_symbol)
      continue;
    ++rows;
    out << it->ts_ns << ',' << h.symbols.at(it->symbol) << ",bar," << it->interval_s << ','
        << micros_text(it->open) << ',' << micros_text(it->high) << ',' << micros_text(it->low)
        << ',' << micros_text(it->close) << ',' << to_string(quantity::from_nanos(it->volume)) << '\n';
  }
  if (!out.flush()) {
    std::string e = "cannot write the temporary file ";
    e += path;
    throw std::runtime_error(e);
  }
  return rows;
}

// ------------------------------------------------------------ walk-forward --

walk_forward_run walk_forward_backtests(const optimize_options& opts, std::ostream& log) {
  auto space = parse_config_space(opts.params);
  auto settings = parsed_settings(opts);
  check_config_space(opts.base, space);
  walk_forward_run run;
  run.settings = parse_walk_forward_spec(opts.walk_forward, opts.anchored);
  run.settings.metric = opts.wf_metric;
  run.settings.per_bar = true; // a 500-bar return and a 100-bar return compared per bar
  run.starting_cash = backtest_config(opts.base).orders.starting_cash.dollars();
  run.settings.initial_equity = run.starting_cash;

  auto history = load_bar_history(opts.base);
  run.times = history.times;
  run.windows = plan_walk_forward(history.times, run.settings);
  scratch_files scratch;
  auto base = quiet(opts.base);
  auto window_file = [&](const char* kind, size_t index, size_t begin, size_t end) {
    // One file per symbol that has bars in the range (see write_history_csv).
    auto o = base;
    o.data.clear();
    for (uint32_t sym = 0; sym < history.symbols.size(); ++sym) {
      std::string name = kind;
      name += std::to_string(index);
      name += '_';
      name += std::to_string(sym);
      name += ".csv";
      auto path = scratch.path(name);
      if (write_history_csv(path, history, history.times.at(begin), history.times.at(end - 1),
                            sym) > 0)
        o.data.push_back(path);
    }
    return o;
  };

  auto optimise = [&](const wf_window& w) {
    auto is = window_file("is", w.index, w.is_begin, w.is_end);
    auto r = run_search(space.space, backtest_objective(is, space), settings);
    log << "window " << w.index << ": " << r.trials.size() << " trials on bars " << w.is_begin
        << ".." << w.is_end << ", " << r.feasible_count << " feasible\n";
    if (!r.best) {
      std::string e = "walk-forward window ";
      e += std::to_string(w.index);
      e += ": no in-sample trial is feasible (loosen --constrain or widen --params)";
      throw std::runtime_error(e);
    }
    wf_in_sample_result out;
    out.params = r.best_trial().params;
    name_by_keys(out.params, space);
    out.metrics = r.best_trial().metrics;
    return out;
  };
  auto evaluate = [&](const wf_window& w, const param_set& p) {
    // The in-sample bars go first and only warm the indicators: the
    // out-of-sample window trades from its first bar with them ready, as
    // it would have live.
    auto oos = window_file("oos", w.index, std::min(w.is_begin, w.oos_begin), w.oos_end);
    oos.from_ns = history.times.at(w.oos_begin);
    oos.overrides = trial_overrides(oos.overrides, p, space);
    null_buffer nb;
    std::ostream silent{&nb};
    auto bt = run_backtest(oos, silent);
    wf_out_of_sample_result out;
    out.metrics = search_metrics(bt);
    out.equity.reserve(bt.curve.size());
    for (auto& pt : bt.curve)
      out.equity.push_back(pt.equity.dollars());
    return out;
  };
  run.report = run_walk_forward(run.windows, optimise, evaluate, run.settings);
  return run;
}

namespace {

double stitched_return(const walk_forward_run& r) {
  auto& e = r.report.stitched_equity;
  return e.empty() || !(e.front() > 0) ? std::nan("") : e.back() / e.front() - 1;
}

void write_metric_map(std::ostream& out, const std::map<std::string, double>& m) {
  out << '{';
  bool first = true;
  for (auto& [k, v] : m) {
    out << (first ? "" : ",") << json_string(k) << ':' << json_num(v);
    first = false;
  }
  out << '}';
}

} // namespace

void write_walk_forward_text(std::ostream& out, const walk_forward_run& r) {
  out << format_walk_forward_text(r.report, r.settings);
  if (!r.report.stitched_equity.empty()) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "stitched out-of-sample equity: %.2f -> %.2f (total return %.2f%%)\n",
                  r.report.stitched_equity.front(), r.report.stitched_equity.back(),
                  100 * stitched_return(r));
    out << buf;
  }
  for (size_t k = 0; k < r.report.windows.size(); ++k)
    out << "window " << k << ": " << set_line(r.report.windows[k].params) << "\n";
}

void write_walk_forward_json(std::ostream& out, const walk_forward_run& r) {
  auto& rep = r.report;
  out << "{\"in_sample_bars\":" << r.settings.in_sample
      << ",\"out_of_sample_bars\":" << r.settings.out_of_sample
      << ",\"step\":" << (r.settings.step ? r.settings.step : r.settings.out_of_sample)
      << ",\"anchored\":" << (r.settings.anchored ? "true" : "false")
      << ",\"metric\":" << json_string(r.settings.metric) << ",\"windows\":[";
  for (size_t k = 0; k < rep.windows.size(); ++k) {
    auto& w = rep.windows[k];
    auto t = [&](size_t i) { return i < r.times.size() ? r.times[i] : 0; };
    out << (k ? "," : "") << "{\"index\":" << w.window.index
        << ",\"in_sample\":{\"begin\":" << w.window.is_begin << ",\"end\":" << w.window.is_end
        << ",\"from_ns\":" << t(w.window.is_begin) << ",\"to_ns\":" << t(w.window.is_end - 1)
        << ",\"metrics\":";
    write_metric_map(out, w.in_sample);
    out << "},\"out_of_sample\":{\"begin\":" << w.window.oos_begin
        << ",\"end\":" << w.window.oos_end << ",\"from_ns\":" << t(w.window.oos_begin)
        << ",\"to_ns\":" << t(w.window.oos_end - 1) << ",\"metrics\":";
    write_metric_map(out, w.out_of_sample);
    out << "},\"params\":{";
    for (size_t i = 0; i < w.params.values.size(); ++i)
      out << (i ? "," : "") << json_string(w.params.values[i].name) << ':'
          << json_string(w.params.values[i].text);
    out << "},\"set\":" << json_string(set_line(w.params))
        << ",\"efficiency\":" << json_num(w.efficiency) << '}';
  }
  out << "],\"efficiency\":" << json_num(rep.efficiency)
      << ",\"mean_in_sample\":" << json_num(rep.mean_in_sample)
      << ",\"mean_out_of_sample\":" << json_num(rep.mean_out_of_sample)
      << ",\"stitched\":{\"start\":"
      << json_num(rep.stitched_equity.empty() ? std::nan("") : rep.stitched_equity.front())
      << ",\"final\":"
      << json_num(rep.stitched_equity.empty() ? std::nan("") : rep.stitched_equity.back())
      << ",\"total_return\":" << json_num(stitched_return(r)) << ",\"window_starts\":[";
  for (size_t i = 0; i < rep.window_starts.size(); ++i)
    out << (i ? "," : "") << rep.window_starts[i];
  out << "],\"equity\":[";
  for (size_t i = 0; i < rep.stitched_equity.size(); ++i)
    out << (i ? "," : "") << json_num(rep.stitched_equity[i]);
  out << "]},\"stability\":[";
  for (size_t i = 0; i < rep.stability.size(); ++i) {
    auto& s = rep.stability[i];
    out << (i ? "," : "") << "{\"name\":" << json_string(s.name) << ",\"mean\":"
        << json_num(s.mean) << ",\"stddev\":" << json_num(s.stddev) << ",\"cv\":"
        << json_num(s.cv) << ",\"changes\":" << s.changes << '}';
  }
  out << "]}";
}

// ------------------------------------------------------------ command --

int optimize_command(const optimize_options& opts, std::ostream& out, std::ostream& err) {
  try {
    if (!opts.walk_forward.empty()) {
      null_buffer nb;
      std::ostream silent{&nb};
      auto r = walk_forward_backtests(opts, opts.json ? silent : err);
      if (opts.json)
        write_walk_forward_json(out, r);
      else
        write_walk_forward_text(out, r);
      out << (opts.json ? "\n" : "");
      return 0;
    }
    auto r = optimize_backtests(opts);
    std::string best = r.best ? set_line(r.best_trial().params) : std::string{};
    if (opts.json) {
      out << "{\"search\":" << format_search_json(r) << ",\"best_set\":"
          << (r.best ? json_string(best) : std::string{"null"}) << "}\n";
    } else {
      out << format_search_text(r, opts.top);
      if (r.best)
        out << "best: " << best << "\n";
    }
    if (!r.best) {
      err << "osprey optimize: no trial is feasible";
      if (!r.trials.empty() && !r.trials.front().error.empty())
        err << " (the first trial failed: " << r.trials.front().error << ")";
      err << "\n";
      return 1;
    }
    return 0;
  } catch (const config_error& e) {
    err << "osprey optimize: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    err << "osprey optimize: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "osprey optimize: " << e.what() << "\n";
    return 1;
  }
}

} // namespace osprey
