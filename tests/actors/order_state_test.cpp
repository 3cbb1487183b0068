#include <gtest/gtest.h>

#include "actors/order_state.hpp"

using namespace osprey;

namespace {

order new_order(int64_t qty = 100) {
  order o;
  o.id = client_order_id{1};
  o.qty = quantity{qty};
  return o;
}

const price px = price::from_dollars(10);

} // namespace

TEST(order_state, pending_new_is_accepted) {
  auto o = new_order();
  EXPECT_EQ(on_accepted(o), order_error::none);
  EXPECT_EQ(o.status, order_status::accepted);
}

TEST(order_state, pending_new_is_rejected) {
  auto o = new_order();
  EXPECT_EQ(on_rejected(o), order_error::none);
  EXPECT_EQ(o.status, order_status::rejected);
}

TEST(order_state, accepted_fills_partially_then_fully) {
  auto o = new_order();
  on_accepted(o);
  EXPECT_EQ(on_fill(o, quantity{40}, px), order_error::none);
  EXPECT_EQ(o.status, order_status::partially_filled);
  EXPECT_EQ(o.leaves().shares, 60);
  EXPECT_EQ(on_fill(o, quantity{60}, price::from_dollars(11)), order_error::none);
  EXPECT_EQ(o.status, order_status::filled);
  EXPECT_EQ(o.average_fill_price(), price::from_dollars(10.6));
}

TEST(order_state, a_fill_before_the_acknowledgement_implies_acceptance) {
  auto o = new_order();
  EXPECT_EQ(on_fill(o, quantity{100}, px), order_error::none);
  EXPECT_EQ(o.status, order_status::filled);
}

TEST(order_state, accepted_and_partially_filled_orders_cancel_and_expire) {
  auto a = new_order();
  on_accepted(a);
  EXPECT_EQ(on_canceled(a), order_error::none);
  EXPECT_EQ(a.status, order_status::canceled);
  auto b = new_order();
  on_accepted(b);
  on_fill(b, quantity{10}, px);
  EXPECT_EQ(on_expired(b), order_error::none);
  EXPECT_EQ(b.status, order_status::expired);
  EXPECT_EQ(b.filled.shares, 10);
}

TEST(order_state, refuses_a_fill_on_a_canceled_order) {
  auto o = new_order();
  on_accepted(o);
  on_canceled(o);
  EXPECT_EQ(on_fill(o, quantity{1}, px), order_error::already_terminal);
  EXPECT_EQ(o.filled.shares, 0);
  EXPECT_EQ(o.status, order_status::canceled);
}

TEST(order_state, refuses_an_overfill_and_keeps_the_order_unchanged) {
  auto o = new_order();
  on_accepted(o);
  on_fill(o, quantity{90}, px);
  EXPECT_EQ(on_fill(o, quantity{11}, px), order_error::overfill);
  EXPECT_EQ(o.filled.shares, 90);
  EXPECT_EQ(o.status, order_status::partially_filled);
}

TEST(order_state, refuses_a_non_positive_fill) {
  auto o = new_order();
  EXPECT_EQ(on_fill(o, quantity{0}, px), order_error::bad_quantity);
  EXPECT_EQ(on_fill(o, quantity{-5}, px), order_error::bad_quantity);
}

TEST(order_state, terminal_orders_never_change_again) {
  for (auto finish : {on_canceled, on_expired, on_rejected}) {
    auto o = new_order();
    finish(o);
    auto before = o.status;
    EXPECT_EQ(on_accepted(o), order_error::already_terminal);
    EXPECT_EQ(on_rejected(o), order_error::already_terminal);
    EXPECT_EQ(on_canceled(o), order_error::already_terminal);
    EXPECT_EQ(on_expired(o), order_error::already_terminal);
    EXPECT_EQ(on_fill(o, quantity{1}, px), order_error::already_terminal);
    EXPECT_EQ(o.status, before);
  }
  auto f = new_order();
  on_fill(f, quantity{100}, px);
  EXPECT_EQ(on_canceled(f), order_error::already_terminal);
  EXPECT_EQ(f.status, order_status::filled);
}

TEST(order_state, refuses_a_second_acknowledgement_or_a_late_rejection) {
  auto o = new_order();
  on_accepted(o);
  EXPECT_EQ(on_accepted(o), order_error::not_pending);
  EXPECT_EQ(on_rejected(o), order_error::not_pending);
  EXPECT_EQ(o.status, order_status::accepted);
}

TEST(position, opens_and_adds_at_the_average_price) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{100}, price::from_dollars(10), money{});
  apply_fill(p, fb::Side::Buy, quantity{100}, price::from_dollars(12), money{});
  EXPECT_EQ(p.qty.shares, 200);
  EXPECT_EQ(p.average_price(), price::from_dollars(11));
  EXPECT_EQ(p.realized, money{});
}

TEST(position, realizes_pnl_on_a_reduction_and_a_close) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{200}, price::from_dollars(11), money{});
  apply_fill(p, fb::Side::Sell, quantity{50}, price::from_dollars(13), money{});
  EXPECT_EQ(p.qty.shares, 150);
  EXPECT_EQ(p.realized, money{100 * micros_per_dollar});
  EXPECT_EQ(p.average_price(), price::from_dollars(11));
  apply_fill(p, fb::Side::Sell, quantity{150}, price::from_dollars(10), money{});
  EXPECT_EQ(p.qty.shares, 0);
  EXPECT_EQ(p.realized, money{-50 * micros_per_dollar});
  EXPECT_EQ(p.cost, money{});
}

TEST(position, flips_from_long_to_short_through_zero) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{100}, price::from_dollars(10), money{});
  apply_fill(p, fb::Side::Sell, quantity{150}, price::from_dollars(12), money{});
  EXPECT_EQ(p.qty.shares, -50);
  EXPECT_EQ(p.realized, money{200 * micros_per_dollar});
  EXPECT_EQ(p.average_price(), price::from_dollars(12));
  // Covering the short below its price is a gain.
  apply_fill(p, fb::Side::Buy, quantity{50}, price::from_dollars(11), money{});
  EXPECT_EQ(p.qty.shares, 0);
  EXPECT_EQ(p.realized, money{250 * micros_per_dollar});
}

TEST(position, books_commission_as_realized_cost) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{100}, price::from_dollars(10),
             money{500'000});
  EXPECT_EQ(p.realized, money{-500'000});
}

TEST(position, marks_unrealized_pnl) {
  position p;
  apply_fill(p, fb::Side::Sell, quantity{100}, price::from_dollars(10), money{});
  p.mark = price::from_dollars(9);
  EXPECT_EQ(p.unrealized(), money{100 * micros_per_dollar});
}

TEST(position, keeps_the_cost_basis_exact_over_odd_lots) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{3}, price{10'000'001}, money{});
  for (int i = 0; i < 3; ++i)
    apply_fill(p, fb::Side::Sell, quantity{1}, price{10'000'001}, money{});
  EXPECT_EQ(p.qty.shares, 0);
  EXPECT_EQ(p.realized, money{});
  EXPECT_EQ(p.cost, money{});
}
