#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adapters/sim_broker.hpp"
#include "../support/sim_broker_harness.hpp"

using namespace osprey;

using namespace osprey::test;

namespace {

using lines = std::vector<std::string>;

/// An order on the test symbol.
order_spec order(fb::Side side, int64_t qty, fb::OrderType type = fb::OrderType::Market,
                 fb::TimeInForce tif = fb::TimeInForce::Day) {
  order_spec o;
  o.symbol = sym;
  o.side = side;
  o.qty = quantity::of_shares(qty);
  o.type = type;
  o.tif = tif;
  return o;
}

/// What a replace changes; everything else stays.
replace_values changing_limit(double limit) {
  replace_values v;
  v.limit = usd(limit);
  return v;
}

replace_values changing_stop(double stop) {
  replace_values v;
  v.stop = usd(stop);
  return v;
}

replace_values changing_trail(double trail) {
  replace_values v;
  v.trail = usd(trail);
  return v;
}

replace_values changing_tif(fb::TimeInForce tif) {
  replace_values v;
  v.tif = tif;
  return v;
}

replace_values changing_quantity(int64_t qty, double limit = 0) {
  replace_values v;
  v.qty = quantity::of_shares(qty);
  v.limit = usd(limit);
  return v;
}

order_spec with_limit(order_spec o, double limit) {
  o.limit = usd(limit);
  return o;
}

order_spec with_stop(order_spec o, double stop) {
  o.stop = usd(stop);
  return o;
}

/// A bracket on the test symbol: a limit entry, a take-profit and a stop-loss.
order_spec bracket(fb::Side side, int64_t qty, double entry, double take_profit,
                   double stop_loss, double stop_loss_limit = 0,
                   fb::OrderClass cls = fb::OrderClass::Bracket) {
  auto o = with_limit(order(side, qty, fb::OrderType::Limit), entry);
  o.order_class = cls;
  o.take_profit_limit = usd(take_profit);
  o.stop_loss_stop = usd(stop_loss);
  o.stop_loss_limit = usd(stop_loss_limit);
  return o;
}

submit_links legs(uint64_t take_profit, uint64_t stop_loss) {
  return submit_links{client_order_id{take_profit}, client_order_id{stop_loss}};
}

} // namespace

// ---- submit ----------------------------------------------------------------

TEST(sim_broker, accepts_a_valid_market_order_stamped_by_the_command) {
  harness h;
  h.submit(1, fb::Side::Buy, 100);
  auto m = h.one();
  auto a = m.as<fb::OrderAccepted>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->client_order_id(), 1u);
  EXPECT_EQ(a->symbol(), sym.value);
  EXPECT_EQ(m.ts_event(), t0);
  EXPECT_EQ(m.ts_ingress(), 7);
  EXPECT_EQ(h.broker.open_orders(), 1u);
}

TEST(sim_broker, rejects_an_order_with_a_non_positive_quantity) {
  harness h;
  h.submit(1, fb::Side::Buy, 0);
  EXPECT_NE(rejection_reason(h.one()).find("quantity must be positive"), std::string::npos);
  h.submit(2, fb::Side::Sell, -5);
  EXPECT_NE(rejection_reason(h.one()).find("got -5"), std::string::npos);
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, rejects_a_limit_order_without_a_positive_limit_price) {
  harness h;
  h.buy_limit(1, 100, 0.0);
  auto m = h.one();
  EXPECT_NE(rejection_reason(m).find("positive limit price"), std::string::npos);
  EXPECT_EQ(m.as<fb::OrderRejected>()->client_order_id(), 1u);
  EXPECT_EQ(shares_from_nanos(m.as<fb::OrderRejected>()->leaves_quantity()), 100);
}

TEST(sim_broker, rejects_a_reused_client_order_id_and_keeps_the_original) {
  harness h;
  h.submit(1, fb::Side::Buy, 100);
  h.take();
  h.submit(1, fb::Side::Sell, 50);
  EXPECT_NE(rejection_reason(h.one()).find("client order id 1 was already used"),
            std::string::npos);
  EXPECT_EQ(h.broker.open_orders(), 1u);
  h.quote(t0, 10.00, 100, 10.01, 500);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->side(), fb::Side::Buy);
  EXPECT_EQ(shares_from_nanos(f->fill_quantity()), 100);
}

TEST(sim_broker, rejects_an_id_already_used_by_a_rejected_order) {
  harness h;
  h.submit(1, fb::Side::Buy, 0);
  h.take();
  h.submit(1, fb::Side::Buy, 100);
  EXPECT_NE(rejection_reason(h.one()).find("already used"), std::string::npos);
}

TEST(sim_broker, rejects_a_stop_order_without_a_positive_stop_price) {
  // Stop orders were once refused outright; now they need their stop price.
  harness h;
  h.submit(1, fb::Side::Sell, 100, fb::OrderType::Stop);
  EXPECT_EQ(rejection_reason(h.one()),
            "a Stop order needs a positive stop price (got stop_price 0.000000)");
  h.submit(2, fb::Side::Sell, 100, fb::OrderType::StopLimit, fb::TimeInForce::Day,
           usd(9.0), t0, usd(-1.0));
  EXPECT_EQ(rejection_reason(h.one()),
            "a StopLimit order needs a positive stop price (got stop_price -1.000000)");
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

// ---- market orders ---------------------------------------------------------

TEST(sim_broker, fills_a_market_buy_at_the_ask_stamped_by_the_quote) {
  harness h;
  h.submit(1, fb::Side::Buy, 100);
  h.take();
  h.quote(t0 + 5 * ms, 10.00, 300, 10.02, 400);
  auto m = h.one();
  auto f = m.as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->client_order_id(), 1u);
  EXPECT_EQ(f->fill_price(), usd(10.02).micros);
  EXPECT_EQ(shares_from_nanos(f->fill_quantity()), 100);
  EXPECT_EQ(shares_from_nanos(f->cumulative_quantity()), 100);
  EXPECT_EQ(shares_from_nanos(f->leaves_quantity()), 0);
  EXPECT_EQ(f->commission(), 0);
  EXPECT_EQ(m.ts_event(), t0 + 5 * ms);
  EXPECT_EQ(m.ts_ingress(), 8);
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, fills_a_fraction_of_a_share_and_charges_its_fees_rounded_up) {
  sim_broker_config cfg;
  cfg.commission_per_share = money{5'000}; // half a cent a share
  cfg.commission_bps = 10;
  harness h{cfg};
  auto o = order(fb::Side::Buy, 0);
  o.qty = *parse_quantity("0.333333333");
  h.send(1, o);
  h.take();
  h.quote(t0 + 5 * ms, 10.00, 300, 10.02, 400);
  auto f = h.one();
  auto fill = f.as<fb::OrderFilled>();
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->fill_quantity(), 333'333'333);
  EXPECT_EQ(fill->leaves_quantity(), 0);
  // 0.333333333 x $0.005 = $0.001666666665 -> 1,667 micro-dollars; 10 bps of
  // $3.33999999666 = $0.003339999997 -> 3,340.
  EXPECT_EQ(fill->commission(), 1'667 + 3'340);
}

