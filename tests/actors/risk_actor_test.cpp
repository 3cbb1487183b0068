// The risk controller actor on CAF's deterministic test coordinator: what it
// forwards, what it sends back, and what it journals.

#include <gtest/gtest.h>

#include <vector>

#include "actors/risk_controller.hpp"
#include "messages/msg_builder.hpp"
#include "../support/deterministic_system.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

using test::spy;

struct risk_actor : ::testing::Test, test::deterministic_system {
  test::vector_sink journal;
  std::vector<msg> seen_by_om, seen_by_strategy;
  msg_builder b;
  msg_actor om, strat;
  risk_controller_actor risk;

  risk_actor() {
    om = sys->spawn(spy, &seen_by_om);
    strat = sys->spawn(spy, &seen_by_strategy);
  }

  void start(risk_limits limits) {
    risk_settings rs;
    rs.limits = limits;
    rs.order_manager = om;
    rs.journal = &journal;
    rs.symbols = 4;
    risk = sys->spawn(risk_controller, rs);
    sched->run();
  }

  // Sends `m` to the controller as if from the strategy.
  void from_strategy(const msg& m) {
    caf::send_as(caf::actor_cast<caf::actor>(strat), risk, m);
    sched->run();
  }

  // Asks for the counters from a throwaway actor, so the answer arrives on
  // the deterministic scheduler like every other message.
  risk_stats stats() {
    risk_stats out;
    // The handle and the target travel as spawn arguments: CAF 0.17 reads
    // a null argument tuple when a function actor is spawned with none.
    auto ask = [](caf::event_based_actor* self, risk_controller_actor r,
                  risk_stats* target) {
      self->request(r, caf::infinite, stats_atom::value)
        .then([self, target](const risk_stats& s) {
          *target = s;
          self->quit();
        });
    };
    sys->spawn(ask, risk, &out);
    sched->run();
    return out;
  }

  ~risk_actor() override {
    for (auto a : {caf::actor_cast<caf::actor>(om), caf::actor_cast<caf::actor>(strat),
                   caf::actor_cast<caf::actor>(risk)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched->run();
  }
};

} // namespace

TEST_F(risk_actor, forwards_cancels_and_refuses_one_over_the_throttle_with_its_id) {
  risk_limits l;
  l.max_cancels_per_window = 1;
  start(l);
  from_strategy(b.cancel_order({0, 10, 0}, client_order_id{7}));
  from_strategy(b.cancel_order({0, 20, 0}, client_order_id{8}));
  ASSERT_EQ(seen_by_om.size(), 1u);
  EXPECT_EQ(seen_by_om[0].as<fb::CancelOrder>()->client_order_id(), 7u);
  ASSERT_EQ(seen_by_strategy.size(), 1u);
  auto d = seen_by_strategy[0].as<fb::OrderDenied>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->reason(), fb::DenyReason::CancelRateThrottle);
  EXPECT_EQ(d->client_order_id(), 8u);
  EXPECT_EQ(d->value(), 2);
  EXPECT_EQ(d->limit(), 1);
  EXPECT_EQ(journal.count(fb::Payload::OrderDenied), 1u);
  auto s = stats();
  EXPECT_EQ(s.commands_forwarded, 1u);
  EXPECT_EQ(s.commands_denied, 1u);
  EXPECT_EQ(s.denied_by_reason[static_cast<size_t>(fb::DenyReason::CancelRateThrottle)],
            1u);
}

