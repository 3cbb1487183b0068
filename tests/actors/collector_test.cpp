#include <gtest/gtest.h>

#include "actors/collector.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

msg trade_at(msg_builder& b, int64_t ts, uint32_t sym, int64_t px, int64_t size = 100) {
  return b.trade({0, ts, ts}, symbol_id{sym}, price{px}, quantity::of_shares(size));
}

} // namespace

TEST(collector, assigns_increasing_sequence_numbers) {
  collector_state st;
  msg_builder b;
  msg out;
  ASSERT_EQ(admit(st, trade_at(b, 10, 0, 100), out), admission::accept);
  EXPECT_EQ(out.seq(), 1u);
  ASSERT_EQ(admit(st, trade_at(b, 11, 1, 100), out), admission::accept);
  EXPECT_EQ(out.seq(), 2u);
  EXPECT_EQ(st.stats.accepted, 2u);
}

TEST(collector, drops_an_exact_duplicate_and_counts_it) {
  collector_state st;
  msg_builder b;
  msg out;
  admit(st, trade_at(b, 10, 0, 100), out);
  EXPECT_EQ(admit(st, trade_at(b, 10, 0, 100), out), admission::duplicate);
  EXPECT_EQ(st.stats.duplicates_dropped, 1u);
  EXPECT_EQ(st.next_seq, 2u);
}

TEST(collector, accepts_a_different_event_at_the_same_time) {
  collector_state st;
  msg_builder b;
  msg out;
  admit(st, trade_at(b, 10, 0, 100), out);
  EXPECT_EQ(admit(st, trade_at(b, 10, 0, 101), out), admission::accept);
}

TEST(collector, drops_an_event_older_than_the_last_of_its_symbol) {
  collector_state st;
  msg_builder b;
  msg out;
  admit(st, trade_at(b, 10, 0, 100), out);
  EXPECT_EQ(admit(st, trade_at(b, 9, 0, 100), out), admission::out_of_order);
  EXPECT_EQ(st.stats.out_of_order_dropped, 1u);
  // Other symbols and other kinds keep their own clocks.
  EXPECT_EQ(admit(st, trade_at(b, 9, 1, 100), out), admission::accept);
  auto q = b.quote({0, 5, 5}, symbol_id{0}, price{99}, quantity{1}, price{101},
                   quantity{1});
  EXPECT_EQ(admit(st, q, out), admission::accept);
}

TEST(collector, keeps_the_last_event_per_symbol_and_kind) {
  collector_state st;
  msg_builder b;
  msg out;
  admit(st, trade_at(b, 10, 2, 100), out);
  admit(st, trade_at(b, 12, 2, 105), out);
  auto last = st.last_event(2, 0);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->as<fb::Trade>()->price(), 105);
  EXPECT_EQ(st.last_event(2, 1), nullptr);
  EXPECT_EQ(st.last_event(7, 0), nullptr);
}

TEST(collector, refuses_messages_that_are_not_market_data) {
  collector_state st;
  msg_builder b;
  msg out;
  auto m = b.cancel_order({}, client_order_id{1});
  EXPECT_EQ(admit(st, m, out), admission::not_market_data);
  EXPECT_EQ(st.stats.refused, 1u);
}

TEST(collector, stamps_in_place_without_copying_the_bytes) {
  collector_state st;
  msg_builder b;
  msg out;
  auto m = trade_at(b, 10, 0, 100);
  auto* bytes = m.data();
  admit(st, std::move(m), out);
  EXPECT_EQ(out.data(), bytes);
}

TEST(collector, journals_its_counters_every_n_accepted_events) {
  collector_state st;
  msg_builder b;
  msg out;
  int due = 0;
  for (int i = 0; i < 10; ++i) {
    admit(st, trade_at(b, 10 + i, 0, 100), out);
    due += health_due(st, 4);
  }
  EXPECT_EQ(due, 2); // after the 4th and the 8th
  EXPECT_FALSE(health_due(st, 0));
}

