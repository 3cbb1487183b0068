// The order manager's flows as plain functions: groups, cancel and replace
// with their races, halts, and the portfolio.

#include <gtest/gtest.h>

#include "actors/order_manager.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

constexpr symbol_id sym{2};
constexpr int64_t t0 = 1'767'625'200'000'000'000; // 2026-01-05 15:00 UTC

price usd(double d) {
  return price::from_dollars(d);
}

struct order_manager_flows : ::testing::Test {
  order_manager_state st;
  msg_builder b;

  order_manager_flows() {
    order_manager_params p;
    p.starting_cash = money{100'000 * micros_per_dollar};
    p.first_client_order_id = 10;
    st.configure(p);
  }

  void intent(const order_spec& spec) {
    on_intent(st, b.order_intent({1, t0, t0}, spec, {}));
  }

  order_spec buy(int64_t qty) {
    order_spec s;
    s.symbol = sym;
    s.side = fb::Side::Buy;
    s.qty = quantity::of_shares(qty);
    return s;
  }

  order_spec bracket(int64_t qty) {
    auto s = buy(qty);
    s.type = fb::OrderType::Limit;
    s.limit = usd(100);
    s.order_class = fb::OrderClass::Bracket;
    s.take_profit_limit = usd(110);
    s.stop_loss_stop = usd(95);
    return s;
  }

  void report(const msg& m) { on_report(st, m); }
  void accepted(uint64_t id) { report(b.order_accepted({0, t0, 0}, client_order_id{id}, sym)); }
  void filled(uint64_t id, fb::Side side, int64_t qty, double px, int64_t cum,
              int64_t leaves) {
    report(b.order_filled({0, t0, 0}, client_order_id{id}, sym, side, quantity::of_shares(qty),
                          usd(px), quantity::of_shares(cum), quantity::of_shares(leaves), money{}));
  }
  order& at(uint64_t id) { return st.orders.at(id); }

  /// The outbox's messages sent to `to`, emptying the outbox.
  std::vector<msg> take(route to) {
    std::vector<msg> out;
    for (auto& o : st.outbox)
      if (o.to == to)
        out.push_back(o.m);
    return out;
  }
  std::vector<msg> drain(route to) {
    auto out = take(to);
    st.outbox.clear();
    return out;
  }
};

} // namespace

TEST_F(order_manager_flows, an_intent_becomes_a_submit_with_every_field) {
  auto s = buy(50);
  s.type = fb::OrderType::TrailingStop;
  s.tif = fb::TimeInForce::Gtc;
  s.trail_percent_bps = 150;
  intent(s);
  auto sent = drain(route::broker);
  ASSERT_EQ(sent.size(), 1u);
  auto submit = sent[0].as<fb::SubmitOrder>();
  ASSERT_NE(submit, nullptr);
  EXPECT_EQ(submit->client_order_id(), 10u);
  EXPECT_EQ(submit->type(), fb::OrderType::TrailingStop);
  EXPECT_EQ(submit->tif(), fb::TimeInForce::Gtc);
  EXPECT_EQ(submit->trail_percent_bps(), 150);
  EXPECT_EQ(sent[0].seq(), 1u); // traces back to the market event
  EXPECT_EQ(at(10).status, order_status::pending_new);
  EXPECT_EQ(at(10).history.size(), 1u);
}

TEST_F(order_manager_flows, a_bracket_makes_an_entry_and_two_held_exit_legs) {
  intent(bracket(100));
  auto sent = drain(route::broker);
  ASSERT_EQ(sent.size(), 1u); // one SubmitOrder names all three, as Alpaca takes it
  auto submit = sent[0].as<fb::SubmitOrder>();
  EXPECT_EQ(submit->order_class(), fb::OrderClass::Bracket);
  EXPECT_EQ(submit->take_profit_id(), 11u);
  EXPECT_EQ(submit->stop_loss_id(), 12u);
  EXPECT_EQ(submit->take_profit_limit(), usd(110).micros);
  EXPECT_EQ(at(11).status, order_status::held);
  EXPECT_EQ(at(11).side, fb::Side::Sell);
  EXPECT_EQ(at(11).type, fb::OrderType::Limit);
  EXPECT_EQ(at(12).type, fb::OrderType::Stop);
  EXPECT_EQ(at(12).stop, usd(95));
  EXPECT_EQ(at(12).group.value, 10u);
  EXPECT_EQ(st.stats.orders, 3u);
}