TEST_F(risk_actor, a_hard_loss_halts_tells_the_order_manager_and_waits_for_resume) {
  risk_limits l;
  l.daily_loss_hard = money{1'000 * micros_per_dollar};
  l.flatten_on_halt = true;
  start(l);
  auto t = int64_t{1'767'623'400'000'000'000};
  caf::anon_send(risk, b.trade({1, t, t}, symbol_id{0}, price::from_dollars(100),
                               quantity{1}));
  caf::anon_send(risk, b.order_filled({1, t, t}, client_order_id{1}, symbol_id{0},
                                      fb::Side::Buy, quantity{100},
                                      price::from_dollars(100), quantity{100},
                                      quantity{0}, money{}));
  caf::anon_send(risk, b.trade({2, t + 1, t + 1}, symbol_id{0}, price::from_dollars(89),
                               quantity{1}));
  sched->run();
  ASSERT_EQ(seen_by_om.size(), 1u);
  auto changed = seen_by_om[0].as<fb::RiskStateChanged>();
  ASSERT_NE(changed, nullptr);
  EXPECT_EQ(changed->mode(), fb::RiskMode::Halted);
  EXPECT_EQ(changed->trigger(), fb::RiskTrigger::DailyLossHard);
  EXPECT_EQ(changed->value(), 1'100 * micros_per_dollar);
  EXPECT_EQ(changed->limit(), 1'000 * micros_per_dollar);
  EXPECT_TRUE(changed->flatten());
  EXPECT_EQ(seen_by_om[0].seq(), 2u); // caused by the trade that crossed
  EXPECT_EQ(journal.count(fb::Payload::RiskStateChanged), 1u);

  auto intent = b.order_intent({3, t + 2, t + 2}, symbol_id{0}, fb::Side::Sell,
                               quantity{10}, fb::OrderType::Market, price{},
                               {fb::IntentReason::Manual, price::from_dollars(89),
                                {}, {}, 0});
  from_strategy(intent);
  ASSERT_EQ(seen_by_strategy.size(), 1u);
  EXPECT_EQ(seen_by_strategy[0].as<fb::OrderDenied>()->reason(), fb::DenyReason::Halted);
  EXPECT_EQ(stats().mode, fb::RiskMode::Halted);

  caf::anon_send(risk, resume_atom::value);
  sched->run();
  ASSERT_EQ(seen_by_om.size(), 2u);
  EXPECT_EQ(seen_by_om[1].as<fb::RiskStateChanged>()->mode(), fb::RiskMode::Normal);
  EXPECT_EQ(seen_by_om[1].as<fb::RiskStateChanged>()->trigger(),
            fb::RiskTrigger::Resume);
  from_strategy(intent);
  ASSERT_EQ(seen_by_om.size(), 3u);
  EXPECT_EQ(seen_by_om[2], intent);
  EXPECT_EQ(stats().mode, fb::RiskMode::Normal);
}

TEST_F(risk_actor, the_kill_switch_is_a_halt_with_its_own_trigger) {
  start(risk_limits{});
  caf::anon_send(risk, kill_switch_atom::value, true);
  sched->run();
  ASSERT_EQ(seen_by_om.size(), 1u);
  EXPECT_EQ(seen_by_om[0].as<fb::RiskStateChanged>()->trigger(),
            fb::RiskTrigger::KillSwitch);
  auto s = stats();
  EXPECT_TRUE(s.kill_switch);
  EXPECT_EQ(s.mode, fb::RiskMode::Halted);
  // A cancel still passes: it only takes risk away.
  from_strategy(b.cancel_order({}, client_order_id{3}));
  EXPECT_EQ(seen_by_om.size(), 2u);
  caf::anon_send(risk, kill_switch_atom::value, false);
  sched->run();
  EXPECT_FALSE(stats().kill_switch);
  EXPECT_EQ(journal.count(fb::Payload::RiskStateChanged), 2u);
}

TEST_F(risk_actor, denies_an_unknown_symbol_with_the_configured_count) {
  start(risk_limits{});
  from_strategy(b.order_intent({}, symbol_id{4}, fb::Side::Buy, quantity{10},
                               fb::OrderType::Market, price{}, {}));
  ASSERT_EQ(seen_by_strategy.size(), 1u);
  auto d = seen_by_strategy[0].as<fb::OrderDenied>();
  EXPECT_EQ(d->reason(), fb::DenyReason::UnknownSymbol);
  EXPECT_EQ(d->value(), 4);
  EXPECT_EQ(d->limit(), 4);
}