TEST(collector, builds_bars_from_trades_sequenced_after_the_trade_that_closed_them) {
  constexpr int64_t minute = 60'000'000'000;
  constexpr int64_t t0 = 1'767'625'200'000'000'000; // on a minute
  collector_state st;
  st.configure({minute, 0});
  msg_builder b;
  std::vector<msg> bars;
  std::vector<symbol_id> stale;
  msg out;
  for (auto [ts, px] : {std::pair{t0 + 1, 100}, {t0 + 30'000'000'000, 105}, {t0 + minute + 5, 101}}) {
    ASSERT_EQ(admit(st, trade_at(b, ts, 0, px * 1'000'000, 10), out), admission::accept);
    derive(st, out, bars, stale);
  }
  ASSERT_EQ(bars.size(), 1u);
  auto bar = bars[0].as<fb::Bar>();
  ASSERT_NE(bar, nullptr);
  EXPECT_EQ(bars[0].ts_event(), t0 + minute);
  EXPECT_EQ(bars[0].seq(), out.seq() + 1); // after the trade that completed it
  EXPECT_EQ(bars[0].ts_ingress(), out.ts_ingress());
  EXPECT_EQ(bar->open(), 100'000'000);
  EXPECT_EQ(bar->high(), 105'000'000);
  EXPECT_EQ(bar->close(), 105'000'000);
  EXPECT_EQ(shares_from_nanos(bar->volume()), 20);
  EXPECT_EQ(bar->interval_s(), 60u);
  EXPECT_EQ(st.stats.bars_built, 1u);
  EXPECT_EQ(st.last_event(0, 2)->seq(), bars[0].seq());
  // A trade of another symbol a minute later closes the first symbol's bar.
  ASSERT_EQ(admit(st, trade_at(b, t0 + 2 * minute + 1, 1, 50'000'000), out), admission::accept);
  derive(st, out, bars, stale);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[1].as<fb::Bar>()->symbol(), 0u);
  EXPECT_EQ(bars[1].ts_event(), t0 + 2 * minute);
}

TEST(collector, reports_a_symbol_that_went_quiet) {
  constexpr int64_t sec = 1'000'000'000;
  collector_state st;
  st.configure({0, 30 * sec});
  msg_builder b;
  std::vector<msg> bars;
  std::vector<symbol_id> stale;
  msg out;
  admit(st, trade_at(b, 1 * sec, 0, 100), out);
  derive(st, out, bars, stale);
  admit(st, trade_at(b, 40 * sec, 1, 100), out);
  derive(st, out, bars, stale);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].value, 0u);
  EXPECT_EQ(st.stats.stale_reports, 1u);
  EXPECT_TRUE(bars.empty()); // no bar building asked for
}

TEST(collector, notes_the_session_opening_and_closing_in_event_time) {
  constexpr int64_t hour = 3'600'000'000'000;
  constexpr int64_t midnight = 1'767'571'200'000'000'000; // 2026-01-05
  collector_state st;
  st.configure({}); // 14:30 to 21:00 UTC
  msg_builder b;
  std::vector<msg> bars;
  std::vector<symbol_id> stale;
  msg out;
  std::vector<session_edge> edges;
  for (auto h : {13, 15, 16, 22}) {
    admit(st, trade_at(b, midnight + h * hour, 0, 100), out);
    derive(st, out, bars, stale);
    edges.push_back(st.last_edge);
  }
  EXPECT_EQ(edges, (std::vector<session_edge>{session_edge::none, session_edge::opened,
                                              session_edge::none, session_edge::closed}));
}

TEST(collector, sequences_news_and_drops_a_story_delivered_twice) {
  collector_state st;
  msg_builder b;
  msg out;
  std::string_view syms[] = {"ACME"};
  ASSERT_EQ(admit(st, b.news({0, 5, 5}, "n1", "Acme beats", "", syms, "wire"), out),
            admission::accept);
  EXPECT_EQ(out.seq(), 1u);
  EXPECT_EQ(market_kind_of(out), news);
  EXPECT_EQ(admit(st, b.news({0, 6, 6}, "n1", "Acme beats", "", syms, "other wire"), out),
            admission::duplicate);
  ASSERT_EQ(admit(st, b.news({0, 7, 7}, "", "No id", "", syms, "wire"), out),
            admission::accept); // without an id there is nothing to compare
  EXPECT_EQ(st.stats.news, 2u);
  EXPECT_EQ(st.stats.duplicates_dropped, 1u);
}
