#include "runtime/backtest_command.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "adapters/csv_fields.hpp"
#include "messages/msg_builder.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/backtest_report.hpp"
#include "runtime/engine.hpp"
#include "runtime/journal_writer.hpp"
#include "runtime/market_feed.hpp"
#include "runtime/progress_bar.hpp"

namespace osprey {

namespace {

/// Every journal record goes to the ledger, and to the journal file if any.
class ledger_sink final : public msg_sink {
public:
  ledger_sink(backtest_ledger& ledger, msg_sink* journal) : ledger_(ledger), journal_(journal) {}
  void push(const msg& m) override {
    ledger_.record(m);
    orders_ += m.type() == fb::Payload::SubmitOrder;
    denied_ += m.type() == fb::Payload::OrderDenied;
    if (journal_)
      journal_->push(m);
  }
  uint64_t orders_ = 0, denied_ = 0;

private:
  backtest_ledger& ledger_;
  msg_sink* journal_;
};

/// Lines in the files, less their headers: the progress bar's total.
uint64_t rows_in(const std::vector<std::string>& files) {
  uint64_t rows = 0;
  for (auto& f : files) {
    std::ifstream in{f, std::ios::binary};
    uint64_t lines = 0;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      for (std::streamsize i = 0; i < in.gcount(); ++i)
        lines += buf[i] == '\n';
    }
    rows += lines > 0 ? lines - 1 : 0;
  }
  return rows;
}

const char* name_of(bar_fill f) {
  switch (f) {
    case bar_fill::none: return "next quote";
    case bar_fill::next_open: return "next bar's open";
    case bar_fill::next_close: return "next bar's close";
    case bar_fill::same_close: return "same bar's close (look-ahead)";
  }
  return "?";
}

const char* name_of(end_policy e) {
  switch (e) {
    case end_policy::close_at_last_close: return "closed at the last bar's close";
    case end_policy::close_at_last_open: return "closed at the last bar's open";
    case end_policy::keep_open: return "kept open, marked to the last close";
  }
  return "?";
}

/// Interns every symbol of files in osprey's own layout before the run: the
/// engine is built for a fixed list (the risk controller refuses symbols it
/// was not told of), and such files name their symbols only as rows come.
void intern_symbols_ahead(const std::vector<std::string>& files, symbol_table& symbols) {
  for (auto& f : files) {
    std::ifstream in{f};
    std::string line;
    if (!std::getline(in, line) || line.rfind("ts_event,symbol,kind", 0) != 0)
      continue;
    while (std::getline(in, line)) {
      auto a = line.find(',');
      auto b = a == std::string::npos ? a : line.find(',', a + 1);
      if (b != std::string::npos && b > a + 1)
        symbols.intern(std::string_view{line}.substr(a + 1, b - a - 1));
    }
  }
}

/// "trend", or "trend + breakout_b" for strategies side by side.
std::string strategy_names(const engine_config& c) {
  std::string names;
  for (auto& slot : strategy_slots(c)) {
    if (!names.empty())
      names += " + ";
    names += slot.name;
  }
  return names;
}

/// Keeps every bar by symbol, for the report's price charts.
void keep_prices(backtest_run& run, const msg& m) {
  auto take = [&](uint32_t s, int64_t ts, int64_t o, int64_t h, int64_t l, int64_t c,
                  uint32_t interval) {
    if (run.prices.size() <= s)
      run.prices.resize(s + 1);
    run.prices[s].push_back({ts, price{o}, price{h}, price{l}, price{c}});
    if (!run.bar_interval_s)
      run.bar_interval_s = interval;
  };
  if (auto b = m.as<fb::Bar>())
    take(b->symbol(), m.ts_event(), b->open(), b->high(), b->low(), b->close(), b->interval_s());
  else if (auto batch = m.as<fb::BarBatch>())
    for (auto r : *batch->bars())
      take(r->symbol(), r->ts_event(), r->open(), r->high(), r->low(), r->close(),
           r->interval_s());
}

} // namespace

engine_config backtest_config(const backtest_options& opts) {
  // Without a file: the defaults, with the desk's stop-outs off.
  static constexpr const char* defaults = "[risk]\n"
                                          "daily_loss_soft = 0.0\n"
                                          "daily_loss_hard = 0.0\n"
                                          "drawdown_soft = 0.0\n"
                                          "drawdown_hard = 0.0\n";
  auto c = opts.config_path.empty()
             ? parse_config(defaults, "(backtest defaults)", opts.overrides)
             : load_config(opts.config_path, opts.overrides);
  c.scheduler.profile = latency_profile::deterministic;
  c.clock = clock_kind::event;
  c.max_events.reset();
  c.duration_ns.reset();
  if (opts.fill)
    c.broker.bar_fills = *opts.fill;
  else if (c.broker.bar_fills == bar_fill::none)
    c.broker.bar_fills = bar_fill::next_open;
  return c;
}

