#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "actors/news_events.hpp"
#include "actors/news_tickers.hpp"
#include "actors/sentiment.hpp"

using namespace osprey::sentiment;

namespace {

lexicon small_lexicon() {
  std::string error;
  return *lexicon::parse("good\t1.9\t0\t[]\nbad\t-2.5\t0\t[]\n:)\t2.0\t0\t[]\n", "p", error);
}

// Texts built from words the rules react to, punctuation and raw bytes.
rc::Gen<std::string> news_like_text() {
  static const std::vector<std::string> pieces{
    "good", "BAD", "bad", "not", "but", "very", "kind", "of", "least", "never", "so", "!", "?",
    ":)", "loss", "narrowed", "rose", "12%", "beat", "estimates", "cut", "guidance", "$TSLA",
    "(ON)", "FDA", "approves", "\xff", "\xc3", "\x80", ",", "from", "to", " ", "\t", "\n"};
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(pieces)),
                      [](const std::vector<std::string>& parts) {
                        std::string s;
                        for (const auto& p : parts) {
                          s += p;
                          s += ' ';
                        }
                        return s;
                      });
}

void check_scores(const scores& s) {
  RC_ASSERT(std::isfinite(s.compound));
  RC_ASSERT(s.compound >= -1.0 && s.compound <= 1.0);
  RC_ASSERT(s.pos >= 0.0 && s.neu >= 0.0 && s.neg >= 0.0);
  RC_ASSERT(std::fabs(s.pos + s.neu + s.neg - 1.0) < 1e-9);
}

} // namespace

RC_GTEST_PROP(sentiment_property, scores_are_bounded_proportions_for_any_bytes, ()) {
  const auto text = *rc::gen::arbitrary<std::string>();
  auto plain = analyzer::plain_vader(small_lexicon());
  auto fin = analyzer::finance_model(small_lexicon());
  check_scores(plain.score(text));
  check_scores(fin.score(text));
  const ticker_universe universe({{"ON", {"onsemi"}, false}, {"TSLA", {"Tesla"}, false}});
  for (const auto& h : universe.extract(text))
    RC_ASSERT(h.offset < text.size());
  for (const auto& e : detect_events(text))
    RC_ASSERT(e.confidence > 0.0 && e.confidence <= 1.0);
}

RC_GTEST_PROP(sentiment_property, scores_are_bounded_for_news_like_text, ()) {
  const auto text = *news_like_text();
  auto fin = analyzer::finance_model(small_lexicon());
  const scores first = fin.score(text);
  check_scores(first);
  // The analyzer's reused scratch never leaks from one call into the next.
  fin.score("good good bad but not good!!");
  RC_ASSERT(fin.score(text).compound == first.compound);
}
