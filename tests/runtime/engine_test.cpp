// The real actor graph with the synthetic market and the simulated broker,
// on the deterministic scheduler and on the threaded one.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/sim_broker.hpp"
#include "adapters/synthetic_market.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/clock.hpp"
#include "runtime/engine.hpp"
#include "runtime/journal_command.hpp"
#include "runtime/journal_reader.hpp"
#include "runtime/run.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

broker_factory sim(const sim_broker_config& cfg) {
  return [cfg](msg_sink& reports) { return std::make_unique<sim_broker>(cfg, reports); };
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path()
          / (name + "-" + std::to_string(::getpid())))
    .string();
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

engine_config quick_config(latency_profile profile) {
  auto c = default_config();
  c.scheduler.profile = profile;
  c.scheduler.workers = 2;
  c.clock = clock_kind::event;
  c.max_events = 60'000;
  c.status_interval_ns = 3'600'000'000'000;
  return c;
}

// Drives `eng` with `n` synthetic events, returns the final stats. On
// threads, every 500 events it waits for the stats, which the collector, the
// risk controller and the order manager answer only after what is queued
// before the question: without that, the feed can outrun the graph, every
// quote reaches the broker before the orders do, and nothing fills.
engine_stats drive(engine& eng, const engine_config& c, const symbol_table& symbols,
                   uint64_t n) {
  synthetic_market market{c.market, symbols};
  for (uint64_t i = 0; i < n; ++i) {
    eng.inject(market.next(market.peek_time()));
    eng.drain();
    if (i % 500 == 499 && c.scheduler.profile != latency_profile::deterministic)
      eng.stats();
  }
  return eng.stats();
}

// Replays the journaled fills independently and compares them with the order
// manager's positions: quantity, realized P&L and cost basis, exactly.
void expect_positions_match_fills(const order_manager_stats& orders,
                                  const test::vector_sink& journal) {
  auto replay = replay_positions(journal.items());
  for (size_t i = 0; i < orders.positions.size(); ++i) {
    auto& p = orders.positions[i];
    if (p.qty.shares() == 0 && p.realized.micros == 0)
      continue;
    std::string name = "#"; // no symbol directory in this journal: ids
    name += std::to_string(i);
    auto it = replay.by_symbol.find(name);
    ASSERT_NE(it, replay.by_symbol.end()) << name;
    EXPECT_EQ(it->second.qty, p.qty) << name;
    EXPECT_EQ(it->second.realized, p.realized) << name;
    EXPECT_EQ(it->second.cost, p.cost) << name;
  }
}

symbol_table symbols_of(const engine_config& c) {
  symbol_table t;
  for (auto& s : c.market.symbols)
    t.intern(s);
  return t;
}

} // namespace