TEST(sim_broker, refuses_a_fraction_where_alpaca_does) {
  harness h;
  auto o = order(fb::Side::Buy, 0, fb::OrderType::Limit, fb::TimeInForce::Gtc);
  o.qty = *parse_quantity("1.5");
  o.limit = usd(10);
  h.send(1, o);
  EXPECT_EQ(rejection_reason(h.one()),
            "a fractional quantity (1.5) needs time in force Day (got Gtc)");
  o.tif = fb::TimeInForce::Day;
  o.order_class = fb::OrderClass::Bracket;
  o.take_profit_limit = usd(11);
  o.stop_loss_stop = usd(9);
  h.send(2, o, legs(3, 4));
  EXPECT_EQ(rejection_reason(h.one()),
            "a fractional quantity (1.5) needs a Simple order (got Bracket)");
  EXPECT_EQ(h.broker.open_orders(), 0u);
  // Whole shares of the same order are fine.
  o.qty = quantity{2};
  h.send(5, o, legs(6, 7));
  EXPECT_NE(h.take().front().as<fb::OrderAccepted>(), nullptr);
}

TEST(sim_broker, fills_a_market_sell_at_the_bid) {
  harness h;
  h.submit(1, fb::Side::Sell, 200);
  h.take();
  h.quote(t0, 10.00, 300, 10.02, 400);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->side(), fb::Side::Sell);
  EXPECT_EQ(f->fill_price(), usd(10.00).micros);
  EXPECT_EQ(shares_from_nanos(f->fill_quantity()), 200);
}

TEST(sim_broker, fills_only_on_quotes_of_the_orders_symbol) {
  harness h;
  h.submit(1, fb::Side::Buy, 100);
  h.take();
  h.quote(t0, 50.00, 100, 50.01, 100, symbol_id{2});
  h.broker.on_market(h.b.trade({0, t0, 0}, sym, usd(10.0), quantity{500}));
  h.broker.on_market(h.b.bar({0, t0, 0}, sym, 60, usd(10), usd(10), usd(10),
                             usd(10), quantity{500}));
  EXPECT_TRUE(h.take().empty());
  h.quote(t0, 10.00, 100, 10.01, 100);
  EXPECT_NE(h.one().as<fb::OrderFilled>(), nullptr);
}

TEST(sim_broker, waits_out_the_latency_before_filling) {
  harness h{{.latency_ns = 2 * ms}};
  h.submit(1, fb::Side::Buy, 100);
  h.take();
  h.quote(t0 + 2 * ms - 1, 10.00, 100, 10.01, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + 2 * ms, 10.00, 100, 10.03, 100);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fill_price(), usd(10.03).micros);
}

TEST(sim_broker, applies_slippage_rounded_to_cents_against_the_trader) {
  harness h{{.slippage_bps = 3}};
  h.submit(1, fb::Side::Buy, 100);
  h.submit(2, fb::Side::Sell, 100);
  h.take();
  // 10.01 * 1.0003 = 10.013003 -> 10.02; 10.01 * 0.9997 = 10.006997 -> 10.00.
  h.quote(t0, 10.01, 100, 10.01, 100);
  auto got = h.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].as<fb::OrderFilled>()->fill_price(), 10'020'000);
  EXPECT_EQ(got[1].as<fb::OrderFilled>()->fill_price(), 10'000'000);
}

TEST(sim_broker, applies_exact_slippage_without_extra_rounding_when_on_a_cent) {
  harness h{{.slippage_bps = 5}};
  h.submit(1, fb::Side::Buy, 100);
  h.take();
  h.quote(t0, 99.99, 100, 100.00, 100); // 100.00 * 1.0005 = 100.05
  EXPECT_EQ(h.one().as<fb::OrderFilled>()->fill_price(), 100'050'000);
}

TEST(sim_broker, never_applies_slippage_to_limit_orders) {
  harness h{{.slippage_bps = 50}};
  h.buy_limit(1, 100, 10.05);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 100);
  EXPECT_EQ(h.one().as<fb::OrderFilled>()->fill_price(), usd(10.01).micros);
}

TEST(sim_broker, charges_per_share_commission_with_the_minimum_on_the_first_fill) {
  harness h{{.commission_per_share = money{5'000}, .min_commission = money{1'000'000}}};
  h.buy_limit(1, 700, 10.01);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 100); // 100 * 0.005 = 0.50, raised to 1.00
  h.quote(t0, 10.00, 100, 10.01, 300); // 300 * 0.005 = 1.50
  h.quote(t0, 10.00, 100, 10.01, 100); // 100 * 0.005 = 0.50, no minimum now
  auto got = h.take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].as<fb::OrderFilled>()->commission(), 1'000'000);
  EXPECT_EQ(got[1].as<fb::OrderFilled>()->commission(), 1'500'000);
  EXPECT_EQ(got[2].as<fb::OrderFilled>()->commission(), 500'000);
}

TEST(sim_broker, charges_per_share_when_above_the_minimum) {
  harness h{{.commission_per_share = money{5'000}, .min_commission = money{1'000'000}}};
  h.submit(1, fb::Side::Sell, 1'000);
  h.take();
  h.quote(t0, 10.00, 1'000, 10.01, 100);
  EXPECT_EQ(h.one().as<fb::OrderFilled>()->commission(), 5'000'000);
}

// ---- limit orders ----------------------------------------------------------

TEST(sim_broker, fills_a_limit_buy_only_once_the_ask_reaches_the_limit) {
  harness h;
  h.buy_limit(1, 100, 10.00);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + ms, 9.97, 100, 9.98, 100);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fill_price(), usd(9.98).micros); // at the ask, better than the limit
}

TEST(sim_broker, fills_a_limit_sell_only_once_the_bid_reaches_the_limit) {
  harness h;
  h.submit(1, fb::Side::Sell, 100, fb::OrderType::Limit, fb::TimeInForce::Gtc,
           usd(20.00));
  h.take();
  h.quote(t0, 19.99, 100, 20.00, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0, 20.00, 100, 20.01, 100);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fill_price(), usd(20.00).micros);
}

TEST(sim_broker, fills_partially_across_quotes_without_overfilling) {
  harness h;
  h.buy_limit(1, 1'000, 10.01);
  h.take();
  for (auto size : {300, 300, 300, 500, 500})
    h.quote(t0, 10.00, 100, 10.01, size);
  auto got = h.take();
  ASSERT_EQ(got.size(), 4u);
  int64_t expected_fills[] = {300, 300, 300, 100};
  int64_t sum = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    auto f = got[i].as<fb::OrderFilled>();
    ASSERT_NE(f, nullptr);
    sum += quantity::from_nanos(f->fill_quantity()).whole_shares();
    EXPECT_EQ(shares_from_nanos(f->fill_quantity()), expected_fills[i]);
    EXPECT_EQ(shares_from_nanos(f->cumulative_quantity()), sum);
    EXPECT_EQ(shares_from_nanos(f->leaves_quantity()), 1'000 - sum);
  }
  EXPECT_EQ(sum, 1'000);
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, shares_one_quotes_size_among_orders_first_come_first_served) {
  harness h;
  h.buy_limit(1, 300, 10.01);
  h.buy_limit(2, 300, 10.01);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 400);
  auto got = h.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].as<fb::OrderFilled>()->client_order_id(), 1u);
  EXPECT_EQ(shares_from_nanos(got[0].as<fb::OrderFilled>()->fill_quantity()), 300);
  EXPECT_EQ(got[1].as<fb::OrderFilled>()->client_order_id(), 2u);
  EXPECT_EQ(shares_from_nanos(got[1].as<fb::OrderFilled>()->fill_quantity()), 100);
  EXPECT_EQ(h.broker.open_orders(), 1u);
}

// ---- time in force ---------------------------------------------------------

TEST(sim_broker, cancels_what_an_ioc_order_does_not_fill_on_its_first_quote) {
  harness h;
  h.submit(1, fb::Side::Buy, 500, fb::OrderType::Market, fb::TimeInForce::Ioc);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 200);
  auto got = h.take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(shares_from_nanos(got[0].as<fb::OrderFilled>()->fill_quantity()), 200);
  auto c = got[1].as<fb::OrderCanceled>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(shares_from_nanos(c->leaves_quantity()), 300);
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, cancels_an_ioc_limit_that_does_not_cross_after_the_latency) {
  harness h{{.latency_ns = ms}};
  h.buy_limit(1, 100, 9.00, fb::TimeInForce::Ioc);
  h.take();
  h.quote(t0, 8.00, 100, 8.01, 100); // before the latency: not its chance
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + ms, 10.00, 100, 10.01, 100);
  auto c = h.one().as<fb::OrderCanceled>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(shares_from_nanos(c->leaves_quantity()), 100);
}