TEST_F(order_manager_flows, bracket_exits_follow_the_entry_and_never_both_fill) {
  intent(bracket(100));
  accepted(10);
  filled(10, fb::Side::Buy, 40, 100, 40, 60);
  EXPECT_EQ(at(11).qty.shares(), 40); // legs follow partial fills
  EXPECT_EQ(at(12).qty.shares(), 40);
  accepted(11);
  accepted(12);
  filled(10, fb::Side::Buy, 60, 100, 100, 0);
  EXPECT_EQ(at(11).qty.shares(), 100);
  st.outbox.clear();
  // The take-profit fills 70: the stop-loss shrinks to 30.
  filled(11, fb::Side::Sell, 70, 110, 70, 30);
  EXPECT_EQ(at(12).qty.shares(), 30);
  filled(11, fb::Side::Sell, 30, 110, 100, 0);
  EXPECT_EQ(at(12).leaves().shares(), 0);
  st.outbox.clear();
  // A stop-loss fill now would close more than the entry opened: refused.
  filled(12, fb::Side::Sell, 10, 95, 10, 0);
  EXPECT_EQ(at(12).filled.shares(), 0);
  EXPECT_EQ(st.positions[sym.value].qty.shares(), 0);
  auto alerts = take(route::journal);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].as<fb::Alert>()->code()->str(), "execution_refused");
}

TEST_F(order_manager_flows, an_oco_works_both_legs_on_the_same_side) {
  auto s = buy(100);
  s.side = fb::Side::Sell;
  s.type = fb::OrderType::Limit;
  s.limit = usd(110);
  s.order_class = fb::OrderClass::Oco;
  s.take_profit_limit = usd(110);
  s.stop_loss_stop = usd(95);
  intent(s);
  auto submit = drain(route::broker)[0].as<fb::SubmitOrder>();
  EXPECT_EQ(submit->take_profit_id(), 0u);
  EXPECT_EQ(submit->stop_loss_id(), 11u);
  EXPECT_EQ(at(11).side, fb::Side::Sell);
  EXPECT_EQ(at(11).status, order_status::pending_new);
  accepted(10);
  accepted(11);
  filled(11, fb::Side::Sell, 25, 95, 25, 75);
  EXPECT_EQ(at(10).qty.shares(), 75);
}

TEST_F(order_manager_flows, an_oto_arms_only_the_leg_it_names) {
  auto s = buy(10);
  s.order_class = fb::OrderClass::Oto;
  s.stop_loss_stop = usd(90);
  intent(s);
  auto submit = drain(route::broker)[0].as<fb::SubmitOrder>();
  EXPECT_EQ(submit->take_profit_id(), 0u);
  EXPECT_EQ(submit->stop_loss_id(), 11u);
  EXPECT_EQ(st.orders.size(), 2u);
}

TEST_F(order_manager_flows, a_cancel_of_an_unknown_or_done_order_is_denied_to_its_sender) {
  on_command(st, b.cancel_order({}, client_order_id{999}));
  auto denied = drain(route::sender);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].as<fb::OrderDenied>()->reason(), fb::DenyReason::UnknownOrder);
  EXPECT_EQ(denied[0].as<fb::OrderDenied>()->client_order_id(), 999u);
  intent(buy(10));
  accepted(10);
  filled(10, fb::Side::Buy, 10, 100, 10, 0);
  st.outbox.clear();
  on_command(st, b.cancel_order({}, client_order_id{10}));
  denied = drain(route::sender);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].as<fb::OrderDenied>()->reason(), fb::DenyReason::OrderNotWorking);
  EXPECT_EQ(st.stats.refused_commands, 2u);
  EXPECT_EQ(at(10).status, order_status::filled);
}

