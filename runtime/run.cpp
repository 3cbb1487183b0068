#include "runtime/run.hpp"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <ostream>
#include <thread>

#include "adapters/sim_broker.hpp"
#include "adapters/synthetic_market.hpp"
#include "messages/msg_builder.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/clock.hpp"
#include "runtime/engine.hpp"
#include "runtime/heap.hpp"
#include "runtime/journal_writer.hpp"
#include "runtime/market_feed.hpp"
#include "adapters/news_replay.hpp"
#include "runtime/recovery.hpp"
#include "runtime/sentiment_command.hpp"

namespace osprey {

namespace {

std::string format_us(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fus", static_cast<double>(ns) / 1000.0);
  return buf;
}

std::string format_dollars(money m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", m.dollars());
  return buf;
}

void print_status(std::ostream& out, double elapsed_s, uint64_t events,
                  double events_per_s, const engine_stats& s) {
  auto& h = s.orders.tick_to_order;
  char line[512];
  std::snprintf(line, sizeof line,
                "[%6.1fs] events %" PRIu64 " (%.0f/s, dropped %" PRIu64 ") orders %" PRIu64
                " fills %" PRIu64 " denied %" PRIu64 " open %u pnl %s "
                "(real %s unreal %s) risk %s tick->order p50 %s p99 %s",
                elapsed_s, events, events_per_s,
                s.collector.duplicates_dropped + s.collector.out_of_order_dropped,
                s.orders.orders, s.orders.fills,
                s.risk.denied, s.orders.open_positions,
                format_dollars(s.orders.realized + s.orders.unrealized).c_str(),
                format_dollars(s.orders.realized).c_str(),
                format_dollars(s.orders.unrealized).c_str(),
                fb::EnumNameRiskMode(s.risk.mode),
                h.count() ? format_us(h.percentile(50)).c_str() : "-",
                h.count() ? format_us(h.percentile(99)).c_str() : "-");
  out << line << std::endl;
}

void print_summary(std::ostream& out, const engine_config& cfg,
                   const symbol_table& symbols, uint64_t events,
                   const engine_stats& s, const journal_writer* journal) {
  auto& o = s.orders;
  out << "\nsummary\n";
  out << "  market events   " << events << " (accepted " << s.collector.accepted
      << ", duplicates dropped " << s.collector.duplicates_dropped
      << ", out of order dropped " << s.collector.out_of_order_dropped << ")\n";
  out << "  orders          " << o.orders << " (filled " << o.filled_orders
      << ", rejected " << o.rejected << ", canceled " << o.canceled
      << ", expired " << o.expired << ", replaced " << o.replaced << "), fills " << o.fills
      << ", denied " << s.risk.denied << "\n";
  out << "  risk mode       " << fb::EnumNameRiskMode(s.risk.mode) << " (day pnl "
      << to_string(s.risk.day_pnl) << ", drawdown " << to_string(s.risk.drawdown) << ")\n";
  out << "  cash            " << to_string(o.cash) << "\n";
  out << "  equity          " << to_string(o.equity) << "\n";
  out << "  realized pnl    " << to_string(o.realized) << "\n";
  out << "  unrealized pnl  " << to_string(o.unrealized) << "\n";
  auto& h = o.tick_to_order;
  if (h.count())
    out << "  tick->order     p50 " << format_us(h.percentile(50)) << " p90 "
        << format_us(h.percentile(90)) << " p99 " << format_us(h.percentile(99))
        << " max " << format_us(h.max()) << " over " << h.count() << " orders ("
        << to_string(cfg.scheduler.profile) << " profile)\n";
  out << "final positions\n";
  for (size_t i = 0; i < o.positions.size(); ++i) {
    auto& p = o.positions[i];
    if (p.qty.nanos == 0 && p.realized.micros == 0)
      continue;
    out << "  " << symbols.name(symbol_id{static_cast<uint32_t>(i)}) << " qty "
        << to_string(p.qty) << " avg " << to_string(p.average_price()) << " realized "
        << to_string(p.realized) << "\n";
  }
  if (journal)
    out << "journal " << journal->path() << ": " << journal->records_written()
        << " records, " << journal->bytes_written() << " bytes, "
        << journal->write_errors() << " write errors\n";
}

} // namespace

namespace {

/// The market source the options ask for; a replay names its symbols in
/// `symbols` (they replace the configured ones).
std::unique_ptr<market_feed> open_feed(const run_options& opts, engine_config& cfg) {
  if (opts.replay.empty())
    return nullptr;
  auto is_csv = [](const std::string& p) {
    return p.size() > 4 && p.compare(p.size() - 4, 4, ".csv") == 0;
  };
  if (std::all_of(opts.replay.begin(), opts.replay.end(), is_csv)) {
    symbol_table names;
    auto feed = std::make_unique<csv_feed>(opts.replay, cfg.replay, names, cfg.replay_batch);
    cfg.market.symbols = names.names();
    return feed;
  }
  if (opts.replay.size() != 1)
    throw std::runtime_error("--replay: give CSV files, or one journal");
  std::vector<std::string> names;
  auto feed = std::make_unique<journal_feed>(opts.replay[0], names);
  cfg.market.symbols = names;
  return feed;
}

} // namespace

int run_engine(const engine_config& config, const std::atomic<bool>& stop,
               std::ostream& out, const run_options& opts) {
  auto cfg = config;
  auto replay = open_feed(opts, cfg);
  // News is scored with the configured lexicon, else the installed one.
  if (!opts.news.empty() || !cfg.sentiment_lexicon.empty()) {
    auto path = find_sentiment_lexicon(cfg.sentiment_lexicon, ".");
    if (path.empty())
      path = find_sentiment_lexicon("", opts.project_dir);
    if (path.empty()) {
      out << "osprey: --news needs the VADER sentiment lexicon, which is in none of:";
      for (auto& p : default_sentiment_lexicon_paths(opts.project_dir))
        out << " " << p;
      out << " (run scripts/setup, or set [signal] lexicon)\n";
      return 2;
    }
    cfg.sentiment_lexicon = path;
  }
  symbol_table symbols;
  for (auto& s : cfg.market.symbols)
    symbols.intern(s);

  // An existing journal is the state to resume from.
  recovery_plan plan;
  std::error_code ec;
  bool resume = !cfg.journal_path.empty() && !opts.fresh
                && std::filesystem::file_size(cfg.journal_path, ec) > 0 && !ec;
  if (resume) {
    plan = plan_recovery(cfg.journal_path, cfg.market.symbols,
                         cfg.scheduler.profile == latency_profile::deterministic,
                         cfg.collector.bar_interval_ns > 0);
    resume = plan.records && !plan.records->empty();
    if (resume)
      cut_journal(cfg.journal_path, plan.keep_bytes);
  }
  std::unique_ptr<journal_writer> journal;
  if (!cfg.journal_path.empty()) {
    journal_options jo;
    jo.truncate = !resume;
    jo.fsync = cfg.journal_fsync;
    journal = std::make_unique<journal_writer>(cfg.journal_path, jo);
  }
  msg_builder builder;
  if (journal && !resume)
    journal->push(builder.symbol_directory({}, symbols.names()));

  bool wall = cfg.clock == clock_kind::wall;
  auto broker_cfg = cfg.broker;
  engine eng{cfg, journal.get(),
             [broker_cfg](msg_sink& reports) {
               return std::make_unique<sim_broker>(broker_cfg, reports);
             },
             wall ? &wall_clock_ns : nullptr, plan.records};
  std::unique_ptr<market_feed> market =
    replay ? std::move(replay) : std::make_unique<synthetic_feed>(cfg.market, symbols);
  if (!opts.news.empty()) {
    std::vector<msg> items;
    for (auto& f : opts.news) {
      auto r = read_news(f);
      for (auto& p : r.problems)
        out << "news: skipped " << p.file << ":" << p.line << ": " << p.what << "\n";
      items.insert(items.end(), r.items.begin(), r.items.end());
    }
    out << "news: " << items.size() << " items from " << opts.news.size() << " file(s)\n";
    market = std::make_unique<with_news>(std::move(market), std::move(items));
  }
  // Durations in event time count from the start of the market, resumed or
  // not; wall-clock pacing starts from where this process picks up.
  auto market_origin = market->peek_time().value_or(0);
  for (uint64_t i = 0; i < plan.source_events && market->peek_time(); ++i)
    market->next(0);
  if (resume)
    out << "osprey: resumed from " << cfg.journal_path << ": "
        << plan.records->size() << " records (" << plan.orders << " orders, "
        << plan.fills << " fills), " << plan.dropped_records
        << " unfinished records dropped; the market resumes after event "
        << plan.source_events << std::endl;

  std::string source = "synthetic market, seed "; // not "..." + ...: a false -Wrestrict in g++ 12
  source += std::to_string(cfg.market.seed);
  if (!opts.replay.empty()) {
    source = "replaying ";
    source += opts.replay[0];
  }
  out << "osprey: " << symbols.size() << " symbols, " << source
      << ", " << to_string(cfg.scheduler.profile) << " profile, "
      << (wall ? "wall" : "event") << " clock"
      << (huge_pages_in_use() ? ", heap on huge pages" : ", heap on 4 KiB pages")
      << (cfg.journal_path.empty() ? "" : ", journal " + cfg.journal_path)
      << std::endl;

  using steady = std::chrono::steady_clock;
  auto started = steady::now();
  auto event_origin = market->peek_time().value_or(0);
  auto elapsed_ns = [&] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - started)
      .count();
  };
  auto done = [&](uint64_t events) {
    if (stop.load(std::memory_order_relaxed))
      return true;
    if (cfg.max_events && events >= *cfg.max_events)
      return true;
    auto next_time = market->peek_time();
    if (!next_time)
      return true; // a replay ran to its end
    if (cfg.duration_ns) {
      auto spent = wall ? elapsed_ns() : *next_time - market_origin;
      if (spent >= *cfg.duration_ns)
        return true;
    }
    return false;
  };

  std::atomic<uint64_t> injected{plan.source_events};
  std::atomic<bool> feed_done{false};
  // One market event in: paced to event time x speed on the wall clock, then
  // handed to the collector. The deterministic profile also runs it (and
  // everything it causes) to completion on this thread.
  auto feed_one = [&] {
    if (wall) {
      auto due = static_cast<int64_t>(
        static_cast<double>(*market->peek_time() - event_origin) / cfg.speed);
      auto ahead = due - elapsed_ns();
      if (ahead > 0)
        std::this_thread::sleep_for(std::chrono::nanoseconds{ahead});
    }
    eng.inject(market->next(wall ? wall_clock_ns() : *market->peek_time()));
    eng.drain();
    injected.fetch_add(1, std::memory_order_relaxed);
  };

  uint64_t last_events = plan.source_events;
  auto last_status = elapsed_ns();
  auto status_if_due = [&] {
    auto now = elapsed_ns();
    if (now - last_status < cfg.status_interval_ns)
      return;
    auto events = injected.load();
    auto rate = static_cast<double>(events - last_events) * 1e9
                / static_cast<double>(now - last_status);
    print_status(out, static_cast<double>(now) / 1e9, events, rate, eng.stats());
    last_events = events;
    last_status = now;
  };

  if (eng.deterministic()) {
    while (!done(injected.load(std::memory_order_relaxed))) {
      feed_one();
      if (injected.load(std::memory_order_relaxed) % 1024 == 0)
        status_if_due();
    }
  } else {
    std::thread feeder{[&] {
      while (!done(injected.load(std::memory_order_relaxed)))
        feed_one();
      feed_done = true;
    }};
    while (!feed_done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
      status_if_due();
    }
    feeder.join();
    // Let the last events finish their way through the graph: wait until
    // the counters stop moving.
    auto previous = eng.stats();
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
      auto now = eng.stats();
      if (now.collector.accepted == previous.collector.accepted
          && now.orders.fills == previous.orders.fills
          && now.orders.orders == previous.orders.orders
          && now.risk.denied == previous.risk.denied)
        break;
      previous = now;
    }
  }

  auto final_stats = eng.stats();
  eng.shutdown();
  if (journal)
    journal->close();
  print_summary(out, cfg, symbols, injected.load(), final_stats, journal.get());
  market->print_report(out);
  if (journal && journal->write_errors() > 0) {
    out << "osprey: journal write errors: " << journal->last_error() << std::endl;
    return 1;
  }
  return 0;
}

} // namespace osprey