backtest_run run_backtest(const backtest_options& opts, std::ostream& progress_out) {
  if (opts.data.empty())
    throw std::runtime_error("no data: give the bars with --data FILE.csv...");
  auto cfg = backtest_config(opts);

  // CSV files, or one journal (a recorded run's market events, as they came).
  std::unique_ptr<market_feed> source;
  csv_feed* csv = nullptr;
  symbol_table symbols; // the feed interns into it as it reads
  auto is_csv = [](const std::string& p) {
    return p.size() > 4 && p.compare(p.size() - 4, 4, ".csv") == 0;
  };
  uint64_t rows = 0;
  if (opts.data.size() == 1 && !is_csv(opts.data[0])) {
    std::vector<std::string> names;
    source = std::make_unique<journal_feed>(opts.data[0], names);
    cfg.market.symbols = names;
    if (!opts.fill)
      cfg.broker.bar_fills = bar_fill::none; // a recorded run's quotes fill, as they did
  } else {
    intern_symbols_ahead(opts.data, symbols);
    auto f = std::make_unique<csv_feed>(opts.data, cfg.replay, symbols,
                                        std::max<uint32_t>(1, opts.batch));
    csv = f.get();
    source = std::move(f);
    cfg.market.symbols = symbols.names();
    if (opts.progress && is_terminal(2))
      rows = rows_in(opts.data);
  }
  auto run = replay_backtest(opts, std::move(cfg), *source, rows, progress_out);
  for (auto& p : csv ? csv->report().problems : std::vector<std::string>{}) {
    std::string w = "skipped ";
    w += p;
    run.warnings.push_back(std::move(w));
  }
  // Files in osprey's own layout name their symbols as rows come.
  if (csv && symbols.size() > run.symbols.size())
    run.symbols = symbols.names();
  return run;
}

backtest_run replay_backtest(const backtest_options& opts, engine_config config,
                             market_feed& feed, uint64_t total_rows,
                             std::ostream& progress_out) {
  backtest_run run;
  run.config = std::move(config);
  auto& cfg = run.config;
  if (cfg.broker.bar_fills == bar_fill::same_close)
    run.warnings.push_back(
      "LOOK-AHEAD: fills at the close of the bar that caused each order (same_close); that "
      "price was already past when the decision was made. Use only to compare with tools "
      "that do the same.");
  run.symbols = cfg.market.symbols;
  if (!feed.peek_time())
    throw std::runtime_error("no usable rows in the --data files");
  const int64_t from = opts.from_ns.value_or(INT64_MIN), to = opts.to_ns.value_or(INT64_MAX);
  if (from > to) {
    std::string e = "--from ";
    e += csv::format_time(from);
    e += " is after --to ";
    e += csv::format_time(to);
    throw std::runtime_error(e);
  }
  cfg.trade_from_ns = from;
  const int64_t first_ts = *feed.peek_time();
  int64_t last_ts_seen = first_ts;

  backtest_ledger ledger{run.symbols, cfg.orders.starting_cash};
  std::unique_ptr<journal_writer> journal;
  if (!opts.journal_path.empty()) {
    journal_options jo;
    jo.truncate = true;
    journal = std::make_unique<journal_writer>(opts.journal_path, jo);
    msg_builder b;
    journal->push(b.symbol_directory({}, run.symbols));
  }
  ledger_sink sink{ledger, journal.get()};
  auto broker_cfg = cfg.broker;
  {
    engine eng{cfg, &sink,
               [broker_cfg](msg_sink& reports) {
                 return std::make_unique<sim_broker>(broker_cfg, reports);
               },
               nullptr};
    progress_bar bar{progress_out, total_rows, total_rows > 0};
    uint64_t rows_done = 0;
    bool opened = false;
    while (auto t = feed.peek_time()) {
      if (*t > to)
        break;
      last_ts_seen = *t;
      bool trading = *t >= from;
      if (trading && !opened) {
        ledger.sample(*t - 1); // the opening account, before the first traded bar
        opened = true;
      }
      auto m = feed.next(*t);
      auto batch = m.as<fb::BarBatch>();
      auto rows = batch ? batch->bars()->size() : 1;
      rows_done += rows;
      bool bars = batch || m.type() == fb::Payload::Bar;
      if (bars && !trading)
        run.warm_up_bars += rows;
      if (bars && trading) {
        run.bars += rows;
        if (!run.bar_interval_s)
          run.bar_interval_s = batch ? batch->bars()->Get(0)->interval_s()
                                     : m.as<fb::Bar>()->interval_s();
      }
      ledger.mark(m);
      if (opts.keep_prices)
        keep_prices(run, m);
      eng.inject(std::move(m));
      eng.drain();
      if (trading && feed.peek_time() != t) {
        ledger.sample(*t);
        ++run.steps;
      }
      bar.update(rows_done);
    }
    bar.finish();
    eng.shutdown();
  }
  if (opts.from_ns || opts.to_ns) {
    if (run.bars == 0 && cfg.broker.bar_fills != bar_fill::none) {
      std::string e = "no bars between ";
      e += opts.from_ns ? csv::format_time(from) : "the start";
      e += " and ";
      e += opts.to_ns ? csv::format_time(to) : "the end";
      e += " in the --data files (they start at ";
      e += csv::format_time(first_ts);
      if (!feed.peek_time()) {
        e += " and end at ";
        e += csv::format_time(last_ts_seen);
      }
      e += ")";
      throw std::runtime_error(e);
    }
  }
  if (run.bars == 0 && cfg.broker.bar_fills != bar_fill::none)
    throw std::runtime_error("the --data files hold no bars; to fill on quotes, use --fill next_quote");

  // What is still open at the end.
  auto last_ts = ledger.curve().back().ts_ns;
  switch (opts.end) {
    case end_policy::close_at_last_close:
      ledger.close_all(last_ts, ledger.last_closes(), cfg.broker);
      break;
    case end_policy::close_at_last_open:
      ledger.close_all(last_ts, ledger.last_opens(), cfg.broker);
      break;
    case end_policy::keep_open:
      break;
  }
  run.trades = ledger.trades();
  run.curve = ledger.curve();
  run.fills = ledger.fills();
  run.orders = sink.orders_;
  run.denied = sink.denied_;
  if (journal)
    journal->close();
  return run;
}

