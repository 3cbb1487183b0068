#include "runtime/engine.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "actors/signal.hpp"
#include "actors/rebalance_strategy.hpp"
#include "actors/rule_strategy.hpp"
#include "actors/strategy.hpp"
#include "runtime/recovery.hpp"
#include "runtime/scheduler.hpp"

namespace osprey {

void apply_scheduler(caf::actor_system_config& cfg, const scheduler_config& s) {
  if (s.profile == latency_profile::deterministic) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return;
  }
  auto workers = s.workers ? s.workers : std::max(1u, std::thread::hardware_concurrency());
  if (s.kind == scheduler_kind::osprey) {
    install_scheduler(cfg, workers,
                      s.profile == latency_profile::spin ? idle_policy::spin : idle_policy::sleep);
    return;
  }
  cfg.set("scheduler.policy", caf::atom("stealing"));
  cfg.set("scheduler.max-threads", static_cast<size_t>(workers));
  if (s.profile == latency_profile::spin) {
    // Idle workers stay in the aggressive polling phase for good instead of
    // falling back to 50 us sleeps: wake-ups, not hops, dominate latency.
    cfg.set("work-stealing.aggressive-poll-attempts",
            static_cast<size_t>(1) << 40);
  }
}

namespace {

/// Compiles the rules of `slot` (null for kinds without rules) and rebases
/// them onto `extras`, the signal actor's indicators: at start (`may_add`)
/// what they lack is added; at run time it is refused, naming it.
std::shared_ptr<const rules::compiled_rules>
compile_slot(const strategy_slot& slot, std::vector<ind::indicator_spec>& extras, bool may_add,
             bool named) {
  if (slot.kind != strategy_kind::rules)
    return nullptr;
  std::string who;
  if (named) {
    who = "strategy \"";
    who += slot.name;
    who += "\": ";
  }
  auto compiled = rules::compile_rules(slot.rules.text);
  if (!compiled)
    throw std::runtime_error(who + "the rules do not compile:\n" + compiled.error().text());
  auto rules = std::make_shared<rules::compiled_rules>(std::move(compiled.value()));
  auto missing = rules::rebase_onto(*rules, extras);
  if (!missing.empty() && !may_add) {
    std::string what = who + "the rules read ";
    for (size_t i = 0; i < missing.size(); ++i)
      what += (i ? ", " : "") + missing[i];
    what += ", which the signal actor does not compute: its indicators are fixed at start "
            "(add them to [signal] indicators)";
    throw std::runtime_error(what);
  }
  for (auto& m : missing)
    extras.push_back(ind::parse_indicator(m));
  if (!rules::rebase_onto(*rules, extras).empty())
    throw std::logic_error("engine: the rules' indicators are still missing after adding them");
  return rules;
}

/// The ids of the symbols of `slot` (empty: every symbol).
std::vector<uint32_t> symbol_ids_of(const strategy_slot& slot,
                                    const std::vector<std::string>& traded) {
  std::vector<uint32_t> out;
  for (auto& s : slot.symbols)
    out.push_back(static_cast<uint32_t>(std::find(traded.begin(), traded.end(), s) - traded.begin()));
  return out;
}

/// Returns `record` as the strategy owning `owned` sees it: signals and
/// news readings of its symbols only (a SignalBatch keeps its rows of them;
/// a null msg when it has none); every other record as it is.
msg owned_part(msg_builder& b, const msg& record, const std::vector<bool>& owned) {
  auto mine = [&](uint32_t s) { return s < owned.size() && owned[s]; };
  if (auto s = record.as<fb::Signal>())
    return mine(s->symbol()) ? record : msg{};
  if (auto n = record.as<fb::NewsSentiment>())
    return mine(n->symbol()) ? record : msg{};
  auto batch = record.as<fb::SignalBatch>();
  if (!batch)
    return record;
  std::vector<fb::SignalRow> rows;
  std::vector<double> values;
  auto width = batch->width();
  for (uint32_t i = 0; i < batch->rows()->size(); ++i) {
    auto row = batch->rows()->Get(i);
    if (!mine(row->symbol()))
      continue;
    rows.push_back(*row);
    for (uint32_t k = 0; k < width; ++k)
      values.push_back(batch->values()->Get(i * width + k));
  }
  if (rows.empty())
    return {};
  return b.signal_batch(stamp::caused_by(record), rows, width, values);
}

/// The journal's records for a strategy of the symbols `ids` (empty: every
/// symbol, and the records as they are).
std::shared_ptr<const std::vector<msg>>
recovered_for(const std::vector<uint32_t>& ids, std::shared_ptr<const std::vector<msg>> recovered) {
  if (!recovered || ids.empty())
    return recovered;
  std::vector<bool> owned;
  for (auto id : ids) {
    if (owned.size() <= id)
      owned.resize(size_t{id} + 1);
    owned[id] = true;
  }
  msg_builder b;
  auto out = std::make_shared<std::vector<msg>>();
  for (auto& m : *recovered)
    if (auto part = owned_part(b, m, owned))
      out->push_back(std::move(part));
  return out;
}

} // namespace

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
  // Every slot's rules are compiled here too, so that the signal actor
  // computes what all of them read.
  auto slots = strategy_slots(c);
  check_strategy_slots(slots, c.market.symbols);
  traded_ = c.market.symbols;
  extras_ = c.signal.extra;
  std::vector<std::shared_ptr<const rules::compiled_rules>> compiled;
  for (auto& slot : slots)
    compiled.push_back(compile_slot(slot, extras_, true, slots.size() > 1));
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
  journal_ = journal;
  starting_cash_ = c.orders.starting_cash;
  trade_from_ns_ = c.trade_from_ns;

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

  // The strategies: one actor per slot, each owning its symbols.
  for (size_t i = 0; i < slots.size(); ++i) {
    running_strategy r;
    r.slot = slots[i];
    r.symbol_ids = symbol_ids_of(slots[i], traded_);
    r.actor = spawn_strategy(slots[i], compiled[i], recovered_for(r.symbol_ids, recovered));
    strategies_.push_back(std::move(r));
  }

  signal_settings gs;
  gs.params = c.signal;
  gs.params.extra = extras_;
  // The breakout's six windows only when a breakout strategy reads them.
  breakout_fields_ = std::any_of(slots.begin(), slots.end(), [](const strategy_slot& s) {
    return s.kind == strategy_kind::breakout;
  });
  gs.params.breakout_fields = breakout_fields_;
  for (auto& r : strategies_)
    gs.routes.push_back({r.actor, r.symbol_ids});
  gs.journal = lane();
  gs.symbols = c.market.symbols;
  gs.news = std::move(reader);
  gs.recovered = recovered;
  signal_ = sys.spawn(signal, gs);
  auto& sig = signal_;

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
  ingress_ = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(collector_));

  caf::anon_send(broker, subscribe_atom::value, msg_actor{orders_});
  caf::anon_send(orders_, risk_link_atom::value, msg_actor{risk_});
  caf::anon_send(orders_, subscribe_atom::value, msg_actor{risk_});
  for (auto& r : strategies_)
    caf::anon_send(orders_, subscribe_atom::value, r.actor);
  all_ = {collector_.address(), sig.address()};
  for (auto& r : strategies_)
    all_.push_back(r.actor.address());
  for (auto a : {risk_.address(), orders_.address(), broker.address()})
    all_.push_back(a);
  drain();
}

