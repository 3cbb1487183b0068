#include <gtest/gtest.h>

#include "actors/order_manager.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

struct order_manager_logic : ::testing::Test {
  order_manager_state st;
  msg_builder b;

  order_manager_logic() {
    order_manager_params p;
    p.starting_cash = money{10'000 * micros_per_dollar};
    p.first_client_order_id = 100;
    st.configure(p);
  }

  order& create(fb::Side side, int64_t qty) {
    auto m = b.order_intent({}, symbol_id{0}, side, quantity::of_shares(qty),
                            fb::OrderType::Market, price{}, {});
    return st.create(*m.as<fb::OrderIntent>());
  }

  execution_result fill(uint64_t id, fb::Side side, int64_t qty, double px,
                        int64_t leaves, money commission = {}) {
    return apply_execution(st, b.order_filled({}, client_order_id{id}, symbol_id{0},
                                              side, quantity::of_shares(qty),
                                              price::from_dollars(px), quantity::of_shares(qty),
                                              quantity::of_shares(leaves), commission));
  }
};

} // namespace

TEST_F(order_manager_logic, issues_unique_increasing_client_order_ids) {
  auto a = create(fb::Side::Buy, 10).id;
  auto b2 = create(fb::Side::Buy, 10).id;
  EXPECT_EQ(a.value, 100u);
  EXPECT_EQ(b2.value, 101u);
  EXPECT_EQ(st.stats.orders, 2u);
}

TEST_F(order_manager_logic, a_fill_updates_order_position_and_cash) {
  auto id = create(fb::Side::Buy, 10).id.value;
  apply_execution(st, b.order_accepted({}, client_order_id{id}, symbol_id{0}));
  auto r = fill(id, fb::Side::Buy, 10, 100, 0, money{50'000});
  ASSERT_TRUE(r.filled);
  EXPECT_EQ(r.target->status, order_status::filled);
  EXPECT_EQ(st.positions[0].qty.shares(), 10);
  EXPECT_EQ(st.cash, money{(10'000 - 1'000) * micros_per_dollar - 50'000});
  EXPECT_EQ(st.stats.fills, 1u);
  EXPECT_EQ(st.stats.filled_orders, 1u);
  auto v = st.portfolio();
  EXPECT_EQ(v.equity, money{10'000 * micros_per_dollar - 50'000});
  EXPECT_EQ(v.open_positions, 1u);
}

TEST_F(order_manager_logic, refuses_an_overfill_without_touching_the_position) {
  auto id = create(fb::Side::Buy, 10).id.value;
  fill(id, fb::Side::Buy, 6, 100, 4);
  auto r = fill(id, fb::Side::Buy, 5, 100, 0);
  EXPECT_EQ(r.error, order_error::overfill);
  EXPECT_FALSE(r.filled);
  EXPECT_EQ(st.positions[0].qty.shares(), 6);
  EXPECT_EQ(st.stats.refused_events, 1u);
}

TEST_F(order_manager_logic, refuses_a_fill_on_a_canceled_order) {
  auto id = create(fb::Side::Buy, 10).id.value;
  apply_execution(st, b.order_canceled({}, client_order_id{id}, symbol_id{0},
                                       fb::Side::Buy, quantity{10}));
  auto r = fill(id, fb::Side::Buy, 10, 100, 0);
  EXPECT_EQ(r.error, order_error::already_terminal);
  EXPECT_TRUE(st.positions.empty() || st.positions[0].qty.shares() == 0);
  EXPECT_EQ(st.stats.canceled, 1u);
}

TEST_F(order_manager_logic, ignores_reports_for_unknown_orders) {
  auto r = fill(999, fb::Side::Buy, 10, 100, 0);
  EXPECT_EQ(r.target, nullptr);
  EXPECT_FALSE(r.filled);
}

TEST_F(order_manager_logic, counts_rejections_and_expiries) {
  auto a = create(fb::Side::Buy, 10).id;
  auto e = create(fb::Side::Buy, 10).id;
  apply_execution(st, b.order_rejected({}, a, symbol_id{0}, fb::Side::Buy,
                                       quantity{10}, "insufficient buying power"));
  apply_execution(st, b.order_accepted({}, e, symbol_id{0}));
  apply_execution(st, b.order_expired({}, e, symbol_id{0}, fb::Side::Buy,
                                      quantity{10}));
  EXPECT_EQ(st.stats.rejected, 1u);
  EXPECT_EQ(st.stats.expired, 1u);
  EXPECT_EQ(st.orders.at(a.value).status, order_status::rejected);
  EXPECT_EQ(st.orders.at(e.value).status, order_status::expired);
}

TEST_F(order_manager_logic, realizes_pnl_across_a_round_trip) {
  auto buy = create(fb::Side::Buy, 10).id.value;
  fill(buy, fb::Side::Buy, 10, 100, 0);
  auto sell = create(fb::Side::Sell, 10).id.value;
  fill(sell, fb::Side::Sell, 10, 105, 0);
  auto v = st.portfolio();
  EXPECT_EQ(v.realized_pnl, money{50 * micros_per_dollar});
  EXPECT_EQ(v.cash, money{10'050 * micros_per_dollar});
  EXPECT_EQ(v.open_positions, 0u);
}