backtest_metrics metrics_of(const backtest_run& run) {
  metrics_options mo;
  mo.starting_cash = run.config.orders.starting_cash;
  mo.periods_per_year =
    run.bar_interval_s >= 86'400 || run.bar_interval_s == 0
      ? trading_days_per_year
      : periods_per_year_for_bars(int64_t{run.bar_interval_s} * 1'000'000'000);
  return compute_metrics(run.curve, run.trades, mo);
}

std::optional<int64_t> parse_backtest_time(const std::string& text, bool end_of_day) noexcept {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  auto d = csv::parse_date_time(text);
  if (!d)
    return std::nullopt;
  if (d->has_time)
    return d->day_ns + d->time_ns;
  return end_of_day ? d->day_ns + csv::ns_per_day - 1 : d->day_ns;
}

int backtest_command(const backtest_options& options, std::ostream& out, std::ostream& err) {
  auto opts = options;
  opts.keep_prices |= !opts.report_path.empty();
  backtest_run run;
  try {
    run = run_backtest(opts, err);
  } catch (const config_error& e) {
    err << "osprey backtest: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "osprey backtest: " << e.what() << "\n";
    return 1;
  }
  for (auto& w : run.warnings)
    err << "osprey backtest: " << w << "\n";
  auto m = metrics_of(run);
  auto starting_cash = run.config.orders.starting_cash;
  if (opts.json) {
    write_metrics_json(out, m, run.trades, run.curve, starting_cash);
    out << "\n";
  } else {
    out << "backtest: strategy " << strategy_names(run.config) << ", " << run.bars << " bars of " << run.symbols.size() << " symbol(s), ";
    if (run.warm_up_bars)
      out << "after " << run.warm_up_bars << " bars that only warmed the indicators, ";
    out
        << run.orders << " orders, " << run.fills << " fills, " << run.denied
        << " denied by risk; fills at the " << name_of(run.config.broker.bar_fills)
        << "; open positions at the end " << name_of(opts.end) << "\n";
    write_metrics_text(out, m, run.trades);
  }
  if (!opts.report_path.empty()) {
    report_data r;
    r.strategy = strategy_names(run.config);
    r.data_files = opts.data;
    r.settings = {{"fills", name_of(run.config.broker.bar_fills)},
                  {"end", name_of(opts.end)}};
    r.starting_cash = starting_cash;
    r.metrics = m;
    r.equity = run.curve;
    r.trades = run.trades;
    for (size_t s = 0; s < run.prices.size(); ++s) {
      bool traded = false;
      for (auto& t : run.trades)
        traded |= t.symbol == run.symbols[s];
      if (traded)
        r.prices.push_back({run.symbols[s], run.prices[s]});
    }
    std::string error;
    r.chart_library = load_chart_library(opts.project_dir, error);
    if (r.chart_library.empty())
      err << "osprey backtest: " << error << " (run scripts/setup); the report has tables only\n";
    std::ofstream file{opts.report_path};
    if (!file) {
      err << "osprey backtest: cannot write the report " << opts.report_path << "\n";
      return 1;
    }
    write_html_report(file, r);
  }
  return 0;
}

} // namespace osprey