msg_sink* engine::lane() {
  if (!journal_)
    return nullptr;
  return deterministic_ ? journal_ : journal_->lane();
}

msg_actor engine::spawn_strategy(const strategy_slot& slot,
                                 std::shared_ptr<const rules::compiled_rules> rules,
                                 std::shared_ptr<const std::vector<msg>> recovered) {
  auto& sys = *system_;
  // A new kind of strategy adds a case here (and a reader in config.cpp).
  switch (slot.kind) {
    case strategy_kind::breakout: {
      strategy_settings ss;
      ss.params = slot.breakout;
      ss.params.trade_from_ns = trade_from_ns_;
      ss.risk = risk_;
      ss.journal = lane();
      ss.recovered = std::move(recovered);
      return sys.spawn(strategy, ss);
    }
    case strategy_kind::rules: {
      rule_strategy_settings rs;
      rs.params.name = slot.rules.strategy;
      rs.params.rules = std::move(rules);
      rs.params.opposite = slot.rules.opposite;
      rs.params.long_short = slot.rules.long_short;
      rs.params.trade_from_ns = trade_from_ns_;
      rs.params.bracket_exits = slot.rules.bracket_exits;
      rs.params.fractional = slot.rules.fractional;
      rs.params.starting_cash = starting_cash_;
      rs.risk = risk_;
      rs.journal = lane();
      rs.recovered = std::move(recovered);
      return sys.spawn(rule_strategy, rs);
    }
    case strategy_kind::rebalance: {
      rebalance_strategy_settings rb;
      rb.params = slot.rebalance;
      rb.universe = symbol_ids_of(slot, traded_);
      if (rb.universe.empty())
        for (uint32_t id = 0; id < traded_.size(); ++id)
          rb.universe.push_back(id);
      // Throws std::invalid_argument naming the setting (e.g. a lookback
      // too short for this many symbols).
      validate(rb.params, static_cast<uint32_t>(rb.universe.size()));
      rb.params.trade_from_ns = trade_from_ns_;
      rb.starting_cash = starting_cash_;
      rb.risk = risk_;
      rb.journal = lane();
      rb.recovered = std::move(recovered);
      return sys.spawn(rebalance_strategy, rb);
    }
  }
  throw std::logic_error("engine: a strategy kind without a spawn");
}

