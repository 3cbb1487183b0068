// Order classes, halts and execution algorithms through the real actor graph
// (deterministic scheduler, simulated broker): what a person's order does
// from the risk controller to the venue and back.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "adapters/sim_broker.hpp"
#include "adapters/synthetic_market.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/engine.hpp"
#include "../support/vector_sink.hpp"

using namespace osprey;

namespace {

constexpr symbol_id sym{0};

struct graph {
  engine_config cfg;
  symbol_table symbols;
  test::vector_sink journal;
  std::unique_ptr<engine> eng;
  std::unique_ptr<synthetic_market> market;
  msg_builder b;
  price last_bid, last_ask;
  int64_t now = 0;

  /// `recovered`: journal records to rebuild from; the market then resumes
  /// after the last market event among them.
  explicit graph(std::shared_ptr<const std::vector<msg>> recovered = nullptr) {
    cfg = default_config();
    cfg.scheduler.profile = latency_profile::deterministic;
    cfg.clock = clock_kind::event;
    // The strategy stays out of the way: its indicators never warm up, so it
    // neither enters nor manages the positions these orders open.
    cfg.signal.sma_period = cfg.signal.ema_period = cfg.signal.rsi_period = 10'000;
    cfg.signal.volume_period = cfg.signal.high_period = cfg.signal.low_period = 10'000;
    for (auto& s : cfg.market.symbols)
      symbols.intern(s);
    auto broker_cfg = cfg.broker;
    eng = std::make_unique<engine>(
      cfg, &journal,
      [broker_cfg](msg_sink& r) { return std::make_unique<sim_broker>(broker_cfg, r); },
      nullptr, recovered);
    market = std::make_unique<synthetic_market>(cfg.market, symbols);
    uint64_t last_seq = 0;
    if (recovered)
      for (auto& m : *recovered)
        if (m.seq() && (m.type() == fb::Payload::Trade || m.type() == fb::Payload::Quote
                        || m.type() == fb::Payload::Bar))
          last_seq = std::max(last_seq, m.seq());
    for (uint64_t i = 0; i < last_seq; ++i)
      market->next(market->peek_time());
  }
  ~graph() { eng->shutdown(); }

  void feed(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto m = market->next(market->peek_time());
      now = m.ts_event();
      if (auto q = m.as<fb::Quote>(); q && q->symbol() == sym.value) {
        last_bid = price{q->bid()};
        last_ask = price{q->ask()};
      }
      eng->inject(std::move(m));
      eng->drain();
    }
  }

  price mid() const { return price{(last_bid.micros + last_ask.micros) / 2}; }

  void submit(const order_spec& spec, const algo_spec* algo = nullptr) {
    intent_reason why;
    why.code = fb::IntentReason::Manual;
    why.trigger = mid();
    eng->submit(b.order_intent({0, now, now}, spec, why, 0, algo));
  }

  std::vector<msg> of(fb::Payload type) const {
    std::vector<msg> out;
    for (auto& m : journal.items())
      if (m.type() == type)
        out.push_back(m);
    return out;
  }
};

price cents(price p, int64_t c) {
  return price{p.micros / 10'000 * 10'000 + c * 10'000};
}

} // namespace

TEST(orders_through_the_graph, a_bracket_fills_its_entry_then_exactly_one_exit) {
  graph g;
  g.feed(3'000);
  order_spec s;
  s.symbol = sym;
  s.side = fb::Side::Buy;
  s.qty = quantity{10};
  s.order_class = fb::OrderClass::Bracket;
  s.take_profit_limit = cents(g.mid(), 40);
  s.stop_loss_stop = cents(g.mid(), -40);
  g.submit(s);
  auto submits = g.of(fb::Payload::SubmitOrder);
  ASSERT_EQ(submits.size(), 1u) << "the risk controller denied the bracket";
  auto entry = submits[0].as<fb::SubmitOrder>();
  auto tp = entry->take_profit_id(), sl = entry->stop_loss_id();
  // Run until one exit has filled (or the day ends and the exits expire).
  auto exit_filled = [&] {
    for (auto& f : g.of(fb::Payload::OrderFilled)) {
      auto id = f.as<fb::OrderFilled>()->client_order_id();
      if ((id == tp || id == sl) && f.as<fb::OrderFilled>()->leaves_quantity() == 0)
        return true;
    }
    return false;
  };
  for (int i = 0; i < 100 && !exit_filled(); ++i)
    g.feed(1'000);
  ASSERT_TRUE(exit_filled());
  g.feed(100);

  int64_t entry_filled = 0, tp_filled = 0, sl_filled = 0;
  for (auto& m : g.of(fb::Payload::OrderFilled)) {
    auto f = m.as<fb::OrderFilled>();
    auto q = quantity::from_nanos(f->fill_quantity()).whole_shares();
    if (f->client_order_id() == entry->client_order_id())
      entry_filled += q;
    else if (f->client_order_id() == tp)
      tp_filled += q;
    else if (f->client_order_id() == sl)
      sl_filled += q;
  }
  EXPECT_EQ(entry_filled, 10);
  EXPECT_EQ(tp_filled + sl_filled, 10); // exactly one exit closed it all
  EXPECT_TRUE(tp_filled == 0 || sl_filled == 0);
  std::set<uint64_t> canceled;
  for (auto& m : g.of(fb::Payload::OrderCanceled))
    canceled.insert(m.as<fb::OrderCanceled>()->client_order_id());
  EXPECT_TRUE(canceled.contains(tp_filled ? sl : tp)); // the other exit
  auto stats = g.eng->stats();
  EXPECT_EQ(stats.orders.positions[sym.value].qty.shares(), 0);
  EXPECT_EQ(stats.orders.refused_events, 0u);
}

TEST(orders_through_the_graph, a_halt_cancels_resting_orders_and_denies_new_ones) {
  graph g;
  g.feed(3'000);
  order_spec s;
  s.symbol = sym;
  s.side = fb::Side::Buy;
  s.qty = quantity{10};
  s.type = fb::OrderType::Limit;
  s.limit = price{g.mid().micros / 1'000'000 * 990'000}; // rests: 1% under the market
  g.submit(s);
  ASSERT_EQ(g.of(fb::Payload::SubmitOrder).size(), 1u);
  auto id = g.of(fb::Payload::SubmitOrder)[0].as<fb::SubmitOrder>()->client_order_id();
  g.feed(10);
  g.eng->kill_switch(true);
  g.feed(10);
  auto changes = g.of(fb::Payload::RiskStateChanged);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].as<fb::RiskStateChanged>()->mode(), fb::RiskMode::Halted);
  auto cancels = g.of(fb::Payload::OrderCanceled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].as<fb::OrderCanceled>()->client_order_id(), id);
  g.submit(s);
  auto denied = g.of(fb::Payload::OrderDenied);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].as<fb::OrderDenied>()->reason(), fb::DenyReason::KillSwitch);
  // A person resumes: orders pass again.
  g.eng->kill_switch(false);
  g.submit(s);
  EXPECT_EQ(g.of(fb::Payload::SubmitOrder).size(), 2u);
}

