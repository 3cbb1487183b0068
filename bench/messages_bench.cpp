// Cost of the one encoding: build a message, verify it as if it came from
// outside, read it back. The checksum over the fields read makes a wrong
// answer fail instead of passing as a fast one.

#include <benchmark/benchmark.h>

#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"

#include <vector>

using namespace osprey;

namespace {

void BM_messages_build_verify_read(benchmark::State& state) {
  msg_builder b;
  int64_t checksum = 0, expected = 0;
  int64_t i = 0;
  std::string error;
  for (auto _ : state) {
    auto m = b.quote({0, i, i}, symbol_id{static_cast<uint32_t>(i & 7)},
                     price{100'000'000 + i}, quantity{100}, price{100'010'000 + i},
                     quantity{200});
    if (!m.verify(error))
      break;
    auto q = m.as<fb::Quote>();
    checksum += q->bid() + q->ask_size() + m.ts_event();
    expected += 100'000'000 + i + quantity{200}.nanos + i;
    ++i;
  }
  if (checksum != expected)
    state.SkipWithError("checksum mismatch");
  benchmark::DoNotOptimize(checksum);
}
BENCHMARK(BM_messages_build_verify_read);

// Bytes from outside the process: copied into an owned, aligned handle, then
// verified.
void BM_messages_parse_untrusted(benchmark::State& state) {
  msg_builder b;
  auto m = b.quote({0, 1, 2}, symbol_id{1}, price{100}, quantity{100}, price{101},
                   quantity{200});
  std::vector<uint8_t> wire(m.data(), m.data() + m.size());
  std::string error;
  int64_t checksum = 0;
  for (auto _ : state) {
    auto v = msg::parse(wire, error);
    checksum += v.as<fb::Quote>()->ask_size();
  }
  if (checksum != quantity{200}.nanos * static_cast<int64_t>(state.iterations()))
    state.SkipWithError("checksum mismatch");
}
BENCHMARK(BM_messages_parse_untrusted);

void BM_messages_build(benchmark::State& state) {
  msg_builder b;
  int64_t i = 0, checksum = 0;
  for (auto _ : state) {
    auto m = b.trade({0, i, i}, symbol_id{1}, price{i}, quantity{100});
    checksum += static_cast<int64_t>(m.size());
    ++i;
  }
  if (checksum == 0)
    state.SkipWithError("nothing built");
  benchmark::DoNotOptimize(checksum);
}
BENCHMARK(BM_messages_build);

void BM_messages_read(benchmark::State& state) {
  msg_builder b;
  auto m = b.trade({0, 1, 2}, symbol_id{1}, price{123}, quantity{100});
  int64_t checksum = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(m);
    checksum += m.as<fb::Trade>()->price();
  }
  if (checksum != 123 * static_cast<int64_t>(state.iterations()))
    state.SkipWithError("checksum mismatch");
}
BENCHMARK(BM_messages_read);

void BM_messages_handle_copy(benchmark::State& state) {
  msg_builder b;
  auto m = b.trade({0, 1, 2}, symbol_id{1}, price{123}, quantity{100});
  for (auto _ : state) {
    msg copy = m;
    benchmark::DoNotOptimize(copy);
  }
  if (m.use_count() != 1)
    state.SkipWithError("reference count leaked");
}
BENCHMARK(BM_messages_handle_copy);

} // namespace

BENCHMARK_MAIN();
