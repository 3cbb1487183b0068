// The signal actor's routes: which strategy gets each symbol's messages, as
// plain functions over the table, then on the deterministic coordinator
// with two spies standing in for strategies.

#include <gtest/gtest.h>

#include <vector>

#include "actors/signal.hpp"
#include "messages/msg_builder.hpp"
#include "../support/deterministic_system.hpp"

using namespace osprey;

namespace {

constexpr auto nobody = signal_routes::nobody;

std::vector<uint32_t> ids(std::initializer_list<uint32_t> l) { return l; }

fb::BarRow row(uint32_t symbol, double close) {
  auto px = price::from_dollars(close).micros;
  return fb::BarRow{1, 60'000'000'000, symbol, 60, px, px, px, px, 100};
}

msg batch(msg_builder& b, std::vector<fb::BarRow> rows) {
  return b.bar_batch({1, 60'000'000'000, 0}, rows);
}

/// The symbols of a SignalBatch's rows, in order.
std::vector<uint32_t> row_symbols(const msg& m) {
  std::vector<uint32_t> out;
  for (auto r : *m.as<fb::SignalBatch>()->rows())
    out.push_back(r->symbol());
  return out;
}

} // namespace

TEST(signal_routes, a_strategy_of_every_symbol_owns_known_and_later_symbols) {
  signal_routes r;
  add_route(r, 0, {}, 3);
  EXPECT_EQ(r.owner_of(0), 0);
  EXPECT_EQ(r.owner_of(2), 0);
  EXPECT_EQ(r.owner_of(50), 0); // first seen later (a replay interning as it reads)
  EXPECT_EQ(r.only, 0);         // the fast path: batches go whole
}

TEST(signal_routes, shards_route_each_symbol_to_its_owner_and_leave_the_rest_unrouted) {
  signal_routes r;
  add_route(r, 0, ids({0, 2}), 4);
  add_route(r, 1, ids({1}), 4);
  EXPECT_EQ(r.owner_of(0), 0);
  EXPECT_EQ(r.owner_of(1), 1);
  EXPECT_EQ(r.owner_of(2), 0);
  EXPECT_EQ(r.owner_of(3), nobody);
  EXPECT_EQ(r.owner_of(9), nobody);
  EXPECT_EQ(r.only, nobody);
}

TEST(signal_routes, one_strategy_of_some_symbols_is_not_the_fast_path) {
  signal_routes r;
  add_route(r, 0, ids({1}), 3);
  EXPECT_EQ(r.only, nobody); // its batch must lose the other symbols' rows
}

TEST(signal_routes, removing_a_strategy_unroutes_its_symbols_only) {
  signal_routes r;
  add_route(r, 0, ids({0}), 2);
  add_route(r, 1, ids({1}), 2);
  remove_route(r, 0);
  EXPECT_EQ(r.owner_of(0), nobody);
  EXPECT_EQ(r.owner_of(1), 1);
  remove_route(r, 1);
  EXPECT_EQ(r.owner_of(1), nobody);
  EXPECT_EQ(r.only, nobody);
}

TEST(signal_routes, a_symbol_past_the_known_ones_can_be_routed) {
  signal_routes r;
  add_route(r, 0, ids({5}), 2);
  EXPECT_EQ(r.owner_of(5), 0);
  EXPECT_EQ(r.owner_of(4), nobody);
  EXPECT_EQ(r.owner_of(6), nobody);
}

TEST(signal_routes, removing_the_strategy_of_every_symbol_leaves_later_symbols_unrouted) {
  signal_routes r;
  add_route(r, 0, {}, 2);
  remove_route(r, 0);
  EXPECT_EQ(r.owner_of(0), nobody);
  EXPECT_EQ(r.owner_of(7), nobody);
  EXPECT_EQ(r.only, nobody);
}

TEST(signal_routes, a_batch_splits_into_the_rows_each_strategy_owns) {
  signal_state st;
  st.routes.owner = {0, 1, 0, nobody};
  msg_builder b;
  signal_batch_of(st, batch(b, {row(0, 10), row(1, 20), row(2, 30), row(3, 40)}));
  auto first = owned_rows(st, 0, {});
  auto second = owned_rows(st, 1, {});
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(row_symbols(first), ids({0, 2}));
  EXPECT_EQ(row_symbols(second), ids({1}));
  EXPECT_EQ(first.as<fb::SignalBatch>()->rows()->Get(1)->close(),
            price::from_dollars(30).micros);
  EXPECT_FALSE(owned_rows(st, 2, {})); // owns nothing: no message
}

TEST(signal_routes, a_split_batch_keeps_each_rows_extra_columns) {
  signal_state st;
  st.params.extra = ind::parse_indicator_list("sma:1,gap");
  st.routes.owner = {0, 1};
  msg_builder b;
  signal_batch_of(st, batch(b, {row(0, 10), row(1, 20)}));
  auto part = owned_rows(st, 1, {});
  ASSERT_TRUE(part);
  auto sb = part.as<fb::SignalBatch>();
  ASSERT_EQ(sb->width(), 2u);
  ASSERT_EQ(sb->values()->size(), 2u);
  EXPECT_DOUBLE_EQ(sb->values()->Get(0), 20.0); // symbol 1's sma:1, not symbol 0's
}

TEST(signal_actor_routes, each_strategy_receives_only_its_symbols_and_routes_change_at_run_time) {
  test::deterministic_system ds;
  std::vector<msg> seen_a, seen_b;
  auto a = ds.sys->spawn(test::spy, &seen_a);
  auto b = ds.sys->spawn(test::spy, &seen_b);
  signal_settings gs;
  gs.symbols = {"AAPL", "MSFT", "NVDA"};
  gs.routes = {{a, {0}}, {b, {1}}};
  auto sig = ds.sys->spawn(osprey::signal, gs);
  ds.sched->run();
  msg_builder mb;
  caf::anon_send(sig, batch(mb, {row(0, 10), row(1, 20), row(2, 30)}));
  caf::anon_send(sig, mb.bar({2, 2, 2}, symbol_id{1}, 60, price::from_dollars(1),
                             price::from_dollars(1), price::from_dollars(1),
                             price::from_dollars(1), quantity{5}));
  ds.sched->run();
  ASSERT_EQ(seen_a.size(), 1u);
  EXPECT_EQ(row_symbols(seen_a[0]), ids({0}));
  ASSERT_EQ(seen_b.size(), 2u);
  EXPECT_EQ(row_symbols(seen_b[0]), ids({1}));
  EXPECT_EQ(seen_b[1].as<fb::Signal>()->symbol(), 1u);

  // b goes, a takes NVDA too: b hears nothing more.
  caf::anon_send(sig, remove_route_atom::value, msg_actor{b});
  caf::anon_send(sig, add_route_atom::value, msg_actor{a}, ids({2}));
  caf::anon_send(sig, batch(mb, {row(0, 11), row(1, 21), row(2, 31)}));
  ds.sched->run();
  ASSERT_EQ(seen_a.size(), 2u);
  EXPECT_EQ(row_symbols(seen_a[1]), ids({0, 2}));
  EXPECT_EQ(seen_b.size(), 2u);
  for (auto h : {caf::actor_cast<caf::actor>(sig), caf::actor_cast<caf::actor>(a),
                 caf::actor_cast<caf::actor>(b)})
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  ds.sched->run();
}

TEST(signal_actor_routes, one_strategy_of_every_symbol_gets_the_batch_it_was_built_as) {
  test::deterministic_system ds;
  std::vector<msg> seen;
  auto a = ds.sys->spawn(test::spy, &seen);
  signal_settings gs;
  gs.symbols = {"AAPL", "MSFT"};
  gs.strategy = a;
  auto sig = ds.sys->spawn(osprey::signal, gs);
  msg_builder mb;
  caf::anon_send(sig, batch(mb, {row(0, 10), row(1, 20)}));
  ds.sched->run();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(row_symbols(seen[0]), ids({0, 1}));
  caf::anon_send_exit(sig, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  ds.sched->run();
}
