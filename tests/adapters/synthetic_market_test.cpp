#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <iostream>
#include <map>
#include <stdexcept>
#include <vector>

#include "adapters/synthetic_market.hpp"

using namespace osprey;

namespace {

constexpr int64_t minute_ns = 60'000'000'000;
constexpr int64_t cent = 10'000;

const std::vector<std::string> eight = {"AAPL", "MSFT", "NVDA", "TSLA",
                                        "AMD",  "META", "AMZN", "GOOG"};

struct fixture {
  symbol_table table;
  synthetic_market_config cfg;

  explicit fixture(std::vector<std::string> syms = eight, uint64_t seed = 1) {
    for (auto& s : syms)
      table.intern(s);
    cfg.symbols = std::move(syms);
    cfg.seed = seed;
  }
  synthetic_market make() const { return synthetic_market{cfg, table}; }
};

// Events per session for `symbols` symbols under the default config.
size_t session_events(size_t symbols) {
  return symbols * 390 * (4 + 4 + 1);
}

} // namespace

TEST(synthetic_market, repeats_the_same_bytes_for_the_same_seed) {
  fixture f;
  auto a = f.make();
  auto b = f.make();
  for (int i = 0; i < 20'000; ++i) {
    auto x = a.next(i);
    auto y = b.next(i);
    ASSERT_EQ(x.size(), y.size()) << "event " << i;
    ASSERT_TRUE(std::equal(x.bytes().begin(), x.bytes().end(), y.bytes().begin()))
      << "event " << i;
  }
  EXPECT_EQ(a.events_generated(), 20'000u);
}

TEST(synthetic_market, produces_a_different_stream_for_a_different_seed) {
  fixture f1{eight, 1}, f2{eight, 2};
  auto a = f1.make();
  auto b = f2.make();
  int differing = 0;
  for (int i = 0; i < 2'000; ++i) {
    auto x = a.next(0);
    auto y = b.next(0);
    if (x.size() != y.size()
        || !std::equal(x.bytes().begin(), x.bytes().end(), y.bytes().begin()))
      ++differing;
  }
  EXPECT_GT(differing, 1'900);
}

TEST(synthetic_market, keeps_a_symbols_path_when_other_symbols_are_added) {
  fixture one{{"AAPL"}}, many;
  auto a = one.make();
  auto b = many.make();
  std::vector<int64_t> closes_a, closes_b;
  while (closes_a.size() < 50) {
    auto e = a.next(0);
    if (auto bar = e.as<fb::Bar>())
      closes_a.push_back(bar->close());
  }
  auto aapl = many.table.find("AAPL")->value;
  while (closes_b.size() < 50) {
    auto e = b.next(0);
    if (auto bar = e.as<fb::Bar>(); bar && bar->symbol() == aapl)
      closes_b.push_back(bar->close());
  }
  EXPECT_EQ(closes_a, closes_b);
}

TEST(synthetic_market, emits_events_in_time_then_symbol_order) {
  fixture f;
  auto m = f.make();
  int64_t last_ts = 0;
  uint32_t last_sym = 0;
  for (int i = 0; i < 30'000; ++i) {
    auto peek = m.peek_time();
    auto e = m.next(123);
    ASSERT_EQ(e.ts_event(), peek);
    EXPECT_EQ(e.ts_ingress(), 123);
    EXPECT_EQ(e.seq(), 0u);
    uint32_t sym = 0;
    if (auto t = e.as<fb::Trade>()) {
      sym = t->symbol();
    } else if (auto q = e.as<fb::Quote>()) {
      sym = q->symbol();
    } else if (auto b = e.as<fb::Bar>()) {
      sym = b->symbol();
    } else {
      FAIL() << "unexpected payload " << payload_name(e.type());
    }
    if (i > 0) {
      ASSERT_GE(e.ts_event(), last_ts) << "event " << i;
      if (e.ts_event() == last_ts) {
        ASSERT_GT(sym, last_sym) << "event " << i;
      }
    }
    last_ts = e.ts_event();
    last_sym = sym;
  }
}

TEST(synthetic_market, builds_bars_from_the_trades_inside_each_minute) {
  fixture f;
  auto m = f.make();
  struct acc {
    int64_t open = 0, high = 0, low = 0, close = 0, volume = 0;
    int trades = 0, quotes = 0;
    int64_t minute_close = 0; // close of the minute the events lie in
  };
  std::map<uint32_t, acc> minute;
  std::map<uint32_t, int> bars;
  auto inside = [&](uint32_t sym, int64_t ts) -> acc& {
    // Sessions open on whole minutes, so an event strictly inside a minute
    // is never on a minute boundary.
    EXPECT_NE(ts % minute_ns, 0);
    auto& a = minute[sym];
    auto close = ts - ts % minute_ns + minute_ns;
    if (a.minute_close == 0) a.minute_close = close;
    EXPECT_EQ(a.minute_close, close);
    return a;
  };
  for (size_t i = 0; i < session_events(8) * 2; ++i) {
    auto e = m.next(0);
    if (auto t = e.as<fb::Trade>()) {
      auto& a = inside(t->symbol(), e.ts_event());
      if (a.trades++ == 0) a.open = a.high = a.low = t->price();
      a.high = std::max(a.high, t->price());
      a.low = std::min(a.low, t->price());
      a.close = t->price();
      a.volume += t->size();
      EXPECT_GT(shares_from_nanos(t->size()), 0);
    } else if (auto q = e.as<fb::Quote>()) {
      ++inside(q->symbol(), e.ts_event()).quotes;
    } else if (auto b = e.as<fb::Bar>()) {
      auto& a = minute[b->symbol()];
      EXPECT_EQ(e.ts_event(), a.minute_close);
      EXPECT_EQ(a.trades, 4);
      EXPECT_EQ(a.quotes, 4);
      EXPECT_EQ(b->interval_s(), 60u);
      EXPECT_EQ(b->open(), a.open);
      EXPECT_EQ(b->high(), a.high);
      EXPECT_EQ(b->low(), a.low);
      EXPECT_EQ(b->close(), a.close);
      EXPECT_EQ(b->volume(), a.volume);
      EXPECT_GE(b->high(), std::max(b->open(), b->close()));
      EXPECT_LE(b->low(), std::min(b->open(), b->close()));
      minute.erase(b->symbol());
      ++bars[b->symbol()];
    }
  }
  ASSERT_EQ(bars.size(), 8u);
  for (auto& [sym, n] : bars)
    EXPECT_EQ(n, 780) << "symbol " << sym;
}

TEST(synthetic_market, quotes_whole_cents_with_one_to_three_cent_spreads) {
  fixture f;
  auto m = f.make();
  std::map<uint32_t, std::pair<int64_t, int64_t>> last_quote;
  std::map<int64_t, int> spreads;
  for (size_t i = 0; i < session_events(8); ++i) {
    auto e = m.next(0);
    if (auto q = e.as<fb::Quote>()) {
      EXPECT_EQ(q->bid() % cent, 0);
      EXPECT_EQ(q->ask() % cent, 0);
      EXPECT_GT(q->bid(), 0);
      auto spread = (q->ask() - q->bid()) / cent;
      EXPECT_GE(spread, 1);
      EXPECT_LE(spread, 3);
      ++spreads[spread];
      EXPECT_GT(shares_from_nanos(q->bid_size()), 0);
      EXPECT_GT(shares_from_nanos(q->ask_size()), 0);
      EXPECT_EQ(q->bid_size() % (100 * nanos_per_share), 0);
      EXPECT_EQ(q->ask_size() % (100 * nanos_per_share), 0);
      last_quote[q->symbol()] = {q->bid(), q->ask()};
    } else if (auto t = e.as<fb::Trade>()) {
      EXPECT_EQ(t->price() % cent, 0);
      ASSERT_TRUE(last_quote.contains(t->symbol()));
      auto [bid, ask] = last_quote[t->symbol()];
      EXPECT_GE(t->price(), bid);
      EXPECT_LE(t->price(), ask);
    }
  }
  // All three spread widths occur.
  EXPECT_EQ(spreads.size(), 3u);
}

TEST(synthetic_market, starts_symbols_at_different_prices_between_20_and_500) {
  fixture f;
  auto m = f.make();
  std::map<uint32_t, int64_t> first_bid;
  while (first_bid.size() < 8) {
    auto e = m.next(0);
    if (auto q = e.as<fb::Quote>())
      first_bid.emplace(q->symbol(), q->bid());
  }
  std::vector<int64_t> bids;
  for (auto& [sym, bid] : first_bid) {
    EXPECT_GE(bid, 19'900'000) << sym;
    EXPECT_LE(bid, 501'000'000) << sym;
    bids.push_back(bid);
  }
  std::sort(bids.begin(), bids.end());
  EXPECT_EQ(std::unique(bids.begin(), bids.end()), bids.end());
}

TEST(synthetic_market, opens_each_session_on_the_next_weekday_with_a_gap) {
  fixture f;
  auto m = f.make();
  std::map<uint32_t, int64_t> last_close;
  std::vector<double> gaps;
  std::vector<int64_t> opens{f.cfg.session_open_ns};
  int64_t last_ts = 0;
  for (size_t i = 0; i < session_events(8) * 6; ++i) {
    auto e = m.next(0);
    if (last_ts != 0 && e.ts_event() - last_ts > minute_ns) {
      // First event of a new session.
      opens.push_back(e.ts_event() - e.ts_event() % minute_ns);
    }
    last_ts = e.ts_event();
    auto b = e.as<fb::Bar>();
    if (!b)
      continue;
    auto bar_index = (e.ts_event() - opens.back()) / minute_ns; // 1-based
    if (bar_index == 1 && last_close.contains(b->symbol()))
      gaps.push_back(std::log(static_cast<double>(b->open()) / last_close[b->symbol()]));
    last_close[b->symbol()] = b->close();
  }
  // Mon..Fri then the next Monday: the weekend is skipped.
  ASSERT_EQ(opens.size(), 6u);
  constexpr int64_t day = 86'400'000'000'000;
  for (size_t i = 1; i < 5; ++i)
    EXPECT_EQ(opens[i] - opens[i - 1], day) << i;
  EXPECT_EQ(opens[5] - opens[4], 3 * day);
  ASSERT_EQ(gaps.size(), 5u * 8u);
  int nonzero = 0;
  double sum_abs = 0;
  for (auto g : gaps) {
    nonzero += std::abs(g) > 1e-9;
    sum_abs += std::abs(g);
  }
  EXPECT_GE(nonzero, 36);
  EXPECT_GT(sum_abs / gaps.size(), 0.004);
}

TEST(synthetic_market, gives_a_breakout_strategy_several_trades_per_symbol) {
  fixture f;
  auto m = f.make();
  struct track {
    std::deque<int64_t> highs, lows, volumes;
    bool in_position = false;
    int64_t peak = 0;
    int entries = 0;
  };
  std::map<uint32_t, track> by_symbol;
  constexpr int sessions = 3;
  for (size_t i = 0; i < session_events(8) * sessions; ++i) {
    auto e = m.next(0);
    auto b = e.as<fb::Bar>();
    if (!b)
      continue;
    auto& t = by_symbol[b->symbol()];
    if (t.highs.size() == 20) {
      auto high20 = *std::max_element(t.highs.begin(), t.highs.end());
      double avg_volume = 0;
      for (auto v : t.volumes) avg_volume += static_cast<double>(v) / 20.0;
      auto low10 = *std::min_element(t.lows.end() - 10, t.lows.end());
      if (!t.in_position) {
        if (b->close() > high20 && b->volume() > 1.5 * avg_volume) {
          t.in_position = true;
          t.peak = b->close();
          ++t.entries;
        }
      } else {
        t.peak = std::max(t.peak, b->close());
        if (b->close() < t.peak * 0.98 || b->close() < low10)
          t.in_position = false;
      }
    }
    t.highs.push_back(b->high());
    t.lows.push_back(b->low());
    t.volumes.push_back(b->volume());
    if (t.highs.size() > 20) {
      t.highs.pop_front();
      t.lows.pop_front();
      t.volumes.pop_front();
    }
  }
  ASSERT_EQ(by_symbol.size(), 8u);
  int total = 0;
  for (auto& [sym, t] : by_symbol) {
    EXPECT_GE(t.entries, sessions) << "symbol " << sym;
    total += t.entries;
  }
  std::cout << "breakout entries over " << sessions << " sessions: " << total << "\n";
  EXPECT_GE(total, 8 * sessions * 2);
}

TEST(synthetic_market, rejects_a_symbol_missing_from_the_table) {
  fixture f;
  f.cfg.symbols.push_back("NOPE");
  EXPECT_THROW(f.make(), std::invalid_argument);
}

TEST(synthetic_market, explains_what_is_wrong_with_a_bad_config) {
  synthetic_market_config c;
  EXPECT_NE(validate(c).find("no symbols"), std::string::npos);
  c.symbols = {"A", "A"};
  EXPECT_NE(validate(c).find("duplicate"), std::string::npos);
  c.symbols = {"A"};
  EXPECT_EQ(validate(c), "");
  c.trades_per_bar = 0;
  EXPECT_NE(validate(c).find("trades_per_bar"), std::string::npos);
  c.trades_per_bar = 4;
  c.breakout_probability = 1.5;
  EXPECT_NE(validate(c).find("probabilities"), std::string::npos);
}
