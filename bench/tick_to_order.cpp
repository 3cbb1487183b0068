// bench/tick_to_order: the end-to-end latency harness.
//
// Drives the real actor graph (collector, signal, strategy, risk controller,
// order manager, with the simulated broker behind it) with a stream in which
// every bar causes an order, and reports the order manager's own ingress ->
// order-out histogram for
//   (a) back-to-back: one event in flight; the next goes in when the last one
//       is done (its order at the broker, or its fill back at the strategy)
//   (a') pipelined:   the next goes in as soon as the last order is out, so
//       each bar also waits for the previous order's fill traffic
//   (b) fixed rate:   one event every --gap (default 200 us), open loop
// under both latency profiles. In the same run it measures two floors: the
// same decisions as plain function calls on one thread, and a bare CAF chain
// of five hops doing no work, and prints the ratios. The actors run on
// osprey's scheduler (runtime/scheduler.hpp) unless --caf-scheduler asks for
// CAF's own.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "actors/collector.hpp"
#include "actors/latency_histogram.hpp"
#include "actors/order_manager.hpp"
#include "actors/risk_controller.hpp"
#include "actors/signal.hpp"
#include "actors/strategy.hpp"
#include "adapters/sim_broker.hpp"
#include "bench/tick_stream.hpp"
#include "runtime/clock.hpp"
#include "runtime/engine.hpp"
#include "runtime/heap.hpp"
#include "runtime/journal_writer.hpp"
#include "runtime/scheduler.hpp"

using namespace osprey;
using namespace osprey::bench;

