// bench/signal_actor_bench: bar updates per second through the real signal
// actor on a real CAF actor system, with ten extra indicators per symbol on
// top of the breakout's own six.
//
// The bars go in as one Bar message each (how the live feed delivers them)
// and as BarBatch messages of several sizes (how replay and backtests move
// history). A counting actor downstream receives every Signal or
// SignalBatch, so the clock stops only when the last bar's signal has left
// the signal actor and crossed one more hop. The messages are built before
// the clock starts: reading files is measured by csv_replay_bench.
//
// The last values are checked against the same indicators run without the
// actor, so the figure is for the real work.

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "actors/caf_types.hpp"
#include "actors/indicator_catalog.hpp"
#include "actors/signal.hpp"
#include "messages/msg_builder.hpp"
#include "runtime/engine.hpp"

using namespace osprey;

namespace {

/// Ten extra indicators on top of the breakout's own six (sma, ema, rsi,
/// average volume, N-bar high, M-bar low): sixteen per symbol.
constexpr const char* ten_extra =
  "sma:50,ema:50,wma:20,macd:12:26:9,bb:20:2,atr:14,adx:14,volratio:20,breakout:55,vwap";

/// A random-walk bar for symbol `s` at step `t` (deterministic).
fb::BarRow bar_at(uint64_t seq, uint32_t s, uint64_t t) {
  double phase = static_cast<double>(t) * 0.05 + s;
  double close = 100 + 10 * std::sin(phase) + 0.01 * static_cast<double>(t % 997);
  auto px = [](double d) { return static_cast<int64_t>(d * micros_per_dollar); };
  int64_t ts = static_cast<int64_t>(t + 1) * 60'000'000'000;
  return fb::BarRow{seq,        ts,          s,           60,
                    px(close - 0.3), px(close + 0.8), px(close - 0.9), px(close),
                    static_cast<int64_t>(1000 + (t * 7 + s) % 500)};
}

struct counter_state {
  std::atomic<uint64_t>* rows = nullptr;
  std::atomic<uint64_t>* messages = nullptr;
  std::vector<double>* last_extra = nullptr; ///< The last row's extra values.
};

msg_actor::behavior_type counter(msg_actor::stateful_pointer<counter_state> self,
                                 std::atomic<uint64_t>* rows, std::atomic<uint64_t>* messages,
                                 std::vector<double>* last) {
  self->state.rows = rows;
  self->state.messages = messages;
  self->state.last_extra = last;
  return {
    [self](const msg& m) {
      auto& st = self->state;
      if (auto s = m.as<fb::Signal>()) {
        if (s->values())
          st.last_extra->assign(s->values()->begin(), s->values()->end());
        st.rows->fetch_add(1, std::memory_order_release);
      } else if (auto b = m.as<fb::SignalBatch>()) {
        auto n = b->rows()->size();
        if (b->values() && n)
          st.last_extra->assign(b->values()->end() - b->width(), b->values()->end());
        st.rows->fetch_add(n, std::memory_order_release);
      }
      st.messages->fetch_add(1, std::memory_order_release);
    },
  };
}

struct result {
  double bars_per_second = 0;
  double direct_bars_per_second = 0; ///< The same work called on this thread.
  bool checksum_ok = false;
};

result run(const std::string& extra, uint32_t symbols, uint64_t steps, size_t batch,
           uint32_t workers, uint64_t window, bool direct_only) {
  signal_params params;
  params.extra = ind::parse_indicator_list(extra);

  // The messages, built before the clock starts.
  msg_builder b;
  std::vector<msg> messages;
  std::vector<fb::BarRow> rows;
  uint64_t seq = 1;
  for (uint64_t t = 0; t < steps; ++t)
    for (uint32_t s = 0; s < symbols; ++s) {
      auto r = bar_at(seq++, s, t);
      if (batch <= 1) {
        messages.push_back(b.bar({r.seq(), r.ts_event(), 0}, symbol_id{s}, 60, price{r.open()},
                                 price{r.high()}, price{r.low()}, price{r.close()},
                                 quantity::from_nanos(r.volume())));
        continue;
      }
      rows.push_back(r);
      if (rows.size() == batch) {
        messages.push_back(b.bar_batch({rows.front().seq(), rows.front().ts_event(), 0}, rows));
        rows.clear();
      }
    }
  if (!rows.empty())
    messages.push_back(b.bar_batch({rows.front().seq(), rows.front().ts_event(), 0}, rows));

  // The expected last values: the last symbol's indicators without the actor.
  ind::indicator_set expected_set{params.extra};
  for (uint64_t t = 0; t < steps; ++t) {
    auto r = bar_at(0, symbols - 1, t);
    auto d = [](int64_t m) { return static_cast<double>(m) / micros_per_dollar; };
    expected_set.update({d(r.open()), d(r.high()), d(r.low()), d(r.close()),
                         static_cast<double>(r.volume())},
                        session_of(r.ts_event()));
  }
  std::vector<double> expected(expected_set.width());
  expected_set.values(expected.data());

  // The floor: the signal actor's work for the same messages, as plain calls.
  uint64_t total = static_cast<uint64_t>(symbols) * steps;
  double direct_seconds = 0;
  {
    signal_state st;
    st.params = params;
    uint64_t out_rows = 0;
    auto start = std::chrono::steady_clock::now();
    for (auto& m : messages) {
      if (m.type() == fb::Payload::BarBatch) {
        out_rows += signal_batch_of(st, m).as<fb::SignalBatch>()->rows()->size();
      } else {
        auto bar = m.as<fb::Bar>();
        auto v = update_indicators(st.indicators(bar->symbol()), *bar, session_of(m.ts_event()));
        out_rows += st.builder.signal(stamp::caused_by(m), symbol_id{bar->symbol()}, v).size() > 0;
      }
    }
    direct_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (out_rows != total)
      std::printf("direct run produced %llu rows for %llu bars\n",
                  static_cast<unsigned long long>(out_rows), static_cast<unsigned long long>(total));
  }

  result r;
  r.direct_bars_per_second = static_cast<double>(total) / direct_seconds;
  if (direct_only) {
    r.checksum_ok = true;
    return r;
  }
  caf::actor_system_config cfg;
  register_message_types(cfg);
  apply_scheduler(cfg, {workers, latency_profile::spin});
  caf::actor_system sys{cfg};
  std::atomic<uint64_t> seen{0}, done{0};
  std::vector<double> last;
  auto sink = sys.spawn(counter, &seen, &done, &last);
  signal_settings gs;
  gs.params = params;
  gs.strategy = sink;
  auto sig = sys.spawn(osprey::signal, gs);

  // A replay feeds with a bounded number of messages in flight, as a feed
  // with flow control does; unbounded, the signals of the whole history
  // would pile up in the next mailbox.
  auto start = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  for (auto& m : messages) {
    while (sent - done.load(std::memory_order_acquire) >= window)
      std::this_thread::yield();
    caf::anon_send(sig, m);
    ++sent;
  }
  // Sleep, not spin: on two cores a spinning waiter takes the actor's CPU.
  while (seen.load(std::memory_order_acquire) < total)
    std::this_thread::sleep_for(std::chrono::microseconds{100});
  auto seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  caf::anon_send_exit(sig, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);

  r.bars_per_second = static_cast<double>(total) / seconds;
  r.checksum_ok = last.size() == expected.size();
  for (size_t i = 0; r.checksum_ok && i < last.size(); ++i)
    r.checksum_ok = (std::isnan(last[i]) && std::isnan(expected[i])) || last[i] == expected[i];
  return r;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Bar updates per second through the signal actor, ten extra indicators"};
  uint32_t symbols = 100;
  uint64_t steps = 10'000;
  uint32_t workers = 1;
  double gate = 0;
  bool direct_only = false;
  std::string extra = ten_extra;
  uint64_t window = 16;
  std::vector<size_t> batches{1, 64, 256, 1024};
  app.add_option("--symbols", symbols, "Symbols")->check(CLI::Range(1u, 100'000u));
  app.add_option("--steps", steps, "Bars per symbol")->check(CLI::Range(1ull, 10'000'000ull));
  app.add_option("--workers", workers, "Scheduler threads")->check(CLI::Range(1u, 64u));
  app.add_option("--batches", batches, "Batch sizes to run (1: one Bar message per bar)");
  app.add_option("--gate", gate,
                 "Exit 1 when the largest batch size runs below this many bars/s");
  app.add_option("--indicators", extra,
                 "Extra indicators per symbol, on top of the breakout's six (osprey signals' LIST)");
  app.add_option("--window", window, "Messages in flight at most")->check(CLI::Range(1ull, 1ull << 40));
  app.add_flag("--direct-only", direct_only, "Only the plain-call floor (for profiling)");
  CLI11_PARSE(app, argc, argv);

  std::printf("signal actor, %u symbols x %llu bars, the breakout's 6 indicators + %s\n",
              symbols, static_cast<unsigned long long>(steps), extra.c_str());
  bool ok = true;
  double last_rate = 0;
  for (auto batch : batches) {
    auto r = run(extra, symbols, steps, batch, workers, window, direct_only);
    std::printf("  batch %5zu: %6.2f M bar updates/s through the actor, %6.2f M/s as plain "
                "calls, checksum %s\n",
                batch, r.bars_per_second / 1e6, r.direct_bars_per_second / 1e6,
                r.checksum_ok ? "ok" : "MISMATCH");
    ok &= r.checksum_ok;
    last_rate = r.bars_per_second;
  }
  if (!ok)
    return 1;
  if (gate > 0 && last_rate < gate) {
    std::printf("gate: %.2f M/s is below %.2f M/s\n", last_rate / 1e6, gate / 1e6);
    return 1;
  }
  return 0;
}