TEST(orders_through_the_graph, a_twap_parent_fills_its_target_in_children) {
  graph g;
  g.feed(3'000);
  order_spec s;
  s.symbol = sym;
  s.side = fb::Side::Buy;
  s.qty = quantity{90};
  algo_spec how;
  how.kind = fb::AlgoKind::Twap;
  how.slices = 3;
  how.horizon_ns = 3 * 60'000'000'000LL;
  g.submit(s, &how);
  g.feed(3'000); // well past the three minutes
  auto progress = g.of(fb::Payload::AlgoProgress);
  ASSERT_FALSE(progress.empty());
  auto last = progress.back().as<fb::AlgoProgress>();
  EXPECT_TRUE(last->done());
  EXPECT_EQ(shares_from_nanos(last->filled_quantity()), 90);
  EXPECT_EQ(shares_from_nanos(last->target_quantity()), 90);
  size_t children = 0;
  for (auto& m : g.of(fb::Payload::SubmitOrder))
    children += m.as<fb::SubmitOrder>()->parent_id() == last->parent_id();
  EXPECT_EQ(children, 3u);
  EXPECT_EQ(g.eng->stats().orders.positions[sym.value].qty.shares(), 90);
}

TEST(orders_through_the_graph, a_twap_resumes_from_the_journal_as_if_nothing_happened) {
  order_spec s;
  s.symbol = sym;
  s.side = fb::Side::Buy;
  s.qty = quantity{90};
  algo_spec how;
  how.kind = fb::AlgoKind::Twap;
  how.slices = 3;
  how.horizon_ns = 3 * 60'000'000'000LL;
  how.randomize_bps = 2'000;
  how.seed = 7;

  graph whole;
  whole.feed(3'000);
  whole.submit(s, &how);
  whole.feed(3'000);
  auto expected = whole.journal.items();

  graph crashed;
  crashed.feed(3'000);
  crashed.submit(s, &how);
  crashed.feed(110); // about a minute and a half: the second child is out
  auto kept = crashed.journal.items();
  ASSERT_GE(kept.size(), 2u);
  // Cut back to the start of the last market event, as recovery does.
  size_t cut = kept.size();
  while (cut > 0 && !(kept[cut - 1].seq() && (kept[cut - 1].type() == fb::Payload::Trade
                                              || kept[cut - 1].type() == fb::Payload::Quote
                                              || kept[cut - 1].type() == fb::Payload::Bar)))
    --cut;
  kept.resize(cut - 1);
  size_t children_before = 0;
  for (auto& m : kept)
    children_before += m.type() == fb::Payload::SubmitOrder;
  ASSERT_GE(children_before, 1u);
  ASSERT_LT(children_before, 3u);

  graph resumed{std::make_shared<const std::vector<msg>>(kept)};
  resumed.feed(6'000 - kept.back().seq());
  auto tail = resumed.journal.items();
  // What the resumed graph wrote is exactly what the uncrashed one wrote
  // after the cut: same children, same ids, same fills, same bytes.
  ASSERT_EQ(kept.size() + tail.size(), expected.size());
  for (size_t i = 0; i < tail.size(); ++i) {
    auto& want = expected[kept.size() + i];
    ASSERT_TRUE(std::equal(want.bytes().begin(), want.bytes().end(), tail[i].bytes().begin(),
                           tail[i].bytes().end()))
      << "record " << kept.size() + i << ": " << payload_name(tail[i].type()) << " vs "
      << payload_name(want.type());
  }
  auto last = resumed.of(fb::Payload::AlgoProgress).back().as<fb::AlgoProgress>();
  EXPECT_TRUE(last->done());
  EXPECT_EQ(shares_from_nanos(last->filled_quantity()), 90);
}
