// Cost of the full pre-trade check (every check on and passing, so all of them
// run), its latency percentiles, the check plus booking the approval and its
// fill, a market update, and a cancel's throttle. Every benchmark reports
// heap allocations per operation (global operator new is counted in bench/alloc_counter.hpp) and
// checks a checksum, so a wrong answer cannot pass as a fast one.

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>

#include "actors/risk_controller.hpp"
#include "bench/alloc_counter.hpp"
#include "messages/msg_builder.hpp"

using osprey::bench::allocations;

using namespace osprey;

namespace {

constexpr uint32_t symbols = 64;
constexpr int64_t second = 1'000'000'000;
// 2026-01-05 14:30 UTC: the synthetic market's first open.
constexpr int64_t session_open = 1'767'623'400 * second;

price bid_of(uint32_t s) { return price::from_dollars(100 + s); }
price ask_of(uint32_t s) { return price::from_dollars(100.02 + s); }

// Every check switched on, limits far away so each order passes them all.
risk_state ready_state() {
  risk_state st;
  risk_limits l;
  l.max_orders_per_window = 1'000'000;
  l.rate_window_ns = 100'000'000;
  l.max_gross_exposure = money{int64_t{1} << 60};
  l.max_net_exposure = money{int64_t{1} << 60};
  l.max_position = quantity::of_shares(int64_t{1} << 32);
  l.duplicate_window_ns = 50'000;
  l.allow_short_selling = true;
  l.trading_hours = true;
  l.starting_cash = money{int64_t{1} << 50};
  l.margin_multiplier = 4;
  // Loss levels on but out of reach (buying at the ask and selling at the
  // bid loses a little on every round trip).
  l.daily_loss_soft = l.daily_loss_hard = money{int64_t{1} << 55};
  l.drawdown_soft = l.drawdown_hard = money{int64_t{1} << 55};
  st.configure(l, symbols);
  msg_builder b;
  for (uint32_t s = 0; s < symbols; ++s) {
    on_market(st, b.trade({0, session_open, 0}, symbol_id{s}, bid_of(s), quantity{1}));
    on_market(st, b.quote({0, session_open, 0}, symbol_id{s}, bid_of(s), quantity{1},
                          ask_of(s), quantity{1}));
    // Fill the duplicate memory with orders that never match, so every
    // check compares against all of them.
    for (int64_t k = 0; k < 4; ++k)
      st.symbols[s].recent[k] = {fb::Side::Buy, quantity::of_shares(1 + k), ask_of(s),
                                 session_open};
  }
  return st;
}

// The i-th order of the check benchmarks: round robin over the symbols,
// buys at the ask and sells at the bid, a microsecond apart in event time.
risk_order nth_order(uint32_t i) {
  uint32_t sym = i & (symbols - 1);
  bool buy = (i >> 6) & 1;
  return {symbol_id{sym}, buy ? fb::Side::Buy : fb::Side::Sell, quantity{100},
          buy ? ask_of(sym) : bid_of(sym),
          session_open + int64_t{i & 0xFFFFF} * 1'000};
}

void report_allocations(benchmark::State& state, uint64_t before) {
  auto n = allocations.load(std::memory_order_relaxed) - before;
  state.counters["allocs_per_op"] = benchmark::Counter(
    static_cast<double>(n), benchmark::Counter::kAvgIterations);
}

void BM_risk_controller_check(benchmark::State& state) {
  auto setup_before = allocations.load(std::memory_order_relaxed);
  auto st = ready_state();
  // Setting up allocates; a counter that saw nothing would report a false 0.
  if (allocations.load(std::memory_order_relaxed) == setup_before)
    state.SkipWithError("the allocation counter counts nothing");
  int64_t passed = 0;
  uint32_t i = 0;
  auto before = allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    auto v = check(st, nth_order(i++));
    benchmark::DoNotOptimize(v);
    passed += v.passed();
  }
  report_allocations(state, before);
  if (passed != static_cast<int64_t>(state.iterations()))
    state.SkipWithError("a check failed that should pass");
}
BENCHMARK(BM_risk_controller_check);

// One check per sample, timed with the steady clock into a histogram of
// 1 ns buckets. The clock's own cost is in every sample (reported as
// clock_ns), so the percentiles are an upper bound. Every 16th order is
// over the collar and must be denied: the checksum counts both answers.
void BM_risk_controller_check_latency(benchmark::State& state) {
  using clock = std::chrono::steady_clock;
  auto st = ready_state();
  std::array<uint64_t, 4096> histogram{};
  uint64_t passed = 0, collared = 0, samples = 0;
  uint32_t i = 0;
  auto before = allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    auto o = nth_order(i);
    bool fat_finger = (i & 15) == 15;
    if (fat_finger)
      o.px = o.px + price::from_dollars(50);
    ++i;
    auto t0 = clock::now();
    auto v = check(st, o);
    benchmark::DoNotOptimize(v);
    auto t1 = clock::now();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    ++histogram[std::min<size_t>(static_cast<size_t>(ns), histogram.size() - 1)];
    ++samples;
    passed += v.passed() && !fat_finger;
    collared += fat_finger && v.reason == fb::DenyReason::PriceCollar;
  }
  report_allocations(state, before);
  auto percentile = [&](double p) {
    auto rank = static_cast<uint64_t>(p * static_cast<double>(samples));
    uint64_t seen = 0;
    for (size_t ns = 0; ns < histogram.size(); ++ns)
      if ((seen += histogram[ns]) > rank)
        return static_cast<double>(ns);
    return static_cast<double>(histogram.size());
  };
  state.counters["p50_ns"] = percentile(0.50);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["p999_ns"] = percentile(0.999);
  // The clock alone, to read the percentiles against.
  std::array<uint64_t, 4096> empty{};
  for (int k = 0; k < 100'000; ++k) {
    auto t0 = clock::now();
    auto t1 = clock::now();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    ++empty[std::min<size_t>(static_cast<size_t>(ns), empty.size() - 1)];
  }
  uint64_t seen = 0;
  for (size_t ns = 0; ns < empty.size(); ++ns)
    if ((seen += empty[ns]) > 50'000) {
      state.counters["clock_ns"] = static_cast<double>(ns);
      break;
    }
  if (passed + collared != samples)
    state.SkipWithError("a check gave the wrong answer");
}
BENCHMARK(BM_risk_controller_check_latency);

