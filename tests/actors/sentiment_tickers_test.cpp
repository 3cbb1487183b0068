#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actors/news_tickers.hpp"

using namespace osprey::sentiment;

namespace {

ticker_universe sample_universe() {
  return ticker_universe({
    {"TSLA", {"Tesla"}, false},
    {"AAPL", {"Apple"}, false},
    {"GM", {"General Motors"}, false},
    {"BRK.B", {"Berkshire Hathaway"}, false},
    {"ALL", {"Allstate"}, false},
    {"IT", {"Gartner"}, false},
    {"A", {"Agilent"}, false},
    {"ON", {"ON Semiconductor", "onsemi"}, false},
    {"T", {"AT&T"}, false},
    {"ACME", {}, true}, // flagged ambiguous by configuration
  });
}

std::vector<std::string> symbols(const std::vector<ticker_hit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits)
    out.push_back(h.symbol);
  return out;
}

using strings = std::vector<std::string>;

} // namespace

TEST(sentiment_tickers, finds_cashtags_including_share_classes_and_unknown_symbols) {
  const auto u = sample_universe();
  const auto hits = u.extract("$TSLA and $brk.b up; $NVDA too. $BRK.B again");
  EXPECT_EQ(symbols(hits), (strings{"TSLA", "BRK.B", "NVDA"}));
  EXPECT_EQ(hits[0].source, ticker_source::cashtag);
  EXPECT_EQ(hits[0].offset, 0u);
}

TEST(sentiment_tickers, rejects_dollar_amounts_and_currency_prefixes_as_cashtags) {
  const auto u = sample_universe();
  EXPECT_TRUE(u.extract("raised $5 million at $12.50 a share").empty());
  EXPECT_TRUE(u.extract("US$ 40 bn, C$30").empty());
  EXPECT_TRUE(u.extract("$TOOLONGX rallies").empty());
  // A sentence-ending period is not a share class.
  EXPECT_EQ(symbols(u.extract("Long $AAPL.")), (strings{"AAPL"}));
}

TEST(sentiment_tickers, matches_bare_symbols_only_in_upper_case_whole_words) {
  const auto u = sample_universe();
  EXPECT_EQ(symbols(u.extract("TSLA shares jump, BRK.B flat")), (strings{"TSLA", "BRK.B"}));
  EXPECT_TRUE(u.extract("tsla and Tsla and TSLAX and XTSLA").empty());
}

TEST(sentiment_tickers, takes_common_word_symbols_only_from_a_symbol_context) {
  const auto u = sample_universe();
  // Never as plain words, even upper case.
  EXPECT_TRUE(u.extract("IT spending is ON track for ALL of us, A new era").empty());
  EXPECT_TRUE(u.extract("ALL EYES ON IT AS A STOCK RALLIES").empty());
  EXPECT_TRUE(u.extract("ACME rises").empty());
  // In parentheses, after an exchange prefix, or as a cashtag.
  EXPECT_EQ(symbols(u.extract("Allstate Corp (ALL) beats")), (strings{"ALL"}));
  EXPECT_EQ(symbols(u.extract("shares of NYSE: IT and Nasdaq:ON rose")), (strings{"IT", "ON"}));
  EXPECT_EQ(symbols(u.extract("$A and $ACME")), (strings{"A", "ACME"}));
}

TEST(sentiment_tickers, matches_company_names_case_sensitively_as_whole_words) {
  const auto u = sample_universe();
  const auto hits = u.extract("Apple's supplier and General Motors talk; Teslas are not Tesla");
  EXPECT_EQ(symbols(hits), (strings{"AAPL", "GM", "TSLA"}));
  EXPECT_EQ(hits[0].source, ticker_source::name);
  EXPECT_TRUE(u.extract("an apple pie, general motors, Applebee's").empty());
  EXPECT_EQ(symbols(u.extract("AT&T wins contract")), (strings{"T"}));
}

TEST(sentiment_tickers, reports_each_symbol_once_at_its_first_occurrence) {
  const auto u = sample_universe();
  const auto hits = u.extract("Tesla (TSLA) says $TSLA will ... TSLA");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].source, ticker_source::name);
  EXPECT_EQ(hits[0].offset, 0u);
}

TEST(sentiment_tickers, survives_bad_bytes_and_edges) {
  const auto u = sample_universe();
  EXPECT_TRUE(u.extract("").empty());
  EXPECT_TRUE(u.extract("$").empty());
  EXPECT_TRUE(u.extract("$$$ ((( )))").empty());
  EXPECT_EQ(symbols(u.extract(std::string("\xff\xfe$TSLA\x80 Tesla\xc3"))), (strings{"TSLA"}));
}

TEST(sentiment_tickers, universe_stays_valid_after_a_copy) {
  std::vector<ticker_entry> entries{{"msft", {"Microsoft"}, false}};
  ticker_universe copy;
  {
    ticker_universe original(entries);
    copy = original;
  }
  EXPECT_EQ(symbols(copy.extract("MSFT and Microsoft")), (strings{"MSFT"}));
}