namespace {

struct options {
  uint64_t orders = 20'000;       ///< Orders per back-to-back scenario.
  uint64_t paced_orders = 5'000;  ///< Orders per fixed-rate scenario.
  int64_t gap_ns = 200'000;
  uint32_t workers = 1;
  scheduler_kind scheduler = scheduler_kind::osprey;
  bool json = false;
  std::string journal; ///< Journal the engine scenarios to this file.
  double gate_p99_us = 0;
};

struct figures {
  std::string name;
  std::string profile;
  std::string mode;
  uint64_t count = 0;
  int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double per_second = 0;
};

figures summarize(std::string name, std::string profile, std::string mode,
                  const latency_histogram& h, double seconds) {
  figures f{std::move(name), std::move(profile), std::move(mode)};
  f.count = h.count();
  if (f.count) {
    f.p50 = h.percentile(50);
    f.p90 = h.percentile(90);
    f.p99 = h.percentile(99);
    f.p999 = h.percentile(99.9);
    f.max = h.max();
  }
  f.per_second = seconds > 0 ? static_cast<double>(f.count) / seconds : 0;
  return f;
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Waits for `counter` to reach `target`; gives up (false) after 10 s so a
/// lost order fails the run instead of hanging it. Spinning, it reads the
/// clock only every 1024 polls and pauses between them, so the waiting core
/// takes as little as it can from the one doing the work.
bool await_count(const std::atomic<uint64_t>& counter, uint64_t target, bool spin) {
  auto deadline = wall_clock_ns() + 10'000'000'000;
  for (uint32_t polls = 1; counter.load(std::memory_order_acquire) < target; ++polls) {
    if (!spin)
      std::this_thread::yield();
    else
      cpu_relax();
    if (polls % 1024 == 0 && wall_clock_ns() > deadline) {
      std::fprintf(stderr, "tick_to_order: waited 10 s for %" PRIu64 " of %" PRIu64 "\n",
                   counter.load(), target);
      return false;
    }
  }
  return true;
}

/// Waits until the scheduler's workers have nothing left to do, so the next
/// event enters an idle graph (back-to-back means one event in flight: the
/// previous one's last messages must not share its path). On CAF's own
/// scheduler, which cannot tell, returns at once.
bool await_idle(caf::actor_system& sys) {
  auto deadline = wall_clock_ns() + 10'000'000'000;
  for (uint32_t polls = 1; workers_idle(sys) == false; ++polls) {
    cpu_relax();
    if (polls % 1024 == 0 && wall_clock_ns() > deadline) {
      std::fprintf(stderr, "tick_to_order: the workers stayed busy for 10 s\n");
      return false;
    }
  }
  return true;
}

void spin_until(int64_t wall_ns) {
  while (wall_clock_ns() < wall_ns) {
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The simulated broker, counting the orders that reach it so the harness
/// can close the loop.
class counting_broker final : public broker {
public:
  counting_broker(const sim_broker_config& cfg, msg_sink& reports,
                  std::atomic<uint64_t>& orders)
    : sim_(cfg, reports), orders_(orders) {}
  void on_command(const msg& m) override {
    sim_.on_command(m);
    if (m.type() == fb::Payload::SubmitOrder)
      orders_.fetch_add(1, std::memory_order_release);
  }
  void on_market(const msg& m) override { sim_.on_market(m); }

private:
  sim_broker sim_;
  std::atomic<uint64_t>& orders_;
};

// -- the engine ---------------------------------------------------------------

/// Counts completed fills as the order manager reports them; the harness
/// waits on it to keep one event in flight. The order manager tells its
/// listeners in subscription order, this probe last, but a worker runs the
/// actor it woke last first: the probe can count a fill before the risk
/// controller and the strategy have handled it, so back-to-back also waits
/// for idle workers (await_idle).
struct fill_probe_state {
  std::atomic<uint64_t>* fills = nullptr;
};

msg_actor::behavior_type fill_probe(msg_actor::stateful_pointer<fill_probe_state> self,
                                    std::atomic<uint64_t>* fills) {
  self->state.fills = fills;
  return {[self](const msg& m) {
    if (auto f = m.as<fb::OrderFilled>(); f && f->leaves_quantity() == 0)
      self->state.fills->fetch_add(1, std::memory_order_release);
  }};
}

/// How the harness feeds events.
enum class feed_mode {
  back_to_back, ///< One event in flight: the next goes in when the last is done.
  pipelined,    ///< The next goes in as soon as the last order is out.
  fixed_rate,   ///< One event every gap, whatever happens (open loop).
};

const char* to_string(feed_mode m) {
  switch (m) {
    case feed_mode::back_to_back: return "back_to_back";
    case feed_mode::pipelined: return "pipelined";
    case feed_mode::fixed_rate: return "fixed_rate";
  }
  return "?";
}

figures run_engine_scenario(latency_profile profile, feed_mode mode, const options& opt) {
  bool paced = mode == feed_mode::fixed_rate;
  auto c = stream_config();
  c.scheduler.profile = profile;
  c.scheduler.workers = opt.workers;
  c.scheduler.kind = opt.scheduler;
  std::atomic<uint64_t> orders{0};
  auto broker_cfg = c.broker;
  std::unique_ptr<journal_writer> journal;
  if (!opt.journal.empty())
    journal = std::make_unique<journal_writer>(opt.journal);
  engine eng{c, journal.get(),
             [&orders, broker_cfg](msg_sink& reports) {
               return std::make_unique<counting_broker>(broker_cfg, reports, orders);
             },
             &wall_clock_ns};
  std::atomic<uint64_t> fills{0};
  eng.watch_orders(eng.system().spawn(fill_probe, &fills));
  tick_stream stream;
  auto wanted = paced ? opt.paced_orders : opt.orders;
  auto total_events = tick_stream::warmup_events() + 2 * wanted;
  uint64_t expected = 0;
  auto t0 = std::chrono::steady_clock::now();
  auto next_due = wall_clock_ns();
  for (uint64_t i = 0; i < total_events; ++i) {
    if (paced) {
      next_due += opt.gap_ns;
      spin_until(next_due);
    }
    eng.inject(stream.event(i, wall_clock_ns()));
    if (tick_stream::causes_order(i)) {
      ++expected;
      if (!paced && !await_count(orders, expected, true))
        break;
    } else if (mode == feed_mode::back_to_back && i > tick_stream::warmup_events()) {
      // The quote after an order fills it: wait until the fill has reached
      // every listener and the workers are idle, so the next bar finds the
      // graph idle.
      if (!await_count(fills, expected, true) || !await_idle(eng.system()))
        break;
    }
  }
  if (paced) {
    // At a fixed rate a bar can find its symbol's previous order still
    // working: when that order's path took longer than the gap, it reached
    // the broker after the quote that would have filled it. The bar then
    // (rightly) causes no order, so wait for the graph to go quiet instead.
    auto last = orders.load();
    auto quiet_since = wall_clock_ns();
    auto deadline = quiet_since + 10'000'000'000;
    while (wall_clock_ns() - quiet_since < 100'000'000 && wall_clock_ns() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
      if (auto now = orders.load(); now != last) {
        last = now;
        quiet_since = wall_clock_ns();
      }
    }
  } else {
    await_count(orders, expected, false);
  }
  auto seconds = seconds_since(t0);
  auto s = eng.stats();
  eng.shutdown();
  if (paced && s.orders.orders < expected && s.risk.denied == 0) {
    std::fprintf(stderr,
                 "tick_to_order: %s fixed rate: %" PRIu64 " of %" PRIu64
                 " bars found their symbol's previous order still working (its path "
                 "outlasted the %" PRId64 " us gap)\n",
                 to_string(profile), expected - s.orders.orders, expected,
                 opt.gap_ns / 1000);
  } else if (s.orders.orders != expected) {
    std::fprintf(stderr, "tick_to_order: expected %" PRIu64 " orders, got %" PRIu64 "\n",
                 expected, s.orders.orders);
    std::fprintf(stderr,
                 "tick_to_order:   risk approved %" PRIu64 ", order manager refused %" PRIu64
                 ", fills %" PRIu64 ", filled orders %" PRIu64 ", expired %" PRIu64
                 ", canceled %" PRIu64 "\n",
                 s.risk.approved, s.orders.refused_commands, s.orders.fills,
                 s.orders.filled_orders, s.orders.expired, s.orders.canceled);
    for (size_t r = 0; r < s.risk.denied_by_reason.size(); ++r)
      if (s.risk.denied_by_reason[r])
        std::fprintf(stderr, "tick_to_order:   denied %" PRIu64 " for %s\n",
                     s.risk.denied_by_reason[r],
                     fb::EnumNameDenyReason(static_cast<fb::DenyReason>(r)));
  }
  return summarize("engine", to_string(profile), to_string(mode),
                   s.orders.tick_to_order, seconds);
}

// -- floor 1: the same decisions as plain functions -----------------------------

figures run_functions_floor(const options& opt) {
  auto c = stream_config();
  collector_state col;
  signal_state sig;
  sig.params = c.signal;
  strategy_state strat;
  strat.params = c.strategy;
  risk_state risk;
  risk.configure(c.risk);
  order_manager_state om;
  om.configure(c.orders);
  struct vec_sink final : msg_sink {
    std::vector<msg> items;
    void push(const msg& m) override { items.push_back(m); }
  } reports;
  sim_broker venue{c.broker, reports};
  tick_stream stream;
  latency_histogram h;
  auto total_events = tick_stream::warmup_events() + 2 * opt.orders;
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < total_events; ++i) {
    auto start = wall_clock_ns();
    msg event;
    if (admit(col, stream.event(i, start), event) != admission::accept)
      continue;
    on_market(risk, event);
    venue.on_market(event);
    if (auto bar = event.as<fb::Bar>()) {
      auto values = update_indicators(sig.indicators(bar->symbol()), *bar);
      auto signal_msg = sig.builder.signal(stamp::caused_by(event),
                                           symbol_id{bar->symbol()}, values);
      auto s = signal_msg.as<fb::Signal>();
      auto intent = decide(strat.position(s->symbol()), strat.params, *s);
      if (intent) {
        auto intent_msg = strat.builder.order_intent(
          stamp::caused_by(signal_msg), symbol_id{s->symbol()}, intent->side,
          intent->qty, fb::OrderType::Market, price{}, intent->why);
        auto order = order_of(*intent_msg.as<fb::OrderIntent>(), intent_msg.ts_event());
        if (check(risk, order).passed()) {
          on_approved(risk, order);
          auto& o = om.create(*intent_msg.as<fb::OrderIntent>());
          auto submit = om.builder.submit_order(stamp::caused_by(intent_msg), o.id,
                                                o.symbol, o.side, o.qty, o.type,
                                                o.tif, o.limit, price{});
          h.record(wall_clock_ns() - start);
          venue.on_command(submit);
        }
      }
    }
    // Execution reports flow back outside the timed decision path.
    for (auto& r : reports.items) {
      auto result = apply_execution(om, r);
      on_execution(risk, r);
      if (result.filled) {
        auto& p = om.position_of(result.target->symbol);
        auto changed = om.builder.position_changed(
          stamp::caused_by(r), result.target->symbol,
          {p.qty, p.average_price(), p.realized, p.unrealized(), p.mark});
        on_outcome(strat.position(result.target->symbol.value), changed);
      }
      if (auto sym = outcome_symbol(r))
        on_outcome(strat.position(*sym), r);
    }
    reports.items.clear();
  }
  auto f = summarize("functions", "none", "back_to_back", h, seconds_since(t0));
  if (f.count != opt.orders)
    std::fprintf(stderr, "tick_to_order: function floor made %" PRIu64 " orders\n",
                 f.count);
  return f;
}

// -- floor 2: a bare CAF chain of five hops ---------------------------------------

struct chain_end_state {
  latency_histogram h;
  std::atomic<uint64_t>* done = nullptr;
};

using chain_end_actor
  = msg_actor::extend<caf::replies_to<stats_atom>::with<latency_histogram>>;

chain_end_actor::behavior_type
chain_end(chain_end_actor::stateful_pointer<chain_end_state> self,
          std::atomic<uint64_t>* done) {
  self->state.done = done;
  return {
    [self](const msg& m) {
      self->state.h.record(wall_clock_ns() - m.ts_ingress());
      self->state.done->fetch_add(1, std::memory_order_release);
    },
    [self](stats_atom) { return self->state.h; },
  };
}

msg_actor::behavior_type chain_hop(msg_actor::pointer self, msg_actor next) {
  return {[self, next](const msg& m) { self->send(next, m); }};
}

figures run_chain_floor(latency_profile profile, bool paced, const options& opt) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  apply_scheduler(cfg, {opt.workers, profile, opt.scheduler});
  caf::actor_system sys{cfg};
  std::atomic<uint64_t> done{0};
  auto end = sys.spawn(chain_end, &done);
  msg_actor next = end;
  for (int i = 0; i < 4; ++i)
    next = sys.spawn(chain_hop, next);
  // Events enter the chain the way they enter the engine (engine::inject).
  auto in = open_ingress(sys, caf::actor_cast<caf::strong_actor_ptr>(next));
  msg_builder b;
  auto wanted = paced ? opt.paced_orders : opt.orders;
  auto t0 = std::chrono::steady_clock::now();
  auto next_due = wall_clock_ns();
  for (uint64_t i = 0; i < wanted; ++i) {
    if (paced) {
      next_due += opt.gap_ns;
      spin_until(next_due);
    }
    in->push(b.trade({0, 0, wall_clock_ns()}, symbol_id{0}, price{1}, quantity{1}));
    if (!paced && (!await_count(done, i + 1, true) || !await_idle(sys)))
      break;
  }
  await_count(done, wanted, false);
  auto seconds = seconds_since(t0);
  latency_histogram h;
  caf::scoped_actor self{sys};
  self->request(end, caf::infinite, stats_atom::value)
    .receive([&](latency_histogram& r) { h = r; }, [](caf::error&) {});
  caf::anon_send_exit(end, caf::exit_reason::user_shutdown);
  in = nullptr;
  return summarize("caf_chain_5_hops", to_string(profile),
                   paced ? "fixed_rate" : "back_to_back", h, seconds);
}

// -- reporting ------------------------------------------------------------------

double us(int64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

void print_table(const std::vector<figures>& all, const options& opt) {
  std::printf("tick_to_order: %" PRIu64 " orders back-to-back, %" PRIu64
              " at one event every %.0f us, %u worker(s), %s scheduler, heap on %s\n\n",
              opt.orders, opt.paced_orders, us(opt.gap_ns), opt.workers,
              to_string(opt.scheduler), huge_pages_in_use() ? "huge pages" : "4 KiB pages");
  std::printf("%-18s %-10s %-13s %8s %8s %8s %8s %9s %9s %11s\n", "what", "profile",
              "mode", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us",
              "count", "per second");
  for (auto& f : all)
    std::printf("%-18s %-10s %-13s %8.2f %8.2f %8.2f %8.2f %9.1f %9" PRIu64
                " %11.0f\n",
                f.name.c_str(), f.profile.c_str(), f.mode.c_str(), us(f.p50),
                us(f.p90), us(f.p99), us(f.p999), us(f.max), f.count, f.per_second);
}

const figures* find(const std::vector<figures>& all, const std::string& name,
                    const std::string& profile, const std::string& mode) {
  for (auto& f : all)
    if (f.name == name && f.profile == profile && f.mode == mode)
      return &f;
  return nullptr;
}

void print_ratios(const std::vector<figures>& all) {
  std::printf("\nratios (engine / floor, p50 and p99)\n");
  auto fn = find(all, "functions", "none", "back_to_back");
  for (auto& f : all) {
    if (f.name != "engine")
      continue;
    auto chain = find(all, "caf_chain_5_hops", f.profile,
                      f.mode == "pipelined" ? "back_to_back" : f.mode);
    std::printf("  %-10s %-13s vs 5-hop chain: %5.1fx %5.1fx", f.profile.c_str(),
                f.mode.c_str(), chain && chain->p50 ? double(f.p50) / chain->p50 : 0,
                chain && chain->p99 ? double(f.p99) / chain->p99 : 0);
    std::printf("   vs plain functions: %6.1fx %6.1fx\n",
                fn && fn->p50 ? double(f.p50) / fn->p50 : 0,
                fn && fn->p99 ? double(f.p99) / fn->p99 : 0);
  }
}

void print_json(const std::vector<figures>& all) {
  std::printf("{\"scenarios\": [");
  for (size_t i = 0; i < all.size(); ++i) {
    auto& f = all[i];
    std::printf("%s{\"what\": \"%s\", \"profile\": \"%s\", \"mode\": \"%s\", "
                "\"count\": %" PRIu64 ", \"p50_ns\": %" PRId64 ", \"p90_ns\": %" PRId64
                ", \"p99_ns\": %" PRId64 ", \"p999_ns\": %" PRId64 ", \"max_ns\": %" PRId64
                ", \"per_second\": %.0f}",
                i ? ", " : "", f.name.c_str(), f.profile.c_str(), f.mode.c_str(),
                f.count, f.p50, f.p90, f.p99, f.p999, f.max, f.per_second);
  }
  std::printf("]}\n");
}

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::latency_histogram)

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"osprey tick -> order latency harness"};
  app.add_option("--orders", opt.orders, "Orders per back-to-back scenario");
  app.add_option("--paced-orders", opt.paced_orders, "Orders per fixed-rate scenario");
  double gap_us = 200;
  app.add_option("--gap-us", gap_us, "Gap between events at the fixed rate (us)");
  app.add_option("--workers", opt.workers, "CAF worker threads");
  bool caf_scheduler = false;
  app.add_flag("--caf-scheduler", caf_scheduler,
               "Run the actors on CAF's own work-stealing scheduler instead of osprey's");
  std::string profiles = "spin,efficient";
  app.add_option("--profiles", profiles, "Latency profiles to measure: spin, efficient or both");
  app.add_flag("--json", opt.json, "Print the figures as one JSON object");
  app.add_option("--journal", opt.journal,
                 "Journal every message of the engine scenarios to this file");
  app.add_option("--gate", opt.gate_p99_us,
                 "Exit 1 when an engine p99 under the spin profile exceeds this (us)");
  CLI11_PARSE(app, argc, argv);
  opt.gap_ns = static_cast<int64_t>(gap_us * 1000);
  if (caf_scheduler)
    opt.scheduler = scheduler_kind::caf;
  std::vector<latency_profile> measured;
  for (size_t from = 0; from <= profiles.size();) {
    auto to = std::min(profiles.find(',', from), profiles.size());
    auto name = profiles.substr(from, to - from);
    if (name == "spin" || name == "efficient") {
      measured.push_back(name == "spin" ? latency_profile::spin : latency_profile::efficient);
    } else {
      std::fprintf(stderr, "tick_to_order: --profiles: \"%s\" is not spin or efficient\n",
                   name.c_str());
      return 2;
    }
    from = to + 1;
  }