TEST(sim_broker, fills_a_fok_order_whole_or_not_at_all) {
  harness h;
  h.submit(1, fb::Side::Buy, 500, fb::OrderType::Market, fb::TimeInForce::Fok);
  h.submit(2, fb::Side::Buy, 500, fb::OrderType::Market, fb::TimeInForce::Fok,
           {}, t0 + ms);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 400);
  EXPECT_EQ(shares_from_nanos(h.one().as<fb::OrderCanceled>()->leaves_quantity()), 500);
  h.quote(t0 + ms, 10.00, 100, 10.01, 600);
  EXPECT_EQ(shares_from_nanos(h.one().as<fb::OrderFilled>()->fill_quantity()), 500);
}

TEST(sim_broker, expires_day_orders_at_the_end_of_their_utc_day) {
  harness h;
  h.buy_limit(1, 300, 9.00);
  h.submit(2, fb::Side::Buy, 100, fb::OrderType::Limit, fb::TimeInForce::Gtc,
           usd(9.00));
  h.take();
  h.quote(t0, 9.00, 100, 9.00, 100); // fills 100 of order 1
  h.take();
  h.broker.on_market(h.b.trade({0, day_start + 21 * hour - 1, 0}, sym, usd(10),
                               quantity{1}));
  EXPECT_TRUE(h.take().empty());
  h.broker.on_market(h.b.trade({0, day_start + 21 * hour, 0}, sym, usd(10),
                               quantity{1}));
  auto m = h.one();
  auto e = m.as<fb::OrderExpired>();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->client_order_id(), 1u);
  EXPECT_EQ(shares_from_nanos(e->leaves_quantity()), 200);
  EXPECT_EQ(m.ts_event(), day_start + 21 * hour);
  EXPECT_EQ(h.broker.open_orders(), 1u); // the Gtc order keeps working
}

TEST(sim_broker, expires_a_day_order_before_a_later_quote_can_fill_it) {
  harness h{{.day_end_utc_ns = 20 * hour}};
  h.submit(1, fb::Side::Buy, 100);
  h.take();
  h.quote(day_start + 24 * hour + 15 * hour, 10.00, 100, 10.01, 100);
  auto got = h.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].as<fb::OrderExpired>(), nullptr);
}

// ---- cancel and replace ----------------------------------------------------

TEST(sim_broker, cancels_a_working_order_with_its_leaves) {
  harness h;
  h.buy_limit(1, 300, 10.01);
  h.quote(t0, 10.00, 100, 10.01, 100);
  h.take();
  h.cancel(1, t0 + ms);
  auto m = h.one();
  auto c = m.as<fb::OrderCanceled>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->client_order_id(), 1u);
  EXPECT_EQ(shares_from_nanos(c->leaves_quantity()), 200);
  EXPECT_EQ(m.ts_event(), t0 + ms);
  EXPECT_EQ(h.broker.open_orders(), 0u);
  h.quote(t0 + ms, 10.00, 100, 10.01, 100);
  EXPECT_TRUE(h.take().empty());
}

TEST(sim_broker, rejects_a_cancel_of_an_unknown_order_as_a_venue_would) {
  // A venue answers a bad cancel with a cancel reject, not an alert.
  harness h;
  h.cancel(42);
  auto m = h.one();
  auto r = m.as<fb::CancelRejected>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->client_order_id(), 42u);
  EXPECT_EQ(r->reason()->str(), "no such order 42");
  EXPECT_EQ(m.ts_event(), t0);
}

TEST(sim_broker, rejects_a_cancel_that_arrives_after_the_fill) {
  harness h;
  h.submit(1, fb::Side::Buy, 100);
  h.quote(t0, 10.00, 100, 10.01, 100); // the fill wins the race
  h.take();
  h.cancel(1);
  EXPECT_EQ(h.events(), lines{"cancel rejected 1: order is already filled"});
}

TEST(sim_broker, rejects_a_second_cancel_and_a_cancel_of_a_rejected_order) {
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.submit(2, fb::Side::Buy, 0);
  h.take();
  h.cancel(1);
  h.cancel(1);
  h.cancel(2);
  EXPECT_EQ(h.events(), (lines{"canceled 1 leaves 100",
                               "cancel rejected 1: order is already canceled",
                               "cancel rejected 2: order is already rejected"}));
}

TEST(sim_broker, replaces_a_working_limit_order_with_a_new_id) {
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.take();
  h.replace(1, 2, 300, 10.01);
  auto got = h.take();
  ASSERT_EQ(got.size(), 2u);
  // Alpaca reports a replace as its own event (it used to be a cancel here).
  auto r = got[0].as<fb::OrderReplaced>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->client_order_id(), 1u);
  EXPECT_EQ(r->new_client_order_id(), 2u);
  EXPECT_EQ(r->symbol(), sym.value);
  EXPECT_EQ(r->side(), fb::Side::Buy);
  EXPECT_EQ(shares_from_nanos(r->quantity()), 300);
  EXPECT_EQ(r->limit_price(), usd(10.01).micros);
  auto a = got[1].as<fb::OrderAccepted>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->client_order_id(), 2u);
  EXPECT_EQ(a->symbol(), sym.value);
  EXPECT_EQ(h.broker.open_orders(), 1u);
  h.quote(t0, 10.00, 500, 10.01, 500);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->client_order_id(), 2u);
  EXPECT_EQ(f->side(), fb::Side::Buy);
  EXPECT_EQ(shares_from_nanos(f->fill_quantity()), 300);
  EXPECT_EQ(f->fill_price(), usd(10.01).micros);
}

TEST(sim_broker, rejects_a_replace_it_cannot_honour_as_a_venue_would) {
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.buy_limit(2, 100, 9.00);
  h.submit(3, fb::Side::Buy, 100);
  h.take();
  auto reason = [&](uint64_t id, uint64_t new_id, int64_t qty, double limit) {
    h.replace(id, new_id, qty, limit);
    auto m = h.one();
    auto r = m.as<fb::ReplaceRejected>();
    if (!r)
      return std::string{"<no replace reject>"};
    EXPECT_EQ(r->client_order_id(), id);
    EXPECT_EQ(r->new_client_order_id(), new_id);
    return r->reason()->str();
  };
  EXPECT_EQ(reason(9, 10, 100, 9.0), "no such order 9");
  EXPECT_EQ(reason(1, 2, 100, 9.0), "new client order id 2 was already used");
  EXPECT_EQ(reason(3, 10, 100, 9.0), "a Market order cannot be replaced");
  EXPECT_EQ(reason(1, 10, -5, 9.0), "quantity must be positive (got -5)");
  EXPECT_EQ(reason(1, 10, 100, -1.0), "limit price must be positive (got -1.000000)");
  h.replace(1, 10, 100, 9.5);
  h.take();
  EXPECT_EQ(reason(1, 11, 100, 9.0), "order is already replaced");
  EXPECT_EQ(h.broker.open_orders(), 3u);
}

