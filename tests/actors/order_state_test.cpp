#include <gtest/gtest.h>

#include "actors/order_state.hpp"

using namespace osprey;

namespace {

order new_order(int64_t qty = 100) {
  order o;
  o.id = client_order_id{1};
  o.qty = quantity::of_shares(qty);
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
  EXPECT_EQ(o.leaves().shares(), 60);
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
  EXPECT_EQ(b.filled.shares(), 10);
}

TEST(order_state, refuses_a_fill_on_a_canceled_order) {
  auto o = new_order();
  on_accepted(o);
  on_canceled(o);
  EXPECT_EQ(on_fill(o, quantity{1}, px), order_error::already_terminal);
  EXPECT_EQ(o.filled.shares(), 0);
  EXPECT_EQ(o.status, order_status::canceled);
}

TEST(order_state, refuses_an_overfill_and_keeps_the_order_unchanged) {
  auto o = new_order();
  on_accepted(o);
  on_fill(o, quantity{90}, px);
  EXPECT_EQ(on_fill(o, quantity{11}, px), order_error::overfill);
  EXPECT_EQ(o.filled.shares(), 90);
  EXPECT_EQ(o.status, order_status::partially_filled);
}

TEST(order_state, refuses_a_non_positive_fill) {
  auto o = new_order();
  EXPECT_EQ(on_fill(o, quantity{0}, px), order_error::bad_quantity);
  EXPECT_EQ(on_fill(o, quantity::of_shares(-5), px), order_error::bad_quantity);
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
  EXPECT_EQ(p.qty.shares(), 200);
  EXPECT_EQ(p.average_price(), price::from_dollars(11));
  EXPECT_EQ(p.realized, money{});
}

TEST(position, realizes_pnl_on_a_reduction_and_a_close) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{200}, price::from_dollars(11), money{});
  apply_fill(p, fb::Side::Sell, quantity{50}, price::from_dollars(13), money{});
  EXPECT_EQ(p.qty.shares(), 150);
  EXPECT_EQ(p.realized, money{100 * micros_per_dollar});
  EXPECT_EQ(p.average_price(), price::from_dollars(11));
  apply_fill(p, fb::Side::Sell, quantity{150}, price::from_dollars(10), money{});
  EXPECT_EQ(p.qty.shares(), 0);
  EXPECT_EQ(p.realized, money{-50 * micros_per_dollar});
  EXPECT_EQ(p.cost, money{});
}

TEST(position, flips_from_long_to_short_through_zero) {
  position p;
  apply_fill(p, fb::Side::Buy, quantity{100}, price::from_dollars(10), money{});
  apply_fill(p, fb::Side::Sell, quantity{150}, price::from_dollars(12), money{});
  EXPECT_EQ(p.qty.shares(), -50);
  EXPECT_EQ(p.realized, money{200 * micros_per_dollar});
  EXPECT_EQ(p.average_price(), price::from_dollars(12));
  // Covering the short below its price is a gain.
  apply_fill(p, fb::Side::Buy, quantity{50}, price::from_dollars(11), money{});
  EXPECT_EQ(p.qty.shares(), 0);
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
  EXPECT_EQ(p.qty.shares(), 0);
  EXPECT_EQ(p.realized, money{});
  EXPECT_EQ(p.cost, money{});
}

TEST(order_state, cancel_flow_goes_through_pending_cancel) {
  auto o = new_order();
  on_accepted(o);
  EXPECT_EQ(on_cancel_sent(o), order_error::none);
  EXPECT_EQ(o.status, order_status::pending_cancel);
  EXPECT_TRUE(is_working(o.status));
  EXPECT_EQ(on_canceled(o), order_error::none);
  EXPECT_EQ(o.status, order_status::canceled);
}

TEST(order_state, a_rejected_cancel_returns_to_the_resting_status) {
  auto a = new_order();
  on_accepted(a);
  on_cancel_sent(a);
  EXPECT_EQ(on_cancel_rejected(a), order_error::none);
  EXPECT_EQ(a.status, order_status::accepted);
  auto b = new_order();
  on_accepted(b);
  on_fill(b, quantity{30}, px);
  on_cancel_sent(b);
  EXPECT_EQ(on_cancel_rejected(b), order_error::none);
  EXPECT_EQ(b.status, order_status::partially_filled);
  EXPECT_EQ(on_cancel_rejected(b), order_error::not_pending_cancel);
}

TEST(order_state, a_fill_wins_the_race_with_a_cancel) {
  auto o = new_order();
  on_accepted(o);
  on_cancel_sent(o);
  EXPECT_EQ(on_fill(o, quantity{40}, px), order_error::none);
  EXPECT_EQ(o.status, order_status::pending_cancel); // still waiting for the venue
  EXPECT_EQ(on_fill(o, quantity{60}, px), order_error::none);
  EXPECT_EQ(o.status, order_status::filled);
  // The venue then refuses the cancel: the order stays filled.
  EXPECT_EQ(on_cancel_rejected(o), order_error::already_terminal);
  EXPECT_EQ(o.status, order_status::filled);
}

