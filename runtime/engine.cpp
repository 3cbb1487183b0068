#include "runtime/engine.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "actors/signal.hpp"
#include "actors/rule_strategy.hpp"
#include "actors/strategy.hpp"
#include "runtime/recovery.hpp"

namespace osprey {

void apply_scheduler(caf::actor_system_config& cfg, const scheduler_config& s) {
  if (s.profile == latency_profile::deterministic) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return;
  }
  auto workers = s.workers ? s.workers : std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.policy", caf::atom("stealing"));
  cfg.set("scheduler.max-threads", static_cast<size_t>(workers));
  if (s.profile == latency_profile::spin) {
    // Idle workers stay in the aggressive polling phase for good instead of
    // falling back to 50 us sleeps: wake-ups, not hops, dominate latency.
    cfg.set("work-stealing.aggressive-poll-attempts",
            static_cast<size_t>(1) << 40);
  }
}

std::shared_ptr<const news_reader> load_news_reader(const engine_config& c) {
  if (c.sentiment_lexicon.empty())
    return nullptr;
  std::string error;
  auto general = sentiment::lexicon::load(c.sentiment_lexicon, error);
  if (!general)
    throw std::runtime_error("cannot read the sentiment lexicon: " + error);
  // Every traded symbol is in the universe, by its symbol at least.
  auto universe = c.universe;
  for (auto& s : c.market.symbols)
    if (std::none_of(universe.begin(), universe.end(),
                     [&](const sentiment::ticker_entry& e) { return e.symbol == s; }))
      universe.push_back({s, {}, false});
  return std::make_shared<const news_reader>(
    news_reader{sentiment::analyzer::finance_model(std::move(*general)),
                sentiment::ticker_universe{std::move(universe)}});
}

engine::engine(const engine_config& c, msg_sink* journal, broker_factory make_broker,
               clock_fn clock, std::shared_ptr<const std::vector<msg>> recovered)
  : deterministic_(c.scheduler.profile == latency_profile::deterministic) {
  // Read before any actor exists, so a bad lexicon stops nothing half-built.
  auto reader = load_news_reader(c);
  register_message_types(cfg_);
  apply_scheduler(cfg_, c.scheduler);
  system_ = std::make_unique<caf::actor_system>(cfg_);
  auto& sys = *system_;

  // Spawn downstream first so each actor gets its peers' handles at spawn.
  // The two feedback edges (execution reports to the order manager, and
  // positions and reports to the risk controller and the strategy) are
  // subscriptions sent before any event; mailboxes are FIFO, so they are in
  // place when the first event arrives. Denials go back to the sender.
  auto broker = sys.spawn(broker_bridge, recovering(std::move(make_broker), recovered));
  // On threads, each actor journals through a lane of its own, which keeps
  // its records in order as the scheduler moves it between threads. The
  // deterministic profile runs everything on one thread: all actors share
  // that thread's FIFO, so the journal holds the exact order of execution.
  auto lane = [journal, this]() -> msg_sink* {
    if (!journal)
      return nullptr;
    return deterministic_ ? journal : journal->lane();
  };

  order_manager_settings om;
  om.params = c.orders;
  om.broker = broker;
  om.journal = lane();
  om.clock = clock;
  om.recovered = recovered;
  orders_ = sys.spawn(order_manager, om);

  risk_settings rs;
  rs.limits = c.risk;
  rs.order_manager = orders_;
  rs.journal = lane();
  rs.symbols = static_cast<uint32_t>(c.market.symbols.size());
  rs.recovered = recovered;
  risk_ = sys.spawn(risk_controller, rs);

  // The strategy: rules if the config has them, else the breakout.
  auto signal_params = c.signal;
  msg_actor strat;
  if (!c.rules.text.empty()) {
    auto compiled = rules::compile_rules(c.rules.text);
    if (!compiled)
      throw std::runtime_error("the rules do not compile:\n" + compiled.error().text());
    auto rules = std::make_shared<rules::compiled_rules>(std::move(compiled.value()));
    // The signal actor computes what the rules read, after the configured extras.
    for (auto& missing : rules::rebase_onto(*rules, signal_params.extra))
      signal_params.extra.push_back(ind::parse_indicator(missing));
    if (!rules::rebase_onto(*rules, signal_params.extra).empty())
      throw std::logic_error("engine: the rules' indicators are still missing after adding them");
    rule_strategy_settings rs;
    rs.params.name = c.rules.strategy;
    rs.params.rules = std::move(rules);
    rs.params.opposite = c.rules.opposite;
    rs.params.long_short = c.rules.long_short;
    rs.params.starting_cash = c.orders.starting_cash;
    rs.risk = risk_;
    rs.journal = lane();
    rs.recovered = recovered;
    strat = sys.spawn(rule_strategy, rs);
  } else {
    strategy_settings ss;
    ss.params = c.strategy;
    ss.risk = risk_;
    ss.journal = lane();
    ss.recovered = recovered;
    strat = sys.spawn(strategy, ss);
  }

  signal_settings gs;
  gs.params = signal_params;
  gs.strategy = strat;
  gs.journal = lane();
  gs.symbols = c.market.symbols;
  gs.news = std::move(reader);
  gs.recovered = recovered;
  auto sig = sys.spawn(signal, gs);

  collector_settings cs;
  // The signal actor last: it is the critical path (see collector_settings).
  cs.subscribers = {{broker, quotes | bars},
                    {orders_, trades | bars},
                    {risk_, all_market_data},
                    {sig, bars | news}};
  cs.journal = lane();
  cs.params = c.collector;
  cs.recovered = recovered;
  collector_ = sys.spawn(collector, cs);

  caf::anon_send(broker, subscribe_atom::value, msg_actor{orders_});
  caf::anon_send(orders_, risk_link_atom::value, msg_actor{risk_});
  caf::anon_send(orders_, subscribe_atom::value, msg_actor{risk_});
  caf::anon_send(orders_, subscribe_atom::value, msg_actor{strat});
  all_ = {collector_.address(), sig.address(), strat.address(), risk_.address(),
          orders_.address(), broker.address()};
  drain();
}

engine::~engine() {
  shutdown();
}

void engine::inject(msg m) {
  caf::anon_send(collector_, std::move(m));
}

void engine::drain() {
  if (!deterministic_)
    return;
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
  sched.run();
}

engine_stats engine::stats() {
  engine_stats out;
  caf::scoped_actor self{*system_};
  auto ask = [&](auto& handle, auto& target) {
    auto rh = self->request(handle, caf::infinite, stats_atom::value);
    drain();
    rh.receive([&](decltype(target)& s) { target = std::move(s); },
               [&](caf::error&) {});
  };
  ask(collector_, out.collector);
  ask(risk_, out.risk);
  ask(orders_, out.orders);
  return out;
}

void engine::watch_orders(msg_actor listener) {
  caf::anon_send(orders_, subscribe_atom::value, std::move(listener));
  drain();
}

void engine::kill_switch(bool engaged) {
  caf::anon_send(risk_, kill_switch_atom::value, engaged);
  drain();
}

void engine::resume() {
  caf::anon_send(risk_, resume_atom::value);
  drain();
}

void engine::submit(msg intent_or_command) {
  caf::anon_send(risk_, std::move(intent_or_command));
  drain();
}

void engine::shutdown() {
  if (!system_)
    return;
  for (auto& a : all_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  drain();
  all_.clear();
  collector_ = nullptr;
  risk_ = nullptr;
  orders_ = nullptr;
  system_.reset();
}

} // namespace osprey
