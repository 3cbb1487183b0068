#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/sim_broker.hpp"

using namespace osprey;

namespace {

constexpr int64_t ms = 1'000'000;
constexpr int64_t hour = 3'600'000'000'000;
// 2026-01-05 15:00:00 UTC, half an hour into a session.
constexpr int64_t t0 = 1'767'625'200'000'000'000;
constexpr int64_t day_start = t0 - 15 * hour;
constexpr symbol_id sym{1};

price usd(double d) {
  return price::from_dollars(d);
}

class vector_sink final : public msg_sink {
public:
  void push(const msg& m) override { got.push_back(m); }
  std::vector<msg> got;
};

struct harness {
  vector_sink sink;
  sim_broker broker;
  msg_builder b;
  int64_t ingress = 7;

  explicit harness(sim_broker_config cfg = {}) : broker(cfg, sink) {}

  void submit(uint64_t id, fb::Side side, int64_t qty,
              fb::OrderType type = fb::OrderType::Market,
              fb::TimeInForce tif = fb::TimeInForce::Day, price limit = {},
              int64_t ts = t0) {
    broker.on_command(b.submit_order({0, ts, ingress}, client_order_id{id}, sym,
                                     side, quantity{qty}, type, tif, limit, {}));
  }
  void buy_limit(uint64_t id, int64_t qty, double limit,
                 fb::TimeInForce tif = fb::TimeInForce::Day, int64_t ts = t0) {
    submit(id, fb::Side::Buy, qty, fb::OrderType::Limit, tif, usd(limit), ts);
  }
  void quote(int64_t ts, double bid, int64_t bid_size, double ask,
             int64_t ask_size, symbol_id s = sym) {
    broker.on_market(b.quote({0, ts, ingress + 1}, s, usd(bid), quantity{bid_size},
                             usd(ask), quantity{ask_size}));
  }
  void cancel(uint64_t id, int64_t ts = t0) {
    broker.on_command(b.cancel_order({0, ts, ingress}, client_order_id{id}));
  }
  void replace(uint64_t id, uint64_t new_id, int64_t qty, double limit,
               int64_t ts = t0) {
    broker.on_command(b.replace_order({0, ts, ingress}, client_order_id{id},
                                      client_order_id{new_id}, quantity{qty},
                                      usd(limit)));
  }
  /// Returns the reports since the last call.
  std::vector<msg> take() { return std::exchange(sink.got, {}); }
  /// Returns the single report since the last call; it stays alive until
  /// the next call, so views into it (as<T>()) remain valid.
  const msg& one() {
    auto got = take();
    EXPECT_EQ(got.size(), 1u);
    // With no report (the expectation above has failed already), a Health
    // message stands in so that as<T>() answers nullptr instead of reading an
    // empty handle.
    last = got.empty() ? b.health({}, "no report", {}) : got.front();
    return last;
  }
  msg last;
};

std::string rejection_reason(const msg& m) {
  auto r = m.as<fb::OrderRejected>();
  return r && r->reason() ? r->reason()->str() : "<not a rejection>";
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
  EXPECT_EQ(m.as<fb::OrderRejected>()->leaves_quantity(), 100);
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
  EXPECT_EQ(f->fill_quantity(), 100);
}

TEST(sim_broker, rejects_an_id_already_used_by_a_rejected_order) {
  harness h;
  h.submit(1, fb::Side::Buy, 0);
  h.take();
  h.submit(1, fb::Side::Buy, 100);
  EXPECT_NE(rejection_reason(h.one()).find("already used"), std::string::npos);
}

TEST(sim_broker, rejects_stop_orders_as_not_yet_supported) {
  harness h;
  h.submit(1, fb::Side::Sell, 100, fb::OrderType::Stop);
  EXPECT_EQ(rejection_reason(h.one()), "Stop orders are not yet supported by the simulator");
  h.submit(2, fb::Side::Sell, 100, fb::OrderType::StopLimit, fb::TimeInForce::Day,
           usd(9.0));
  EXPECT_EQ(rejection_reason(h.one()),
            "StopLimit orders are not yet supported by the simulator");
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
  EXPECT_EQ(f->fill_quantity(), 100);
  EXPECT_EQ(f->cumulative_quantity(), 100);
  EXPECT_EQ(f->leaves_quantity(), 0);
  EXPECT_EQ(f->commission(), 0);
  EXPECT_EQ(m.ts_event(), t0 + 5 * ms);
  EXPECT_EQ(m.ts_ingress(), 8);
  EXPECT_EQ(h.broker.open_orders(), 0u);
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
  EXPECT_EQ(f->fill_quantity(), 200);
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
    sum += f->fill_quantity();
    EXPECT_EQ(f->fill_quantity(), expected_fills[i]);
    EXPECT_EQ(f->cumulative_quantity(), sum);
    EXPECT_EQ(f->leaves_quantity(), 1'000 - sum);
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
  EXPECT_EQ(got[0].as<fb::OrderFilled>()->fill_quantity(), 300);
  EXPECT_EQ(got[1].as<fb::OrderFilled>()->client_order_id(), 2u);
  EXPECT_EQ(got[1].as<fb::OrderFilled>()->fill_quantity(), 100);
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
  EXPECT_EQ(got[0].as<fb::OrderFilled>()->fill_quantity(), 200);
  auto c = got[1].as<fb::OrderCanceled>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->leaves_quantity(), 300);
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
  EXPECT_EQ(c->leaves_quantity(), 100);
}

TEST(sim_broker, fills_a_fok_order_whole_or_not_at_all) {
  harness h;
  h.submit(1, fb::Side::Buy, 500, fb::OrderType::Market, fb::TimeInForce::Fok);
  h.submit(2, fb::Side::Buy, 500, fb::OrderType::Market, fb::TimeInForce::Fok,
           {}, t0 + ms);
  h.take();
  h.quote(t0, 10.00, 100, 10.01, 400);
  EXPECT_EQ(h.one().as<fb::OrderCanceled>()->leaves_quantity(), 500);
  h.quote(t0 + ms, 10.00, 100, 10.01, 600);
  EXPECT_EQ(h.one().as<fb::OrderFilled>()->fill_quantity(), 500);
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
  EXPECT_EQ(e->leaves_quantity(), 200);
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
  EXPECT_EQ(c->leaves_quantity(), 200);
  EXPECT_EQ(m.ts_event(), t0 + ms);
  EXPECT_EQ(h.broker.open_orders(), 0u);
  h.quote(t0 + ms, 10.00, 100, 10.01, 100);
  EXPECT_TRUE(h.take().empty());
}

TEST(sim_broker, alerts_on_a_cancel_of_an_unknown_order) {
  harness h;
  h.cancel(42);
  auto m = h.one();
  EXPECT_EQ(m.as<fb::OrderRejected>(), nullptr);
  auto a = m.as<fb::Alert>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->severity(), fb::Severity::Warning);
  EXPECT_EQ(a->code()->str(), "cancel_rejected");
  EXPECT_EQ(a->text()->str(), "cancel of order 42 rejected: no such order");
}

