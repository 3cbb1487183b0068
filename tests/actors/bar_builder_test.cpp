// Bars from trades and the stale-symbol watch, as plain functions.

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "actors/bar_builder.hpp"

using namespace osprey;

namespace {

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t minute = 60 * sec;
constexpr int64_t t0 = 1'767'625'200 * sec; // 2026-01-05 15:00:00 UTC, on a minute

price usd(double d) {
  return price::from_dollars(d);
}

} // namespace

TEST(bar_builder, aggregates_a_minute_and_emits_it_when_the_next_begins) {
  bar_builder b{minute};
  symbol_id s{3};
  EXPECT_FALSE(on_trade(b, s, t0 + 1 * sec, usd(10), quantity{100}));
  EXPECT_FALSE(on_trade(b, s, t0 + 20 * sec, usd(12), quantity{50}));
  EXPECT_FALSE(on_trade(b, s, t0 + 40 * sec, usd(9), quantity{10}));
  EXPECT_FALSE(on_trade(b, s, t0 + 59 * sec, usd(11), quantity{40}));
  auto bar = on_trade(b, s, t0 + minute + 5 * sec, usd(11.5), quantity{1});
  ASSERT_TRUE(bar);
  EXPECT_EQ(bar->symbol, s);
  EXPECT_EQ(bar->close_ns, t0 + minute); // stamped at the end of its interval
  EXPECT_EQ(bar->interval_s, 60u);
  EXPECT_EQ(bar->open, usd(10));
  EXPECT_EQ(bar->high, usd(12));
  EXPECT_EQ(bar->low, usd(9));
  EXPECT_EQ(bar->close, usd(11));
  EXPECT_EQ(bar->volume.shares(), 200);
  EXPECT_EQ(bar->trades, 4u);
}

TEST(bar_builder, counts_intervals_without_trades_as_gaps) {
  bar_builder b{minute};
  symbol_id s{0};
  on_trade(b, s, t0, usd(10), quantity{1});
  on_trade(b, s, t0 + minute, usd(10), quantity{1});     // emits minute 0
  on_trade(b, s, t0 + 4 * minute, usd(10), quantity{1}); // emits minute 1
  on_trade(b, s, t0 + 5 * minute, usd(10), quantity{1}); // emits minute 4
  EXPECT_EQ(b.gaps, 2u); // minutes 2 and 3
}

TEST(bar_builder, closes_a_quiet_symbols_bar_once_its_interval_has_ended) {
  bar_builder b{minute};
  on_trade(b, symbol_id{0}, t0 + 10 * sec, usd(10), quantity{5});
  on_trade(b, symbol_id{1}, t0 + 70 * sec, usd(20), quantity{5});
  std::vector<built_bar> out;
  close_due(b, t0 + 59 * sec, out);
  EXPECT_TRUE(out.empty());
  close_due(b, t0 + minute, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].symbol.value, 0u);
  close_due(b, t0 + minute, out);
  EXPECT_EQ(out.size(), 1u); // once
  // A late trade for the interval already out is ignored.
  EXPECT_FALSE(on_trade(b, symbol_id{0}, t0 + 30 * sec, usd(99), quantity{5}));
  close_due(b, t0 + 2 * minute, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].symbol.value, 1u);
}

TEST(bar_builder, ignores_trades_at_non_positive_prices) {
  bar_builder b{minute};
  EXPECT_FALSE(on_trade(b, symbol_id{0}, t0, price{0}, quantity{5}));
  EXPECT_FALSE(on_trade(b, symbol_id{0}, t0, usd(-1), quantity{5}));
  std::vector<built_bar> out;
  close_due(b, t0 + 2 * minute, out);
  EXPECT_TRUE(out.empty());
}

