// Replay in batches: bars of the same time go through the actors as one
// BarBatch, and the engine decides exactly what it decides bar by bar.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "adapters/sim_broker.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/engine.hpp"
#include "runtime/market_feed.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";

std::vector<std::string> four_stocks() {
  return {market + "AAPL_daily_2012-2014.csv", market + "IBM_daily_2012-2014.csv",
          market + "KO_daily_2012-2014.csv", market + "MSFT_daily_2012-2014.csv"};
}

std::string scratch_csv(const std::string& text) {
  auto path = (std::filesystem::temp_directory_path()
               / ("osprey-batch-" + std::to_string(::getpid()) + ".csv"))
                .string();
  std::ofstream{path} << text;
  return path;
}

/// What the engine decided: every intent and every signal, by bar.
struct decisions {
  std::vector<std::tuple<uint32_t, int64_t, int, int64_t, int>> intents; // sym, ts, side, qty, why
  std::map<std::pair<uint32_t, int64_t>, std::tuple<int64_t, double, double, double, bool>> signals;
  size_t batches = 0, bars = 0;
};

/// NaN (not ready) compares equal to itself here.
double comparable(double x) {
  return std::isnan(x) ? -1e300 : x;
}

decisions replay(size_t batch_rows) {
  auto cfg = default_config();
  cfg.scheduler.profile = latency_profile::deterministic;
  cfg.clock = clock_kind::event;
  cfg.strategy.volume_factor = 1.0; // trade often, to compare many decisions
  cfg.signal.high_period = 10;
  cfg.signal.low_period = 5;
  cfg.signal.volume_period = 10;
  symbol_table symbols;
  csv_feed feed{four_stocks(), csv_replay_options{}, symbols, batch_rows};
  cfg.market.symbols = symbols.names();
  test::vector_sink journal;
  auto broker_cfg = cfg.broker;
  engine eng{cfg, &journal,
             [broker_cfg](msg_sink& reports) {
               return std::make_unique<sim_broker>(broker_cfg, reports);
             },
             nullptr};
  while (auto t = feed.peek_time()) {
    eng.inject(feed.next(*t));
    eng.drain();
  }
  decisions d;
  for (auto& m : journal.items()) {
    if (auto i = m.as<fb::OrderIntent>())
      d.intents.emplace_back(i->symbol(), m.ts_event(), static_cast<int>(i->side()),
                             i->quantity(), static_cast<int>(i->reason()));
    if (auto s = m.as<fb::Signal>()) {
      d.signals[{s->symbol(), m.ts_event()}] = {s->close(), comparable(s->sma()),
                                                 comparable(s->rsi()),
                                                 comparable(s->avg_volume()), s->ready()};
      ++d.bars;
    }
    if (auto b = m.as<fb::SignalBatch>()) {
      ++d.batches;
      for (auto r : *b->rows()) {
        d.signals[{r->symbol(), r->ts_event()}] = {r->close(), comparable(r->sma()),
                                                    comparable(r->rsi()),
                                                    comparable(r->avg_volume()), r->ready()};
        ++d.bars;
      }
    }
  }
  return d;
}

} // namespace

TEST(replay_batch, bars_of_one_time_go_together_one_per_symbol) {
  auto path = scratch_csv("ts_event,symbol,kind,interval_s,open,high,low,close,volume\n"
                          "2024-01-02T21:00:00Z,AAA,bar,86400,1,2,1,2,100\n"
                          "2024-01-02T21:00:00Z,BBB,bar,86400,1,2,1,2,100\n"
                          "2024-01-02T21:00:00Z,CCC,bar,86400,1,2,1,2,100\n"
                          "2024-01-03T21:00:00Z,AAA,bar,86400,2,3,2,3,100\n"
                          "2024-01-04T21:00:00Z,AAA,bar,86400,3,4,3,4,100\n"
                          "2024-01-04T21:00:00Z,BBB,bar,86400,3,4,3,4,100\n");
  symbol_table symbols;
  csv_feed feed{{path}, csv_replay_options{}, symbols, 2};
  std::vector<std::pair<fb::Payload, size_t>> got;
  while (auto t = feed.peek_time()) {
    auto m = feed.next(*t);
    EXPECT_EQ(m.ts_event(), *t);
    EXPECT_EQ(m.ts_ingress(), *t);
    auto b = m.as<fb::BarBatch>();
    got.emplace_back(m.type(), b ? b->bars()->size() : 1);
  }
  std::filesystem::remove(path);
  // Two of the three at the first time (the batch limit), the third alone,
  // a lone bar as a plain Bar, then the last two together.
  EXPECT_EQ(got, (std::vector<std::pair<fb::Payload, size_t>>{{fb::Payload::BarBatch, 2},
                                                              {fb::Payload::Bar, 1},
                                                              {fb::Payload::Bar, 1},
                                                              {fb::Payload::BarBatch, 2}}));
}

TEST(replay_batch, a_batch_holds_each_symbol_once) {
  auto path = scratch_csv("ts_event,symbol,kind,interval_s,open,high,low,close,volume\n"
                          "2024-01-02T21:00:00Z,AAA,bar,86400,1,2,1,2,100\n"
                          "2024-01-02T21:00:00Z,AAA,bar,86400,1,2,1,2,200\n"
                          "2024-01-02T21:00:00Z,BBB,bar,86400,1,2,1,2,100\n");
  symbol_table symbols;
  csv_feed feed{{path}, csv_replay_options{}, symbols, 64};
  std::vector<std::vector<uint32_t>> symbols_per_message;
  while (auto t = feed.peek_time()) {
    auto m = feed.next(*t);
    std::vector<uint32_t> in;
    if (auto b = m.as<fb::BarBatch>())
      for (auto r : *b->bars())
        in.push_back(r->symbol());
    else
      in.push_back(m.as<fb::Bar>()->symbol());
    symbols_per_message.push_back(in);
  }
  std::ostringstream report;
  feed.print_report(report);
  std::filesystem::remove(path);
  // The replay itself refuses AAA's second bar at the same time (and says
  // where); the batch has AAA and BBB once each.
  EXPECT_EQ(symbols_per_message, (std::vector<std::vector<uint32_t>>{{0, 1}}));
  EXPECT_NE(report.str().find(":3:"), std::string::npos) << report.str();
}

TEST(replay_batch, the_engine_decides_the_same_in_batches_as_bar_by_bar) {
  if (!std::filesystem::exists(four_stocks()[0]))
    FAIL() << "shared market data not found at " << market;
  auto one = replay(1);
  auto batched = replay(64);
  EXPECT_EQ(one.batches, 0u);
  EXPECT_GT(batched.batches, 700u); // about one per trading day of 2012-2014
  EXPECT_EQ(one.bars, batched.bars);
  EXPECT_GT(one.intents.size(), 20u);
  for (size_t i = 0; i < std::min(one.intents.size(), batched.intents.size()); ++i)
    if (one.intents[i] != batched.intents[i]) {
      ADD_FAILURE() << "intent " << i << " differs: symbol " << std::get<0>(one.intents[i])
                    << " at " << std::get<1>(one.intents[i]) << " vs symbol "
                    << std::get<0>(batched.intents[i]) << " at "
                    << std::get<1>(batched.intents[i]);
      break;
    }
  EXPECT_EQ(one.intents, batched.intents);
  for (auto& [key, value] : one.signals) {
    auto it = batched.signals.find(key);
    if (it == batched.signals.end() || it->second != value) {
      ADD_FAILURE() << "signal of symbol " << key.first << " at " << key.second << " differs";
      break;
    }
  }
  EXPECT_EQ(one.signals, batched.signals);
}