TEST(sim_broker, keeps_the_old_values_where_a_replace_gives_zero) {
  // ReplaceOrder's zero fields mean "keep" (they used to be refused).
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.take();
  h.replace(1, 2, 0, 9.50);
  h.replace(2, 3, 250, 0.0);
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 2 qty 100 limit 9.50 stop 0.00", "accepted 2",
                               "replaced 2 by 3 qty 250 limit 9.50 stop 0.00", "accepted 3"}));
}

TEST(sim_broker, treats_a_replace_quantity_as_the_new_total_including_fills) {
  harness h;
  h.buy_limit(1, 300, 10.01);
  h.quote(t0, 10.00, 100, 10.01, 100);
  h.take();
  h.replace(1, 2, 100, 10.01);
  EXPECT_EQ(h.events(),
            lines{"replace rejected 1 by 2: quantity 100 does not exceed the 100 shares "
                  "already filled"});
  h.replace(1, 2, 250, 10.02);
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 2 qty 150 limit 10.02 stop 0.00",
                               "accepted 2"}));
  h.replace(2, 3, 0, 10.03);
  EXPECT_EQ(h.events(), (lines{"replaced 2 by 3 qty 150 limit 10.03 stop 0.00",
                               "accepted 3"}));
  h.quote(t0, 10.00, 1'000, 10.01, 1'000);
  EXPECT_EQ(h.events(), lines{"filled 3 buy 150 @ 10.01 cum 150 leaves 0"});
}

TEST(sim_broker, rejects_a_replace_that_arrives_after_the_fill) {
  harness h;
  h.buy_limit(1, 100, 10.01);
  h.quote(t0, 10.00, 100, 10.01, 100); // the fill wins the race
  h.take();
  h.replace(1, 2, 100, 10.05);
  EXPECT_EQ(h.events(), lines{"replace rejected 1 by 2: order is already filled"});
  h.quote(t0, 10.00, 100, 10.01, 100);
  EXPECT_TRUE(h.take().empty()); // no new order came of it
}

TEST(sim_broker, replaces_only_what_is_left_after_a_partial_fill_races_it) {
  harness h;
  h.buy_limit(1, 300, 10.01);
  h.quote(t0, 10.00, 100, 10.01, 200); // fills 200 before the replace arrives
  h.take();
  h.replace(1, 2, 300, 10.05, t0 + ms);
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 2 qty 100 limit 10.05 stop 0.00",
                               "accepted 2"}));
}

TEST(sim_broker, replaces_a_stops_stop_price) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 9.50));
  h.take();
  h.replace(1, 2, changing_stop(9.00));
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 2 qty 100 limit 0.00 stop 9.00", "accepted 2"}));
  h.quote(t0, 9.40, 100, 9.41, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0, 9.00, 100, 9.01, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 2 stop 9.00 at 9.00 mark 0.00",
                               "filled 2 sell 100 @ 9.00 cum 100 leaves 0"}));
}

TEST(sim_broker, rejects_replacing_fields_an_order_does_not_have) {
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.send(2, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 9.50));
  auto trail = order(fb::Side::Sell, 100, fb::OrderType::TrailingStop);
  trail.trail_percent_bps = 100;
  h.send(3, trail);
  h.take();
  h.replace(1, 10, changing_stop(8.0));
  h.replace(2, 10, changing_limit(8.0));
  h.replace(1, 10, changing_trail(0.1));
  h.replace(3, 10, changing_trail(0.1));
  h.replace(1, 10, changing_tif(fb::TimeInForce::Opg));
  h.replace(3, 10, changing_tif(fb::TimeInForce::Ioc));
  EXPECT_EQ(h.events(),
            (lines{"replace rejected 1 by 10: a Limit order has no stop price to replace "
                   "(got stop_price 8.000000)",
                   "replace rejected 2 by 10: a Stop order has no limit price to replace "
                   "(got limit_price 8.000000)",
                   "replace rejected 1 by 10: a Limit order has no trail to replace (got "
                   "trail_price 0.100000)",
                   "replace rejected 3 by 10: a percent trailing stop cannot take a "
                   "trail_price (got trail_price 0.100000)",
                   "replace rejected 1 by 10: an Opg order must arrive before the session "
                   "open at 14:30:00 UTC (arrived at 15:00:00 UTC)",
                   "replace rejected 3 by 10: a TrailingStop order must be Day or Gtc (got "
                   "Ioc)"}));
}

TEST(sim_broker, rejects_replacing_a_triggered_stop_that_now_works_at_market) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 9.50));
  h.trade(t0, 9.40);
  h.take();
  h.replace(1, 2, changing_stop(9.00));
  EXPECT_EQ(h.events(), lines{"replace rejected 1 by 2: a triggered Stop order works as a "
                              "market order and cannot be replaced"});
}

TEST(sim_broker, keeps_a_triggered_stop_limit_triggered_across_a_replace) {
  harness h;
  auto o = with_limit(with_stop(order(fb::Side::Sell, 100, fb::OrderType::StopLimit), 9.50),
                      9.45);
  h.send(1, o);
  h.trade(t0, 9.40);
  h.take();
  h.replace(1, 2, changing_stop(9.00));
  EXPECT_EQ(h.events(), lines{"replace rejected 1 by 2: the order has triggered; its stop "
                              "price can no longer change"});
  h.replace(1, 2, changing_limit(9.30));
  h.quote(t0, 9.30, 100, 9.31, 100);
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 2 qty 100 limit 9.30 stop 9.50", "accepted 2",
                               "filled 2 sell 100 @ 9.30 cum 100 leaves 0"}));
}

// ---- bad input -------------------------------------------------------------

TEST(sim_broker, alerts_on_a_message_that_is_not_a_command) {
  harness h;
  h.broker.on_command(h.b.trade({0, t0, 0}, sym, usd(1), quantity{1}));
  auto a = h.one().as<fb::Alert>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->code()->str(), "unsupported_command");
  EXPECT_EQ(a->text()->str(), "sim broker cannot handle a Trade");
  h.broker.on_command(msg{});
  EXPECT_NE(h.one().as<fb::Alert>(), nullptr);
  h.broker.on_market(msg{});
  EXPECT_TRUE(h.take().empty());
}