void engine::add_strategy(const strategy_slot& slot) {
  if (slot.kind == strategy_kind::breakout && !breakout_fields_)
    throw std::invalid_argument(
      "strategy \"" + slot.name + "\": the signal actor computes the breakout's levels only "
      "when a breakout strategy runs from the start (configure one, or add a rule strategy)");
  auto slots = strategies();
  slots.push_back(slot);
  try {
    check_strategy_slots(slots, traded_);
  } catch (const config_error& e) {
    throw std::invalid_argument(e.what());
  }
  std::shared_ptr<const rules::compiled_rules> rules;
  try {
    rules = compile_slot(slot, extras_, false, true);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  running_strategy r;
  r.slot = slot;
  r.symbol_ids = symbol_ids_of(slot, traded_);
  r.actor = spawn_strategy(slot, std::move(rules), nullptr);
  // Reports first, then signals: by the first signal it routes to the new
  // strategy, the order manager already tells it about its fills.
  caf::anon_send(orders_, subscribe_atom::value, r.actor);
  drain();
  caf::anon_send(signal_, add_route_atom::value, r.actor, r.symbol_ids);
  all_.push_back(r.actor.address());
  strategies_.push_back(std::move(r));
  drain();
}

void engine::remove_strategy(const std::string& name) {
  auto at = std::find_if(strategies_.begin(), strategies_.end(),
                         [&](const running_strategy& r) { return r.slot.name == name; });
  if (at == strategies_.end()) {
    std::string what = "no strategy named \"";
    what += name;
    what += "\" is running (running:";
    for (auto& r : strategies_)
      what += " " + r.slot.name;
    what += ")";
    throw std::invalid_argument(what);
  }
  auto actor = at->actor;
  strategies_.erase(at);
  // No signal reaches it after the route is gone; what it already holds
  // it may still act on. Then no report either.
  caf::anon_send(signal_, remove_route_atom::value, actor);
  caf::anon_send(orders_, unsubscribe_atom::value, actor);
  drain();
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  drain();
}

std::vector<strategy_slot> engine::strategies() const {
  std::vector<strategy_slot> out;
  for (auto& r : strategies_)
    out.push_back(r.slot);
  return out;
}

engine::~engine() {
  shutdown();
}

void engine::inject(msg m) {
  if (ingress_)
    ingress_->push(std::move(m));
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
  ingress_ = nullptr;
  collector_ = nullptr;
  risk_ = nullptr;
  orders_ = nullptr;
  signal_ = nullptr;
  strategies_.clear();
  system_.reset();
}

} // namespace osprey