TEST(engine, trades_on_the_deterministic_scheduler_and_positions_match_the_fills) {
  auto c = quick_config(latency_profile::deterministic);
  auto symbols = symbols_of(c);
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  auto s = drive(eng, c, symbols, 60'000);
  eng.shutdown();

  EXPECT_EQ(s.collector.accepted, 60'000u);
  EXPECT_GT(s.orders.orders, 10u);
  EXPECT_GT(s.orders.fills, 10u);
  EXPECT_EQ(s.orders.refused_events, 0u);
  EXPECT_EQ(journal.count(fb::Payload::SubmitOrder), s.orders.orders);
  EXPECT_EQ(journal.count(fb::Payload::OrderFilled), s.orders.fills);

  // The order manager's positions equal the fills replayed independently.
  expect_positions_match_fills(s.orders, journal);
}

// On threads the interleaving (and so how many entries find the strategy
// still waiting for a fill) depends on timing; what must hold is that it
// trades, refuses nothing, measures every order, and that its positions are
// exactly the fills it journaled.
namespace {

/// Runs the engine on threads under `c` and checks it traded and that every
/// order and fill reached the journal.
void expect_trades_on_threads(const engine_config& c) {
  auto symbols = symbols_of(c);
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), &wall_clock_ns};
  auto s = drive(eng, c, symbols, 60'000);
  // Wait until the graph is quiet: three polls in a row without change.
  int quiet = 0;
  for (int i = 0; i < 1'000 && quiet < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    auto now = eng.stats();
    bool same = now.collector.accepted == s.collector.accepted
                && now.orders.fills == s.orders.fills
                && now.orders.orders == s.orders.orders
                && now.risk.denied == s.risk.denied;
    quiet = same ? quiet + 1 : 0;
    s = now;
  }
  eng.shutdown();
  EXPECT_EQ(s.collector.accepted, 60'000u);
  EXPECT_GT(s.orders.orders, 0u);
  EXPECT_GT(s.orders.fills, 0u);
  EXPECT_EQ(s.orders.refused_events, 0u);
  EXPECT_EQ(s.orders.tick_to_order.count(), s.orders.orders);
  EXPECT_GT(s.orders.tick_to_order.percentile(50), 0);
  EXPECT_EQ(journal.count(fb::Payload::SubmitOrder), s.orders.orders);
  EXPECT_EQ(journal.count(fb::Payload::OrderFilled), s.orders.fills);
  expect_positions_match_fills(s.orders, journal);
}

} // namespace

TEST(engine, trades_on_the_threaded_scheduler) {
  expect_trades_on_threads(quick_config(latency_profile::efficient));
}

TEST(engine, trades_on_the_threaded_scheduler_spinning) {
  expect_trades_on_threads(quick_config(latency_profile::spin));
}

TEST(engine, trades_on_caf_s_own_scheduler) {
  auto c = quick_config(latency_profile::efficient);
  c.scheduler.kind = scheduler_kind::caf;
  expect_trades_on_threads(c);
}

TEST(engine, the_kill_switch_turns_every_intent_into_a_denial) {
  auto c = quick_config(latency_profile::deterministic);
  auto symbols = symbols_of(c);
  test::vector_sink journal;
  engine eng{c, &journal, sim(c.broker), nullptr};
  eng.kill_switch(true);
  auto s = drive(eng, c, symbols, 30'000);
  eng.shutdown();
  EXPECT_EQ(s.orders.orders, 0u);
  EXPECT_GT(s.risk.denied, 0u);
  EXPECT_TRUE(s.risk.kill_switch);
  EXPECT_EQ(s.risk.denied_by_reason[static_cast<size_t>(fb::DenyReason::KillSwitch)],
            s.risk.denied);
  EXPECT_EQ(journal.count(fb::Payload::OrderDenied), s.risk.denied);
}

TEST(determinism, two_runs_with_the_same_seed_write_byte_identical_journals) {
  auto c = quick_config(latency_profile::deterministic);
  c.max_events = 40'000;
  std::atomic<bool> stop{false};
  std::ostringstream out;
  c.journal_path = temp_path("osprey-det-a");
  ASSERT_EQ(run_engine(c, stop, out), 0);
  c.journal_path = temp_path("osprey-det-b");
  ASSERT_EQ(run_engine(c, stop, out), 0);
  auto a = read_file(temp_path("osprey-det-a"));
  auto b = read_file(temp_path("osprey-det-b"));
  EXPECT_GT(a.size(), 1'000'000u);
  EXPECT_TRUE(a == b) << "journals differ";
  // The run traded, so the comparison covers orders and fills too.
  auto r = read_journal(temp_path("osprey-det-a"));
  EXPECT_FALSE(r.corrupt());
  EXPECT_GT(replay_positions(r.messages).fills, 0u);

  c.market.seed = 7;
  c.journal_path = temp_path("osprey-det-c");
  ASSERT_EQ(run_engine(c, stop, out), 0);
  EXPECT_NE(read_file(temp_path("osprey-det-c")), a);
  for (auto s : {"a", "b", "c"})
    std::filesystem::remove(temp_path(std::string{"osprey-det-"} + s));
}