TEST(sim_broker, refuses_a_bad_config_at_construction) {
  vector_sink sink;
  EXPECT_THROW((sim_broker{{.latency_ns = -1}, sink}), std::invalid_argument);
  EXPECT_NE(validate(sim_broker_config{.slippage_bps = 10'000}).find("slippage_bps"),
            std::string::npos);
  EXPECT_EQ(validate(sim_broker_config{}), "");
}

// ---- validation -------------------------------------------------------------

TEST(sim_broker, rejects_invalid_orders_naming_the_field_and_value) {
  using enum fb::OrderType;
  auto buy = fb::Side::Buy;
  auto trailing = [&](int64_t trail_micros, int64_t bps,
                      fb::TimeInForce tif = fb::TimeInForce::Day) {
    auto o = order(fb::Side::Sell, 100, TrailingStop, tif);
    o.trail = price{trail_micros};
    o.trail_percent_bps = bps;
    return o;
  };
  auto raw = [&](auto field, int value) {
    auto o = order(buy, 100);
    o.*field = static_cast<std::remove_reference_t<decltype(o.*field)>>(value);
    return o;
  };
  auto trail_on_limit = with_limit(order(buy, 100, Limit), 10);
  trail_on_limit.trail_percent_bps = 50;
  struct bad {
    order_spec o;
    std::string why;
    submit_links links = {};
  };
  std::vector<bad> cases = {
    {order(buy, 0), "quantity must be positive (got 0)"},
    {with_limit(order(buy, 100, Limit), 0),
     "a Limit order needs a positive limit price (got limit_price 0.000000)"},
    {with_stop(order(buy, 100, StopLimit), 10),
     "a StopLimit order needs a positive limit price (got limit_price 0.000000)"},
    {with_limit(order(buy, 100, Stop), 10),
     "a Stop order needs a positive stop price (got stop_price 0.000000)"},
    {with_stop(order(buy, 100), 10),
     "a Market order must not carry a stop price (got stop_price 10.000000)"},
    {with_stop(with_limit(order(buy, 100, Limit), 10), 9),
     "a Limit order must not carry a stop price (got stop_price 9.000000)"},
    {with_stop(trailing(500'000, 0), 9),
     "a TrailingStop order must not carry a stop price (got stop_price 9.000000)"},
    {trailing(0, 0), "a TrailingStop order needs exactly one of trail_price > 0 or "
                     "trail_percent_bps in (0, 10000) (got trail_price 0.000000, "
                     "trail_percent_bps 0)"},
    {trailing(500'000, 100), "a TrailingStop order needs exactly one of trail_price > 0 or "
                             "trail_percent_bps in (0, 10000) (got trail_price 0.500000, "
                             "trail_percent_bps 100)"},
    {trailing(0, 10'000), "a TrailingStop order needs exactly one of trail_price > 0 or "
                          "trail_percent_bps in (0, 10000) (got trail_price 0.000000, "
                          "trail_percent_bps 10000)"},
    {trailing(-1, 0), "a TrailingStop order needs exactly one of trail_price > 0 or "
                      "trail_percent_bps in (0, 10000) (got trail_price -0.000001, "
                      "trail_percent_bps 0)"},
    {trail_on_limit, "trail_price and trail_percent_bps apply only to TrailingStop orders "
                     "(got trail_price 0.000000, trail_percent_bps 50 on a Limit order)"},
    {trailing(0, 100, fb::TimeInForce::Ioc), "a TrailingStop order must be Day or Gtc (got Ioc)"},
    {with_stop(order(buy, 100, Stop, fb::TimeInForce::Opg), 10),
     "Opg orders must be Market or Limit (got Stop)"},
    {with_stop(order(buy, 100, Stop, fb::TimeInForce::Cls), 10),
     "Cls orders must be Market or Limit (got Stop)"},
    {raw(&order_spec::side, 7), "unknown side 7"},
    {raw(&order_spec::type, 9), "unknown order type 9"},
    {raw(&order_spec::tif, 9), "unknown time in force 9"},
    {raw(&order_spec::order_class, 9), "unknown order class 9"},
    {order(buy, 100), "a Simple order must not name exit legs (got take_profit_id 50, "
                      "stop_loss_id 0)",
     legs(50, 0)},
  };
  harness h;
  uint64_t id = 100;
  for (auto& c : cases) {
    h.send(id, c.o, c.links);
    auto m = h.one();
    EXPECT_EQ(rejection_reason(m), c.why) << "order " << id;
    if (auto r = m.as<fb::OrderRejected>()) {
      EXPECT_EQ(r->client_order_id(), id);
    }
    ++id;
  }
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, rejects_order_classes_that_break_alpacas_rules) {
  using enum fb::OrderClass;
  auto buy = fb::Side::Buy;
  auto ioc = bracket(buy, 100, 10, 11, 9);
  ioc.tif = fb::TimeInForce::Ioc;
  auto market_oco = bracket(fb::Side::Sell, 100, 11, 0, 9, 0, Oco);
  market_oco.type = fb::OrderType::Market;
  market_oco.limit = {};
  struct bad {
    order_spec o;
    submit_links links;
    std::string why;
  };
  std::vector<bad> cases = {
    {ioc, legs(2, 3), "a Bracket order must be Day or Gtc (got Ioc)"},
    {bracket(buy, 100, 10, 11, 9), legs(0, 3),
     "a Bracket order needs both take_profit_id and stop_loss_id (got take_profit_id 0, "
     "stop_loss_id 3)"},
    {bracket(buy, 100, 10, 11, 9), legs(102, 3),
     "take_profit_id 102 is the order's own client order id"},
    {bracket(buy, 100, 10, 11, 9), legs(2, 2),
     "take_profit_id and stop_loss_id must differ (both 2)"},
    {bracket(buy, 100, 10, 11, 9), legs(1, 3), "take_profit_id 1 was already used"},
    {bracket(buy, 100, 10, 11, 9), legs(2, 1), "stop_loss_id 1 was already used"},
    {bracket(buy, 100, 10, 9, 9.5), legs(2, 3),
     "a Buy Bracket needs its take-profit limit above stop_loss_stop (got take-profit limit "
     "9.000000, stop_loss_stop 9.500000)"},
    {bracket(fb::Side::Sell, 100, 10, 11, 9), legs(2, 3),
     "a Sell Bracket needs its take-profit limit below stop_loss_stop (got take-profit limit "
     "11.000000, stop_loss_stop 9.000000)"},
    {bracket(buy, 100, 10, 0, 9), legs(2, 3), "take_profit_limit must be positive (got 0.000000)"},
    {bracket(buy, 100, 10, 11, 0), legs(2, 3), "stop_loss_stop must be positive (got 0.000000)"},
    {bracket(buy, 100, 10, 11, 9, -1), legs(2, 3),
     "stop_loss_limit must not be negative (got -1.000000)"},
    {market_oco, legs(0, 2), "an Oco order must be of type Limit (got Market)"},
    {bracket(fb::Side::Sell, 100, 11, 0, 9, 0, Oco), legs(0, 0),
     "an Oco order needs a stop_loss_id, and its own client order id is its take-profit leg "
     "(got take_profit_id 0, stop_loss_id 0)"},
    {bracket(fb::Side::Sell, 100, 9, 0, 11, 0, Oco), legs(0, 2),
     "a Sell Oco needs its take-profit limit above stop_loss_stop (got take-profit limit "
     "9.000000, stop_loss_stop 11.000000)"},
    {bracket(buy, 100, 10, 11, 9, 0, Oto), legs(2, 3),
     "an Oto order needs exactly one of take_profit_id or stop_loss_id (got take_profit_id 2, "
     "stop_loss_id 3)"},
    {bracket(buy, 100, 10, 11, 9, 0, Oto), legs(0, 0),
     "an Oto order needs exactly one of take_profit_id or stop_loss_id (got take_profit_id 0, "
     "stop_loss_id 0)"},
  };
  harness h;
  h.buy_limit(1, 100, 9.00); // owns id 1
  h.take();
  uint64_t id = 100;
  for (auto& c : cases) {
    h.send(id, c.o, c.links);
    EXPECT_EQ(rejection_reason(h.one()), c.why) << "order " << id;
    ++id;
  }
  EXPECT_EQ(h.broker.open_orders(), 1u);
}

TEST(sim_broker, counts_leg_ids_as_used_for_ever) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10, 11, 9), legs(2, 3));
  h.take();
  h.submit(3, fb::Side::Buy, 100);
  EXPECT_EQ(rejection_reason(h.one()), "client order id 3 was already used");
  h.buy_limit(4, 100, 9.00);
  h.take();
  h.replace(4, 2, 100, 9.50);
  EXPECT_EQ(h.events(), lines{"replace rejected 4 by 2: new client order id 2 was already used"});
}

// ---- stop orders ------------------------------------------------------------

TEST(sim_broker, rests_a_sell_stop_until_the_bid_reaches_it_then_fills_at_market) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 9.50));
  EXPECT_EQ(h.events(), lines{"accepted 1"});
  h.quote(t0, 9.60, 100, 9.61, 100);
  h.quote(t0, 9.51, 100, 9.49, 100); // a buy's side touching it does not count
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + ms, 9.50, 100, 9.51, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 9.50 at 9.50 mark 0.00",
                               "filled 1 sell 100 @ 9.50 cum 100 leaves 0"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, triggers_a_buy_stop_on_a_trade_and_fills_it_on_the_next_quote) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Buy, 100, fb::OrderType::Stop), 10.50));
  h.take();
  h.trade(t0, 10.49);
  EXPECT_TRUE(h.take().empty());
  h.trade(t0 + ms, 10.50);
  EXPECT_EQ(h.events(), lines{"triggered 1 stop 10.50 at 10.50 mark 0.00"});
  h.quote(t0 + 2 * ms, 10.54, 100, 10.55, 60);
  h.quote(t0 + 3 * ms, 10.30, 100, 10.31, 100); // triggered: fills below the stop too
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 60 @ 10.55 cum 60 leaves 40",
                               "filled 1 buy 40 @ 10.31 cum 100 leaves 0"}));
}