TEST_F(order_manager_flows, cancel_then_fill_race_keeps_the_fill) {
  intent(buy(10));
  accepted(10);
  st.outbox.clear();
  on_command(st, b.cancel_order({}, client_order_id{10}));
  ASSERT_EQ(drain(route::broker).size(), 1u);
  EXPECT_EQ(at(10).status, order_status::pending_cancel);
  filled(10, fb::Side::Buy, 10, 100, 10, 0); // the fill got there first
  report(b.cancel_rejected({}, client_order_id{10}, "order is already filled"));
  EXPECT_EQ(at(10).status, order_status::filled);
  EXPECT_EQ(st.positions[sym.value].qty.shares(), 10);
  EXPECT_TRUE(take(route::journal).empty()); // the expected end of the race
}

TEST_F(order_manager_flows, replace_creates_a_linked_order) {
  auto s = buy(10);
  s.type = fb::OrderType::Limit;
  s.limit = usd(100);
  intent(s);
  accepted(10);
  st.outbox.clear();
  replace_values v;
  v.qty = quantity{20};
  v.limit = usd(101);
  on_command(st, b.replace_order({}, client_order_id{10}, client_order_id{}, v));
  auto sent = drain(route::broker);
  ASSERT_EQ(sent.size(), 1u);
  auto r = sent[0].as<fb::ReplaceOrder>();
  EXPECT_EQ(r->new_client_order_id(), 11u);
  EXPECT_EQ(at(10).status, order_status::pending_replace);
  report(b.order_replaced({}, client_order_id{10}, client_order_id{11}, sym,
                          fb::Side::Buy, quantity{20}, usd(101), price{}));
  EXPECT_EQ(at(10).status, order_status::replaced);
  EXPECT_EQ(at(11).status, order_status::pending_new);
  EXPECT_EQ(at(11).replaces.value, 10u);
  EXPECT_EQ(at(11).qty.shares(), 20);
  EXPECT_EQ(at(11).limit, usd(101));
  accepted(11);
  EXPECT_EQ(at(11).status, order_status::accepted);
  EXPECT_EQ(st.stats.replaced, 1u);
}

TEST_F(order_manager_flows, fill_wins_the_race_with_a_replace) {
  auto s = buy(10);
  s.type = fb::OrderType::Limit;
  s.limit = usd(100);
  intent(s);
  accepted(10);
  on_command(st, b.replace_order({}, client_order_id{10}, client_order_id{}, {quantity{20}, usd(99), {}, {}, {}}));
  filled(10, fb::Side::Buy, 10, 100, 10, 0);
  report(b.replace_rejected({}, client_order_id{10}, client_order_id{11},
                            "order is already filled"));
  EXPECT_EQ(at(10).status, order_status::filled);
  EXPECT_FALSE(st.orders.contains(11));
  EXPECT_EQ(st.positions[sym.value].qty.shares(), 10);
}

TEST_F(order_manager_flows, a_rejected_replace_leaves_the_order_working) {
  auto s = buy(10);
  s.type = fb::OrderType::Limit;
  s.limit = usd(100);
  intent(s);
  accepted(10);
  on_command(st, b.replace_order({}, client_order_id{10}, client_order_id{}, {quantity{20}, usd(99), {}, {}, {}}));
  report(b.replace_rejected({}, client_order_id{10}, client_order_id{11}, "no"));
  EXPECT_EQ(at(10).status, order_status::accepted);
}

TEST_F(order_manager_flows, refuses_to_replace_a_market_order) {
  intent(buy(10));
  accepted(10);
  st.outbox.clear();
  on_command(st, b.replace_order({}, client_order_id{10}, client_order_id{}, {quantity{20}, usd(99), {}, {}, {}}));
  auto denied = drain(route::sender);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].as<fb::OrderDenied>()->reason(), fb::DenyReason::InvalidOrder);
  EXPECT_EQ(at(10).status, order_status::accepted);
}

