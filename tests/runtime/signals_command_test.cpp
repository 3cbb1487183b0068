// osprey signals: indicator values per bar as CSV.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "runtime/signals_command.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in{s};
  std::string l;
  while (std::getline(in, l))
    out.push_back(l);
  return out;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in{line};
  std::string f;
  while (std::getline(in, f, ','))
    out.push_back(f);
  if (!line.empty() && line.back() == ',')
    out.push_back("");
  return out;
}

} // namespace

TEST(signals_command, names_columns_as_the_list_says) {
  EXPECT_EQ(indicator_columns(default_indicator_list),
            (std::vector<std::string>{"sma_20", "ema_20", "rsi_14", "macd_12_26_9",
                                      "macd_12_26_9_signal", "macd_12_26_9_hist",
                                      "bb_20_2_upper", "bb_20_2_middle", "bb_20_2_lower",
                                      "atr_14"}));
}

TEST(signals_command, a_bad_list_says_which_entry_and_why) {
  std::ostringstream out, err;
  EXPECT_EQ(signals_command({}, "sma:20,foo:3", out, err), 2);
  EXPECT_NE(err.str().find("unknown indicator \"foo\""), std::string::npos) << err.str();
  std::ostringstream err2;
  EXPECT_EQ(signals_command({}, "macd:12:26", out, err2), 2);
  EXPECT_NE(err2.str().find("macd:12:26: expected macd:FAST:SLOW:SIGNAL"), std::string::npos)
    << err2.str();
  std::ostringstream err3;
  EXPECT_EQ(signals_command({}, "sma:0", out, err3), 2);
  EXPECT_NE(err3.str().find("\"0\" is not a period"), std::string::npos) << err3.str();
}

TEST(signals_command, prints_every_bar_blank_while_warming_and_the_sma_by_hand) {
  if (!std::filesystem::exists(market + "ORCL_daily_1995-2014.csv"))
    FAIL() << "shared market data not found at " << market;
  std::ostringstream out, err;
  ASSERT_EQ(signals_command({market + "ORCL_daily_1995-2014.csv"}, "sma:3,rsi:14", out, err), 0)
    << err.str();
  auto lines = lines_of(out.str());
  ASSERT_GT(lines.size(), 100u);
  EXPECT_EQ(lines[0], "date,symbol,sma_3,rsi_14");
  auto first = fields_of(lines[1]);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[1], "ORCL");
  EXPECT_EQ(first[2], ""); // sma_3 needs three bars
  EXPECT_EQ(fields_of(lines[2])[2], "");
  // The third bar's SMA(3) is the mean of the first three closes, read
  // from the file itself.
  std::ifstream csv{market + "ORCL_daily_1995-2014.csv"};
  std::string row;
  std::getline(csv, row); // header
  double sum = 0;
  for (int k = 0; k < 3; ++k) {
    std::getline(csv, row);
    sum += std::stod(fields_of(row)[4]); // Date,Open,High,Low,Close,...
  }
  EXPECT_NEAR(std::stod(fields_of(lines[3])[2]), sum / 3, 1e-9);
  EXPECT_EQ(fields_of(lines[14])[3], "");  // RSI(14) needs 15 prices
  EXPECT_NE(fields_of(lines[15])[3], "");
}

TEST(signals_command, intraday_bars_get_a_time_column) {
  if (!std::filesystem::exists(market + "STOXX50_futures_1min_2006-01.csv"))
    FAIL() << "shared market data not found at " << market;
  std::ostringstream out, err;
  ASSERT_EQ(signals_command({market + "STOXX50_futures_1min_2006-01.csv"}, "vwap,obv", out, err),
            0)
    << err.str();
  auto lines = lines_of(out.str());
  ASSERT_GT(lines.size(), 2u);
  EXPECT_EQ(lines[0], "date,time,symbol,vwap,obv");
  EXPECT_EQ(fields_of(lines[1]).size(), 5u);
}
