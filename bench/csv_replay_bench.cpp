// Placeholder: filled in by the work on issue 4.
#include <benchmark/benchmark.h>
BENCHMARK_MAIN();
