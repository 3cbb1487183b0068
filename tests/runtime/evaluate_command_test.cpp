// osprey evaluate and osprey history on real daily bars.

#include <gtest/gtest.h>

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
    GTEST_SKIP() << "shared market data not found at " << market;
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
    GTEST_SKIP() << "shared market data not found at " << market;
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