TEST(sim_broker, triggers_a_buy_stop_on_the_ask) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Buy, 100, fb::OrderType::Stop), 10.50));
  h.take();
  h.quote(t0, 10.50, 100, 10.51, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 10.50 at 10.51 mark 0.00",
                               "filled 1 buy 100 @ 10.51 cum 100 leaves 0"}));
}

TEST(sim_broker, applies_market_slippage_to_a_triggered_stop) {
  harness h{{.slippage_bps = 3}};
  h.send(1, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 10.01));
  h.take();
  h.quote(t0, 10.01, 100, 10.02, 100); // 10.01 * 0.9997 -> 10.00
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 10.01 at 10.01 mark 0.00",
                               "filled 1 sell 100 @ 10.00 cum 100 leaves 0"}));
}

TEST(sim_broker, works_a_triggered_stop_limit_as_a_limit_order) {
  harness h;
  h.send(1, with_limit(with_stop(order(fb::Side::Sell, 100, fb::OrderType::StopLimit), 9.50),
                       9.45));
  h.take();
  h.quote(t0, 9.40, 100, 9.41, 100); // triggers, but the bid is below the limit
  EXPECT_EQ(h.events(), lines{"triggered 1 stop 9.50 at 9.40 mark 0.00"});
  h.quote(t0 + ms, 9.44, 100, 9.45, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + 2 * ms, 9.46, 100, 9.47, 100);
  EXPECT_EQ(h.events(), lines{"filled 1 sell 100 @ 9.46 cum 100 leaves 0"});
}

TEST(sim_broker, waits_out_the_latency_before_a_stop_can_trigger) {
  harness h{{.latency_ns = 2 * ms}};
  h.send(1, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 9.50));
  h.take();
  h.trade(t0 + ms, 9.00);
  h.quote(t0 + ms, 9.00, 100, 9.01, 100);
  EXPECT_TRUE(h.take().empty());
  h.trade(t0 + 2 * ms, 9.49);
  EXPECT_EQ(h.events(), lines{"triggered 1 stop 9.50 at 9.49 mark 0.00"});
}

TEST(sim_broker, gives_an_ioc_stop_its_one_chance_after_the_trigger) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Buy, 100, fb::OrderType::Stop, fb::TimeInForce::Ioc),
                      10.50));
  h.take();
  h.quote(t0, 10.39, 100, 10.40, 100); // untriggered: not its chance
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + ms, 10.49, 100, 10.50, 30);
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 10.50 at 10.50 mark 0.00",
                               "filled 1 buy 30 @ 10.50 cum 30 leaves 70",
                               "canceled 1 leaves 70"}));
}

TEST(sim_broker, expires_an_untriggered_day_stop_at_the_close) {
  harness h;
  h.send(1, with_stop(order(fb::Side::Sell, 100, fb::OrderType::Stop), 9.50));
  h.take();
  h.trade(session_close, 9.60);
  EXPECT_EQ(h.events(), lines{"expired 1 leaves 100"});
}

// ---- trailing stops ---------------------------------------------------------

TEST(sim_broker, ratchets_a_sell_trailing_stop_up_then_triggers_it) {
  harness h;
  auto o = order(fb::Side::Sell, 100, fb::OrderType::TrailingStop);
  o.trail = usd(0.50);
  h.send(1, o);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 100); // mark 10.00, stop 9.50
  h.quote(t0, 10.40, 100, 10.41, 100); // mark 10.40, stop 9.90
  h.trade(t0, 10.20);
  h.quote(t0, 9.95, 100, 9.96, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + ms, 9.90, 100, 9.91, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 9.90 at 9.90 mark 10.40",
                               "filled 1 sell 100 @ 9.90 cum 100 leaves 0"}));
}

TEST(sim_broker, ratchets_a_buy_percent_trailing_stop_down_then_triggers_it_on_a_trade) {
  harness h;
  auto o = order(fb::Side::Buy, 100, fb::OrderType::TrailingStop, fb::TimeInForce::Gtc);
  o.trail_percent_bps = 100; // 1%
  h.send(1, o);
  h.take();
  h.quote(t0, 9.99, 100, 10.00, 100); // mark 10.00, stop 10.10
  h.trade(t0, 9.00);                  // mark 9.00, stop 9.09
  h.quote(t0, 9.04, 100, 9.05, 100);
  h.trade(t0, 9.08);
  EXPECT_TRUE(h.take().empty());
  h.trade(t0 + ms, 9.09);
  EXPECT_EQ(h.events(), lines{"triggered 1 stop 9.09 at 9.09 mark 9.00"});
  h.quote(t0 + 2 * ms, 9.10, 100, 9.11, 40);
  EXPECT_EQ(h.events(), lines{"filled 1 buy 40 @ 9.11 cum 40 leaves 60"});
}

TEST(sim_broker, replaces_a_trailing_stops_distance_from_the_same_water_mark) {
  harness h;
  auto o = order(fb::Side::Sell, 100, fb::OrderType::TrailingStop);
  o.trail = usd(0.50);
  h.send(1, o);
  h.quote(t0, 10.40, 100, 10.41, 100); // mark 10.40, stop 9.90
  h.take();
  h.replace(1, 2, changing_trail(0.20));
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 2 qty 100 limit 0.00 stop 10.20", "accepted 2"}));
  h.quote(t0 + ms, 10.20, 100, 10.21, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 2 stop 10.20 at 10.20 mark 10.40",
                               "filled 2 sell 100 @ 10.20 cum 100 leaves 0"}));
}

// ---- time in force ----------------------------------------------------------

TEST(sim_broker, keeps_a_gtc_order_working_across_the_close) {
  harness h;
  h.submit(1, fb::Side::Buy, 100, fb::OrderType::Limit, fb::TimeInForce::Gtc, usd(9.00));
  h.take();
  h.trade(session_close, 9.50);
  h.trade(session_close + 10 * hour, 9.50);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + 24 * hour, 8.99, 100, 9.00, 100);
  EXPECT_EQ(h.events(), lines{"filled 1 buy 100 @ 9.00 cum 100 leaves 0"});
}

TEST(sim_broker, rejects_an_opg_order_that_arrives_at_or_after_the_open) {
  harness h;
  h.submit(1, fb::Side::Buy, 100, fb::OrderType::Market, fb::TimeInForce::Opg, {},
           session_open);
  EXPECT_EQ(rejection_reason(h.one()), "an Opg order must arrive before the session open at "
                                       "14:30:00 UTC (arrived at 14:30:00 UTC)");
  h.submit(2, fb::Side::Buy, 100, fb::OrderType::Market, fb::TimeInForce::Opg, {},
           session_open - 1);
  EXPECT_NE(h.one().as<fb::OrderAccepted>(), nullptr);
}

