#include "actors/rule_phrases.hpp"

#include <string>

#include <gtest/gtest.h>

#include "actors/rule_compiler.hpp"

using namespace osprey::rules;

namespace {

// The rule a phrase becomes, checked to compile; or the refusal.
std::string rule_of(std::string_view phrase) {
  auto t = translate_phrase(phrase);
  if (!t.ok)
    return std::string{"refused: "}.append(t.message);
  auto c = compile_rules(t.rule);
  EXPECT_TRUE(c.ok()) << t.rule;
  return t.rule;
}

} // namespace

TEST(rule_phrases, translates_the_phrasings_of_the_issue) {
  EXPECT_EQ(rule_of("gap up by more than 3% with high volume"),
            "gap_pct > 3 and volume > 1.5 * avg(volume, 20)");
  EXPECT_EQ(rule_of("RSI below 30 and volume spike above 2x average"),
            "rsi(14) < 30 and volume > 2 * avg(volume, 20)");
  EXPECT_EQ(rule_of("price crosses above the 50-day moving average"),
            "crosses_above(close, sma(close, 50))");
  EXPECT_EQ(rule_of("new 52-week high"), "high > highest(high, 252)[1]");
  EXPECT_EQ(rule_of("P/E under 15"), "pe < 15");
}

TEST(rule_phrases, accepts_common_variants) {
  EXPECT_EQ(rule_of("rsi over 70"), "rsi(14) > 70");
  EXPECT_EQ(rule_of("RSI(7) is less than 20"), "rsi(7) < 20");
  EXPECT_EQ(rule_of("14-day RSI greater than 60"), "rsi(14) > 60");
  EXPECT_EQ(rule_of("close is above the 20 day ema"), "close > ema(close, 20)");
  EXPECT_EQ(rule_of("price crosses below its 200-day simple moving average"),
            "crosses_below(close, sma(close, 200))");
  EXPECT_EQ(rule_of("price above 100, volume over 1000000"), "close > 100 and volume > 1000000");
  EXPECT_EQ(rule_of("volume at least 3 times average volume"), "volume >= 3 * avg(volume, 20)");
  EXPECT_EQ(rule_of("volume above the 50-day average"), "volume > avg(volume, 50)");
  EXPECT_EQ(rule_of("stock gaps down by more than 2%"), "gap_pct < -2");
  EXPECT_EQ(rule_of("gap up"), "gap_pct > 0");
  EXPECT_EQ(rule_of("new 20-day low"), "low < lowest(low, 20)[1]");
  EXPECT_EQ(rule_of("new 3-month high"), "high > highest(high, 63)[1]");
  EXPECT_EQ(rule_of("new high"), "high > highest(high, 252)[1]");
  EXPECT_EQ(rule_of("price above the 20-day high"), "close > highest(high, 20)[1]");
  EXPECT_EQ(rule_of("EPS surprise above 5%"), "eps_surprise_pct > 5");
  EXPECT_EQ(rule_of("revenue growth over 20% and p/e ratio below 25"),
            "revenue_growth_pct > 20 and pe < 25");
  EXPECT_EQ(rule_of("sentiment above 0.5 plus mentions over 100"), "sentiment > 0.5 and mentions > 100");
  EXPECT_EQ(rule_of("volume spike"), "volume > 2 * avg(volume, 20)");
  EXPECT_EQ(rule_of("heavy volume"), "volume > 1.5 * avg(volume, 20)");
  EXPECT_EQ(rule_of("price > vwap"), "close > vwap");
}

TEST(rule_phrases, refuses_naming_the_words_it_does_not_understand) {
  EXPECT_EQ(rule_of("price bounces off support"),
            "refused: did not understand \"bounces\", \"off\", \"support\"");
  EXPECT_EQ(rule_of("buy when the moon is full"), "refused: did not understand \"buy\", \"moon\", \"full\"");
  auto t = translate_phrase("rsi below 30 and insider buying");
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.not_understood, (std::vector<std::string>{"insider", "buying"}));
}

TEST(rule_phrases, refuses_known_words_in_an_order_it_cannot_read) {
  EXPECT_EQ(rule_of("above rsi 30"), "refused: could not make a condition of \"above rsi 30\"");
  EXPECT_EQ(rule_of("price above 3%"), "refused: could not make a condition of \"price above 3 %\"");
  EXPECT_EQ(rule_of("pe below 2x average"), "refused: could not make a condition of \"pe below 2 x average\"");
  EXPECT_EQ(rule_of(""), "refused: the phrase is empty");
  EXPECT_EQ(rule_of("and the"), "refused: the phrase is empty");
}