TEST(sim_broker, alerts_on_a_cancel_of_a_finished_order) {
  harness h;
  h.submit(1, fb::Side::Buy, 100);
  h.quote(t0, 10.00, 100, 10.01, 100);
  h.take();
  h.cancel(1);
  auto a = h.one().as<fb::Alert>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->code()->str(), "cancel_rejected");
  EXPECT_EQ(a->text()->str(), "cancel of order 1 rejected: the order is already filled");
}

TEST(sim_broker, replaces_a_working_limit_order_with_a_new_id) {
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.take();
  h.replace(1, 2, 300, 10.01);
  auto got = h.take();
  ASSERT_EQ(got.size(), 2u);
  auto c = got[0].as<fb::OrderCanceled>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->client_order_id(), 1u);
  EXPECT_EQ(c->leaves_quantity(), 100);
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
  EXPECT_EQ(f->fill_quantity(), 300);
  EXPECT_EQ(f->fill_price(), usd(10.01).micros);
}

TEST(sim_broker, alerts_on_a_replace_it_cannot_honour) {
  harness h;
  h.buy_limit(1, 100, 9.00);
  h.buy_limit(2, 100, 9.00);
  h.submit(3, fb::Side::Buy, 100);
  h.take();
  auto reason = [&](uint64_t id, uint64_t new_id, int64_t qty, double limit) {
    h.replace(id, new_id, qty, limit);
    auto m = h.one();
    auto a = m.as<fb::Alert>();
    if (!a)
      return std::string{"<no alert>"};
    EXPECT_EQ(a->code()->str(), "replace_rejected");
    return a->text()->str();
  };
  EXPECT_EQ(reason(9, 10, 100, 9.0), "replace of order 9 rejected: no such order");
  EXPECT_EQ(reason(1, 2, 100, 9.0),
            "replace of order 1 rejected: new client order id 2 was already used");
  EXPECT_EQ(reason(3, 10, 100, 9.0),
            "replace of order 3 rejected: only limit orders can be replaced");
  EXPECT_NE(reason(1, 10, 0, 9.0).find("quantity must be positive"), std::string::npos);
  EXPECT_NE(reason(1, 10, 100, 0.0).find("limit price must be positive"),
            std::string::npos);
  h.replace(1, 10, 100, 9.5);
  h.take();
  EXPECT_EQ(reason(1, 11, 100, 9.0),
            "replace of order 1 rejected: the order is already replaced");
  EXPECT_EQ(h.broker.open_orders(), 3u);
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
