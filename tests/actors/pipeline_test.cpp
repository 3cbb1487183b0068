// The real actors wired on CAF's deterministic test coordinator: every
// message runs on this thread, one at a time, in FIFO order.

#include <gtest/gtest.h>

#include <vector>

#include "actors/collector.hpp"
#include "actors/order_manager.hpp"
#include "actors/risk_controller.hpp"
#include "actors/signal.hpp"
#include "actors/strategy.hpp"
#include "messages/msg_builder.hpp"
#include "../support/deterministic_system.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

using test::spy;

struct pipeline : ::testing::Test, test::deterministic_system {
  test::vector_sink journal;
  std::vector<msg> seen_by_broker, seen_by_risk_tap;
  msg_builder b;

  ~pipeline() override {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched->run();
  }

  std::vector<caf::actor_addr> actors;
};

} // namespace

TEST_F(pipeline, a_breakout_bar_becomes_an_order_and_every_actor_shares_the_bytes) {
  signal_params sp;
  sp.high_period = 3;
  sp.low_period = 3;
  sp.volume_period = 3;
  auto broker = sys->spawn(spy, &seen_by_broker);

  order_manager_settings oms;
  oms.broker = broker;
  oms.journal = &journal;
  auto om = sys->spawn(order_manager, oms);

  risk_settings rs;
  rs.order_manager = om;
  rs.journal = &journal;
  auto risk = sys->spawn(risk_controller, rs);

  strategy_settings ss;
  ss.risk = risk;
  ss.journal = &journal;
  auto strat = sys->spawn(strategy, ss);

  signal_settings gs;
  gs.params = sp;
  gs.strategy = strat;
  gs.journal = &journal;
  auto sig = sys->spawn(osprey::signal, gs);

  auto tap = sys->spawn(spy, &seen_by_risk_tap);
  collector_settings cs;
  cs.subscribers = {{tap, all_market_data}, {risk, all_market_data}, {sig, bars}};
  cs.journal = &journal;
  auto col = sys->spawn(collector, cs);
  caf::anon_send(om, subscribe_atom::value, msg_actor{strat});
  actors = {broker.address(), om.address(), risk.address(), strat.address(),
            sig.address(), tap.address(), col.address()};
  sched->run();

  // Three quiet bars, then one that closes above their high on big volume.
  auto t = int64_t{1'000'000'000};
  for (int i = 0; i < 3; ++i) {
    caf::anon_send(col, b.bar({0, t * (i + 1), t * (i + 1)}, symbol_id{0}, 60,
                              price::from_dollars(100), price::from_dollars(101),
                              price::from_dollars(99), price::from_dollars(100),
                              quantity{1'000}));
    sched->run();
  }
  EXPECT_TRUE(seen_by_broker.empty());

  auto breakout = b.bar({0, t * 4, t * 4}, symbol_id{0}, 60, price::from_dollars(100),
                        price::from_dollars(103), price::from_dollars(100),
                        price::from_dollars(102.5), quantity{5'000});
  const uint8_t* breakout_bytes = breakout.data();
  caf::anon_send(col, std::move(breakout));
  sched->run();

  // The broker received exactly one SubmitOrder, for a buy of $10k / $102.50.
  ASSERT_EQ(seen_by_broker.size(), 1u);
  auto submit = seen_by_broker[0].as<fb::SubmitOrder>();
  ASSERT_NE(submit, nullptr);
  EXPECT_EQ(submit->side(), fb::Side::Buy);
  EXPECT_EQ(shares_from_nanos(submit->quantity()), 97);
  EXPECT_EQ(submit->client_order_id(), 1u);
  EXPECT_EQ(seen_by_broker[0].ts_ingress(), t * 4); // traced to the bar
  EXPECT_EQ(seen_by_broker[0].seq(), 4u);

  // Zero copy: the bar the collector stamped is the very buffer the risk
  // tap and the journal hold; the intent the strategy built is the very
  // buffer the journal holds (risk forwarded the handle, not a copy).
  ASSERT_FALSE(seen_by_risk_tap.empty());
  EXPECT_EQ(seen_by_risk_tap.back().data(), breakout_bytes);
  auto items = journal.items();
  auto journaled_bar = std::find_if(items.begin(), items.end(), [&](const msg& m) {
    return m.data() == breakout_bytes;
  });
  EXPECT_NE(journaled_bar, items.end());
  EXPECT_EQ(journal.count(fb::Payload::OrderIntent), 1u);
  EXPECT_EQ(journal.count(fb::Payload::SubmitOrder), 1u);

  // The fill comes back from the venue: position and P&L follow.
  caf::anon_send(om, b.order_accepted({}, client_order_id{1}, symbol_id{0}));
  caf::anon_send(om, b.order_filled({4, t * 5, t * 5}, client_order_id{1}, symbol_id{0},
                                    fb::Side::Buy, quantity{97},
                                    price::from_dollars(102.6), quantity{97},
                                    quantity{0}, money{}));
  sched->run();
  EXPECT_EQ(journal.count(fb::Payload::PositionChanged), 1u);
  EXPECT_EQ(journal.count(fb::Payload::PortfolioSnapshot), 1u);
}

TEST_F(pipeline, the_intent_reaching_the_order_manager_is_the_strategys_buffer) {
  std::vector<msg> seen_by_om;
  auto om = sys->spawn(spy, &seen_by_om);
  risk_settings rs;
  rs.order_manager = om;
  auto risk = sys->spawn(risk_controller, rs);
  actors = {om.address(), risk.address()};
  caf::anon_send(risk, b.trade({}, symbol_id{0}, price::from_dollars(50), quantity{1}));
  auto intent = b.order_intent({}, symbol_id{0}, fb::Side::Buy, quantity{10},
                               fb::OrderType::Market, price{},
                               {fb::IntentReason::BreakoutEntry,
                                price::from_dollars(50), {}, {}, 0});
  auto bytes = intent.data();
  caf::anon_send(risk, intent);
  sched->run();
  ASSERT_EQ(seen_by_om.size(), 1u);
  EXPECT_EQ(seen_by_om[0].data(), bytes);
}

TEST_F(pipeline, a_denied_intent_goes_back_to_its_sender) {
  std::vector<msg> seen_by_strategy, seen_by_om;
  auto om = sys->spawn(spy, &seen_by_om);
  risk_settings rs;
  rs.order_manager = om;
  rs.journal = &journal;
  auto risk = sys->spawn(risk_controller, rs);
  auto strat = sys->spawn(spy, &seen_by_strategy);
  actors = {om.address(), risk.address(), strat.address()};
  caf::anon_send(risk, kill_switch_atom::value, true);
  // Send the intent as if from the strategy, so the denial finds its way back.
  auto intent = b.order_intent({}, symbol_id{0}, fb::Side::Buy, quantity{10},
                               fb::OrderType::Market, price{}, {});
  caf::send_as(caf::actor_cast<caf::actor>(strat), risk, intent);
  sched->run();
  // The order manager hears of the halt, and of no order.
  ASSERT_EQ(seen_by_om.size(), 1u);
  EXPECT_EQ(seen_by_om[0].type(), fb::Payload::RiskStateChanged);
  ASSERT_EQ(seen_by_strategy.size(), 1u);
  auto d = seen_by_strategy[0].as<fb::OrderDenied>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->reason(), fb::DenyReason::KillSwitch);
  EXPECT_EQ(journal.count(fb::Payload::OrderDenied), 1u);
  EXPECT_EQ(journal.count(fb::Payload::Alert), 1u); // the kill switch itself
}

TEST_F(pipeline, the_order_manager_journals_venue_alerts_and_refuses_unknown_reports) {
  std::vector<msg> seen_by_broker;
  auto broker = sys->spawn(spy, &seen_by_broker);
  order_manager_settings oms;
  oms.broker = broker;
  oms.journal = &journal;
  auto om = sys->spawn(order_manager, oms);
  actors = {broker.address(), om.address()};
  caf::anon_send(om, b.alert({}, fb::Severity::Warning, "cancel_rejected",
                             "cancel of order 7 rejected: no such order"));
  sched->run();
  ASSERT_EQ(journal.items().size(), 1u);
  EXPECT_EQ(journal.items()[0].as<fb::Alert>()->code()->str(), "cancel_rejected");

  caf::anon_send(om, b.order_filled({}, client_order_id{42}, symbol_id{0},
                                    fb::Side::Buy, quantity{1}, price{1}, quantity{1},
                                    quantity{0}, money{}));
  sched->run();
  auto items = journal.items();
  ASSERT_EQ(items.size(), 3u); // the report itself, then why it was refused
  EXPECT_EQ(items[1].type(), fb::Payload::OrderFilled);
  auto refused = items[2].as<fb::Alert>();
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->code()->str(), "execution_refused");
  EXPECT_NE(refused->text()->str().find("unknown client order id"), std::string::npos);
}

TEST_F(pipeline, an_unsubscribed_listener_hears_no_more_reports) {
  std::vector<msg> seen_by_broker_here, kept, dropped;
  auto broker = sys->spawn(spy, &seen_by_broker_here);
  order_manager_settings oms;
  oms.broker = broker;
  auto om = sys->spawn(order_manager, oms);
  auto keeps = sys->spawn(spy, &kept);
  auto drops = sys->spawn(spy, &dropped);
  actors = {broker.address(), om.address(), keeps.address(), drops.address()};
  caf::anon_send(om, subscribe_atom::value, msg_actor{keeps});
  caf::anon_send(om, subscribe_atom::value, msg_actor{drops});
  caf::anon_send(om, unsubscribe_atom::value, msg_actor{drops});
  caf::anon_send(om, b.order_intent({}, symbol_id{0}, fb::Side::Buy, quantity{10},
                                    fb::OrderType::Market, price{},
                                    {fb::IntentReason::Manual, price::from_dollars(50), {}, {}, 0}));
  sched->run();
  caf::anon_send(om, b.order_accepted({}, client_order_id{1}, symbol_id{0}));
  caf::anon_send(om, b.order_filled({}, client_order_id{1}, symbol_id{0}, fb::Side::Buy,
                                    quantity{10}, price::from_dollars(50), quantity{10},
                                    quantity{0}, money{}));
  sched->run();
  EXPECT_FALSE(kept.empty()) << "the subscribed listener hears the fill";
  EXPECT_TRUE(dropped.empty()) << "the unsubscribed one hears nothing";
}
