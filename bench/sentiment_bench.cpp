// Sentiment benchmarks: headlines per second for the finance model and plain
// VADER over the Financial PhraseBank sentences (or generated headlines when
// the shared data is absent), plus the ticker and event layers.
//
// Each benchmark scores the whole corpus per pass and checks a checksum (the
// sum of round(compound * 1e4)) against the one computed before timing, so a
// wrong answer cannot pass as a fast one. The scorers also count heap
// allocations in the timed loop: after the first pass (scratch buffers grown)
// there must be none.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/alloc_counter.hpp"

#include "actors/news_events.hpp"
#include "actors/news_tickers.hpp"
#include "actors/sentiment.hpp"
#include "actors/sentiment_eval.hpp"

using namespace osprey::sentiment;

namespace {

struct corpus {
  std::vector<std::string> texts;
  lexicon lex;
  bool real = false;
};

// A fallback lexicon and headline generator for machines without the data.
corpus generated_corpus() {
  corpus c;
  std::string error;
  c.lex = *lexicon::parse("good\t1.9\t0\t[]\nbad\t-2.5\t0\t[]\nstrong\t2.3\t0\t[]\n"
                          "weak\t-1.9\t0\t[]\n",
                          "generated", error);
  const char* subjects[] = {"Acme Corp", "Globex", "Initech", "$TSLA", "Umbrella Group"};
  const char* middles[] = {"beats estimates as sales rose 12 %", "cuts guidance after weak demand",
                           "operating loss narrowed to EUR 3 mn", "shares plunge on probe",
                           "announces $2 billion buyback", "reports good but not strong results"};
  for (int i = 0; i < 2000; ++i) {
    std::string t = subjects[i % 5];
    t += ' ';
    t += middles[(i * 7) % 6];
    t += i % 3 == 0 ? " !" : " .";
    c.texts.push_back(std::move(t));
  }
  return c;
}

const corpus& the_corpus() {
  static const corpus c = [] {
    const std::string dir = OSPREY_SHARED_DATA;
    std::string error;
    auto lex = lexicon::load(dir + "/lexicons/vader_lexicon.txt", error);
    auto text = eval::read_file(dir + "/sentiment/FinancialPhraseBank_AllAgree.txt");
    if (!lex || !text) {
      std::fprintf(stderr, "sentiment_bench: shared data absent, using generated headlines\n");
      return generated_corpus();
    }
    corpus r;
    r.lex = std::move(*lex);
    r.real = true;
    for (auto& s : eval::parse_phrasebank(*text))
      r.texts.push_back(std::move(s.text));
    return r;
  }();
  return c;
}

int64_t checksum(analyzer& a, const std::vector<std::string>& texts) {
  int64_t sum = 0;
  for (const auto& t : texts)
    sum += std::llround(a.score(t).compound * 1e4);
  return sum;
}

void run_scorer(benchmark::State& state, analyzer a) {
  const auto& c = the_corpus();
  const int64_t expected = checksum(a, c.texts);
  int64_t got = 0;
  const uint64_t allocs_before = osprey::bench::allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    got = 0;
    for (const auto& t : c.texts) {
      const scores s = a.score(t);
      benchmark::DoNotOptimize(s);
      got += std::llround(s.compound * 1e4);
    }
  }
  const uint64_t allocs =
    osprey::bench::allocations.load(std::memory_order_relaxed) - allocs_before;
  if (got != expected)
    state.SkipWithError("checksum mismatch");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.texts.size()));
  state.counters["checksum"] = static_cast<double>(got);
  state.counters["allocs"] = static_cast<double>(allocs);
  state.SetLabel(c.real ? "phrasebank" : "generated");
}

void BM_sentiment_score_finance(benchmark::State& state) {
  run_scorer(state, analyzer::finance_model(the_corpus().lex));
}
BENCHMARK(BM_sentiment_score_finance)->Unit(benchmark::kMillisecond);

void BM_sentiment_score_plain_vader(benchmark::State& state) {
  run_scorer(state, analyzer::plain_vader(the_corpus().lex));
}
BENCHMARK(BM_sentiment_score_plain_vader)->Unit(benchmark::kMillisecond);

void BM_sentiment_extract_tickers(benchmark::State& state) {
  const auto& c = the_corpus();
  const ticker_universe universe({{"NOK", {"Nokia"}, false},
                                  {"ERIC", {"Ericsson"}, false},
                                  {"UPM", {"UPM-Kymmene", "UPM"}, false},
                                  {"TSLA", {"Tesla"}, false},
                                  {"ALL", {"Allstate"}, false}});
  std::vector<ticker_hit> hits;
  size_t expected = 0;
  for (const auto& t : c.texts) {
    hits.clear();
    universe.extract(t, hits);
    expected += hits.size();
  }
  size_t got = 0;
  for (auto _ : state) {
    got = 0;
    for (const auto& t : c.texts) {
      hits.clear();
      universe.extract(t, hits);
      got += hits.size();
    }
    benchmark::DoNotOptimize(got);
  }
  if (got != expected)
    state.SkipWithError("checksum mismatch");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.texts.size()));
  state.counters["checksum"] = static_cast<double>(got);
}
BENCHMARK(BM_sentiment_extract_tickers)->Unit(benchmark::kMillisecond);

void BM_sentiment_detect_events(benchmark::State& state) {
  const auto& c = the_corpus();
  std::string lower;
  std::vector<token> tokens;
  std::vector<std::string_view> words;
  std::vector<event_hit> hits;
  auto count = [&] {
    size_t n = 0;
    for (const auto& t : c.texts) {
      tokenize(t, lower, tokens);
      words.clear();
      for (const auto& tk : tokens)
        if (tk.bare_size > 0)
          words.push_back(std::string_view(lower).substr(tk.bare_begin, tk.bare_size));
      hits.clear();
      detect_events(words, hits);
      n += hits.size();
    }
    return n;
  };
  const size_t expected = count();
  size_t got = 0;
  for (auto _ : state) {
    got = count();
    benchmark::DoNotOptimize(got);
  }
  if (got != expected)
    state.SkipWithError("checksum mismatch");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.texts.size()));
  state.counters["checksum"] = static_cast<double>(got);
}
BENCHMARK(BM_sentiment_detect_events)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