TEST(sim_broker, fills_an_opg_order_only_at_the_open_and_cancels_the_rest) {
  harness h;
  h.submit(1, fb::Side::Buy, 100, fb::OrderType::Market, fb::TimeInForce::Opg, {},
           session_open - hour);
  h.submit(2, fb::Side::Buy, 100, fb::OrderType::Limit, fb::TimeInForce::Opg, usd(9.00),
           session_open - hour);
  h.take();
  h.quote(session_open - ms, 10.00, 100, 10.01, 500);
  EXPECT_TRUE(h.take().empty());
  h.quote(session_open, 10.00, 100, 10.01, 60);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 60 @ 10.01 cum 60 leaves 40",
                               "canceled 1 leaves 40", "canceled 2 leaves 100"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, fills_a_cls_order_only_in_the_closing_auction_and_expires_the_rest) {
  harness h;
  h.buy_limit(1, 100, 10.01, fb::TimeInForce::Cls);
  h.take();
  h.quote(session_close - minute - 1, 10.00, 100, 10.01, 100);
  EXPECT_TRUE(h.take().empty());
  h.quote(session_close - minute, 10.00, 100, 10.01, 30);
  h.quote(session_close - ms, 10.04, 100, 10.05, 100); // in the window, but no cross
  EXPECT_EQ(h.events(), lines{"filled 1 buy 30 @ 10.01 cum 30 leaves 70"});
  h.trade(session_close, 10.05);
  EXPECT_EQ(h.events(), lines{"expired 1 leaves 70"});
}

TEST(sim_broker, rejects_a_cls_order_that_arrives_after_the_close) {
  harness h;
  h.buy_limit(1, 100, 10.01, fb::TimeInForce::Cls, session_close);
  EXPECT_EQ(rejection_reason(h.one()), "a Cls order must arrive before the session close at "
                                       "21:00:00 UTC (arrived at 21:00:00 UTC)");
}

TEST(sim_broker, validates_the_session_times_in_its_config) {
  EXPECT_NE(validate(sim_broker_config{.session_open_utc_ns = 21 * hour})
              .find("session_open_utc_ns"),
            std::string::npos);
  EXPECT_NE(validate(sim_broker_config{.session_open_utc_ns = -1}).find("session_open_utc_ns"),
            std::string::npos);
  EXPECT_NE(validate(sim_broker_config{.closing_auction_ns = -1}).find("closing_auction_ns"),
            std::string::npos);
  EXPECT_NE(validate(sim_broker_config{.closing_auction_ns = 7 * hour}).find("closing_auction_ns"),
            std::string::npos);
  EXPECT_EQ(validate(sim_broker_config{.closing_auction_ns = 6 * hour + 30 * minute}), "");
}

// ---- brackets ---------------------------------------------------------------

TEST(sim_broker, holds_bracket_legs_until_the_entry_fills) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  EXPECT_EQ(h.events(), lines{"accepted 1"});
  EXPECT_EQ(h.broker.open_orders(), 1u);
  h.quote(t0, 12.00, 500, 12.01, 500); // would fill the take-profit if it worked
  h.trade(t0, 8.00);                   // would trigger the stop-loss
  h.quote(t0, 8.00, 500, 10.01, 500);
  EXPECT_TRUE(h.take().empty());
}

TEST(sim_broker, arms_bracket_legs_on_a_partial_fill_with_the_filled_quantity) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.take();
  h.quote(t0, 9.98, 100, 10.00, 40);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 40 @ 10.00 cum 40 leaves 60", "accepted 2",
                               "accepted 3"}));
  EXPECT_EQ(h.broker.open_orders(), 3u);
  h.quote(t0 + ms, 11.00, 500, 11.01, 500); // the take-profit may close only 40
  EXPECT_EQ(h.events(), lines{"filled 2 sell 40 @ 11.00 cum 40 leaves 60"});
  h.quote(t0 + 2 * ms, 9.99, 0, 10.00, 60);
  EXPECT_EQ(h.events(), lines{"filled 1 buy 60 @ 10.00 cum 100 leaves 0"});
  h.quote(t0 + 3 * ms, 11.00, 500, 11.01, 500);
  EXPECT_EQ(h.events(), (lines{"filled 2 sell 60 @ 11.00 cum 100 leaves 0",
                               "canceled 3 leaves 100"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, does_not_fill_armed_legs_on_the_quote_that_filled_the_entry) {
  harness h;
  // A take-profit below the entry price would cross on the same quote.
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 9.50, 9.00), legs(2, 3));
  h.take();
  h.quote(t0, 9.99, 100, 10.00, 100);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.00 cum 100 leaves 0", "accepted 2",
                               "accepted 3"}));
  h.quote(t0, 9.99, 100, 10.00, 100);
  EXPECT_EQ(h.events(), (lines{"filled 2 sell 100 @ 9.99 cum 100 leaves 0",
                               "canceled 3 leaves 100"}));
}

TEST(sim_broker, cancels_the_take_profit_when_the_stop_loss_fills) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.quote(t0, 9.99, 100, 10.00, 100);
  h.take();
  h.quote(t0 + ms, 8.99, 100, 9.00, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 3 stop 9.00 at 8.99 mark 0.00",
                               "filled 3 sell 100 @ 8.99 cum 100 leaves 0",
                               "canceled 2 leaves 100"}));
}

TEST(sim_broker, works_a_stop_limit_stop_loss_for_a_sell_bracket) {
  harness h;
  h.send(1, bracket(fb::Side::Sell, 100, 10.00, 9.00, 11.00, 11.10), legs(2, 3));
  h.quote(t0, 10.00, 100, 10.01, 100);
  EXPECT_EQ(h.events(), (lines{"accepted 1", "filled 1 sell 100 @ 10.00 cum 100 leaves 0",
                               "accepted 2", "accepted 3"}));
  h.quote(t0 + ms, 11.10, 100, 11.20, 100); // triggers; the ask is above the limit
  EXPECT_EQ(h.events(), lines{"triggered 3 stop 11.00 at 11.20 mark 0.00"});
  h.quote(t0 + 2 * ms, 11.00, 100, 11.10, 100);
  EXPECT_EQ(h.events(), (lines{"filled 3 buy 100 @ 11.10 cum 100 leaves 0",
                               "canceled 2 leaves 100"}));
}

TEST(sim_broker, cancels_the_whole_group_when_one_leg_is_canceled) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.quote(t0, 9.98, 100, 10.00, 40);
  h.take();
  h.cancel(3, t0 + ms);
  EXPECT_EQ(h.events(), (lines{"canceled 1 leaves 60", "canceled 2 leaves 40",
                               "canceled 3 leaves 40"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
  h.cancel(2);
  EXPECT_EQ(h.events(), lines{"cancel rejected 2: order is already canceled"});
}

TEST(sim_broker, cancels_both_legs_when_a_leg_of_a_filled_entry_is_canceled) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.quote(t0, 9.99, 100, 10.00, 100);
  h.take();
  h.cancel(2);
  EXPECT_EQ(h.events(), (lines{"canceled 2 leaves 100", "canceled 3 leaves 100"}));
  h.cancel(1);
  EXPECT_EQ(h.events(), lines{"cancel rejected 1: order is already filled"});
}

TEST(sim_broker, cancels_held_legs_with_their_full_quantity_when_the_entry_is_canceled) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.send(4, bracket(fb::Side::Buy, 50, 10.00, 11.00, 9.00), legs(5, 6));
  h.take();
  h.cancel(1);
  h.cancel(5); // a held leg: the whole group goes
  EXPECT_EQ(h.events(), (lines{"canceled 1 leaves 100", "canceled 2 leaves 100",
                               "canceled 3 leaves 100", "canceled 4 leaves 50",
                               "canceled 5 leaves 50", "canceled 6 leaves 50"}));
}