TEST(order_state, an_ack_after_the_cancel_was_sent_keeps_the_cancel_pending) {
  auto o = new_order();
  EXPECT_EQ(on_cancel_sent(o), order_error::none); // cancel before the ack
  EXPECT_EQ(on_accepted(o), order_error::none);
  EXPECT_EQ(o.status, order_status::pending_cancel);
}

TEST(order_state, replace_flow_links_old_and_new) {
  auto o = new_order();
  on_accepted(o);
  EXPECT_EQ(on_replace_sent(o, client_order_id{7}), order_error::none);
  EXPECT_EQ(o.status, order_status::pending_replace);
  EXPECT_EQ(on_replaced(o, client_order_id{7}), order_error::none);
  EXPECT_EQ(o.status, order_status::replaced);
  EXPECT_TRUE(is_terminal(o.status));
  EXPECT_EQ(o.replaced_by.value, 7u);
  EXPECT_EQ(on_fill(o, quantity{1}, px), order_error::already_terminal);
}

TEST(order_state, a_rejected_replace_unlinks_and_resumes) {
  auto o = new_order();
  on_accepted(o);
  on_replace_sent(o, client_order_id{7});
  EXPECT_EQ(on_fill(o, quantity{100}, px), order_error::none); // the fill wins
  EXPECT_EQ(o.status, order_status::filled);
  EXPECT_EQ(on_replace_rejected(o), order_error::already_terminal);
  auto p = new_order();
  on_accepted(p);
  on_replace_sent(p, client_order_id{8});
  EXPECT_EQ(on_replace_rejected(p), order_error::none);
  EXPECT_EQ(p.status, order_status::accepted);
  EXPECT_EQ(p.replaced_by.value, 0u);
}

TEST(order_state, refuses_cancel_and_replace_outside_their_statuses) {
  auto held = new_order();
  held.status = order_status::held;
  EXPECT_EQ(on_cancel_sent(held), order_error::not_working);
  EXPECT_EQ(on_replace_sent(held, client_order_id{9}), order_error::not_working);
  EXPECT_EQ(on_fill(held, quantity{1}, px), order_error::not_working);
  auto fresh = new_order();
  EXPECT_EQ(on_replace_sent(fresh, client_order_id{9}), order_error::not_working);
  EXPECT_EQ(on_replace_rejected(fresh), order_error::not_pending_replace);
  EXPECT_EQ(on_replaced(fresh, client_order_id{9}), order_error::not_working);
}

TEST(order_state, a_held_leg_is_armed_by_its_acceptance_and_may_be_canceled) {
  auto leg = new_order();
  leg.status = order_status::held;
  EXPECT_EQ(on_accepted(leg), order_error::none);
  EXPECT_EQ(leg.status, order_status::accepted);
  auto other = new_order();
  other.status = order_status::held;
  EXPECT_EQ(on_canceled(other), order_error::none);
}

TEST(order_state, refuses_a_fill_at_a_non_positive_price) {
  auto o = new_order();
  on_accepted(o);
  EXPECT_EQ(on_fill(o, quantity{1}, price{0}), order_error::bad_price);
  EXPECT_EQ(o.filled.shares(), 0);
}

TEST(order_state, a_trigger_marks_the_order_and_keeps_its_status) {
  auto o = new_order();
  o.type = fb::OrderType::TrailingStop;
  on_accepted(o);
  EXPECT_EQ(on_triggered(o, price::from_dollars(12)), order_error::none);
  EXPECT_TRUE(o.triggered);
  EXPECT_EQ(o.water_mark, price::from_dollars(12));
  EXPECT_EQ(o.status, order_status::accepted);
}

TEST(order_state, a_leg_quantity_never_drops_below_its_fills) {
  auto leg = new_order(100);
  on_accepted(leg);
  on_fill(leg, quantity{30}, px);
  set_leg_quantity(leg, quantity{10});
  EXPECT_EQ(leg.qty.shares(), 30);
  EXPECT_EQ(leg.leaves().shares(), 0);
}

TEST(position, fractions_of_a_share_keep_an_exact_cost_basis) {
  position p;
  apply_fill(p, fb::Side::Buy, *parse_quantity("0.5"), price::from_dollars(100), money{});
  apply_fill(p, fb::Side::Buy, *parse_quantity("0.25"), price::from_dollars(120), money{});
  EXPECT_EQ(p.qty, *parse_quantity("0.75"));
  EXPECT_EQ(p.cost, money{80 * micros_per_dollar});
  EXPECT_EQ(p.average_price(), price{106'666'666}); // $80 / 0.75, truncated
  // Sell two thirds of it at $110: $55 against two thirds of the $80 cost.
  apply_fill(p, fb::Side::Sell, *parse_quantity("0.5"), price::from_dollars(110), money{});
  EXPECT_EQ(p.qty, *parse_quantity("0.25"));
  EXPECT_EQ(p.realized, money{55'000'000 - 53'333'333});
  EXPECT_EQ(p.cost, money{26'666'667});
  // Through zero: the rest opens a short of 0.1 share.
  apply_fill(p, fb::Side::Sell, *parse_quantity("0.35"), price::from_dollars(100), money{});
  EXPECT_EQ(p.qty, -*parse_quantity("0.1"));
  EXPECT_EQ(p.cost, money{-10 * micros_per_dollar});
}