void BM_risk_controller_check_approve_fill(benchmark::State& state) {
  auto st = ready_state();
  st.limits.trading_hours = false; // the run may outlast a session
  msg_builder b;
  // Pre-built fills: the bench measures booking them, not building them.
  std::vector<msg> fills;
  for (uint32_t s = 0; s < symbols; ++s)
    for (auto side : {fb::Side::Buy, fb::Side::Sell})
      fills.push_back(b.order_filled({0, session_open, 0}, client_order_id{1},
                                     symbol_id{s}, side, quantity{100},
                                     side == fb::Side::Buy ? ask_of(s) : bid_of(s),
                                     quantity{100}, quantity{0}, money{}));
  int64_t passed = 0;
  uint32_t i = 0;
  auto before = allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    uint32_t sym = (i >> 1) & (symbols - 1);
    bool sell = i & 1;
    // A microsecond apart: a symbol comes back every 128 us, after its
    // duplicate window of 50 us, and the throttle never engages.
    risk_order o{symbol_id{sym}, sell ? fb::Side::Sell : fb::Side::Buy, quantity{100},
                 sell ? bid_of(sym) : ask_of(sym),
                 session_open + int64_t{i} * 1'000};
    auto v = check(st, o);
    if (v.passed()) {
      on_approved(st, o);
      on_execution(st, fills[sym * 2 + sell]);
      ++passed;
    }
    ++i;
  }
  report_allocations(state, before);
  // Every buy is followed by its sell: after an even count all is flat.
  bool flat = (i & 1) == 1 || st.gross.micros == 0;
  if (passed != static_cast<int64_t>(state.iterations()) || !flat)
    state.SkipWithError("risk state drifted");
}
BENCHMARK(BM_risk_controller_check_approve_fill);

// A quote revalues the symbol and the account and applies the loss levels.
void BM_risk_controller_on_market(benchmark::State& state) {
  auto st = ready_state();
  msg_builder b;
  std::vector<msg> quotes;
  for (uint32_t s = 0; s < symbols; ++s)
    quotes.push_back(b.quote({0, session_open, 0}, symbol_id{s}, bid_of(s),
                             quantity{1}, ask_of(s), quantity{1}));
  uint32_t i = 0;
  auto before = allocations.load(std::memory_order_relaxed);
  for (auto _ : state)
    on_market(st, quotes[i++ & (symbols - 1)]);
  report_allocations(state, before);
  if (st.symbols[0].bid != bid_of(0) || st.mode != fb::RiskMode::Normal)
    state.SkipWithError("market state drifted");
}
BENCHMARK(BM_risk_controller_on_market);

// The cancel-rate throttle: check and book, a microsecond apart.
void BM_risk_controller_cancel(benchmark::State& state) {
  auto st = ready_state();
  st.limits.max_cancels_per_window = 1'000'000;
  st.cancels.configure(1'000'000, 100'000'000);
  int64_t passed = 0;
  uint32_t i = 0;
  auto before = allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    risk_command c{client_order_id{i}, false, {}, {}, session_open + int64_t{i} * 1'000};
    auto v = check_command(st, c);
    if (v.passed()) {
      on_command_approved(st, c);
      ++passed;
    }
    ++i;
  }
  report_allocations(state, before);
  if (passed != static_cast<int64_t>(state.iterations()))
    state.SkipWithError("a cancel was throttled that should pass");
}
BENCHMARK(BM_risk_controller_cancel);

} // namespace

BENCHMARK_MAIN();