TEST_F(order_manager_flows, a_halt_cancels_live_orders_in_id_order_and_flattens) {
  intent(buy(10));   // 10: filled, leaves a position
  intent(buy(5));    // 11: accepted and working
  intent(buy(5));    // 12: not yet acknowledged
  accepted(10);
  filled(10, fb::Side::Buy, 10, 100, 10, 0);
  accepted(11);
  st.outbox.clear();
  risk_change c;
  c.mode = fb::RiskMode::Halted;
  c.flatten = true;
  on_risk_state(st, b.risk_state_changed({}, c, "halted"));
  auto sent = drain(route::broker);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].as<fb::CancelOrder>()->client_order_id(), 11u);
  EXPECT_EQ(sent[1].as<fb::CancelOrder>()->client_order_id(), 12u);
  auto close = sent[2].as<fb::SubmitOrder>();
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->side(), fb::Side::Sell);
  EXPECT_EQ(shares_from_nanos(close->quantity()), 10);
  EXPECT_EQ(close->type(), fb::OrderType::Market);
  EXPECT_EQ(at(11).status, order_status::pending_cancel);
}

TEST_F(order_manager_flows, a_reduce_only_change_cancels_nothing) {
  intent(buy(5));
  accepted(10);
  st.outbox.clear();
  risk_change c;
  c.mode = fb::RiskMode::ReduceOnly;
  on_risk_state(st, b.risk_state_changed({}, c, "reduce only"));
  EXPECT_TRUE(st.outbox.empty());
}