  std::vector<figures> all;
  all.push_back(run_functions_floor(opt));
  for (auto profile : measured) {
    all.push_back(run_chain_floor(profile, false, opt));
    all.push_back(run_engine_scenario(profile, feed_mode::back_to_back, opt));
    all.push_back(run_engine_scenario(profile, feed_mode::pipelined, opt));
    all.push_back(run_chain_floor(profile, true, opt));
    all.push_back(run_engine_scenario(profile, feed_mode::fixed_rate, opt));
  }

  if (opt.json) {
    print_json(all);
  } else {
    print_table(all, opt);
    print_ratios(all);
  }
  int rc = 0;
  for (auto& f : all) {
    if (f.name == "engine" && f.count == 0)
      rc = 1;
    if (opt.gate_p99_us > 0 && f.name == "engine" && f.profile == "spin"
        && us(f.p99) > opt.gate_p99_us) {
      std::fprintf(stderr, "tick_to_order: gate failed: %s %s p99 %.2f us > %.2f us\n",
                   f.profile.c_str(), f.mode.c_str(), us(f.p99), opt.gate_p99_us);
      rc = 1;
    }
  }
  if (opt.gate_p99_us > 0 && rc == 0)
    std::fprintf(stderr, "tick_to_order: gate passed (spin p99 <= %.2f us)\n",
                 opt.gate_p99_us);
  return rc;
}