TEST(bar_builder, matches_a_batch_aggregation_of_a_random_trade_stream) {
  // The incremental bars against a plain group-by over the same trades.
  std::mt19937_64 rng{42};
  struct ohlcv {
    int64_t o = 0, h = 0, l = 0, c = 0, v = 0;
  };
  std::map<std::pair<uint32_t, int64_t>, ohlcv> expected;
  bar_builder b{5 * minute};
  std::vector<built_bar> got;
  int64_t ts = t0;
  for (int i = 0; i < 20'000; ++i) {
    ts += static_cast<int64_t>(rng() % (20 * sec));
    uint32_t sym = static_cast<uint32_t>(rng() % 4);
    int64_t px = 10'000'000 + static_cast<int64_t>(rng() % 1'000'000);
    int64_t size = 1 + static_cast<int64_t>(rng() % 500);
    auto& e = expected[{sym, ts / (5 * minute) * (5 * minute) + 5 * minute}];
    if (e.v == 0)
      e.o = e.h = e.l = px;
    e.h = std::max(e.h, px);
    e.l = std::min(e.l, px);
    e.c = px;
    e.v += size;
    if (auto bar = on_trade(b, symbol_id{sym}, ts, price{px}, quantity::of_shares(size)))
      got.push_back(*bar);
  }
  close_due(b, ts + 5 * minute, got);
  ASSERT_EQ(got.size(), expected.size());
  for (auto& bar : got) {
    auto& e = expected.at({bar.symbol.value, bar.close_ns});
    EXPECT_EQ(bar.open.micros, e.o);
    EXPECT_EQ(bar.high.micros, e.h);
    EXPECT_EQ(bar.low.micros, e.l);
    EXPECT_EQ(bar.close.micros, e.c);
    EXPECT_EQ(bar.volume.shares(), e.v);
  }
}

TEST(stale_watch, reports_a_quiet_symbol_once_per_quiet_spell) {
  stale_watch w;
  w.quiet_ns = 30 * sec;
  on_event(w, symbol_id{0}, t0);
  on_event(w, symbol_id{1}, t0);
  std::vector<symbol_id> out;
  on_event(w, symbol_id{1}, t0 + 25 * sec);
  stale_symbols(w, t0 + 31 * sec, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, 0u);
  stale_symbols(w, t0 + 40 * sec, out);
  EXPECT_EQ(out.size(), 1u); // not again while it stays quiet
  on_event(w, symbol_id{0}, t0 + 41 * sec);
  stale_symbols(w, t0 + 80 * sec, out);
  ASSERT_EQ(out.size(), 3u); // symbol 1 (quiet since 25 s) and symbol 0 again
}

TEST(stale_watch, is_off_without_a_threshold) {
  stale_watch w;
  on_event(w, symbol_id{0}, t0);
  std::vector<symbol_id> out;
  stale_symbols(w, t0 + 3600 * sec, out);
  EXPECT_TRUE(out.empty());
}

TEST(session_clock, marks_the_open_and_the_close_from_event_time) {
  constexpr int64_t hour = 3600 * sec;
  constexpr int64_t day = 24 * hour;
  constexpr int64_t midnight = 1'767'571'200 * sec; // 2026-01-05 00:00 UTC
  session_clock c;
  c.open_ns = 14 * hour + 30 * minute;
  c.close_ns = 21 * hour;
  EXPECT_EQ(on_time(c, midnight + 9 * hour), session_edge::none);
  EXPECT_EQ(on_time(c, midnight + 14 * hour + 30 * minute), session_edge::opened);
  EXPECT_EQ(on_time(c, midnight + 15 * hour), session_edge::none);
  EXPECT_EQ(on_time(c, midnight + 21 * hour), session_edge::closed);
  EXPECT_EQ(on_time(c, midnight + 22 * hour), session_edge::none);
  // The next day opens again, even when no event fell outside the session
  // between the two days.
  EXPECT_EQ(on_time(c, midnight + day + 15 * hour), session_edge::opened);
  EXPECT_EQ(on_time(c, midnight + 2 * day + 15 * hour), session_edge::opened);
  session_clock off;
  EXPECT_EQ(on_time(off, midnight + 15 * hour), session_edge::none);
}
