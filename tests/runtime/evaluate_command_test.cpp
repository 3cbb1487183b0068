// osprey evaluate and osprey history on real daily bars.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "runtime/evaluate_command.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";

std::string temp(const std::string& name) {
  auto p = std::filesystem::temp_directory_path()
           / (std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove(p);
  return p.string();
}

/// A reader that calls every headline mildly positive with one bullish tag.
headline_reading upbeat(const std::string&) {
  return {0.4, 1, 0};
}

} // namespace

TEST(evaluate_command, scores_a_ticker_from_its_bars_and_news_and_stores_it) {
  if (!std::filesystem::exists(market + "AAPL_daily_2012-2014.csv"))
    FAIL() << "shared market data not found at " << market;
  auto news = temp("news.jsonl");
  std::ofstream{news} << R"({"created_at": "2014-12-30T15:00:00Z", "headline": "Apple sets a record", "symbols": ["AAPL"]}
{"created_at": "2014-12-31T15:00:00Z", "headline": "$AAPL buyback grows"}
{"created_at": "2014-12-31T16:00:00Z", "headline": "Microsoft ships", "symbols": ["MSFT"]}
)";
  evaluate_options o;
  o.tickers = {"AAPL"};
  o.data = {market + "AAPL_daily_2012-2014.csv", market + "MSFT_daily_2012-2014.csv"};
  o.news = {news};
  o.history_path = temp("history.sqlite");
  std::ostringstream out, err;
  ASSERT_EQ(evaluate_command(o, upbeat, out, err), 0) << err.str();
  auto text = out.str();
  EXPECT_NE(text.find("AAPL as of 2014-12-31: run score"), std::string::npos) << text;
  EXPECT_NE(text.find("institutional"), std::string::npos);
  // The window is the day up to the last close (21:00 UTC on 2014-12-31):
  // one AAPL item in it, one in the baseline before, MSFT's not counted.
  EXPECT_NE(text.find("1 mention(s) in the window"), std::string::npos) << text;
  EXPECT_NE(text.find("upside band"), std::string::npos);

  o.json = true;
  std::ostringstream json;
  ASSERT_EQ(evaluate_command(o, upbeat, json, err), 0) << err.str();
  EXPECT_EQ(json.str().rfind("[{\"ticker\": \"AAPL\", \"date\": \"2014-12-31\"", 0), 0u)
    << json.str();
  EXPECT_NE(json.str().find("\"comparables\": [{"), std::string::npos);

  std::ostringstream listed;
  ASSERT_EQ(history_command("AAPL", o.history_path, listed, err), 0);
  auto lines = listed.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines; // two evaluations
  std::filesystem::remove(news);
  std::filesystem::remove(o.history_path);
}

TEST(evaluate_command, a_ticker_without_bars_is_an_error_that_names_it) {
  if (!std::filesystem::exists(market + "KO_daily_2012-2014.csv"))
    FAIL() << "shared market data not found at " << market;
  evaluate_options o;
  o.tickers = {"ZZZZ"};
  o.data = {market + "KO_daily_2012-2014.csv"};
  o.history_path.clear();
  std::ostringstream out, err;
  EXPECT_EQ(evaluate_command(o, upbeat, out, err), 1);
  EXPECT_NE(err.str().find("no daily bars for ZZZZ"), std::string::npos) << err.str();
  o.data = {"/nonexistent/bars.csv"};
  o.tickers = {"KO"};
  std::ostringstream err2;
  EXPECT_EQ(evaluate_command(o, upbeat, out, err2), 1);
  EXPECT_NE(err2.str().find("/nonexistent/bars.csv"), std::string::npos) << err2.str();
}

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  auto p = temp(name);
  std::ofstream{p} << text;
  return p;
}

headline_reading neutral(const std::string&) {
  return {};
}

} // namespace

