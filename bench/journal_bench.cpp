// What each fsync policy costs: messages pushed through the journal writer
// and flushed to the file, per policy. The actor side (push) never waits on
// the disk; these figures are the writer thread's sustained rate.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "messages/msg_builder.hpp"
#include "runtime/journal_writer.hpp"

using namespace osprey;

namespace {

void BM_journal_write(benchmark::State& state) {
  auto policy = static_cast<fsync_policy>(state.range(0));
  auto path = std::filesystem::temp_directory_path()
              / ("osprey-journal-bench-" + std::to_string(::getpid()));
  msg_builder b;
  auto m = b.order_filled({1, 2, 3}, client_order_id{7}, symbol_id{1}, fb::Side::Buy,
                          quantity{100}, price::from_dollars(10), quantity{100},
                          quantity{0}, money{});
  const int64_t per_round = policy == fsync_policy::every_message ? 64 : 4096;
  uint64_t written = 0;
  {
    journal_options opts;
    opts.fsync = policy;
    journal_writer w{path.string(), opts};
    for (auto _ : state) {
      for (int64_t i = 0; i < per_round; ++i)
        w.push(m);
      w.flush();
    }
    w.close();
    written = w.records_written();
    if (w.write_errors())
      state.SkipWithError("journal write failed");
  }
  std::filesystem::remove(path);
  auto expected = static_cast<uint64_t>(state.iterations()) * per_round;
  if (written != expected)
    state.SkipWithError("records written differ from records pushed");
  state.SetItemsProcessed(static_cast<int64_t>(expected));
}
BENCHMARK(BM_journal_write)
  ->Arg(static_cast<int>(fsync_policy::none))
  ->Arg(static_cast<int>(fsync_policy::batch))
  ->Arg(static_cast<int>(fsync_policy::every_message))
  ->ArgName("fsync")
  ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