TEST_F(order_manager_flows, the_portfolio_tracks_day_pnl_and_drawdown) {
  intent(buy(100));
  accepted(10);
  filled(10, fb::Side::Buy, 100, 100, 100, 0);
  st.outbox.clear();
  // Up to 105 (a new high), then down to 98.
  on_market(st, b.bar({0, t0 + 60'000'000'000, 0}, sym, 60, usd(100), usd(105), usd(100),
                      usd(105), quantity{1000}));
  on_market(st, b.bar({0, t0 + 120'000'000'000, 0}, sym, 60, usd(105), usd(105), usd(98),
                      usd(98), quantity{1000}));
  auto snaps = take(route::journal);
  ASSERT_EQ(snaps.size(), 2u);
  auto last = snaps[1].as<fb::PortfolioSnapshot>();
  EXPECT_EQ(last->equity(), money{99'800 * micros_per_dollar}.micros);
  EXPECT_EQ(last->high_water_mark(), money{100'500 * micros_per_dollar}.micros);
  EXPECT_EQ(last->drawdown(), money{700 * micros_per_dollar}.micros);
  EXPECT_EQ(last->day_pnl(), money{-200 * micros_per_dollar}.micros);
  EXPECT_EQ(last->buying_power(), money{(99'800 - 9'800) * micros_per_dollar}.micros);
}

TEST_F(order_manager_flows, a_fill_publishes_position_portfolio_and_the_report) {
  intent(buy(10));
  accepted(10);
  st.outbox.clear();
  filled(10, fb::Side::Buy, 10, 100, 10, 0);
  ASSERT_EQ(st.outbox.size(), 3u);
  EXPECT_EQ(st.outbox[0].m.type(), fb::Payload::PositionChanged);
  EXPECT_EQ(st.outbox[1].m.type(), fb::Payload::PortfolioSnapshot);
  EXPECT_EQ(st.outbox[2].m.type(), fb::Payload::OrderFilled);
  EXPECT_FALSE(st.outbox[2].journaled); // the actor journaled it on arrival
  EXPECT_EQ(at(10).history.size(), 3u); // submit, accepted, filled
}

namespace {

constexpr int64_t minute = 60'000'000'000;

msg twap_intent(msg_builder& b, int64_t qty, uint32_t slices) {
  order_spec s;
  s.symbol = sym;
  s.side = fb::Side::Buy;
  s.qty = quantity::of_shares(qty);
  algo_spec how;
  how.kind = fb::AlgoKind::Twap;
  how.horizon_ns = slices * minute;
  how.slices = slices;
  return b.order_intent({1, t0, t0}, s, {}, 0, &how);
}

} // namespace

TEST_F(order_manager_flows, a_twap_parent_sends_children_through_the_risk_controller) {
  on_intent(st, twap_intent(b, 90, 3));
  EXPECT_TRUE(take(route::broker).empty()); // the parent never goes to the venue
  auto to_risk = take(route::risk);
  ASSERT_EQ(to_risk.size(), 1u);
  auto child = to_risk[0].as<fb::OrderIntent>();
  EXPECT_EQ(shares_from_nanos(child->quantity()), 30);
  EXPECT_EQ(child->reason(), fb::IntentReason::AlgoChild);
  auto parent = child->parent_id();
  EXPECT_EQ(parent, 10u);
  auto progress = take(route::listeners);
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(shares_from_nanos(progress[0].as<fb::AlgoProgress>()->target_quantity()), 90);
  st.outbox.clear();

  // The risk controller approves it: it comes back and becomes an order.
  on_intent(st, to_risk[0]);
  auto sent = drain(route::broker);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].as<fb::SubmitOrder>()->parent_id(), parent);
  auto child_id = sent[0].as<fb::SubmitOrder>()->client_order_id();
  accepted(child_id);
  filled(child_id, fb::Side::Buy, 30, 100, 30, 0);
  auto p = st.find_algo(parent);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->algo.filled.shares(), 30);
  st.outbox.clear();

  // The next slice is due a minute later: any market event runs it.
  on_market(st, b.trade({5, t0 + minute, 0}, sym, usd(100), quantity{10}));
  to_risk = take(route::risk);
  ASSERT_EQ(to_risk.size(), 1u);
  EXPECT_EQ(shares_from_nanos(to_risk[0].as<fb::OrderIntent>()->quantity()), 30);
}

TEST_F(order_manager_flows, a_denied_child_is_made_up_at_the_next_slice) {
  on_intent(st, twap_intent(b, 90, 3));
  auto child = take(route::risk)[0];
  st.outbox.clear();
  auto c = child.as<fb::OrderIntent>();
  on_denied(st, b.order_denied(stamp::caused_by(child), sym, c->side(),
                               quantity::from_nanos(c->quantity()), price{}, fb::DenyReason::OrderRateThrottle,
                               0, 0, {client_order_id{}, c->parent_id()}));
  EXPECT_EQ(st.find_algo(c->parent_id())->algo.working.shares(), 0);
  st.outbox.clear();
  on_market(st, b.trade({5, t0 + minute, 0}, sym, usd(100), quantity{10}));
  auto next = take(route::risk);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(shares_from_nanos(next[0].as<fb::OrderIntent>()->quantity()), 60); // catch-up
}

TEST_F(order_manager_flows, canceling_a_parent_cancels_its_working_child) {
  on_intent(st, twap_intent(b, 90, 3));
  auto child = take(route::risk)[0];
  st.outbox.clear();
  on_intent(st, child);
  auto child_id = drain(route::broker)[0].as<fb::SubmitOrder>()->client_order_id();
  accepted(child_id);
  st.outbox.clear();
  on_command(st, b.cancel_order({}, client_order_id{10}));
  auto sent = take(route::broker);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].as<fb::CancelOrder>()->client_order_id(), child_id);
  EXPECT_TRUE(st.find_algo(10)->algo.done());
  st.outbox.clear();
  // No more children, however much time passes.
  on_market(st, b.trade({5, t0 + 5 * minute, 0}, sym, usd(100), quantity{10}));
  EXPECT_TRUE(take(route::risk).empty());
}

TEST_F(order_manager_flows, a_malformed_algorithm_is_denied_with_its_reason_journaled) {
  order_spec s = buy(10);
  algo_spec how;
  how.kind = fb::AlgoKind::Iceberg; // no limit price, no display quantity
  on_intent(st, b.order_intent({1, t0, t0}, s, {}, 0, &how));
  auto denied = take(route::sender);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].as<fb::OrderDenied>()->reason(), fb::DenyReason::InvalidOrder);
  auto alerts = take(route::journal);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_NE(alerts[0].as<fb::Alert>()->text()->str().find("iceberg"), std::string::npos);
  EXPECT_TRUE(st.algos.empty());
}