TEST(evaluate_command, options_fundamentals_and_block_trades_enter_the_pillars) {
  if (!std::filesystem::exists(market + "AAPL_daily_2012-2014.csv"))
    FAIL() << "shared market data not found at " << market;
  // Three blocks on the evaluation day (2014-12-31 UTC), one the day before.
  auto trades = write_file("aapl-trades.csv",
                           "ts_event,symbol,kind,price,size\n"
                           "2014-12-30T15:00:00Z,AAPL,trade,112.00,50000\n"
                           "2014-12-31T14:31:00Z,AAPL,trade,112.00,10000\n"
                           "2014-12-31T15:00:00Z,AAPL,trade,111.00,2000\n"
                           "2014-12-31T16:00:00Z,AAPL,trade,110.00,1000\n"
                           "2014-12-31T17:00:00Z,AAPL,trade,110.50,20000\n");
  auto options = write_file("options.csv",
                            "date,symbol,expiry,strike,type,open_interest\n"
                            "2014-12-30,AAPL,2015-01-16,110,call,1000\n"
                            "2014-12-30,AAPL,2015-01-16,115,C,500\n"
                            "2014-12-30,AAPL,2015-01-16,105,put,500\n"
                            "2014-12-30,AAPL,2015-01-16,105,puts,5\n");
  auto fundamentals = write_file("fundamentals.csv",
                                 "symbol,date,eps_actual,eps_estimate,revenue,revenue_year_ago\n"
                                 "AAPL,2014-10-20,1.42,1.31,42.1e9,37.4e9\n"
                                 "AAPL,2015-01-27,3.06,2.60,74.6e9,57.6e9\n"
                                 "AAPL,someday,1,1,1,1\n");
  evaluate_options o;
  o.tickers = {"AAPL"};
  o.data = {market + "AAPL_daily_2012-2014.csv", trades};
  o.options = {options};
  o.fundamentals = {fundamentals};
  o.history_path.clear();
  std::ostringstream out, err;
  ASSERT_EQ(evaluate_command(o, neutral, out, err), 0) << err.str();
  auto text = out.str();
  EXPECT_NE(text.find("3 block trades"), std::string::npos) << text;
  EXPECT_NE(text.find("call/put open interest 3.00"), std::string::npos) << text;
  // (1.42 - 1.31) / 1.31 = 8.4%; 42.1 / 37.4 - 1 = 12.6%; the January
  // report comes after the evaluation day.
  EXPECT_NE(text.find("earnings surprise +8.4%"), std::string::npos) << text;
  EXPECT_NE(text.find("revenue growth +12.6%"), std::string::npos) << text;
  EXPECT_NE(err.str().find(options + ":5: type \"puts\""), std::string::npos) << err.str();
  EXPECT_NE(err.str().find(fundamentals + ":4: date \"someday\""), std::string::npos)
    << err.str();

  // Without the extra files those sub-scores are simply not there.
  o.data = {market + "AAPL_daily_2012-2014.csv"};
  o.options.clear();
  o.fundamentals.clear();
  std::ostringstream plain;
  ASSERT_EQ(evaluate_command(o, neutral, plain, err), 0);
  EXPECT_EQ(plain.str().find("block trades"), std::string::npos) << plain.str();
  EXPECT_EQ(plain.str().find("options skew"), std::string::npos);
  EXPECT_EQ(plain.str().find("earnings surprise"), std::string::npos);
  for (auto& f : {trades, options, fundamentals})
    std::filesystem::remove(f);
}

TEST(evaluate_command, past_evaluations_are_comparables_with_their_outcome_when_known) {
  if (!std::filesystem::exists(market + "MSFT_daily_2012-2014.csv"))
    FAIL() << "shared market data not found at " << market;
  std::ostringstream ignored;
  auto in = load_evaluation_inputs(
    {{market + "AAPL_daily_2012-2014.csv", market + "MSFT_daily_2012-2014.csv"}, {}, {}, {}},
    neutral, ignored);
  auto& aapl = in.bars["AAPL"];
  auto today = setup_features_at(aapl, aapl.size() - 1);
  ASSERT_TRUE(complete(today));
  auto& msft = in.bars["MSFT"];
  constexpr int64_t day_ns = 86'400'000'000'000;
  auto june_2 = utc_day_of(aapl.back().ts) - 212 * day_ns; // 2014-06-02
  size_t j = 0;
  while (j < msft.size() && utc_day_of(msft[j].ts) != june_2)
    ++j;
  ASSERT_LT(j + 20, msft.size());
  char expected[64];
  std::snprintf(expected, sizeof expected, "\"forward_return\": %.4f",
                msft[j + 20].close / msft[j].close - 1.0);

  auto history = temp("history-past.sqlite");
  {
    history_store h{history};
    auto stored = [&](const std::string& ticker, int64_t ts) {
      evaluation_record r;
      r.ts = ts;
      r.ticker = ticker;
      r.verdict = "pass";
      r.features.assign(today.begin(), today.end());
      h.add(r);
    };
    stored("MSFT", msft[j].ts);                   // outcome known
    stored("ZZZZ", aapl.back().ts - 30 * day_ns); // no bars: unknown
    stored("AAPL", aapl.back().ts);               // the same ticker and day: left out
    stored("IBM", aapl.back().ts + 5 * day_ns);   // after the day: left out
  }
  evaluate_options o;
  o.tickers = {"AAPL"};
  o.data = {market + "AAPL_daily_2012-2014.csv", market + "MSFT_daily_2012-2014.csv"};
  o.history_path = history;
  o.json = true;
  std::ostringstream out, err;
  ASSERT_EQ(evaluate_command(o, neutral, out, err), 0) << err.str();
  auto json = out.str();
  EXPECT_NE(json.find("{\"date\": \"2014-06-02\", \"distance\": 0.0000, " + std::string{expected}
                      + ", \"ticker\": \"MSFT\", \"source\": \"past evaluation\"}"),
            std::string::npos)
    << json;
  EXPECT_NE(json.find("\"forward_return\": null, \"ticker\": \"ZZZZ\", \"source\": \"past "
                      "evaluation\""),
            std::string::npos)
    << json;
  EXPECT_EQ(json.find("\"ticker\": \"IBM\""), std::string::npos) << json;
  EXPECT_EQ(json.find("\"ticker\": \"AAPL\", \"source\": \"past evaluation\""), std::string::npos);
  EXPECT_NE(json.find("\"source\": \"history file\""), std::string::npos);

  // In text: five listed, four with an outcome in the band.
  o.json = false;
  std::ostringstream text;
  ASSERT_EQ(evaluate_command(o, neutral, text, err), 0) << err.str();
  EXPECT_NE(text.str().find("from 4 comparable set-ups"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("outcome not yet known  (ZZZZ, past evaluation)"), std::string::npos)
    << text.str();
  // Every evaluation stored its features for the next one.
  history_store h{history};
  auto rows = h.of("AAPL");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.back().features.size(), 5u);
  std::filesystem::remove(history);
}