TEST(sim_broker, cancels_held_legs_when_the_entry_expires_unfilled) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.take();
  h.trade(session_close, 10.50);
  EXPECT_EQ(h.events(), (lines{"expired 1 leaves 100", "canceled 2 leaves 100",
                               "canceled 3 leaves 100"}));
}

TEST(sim_broker, expires_armed_day_legs_with_the_entry_at_the_close) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.quote(t0, 9.98, 100, 10.00, 40);
  h.take();
  h.trade(session_close, 10.50);
  EXPECT_EQ(h.events(), (lines{"expired 1 leaves 60", "expired 2 leaves 40",
                               "expired 3 leaves 40"}));
}

TEST(sim_broker, never_lets_both_exit_legs_close_more_than_the_entry_opened) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.quote(t0, 9.99, 100, 10.00, 30);
  h.take();
  h.quote(t0 + ms, 11.00, 1'000, 11.01, 1'000);
  EXPECT_EQ(h.events(), lines{"filled 2 sell 30 @ 11.00 cum 30 leaves 70"});
  // The stop-loss triggers but has nothing left to close.
  h.quote(t0 + 2 * ms, 8.99, 1'000, 9.00, 0);
  EXPECT_EQ(h.events(), lines{"triggered 3 stop 9.00 at 8.99 mark 0.00"});
  // The entry fills the rest; the stop-loss may close only that.
  h.quote(t0 + 3 * ms, 8.99, 1'000, 9.00, 70);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 70 @ 9.00 cum 100 leaves 0",
                               "filled 3 sell 70 @ 8.99 cum 70 leaves 30",
                               "canceled 2 leaves 70", "canceled 3 leaves 30"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, keeps_a_replaced_leg_in_its_group) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 11.00, 9.00), legs(2, 3));
  h.replace(2, 4, changing_limit(11.50));
  EXPECT_EQ(h.events(), (lines{"accepted 1", "replace rejected 2 by 4: order is held until "
                                             "its entry fills"}));
  h.quote(t0, 9.99, 100, 10.00, 100);
  h.quote(t0 + ms, 11.00, 40, 11.01, 100);
  h.take();
  h.replace(2, 4, changing_quantity(50));
  EXPECT_EQ(h.events(), lines{"replace rejected 2 by 4: an exit leg's quantity follows its "
                              "entry; quantity must be 0 (got 50)"});
  h.replace(2, 4, changing_limit(11.50));
  EXPECT_EQ(h.events(), (lines{"replaced 2 by 4 qty 60 limit 11.50 stop 0.00", "accepted 4"}));
  h.quote(t0 + 2 * ms, 11.00, 500, 11.01, 500);
  EXPECT_TRUE(h.take().empty());
  h.quote(t0 + 3 * ms, 11.50, 500, 11.51, 500);
  EXPECT_EQ(h.events(), (lines{"filled 4 sell 60 @ 11.50 cum 60 leaves 0",
                               "canceled 3 leaves 100"}));
}

TEST(sim_broker, grows_held_legs_with_a_replaced_entry) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 9.00, 11.00, 8.00), legs(2, 3));
  h.take();
  h.replace(1, 4, changing_quantity(200, 10.00));
  EXPECT_EQ(h.events(), (lines{"replaced 1 by 4 qty 200 limit 10.00 stop 0.00", "accepted 4"}));
  h.quote(t0, 9.99, 100, 10.00, 500);
  EXPECT_EQ(h.events(), (lines{"filled 4 buy 200 @ 10.00 cum 200 leaves 0", "accepted 2",
                               "accepted 3"}));
  h.quote(t0, 11.00, 500, 11.01, 500);
  EXPECT_EQ(h.events(), (lines{"filled 2 sell 200 @ 11.00 cum 200 leaves 0",
                               "canceled 3 leaves 200"}));
}

// ---- oco and oto ------------------------------------------------------------

TEST(sim_broker, works_both_oco_legs_at_once_and_cancels_one_when_the_other_fills) {
  harness h;
  h.send(1, bracket(fb::Side::Sell, 100, 11.00, 0, 9.00, 0, fb::OrderClass::Oco), legs(0, 2));
  EXPECT_EQ(h.events(), (lines{"accepted 1", "accepted 2"}));
  EXPECT_EQ(h.broker.open_orders(), 2u);
  h.quote(t0, 11.00, 100, 11.01, 100);
  EXPECT_EQ(h.events(), (lines{"filled 1 sell 100 @ 11.00 cum 100 leaves 0",
                               "canceled 2 leaves 100"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, shrinks_the_other_oco_leg_by_what_one_leg_filled) {
  harness h;
  // take_profit_limit, when given, is the take-profit's price.
  h.send(1, bracket(fb::Side::Sell, 100, 10.50, 11.00, 9.00, 0, fb::OrderClass::Oco),
         legs(1, 2));
  h.take();
  h.quote(t0, 11.00, 40, 11.01, 100);
  EXPECT_EQ(h.events(), lines{"filled 1 sell 40 @ 11.00 cum 40 leaves 60"});
  h.quote(t0 + ms, 8.99, 1'000, 9.00, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 2 stop 9.00 at 8.99 mark 0.00",
                               "filled 2 sell 60 @ 8.99 cum 60 leaves 40",
                               "canceled 1 leaves 60", "canceled 2 leaves 40"}));
}

TEST(sim_broker, cancels_both_oco_legs_when_one_is_canceled) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 9.00, 0, 11.00, 0, fb::OrderClass::Oco), legs(0, 2));
  h.take();
  h.cancel(2);
  EXPECT_EQ(h.events(), (lines{"canceled 1 leaves 100", "canceled 2 leaves 100"}));
}

TEST(sim_broker, arms_an_oto_stop_loss_when_the_entry_fills) {
  harness h;
  h.send(1, bracket(fb::Side::Buy, 100, 10.00, 0, 9.00, 0, fb::OrderClass::Oto), legs(0, 3));
  EXPECT_EQ(h.events(), lines{"accepted 1"});
  h.trade(t0, 8.00); // held: no trigger
  h.quote(t0, 9.99, 100, 10.00, 100);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.00 cum 100 leaves 0", "accepted 3"}));
  h.trade(t0 + ms, 8.95);
  h.quote(t0 + ms, 8.94, 100, 8.95, 100);
  EXPECT_EQ(h.events(), (lines{"triggered 3 stop 9.00 at 8.95 mark 0.00",
                               "filled 3 sell 100 @ 8.94 cum 100 leaves 0"}));
  EXPECT_EQ(h.broker.open_orders(), 0u);
}

TEST(sim_broker, arms_an_oto_take_profit_when_the_entry_fills) {
  harness h;
  h.send(1, bracket(fb::Side::Sell, 100, 10.00, 9.00, 0, 0, fb::OrderClass::Oto), legs(2, 0));
  h.quote(t0, 10.00, 100, 10.01, 100);
  h.quote(t0 + ms, 8.99, 100, 9.00, 100);
  EXPECT_EQ(h.events(), (lines{"accepted 1", "filled 1 sell 100 @ 10.00 cum 100 leaves 0",
                               "accepted 2", "filled 2 buy 100 @ 9.00 cum 100 leaves 0"}));
}
