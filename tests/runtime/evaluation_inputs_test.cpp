// The inputs of osprey evaluate: options open interest, fundamentals, and
// trade prints from the --data files, each read with bad rows reported by
// file and line and skipped.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "adapters/csv_fields.hpp"
#include "runtime/evaluation_inputs.hpp"

using namespace osprey;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path()
           / (std::to_string(::getpid()) + "-" + name);
  std::ofstream{p} << text;
  return p.string();
}

int64_t day(const char* ymd) {
  return csv::parse_date_time(ymd)->day_ns;
}

bool has_problem(const std::vector<std::string>& problems, const std::string& where,
                 const std::string& what) {
  for (auto& p : problems)
    if (p.rfind(where, 0) == 0 && p.find(what) != std::string::npos)
      return true;
  return false;
}

headline_reading neutral(const std::string&) {
  return {};
}

} // namespace

TEST(evaluation_inputs, reads_option_interest_rows_and_reports_each_bad_row_by_line) {
  auto path = write_temp("options.csv",
                         "date,symbol,expiry,strike,type,open_interest\n"
                         "2014-12-30,AAPL,2015-01-16,110,call,1000\n"   // 2
                         "2014-12-30,AAPL,2015-01-16,110,P,400\n"       // 3
                         "2014-12-30,AAPL,2015-01-16,115,c,500\n"       // 4
                         "2014-12-30,AAPL,2015-01-16,105,Put,100\n"     // 5
                         "12/30/2014,AAPL,2015-01-16,110,call,1\n"      // 6 bad date
                         "2014-12-30,,2015-01-16,110,call,1\n"          // 7 empty symbol
                         "2014-12-30,AAPL,soon,110,call,1\n"            // 8 bad expiry
                         "2014-12-30,AAPL,2014-12-01,110,call,1\n"      // 9 expired
                         "2014-12-30,AAPL,2015-01-16,-5,call,1\n"       // 10 bad strike
                         "2014-12-30,AAPL,2015-01-16,110,straddle,1\n"  // 11 bad type
                         "2014-12-30,AAPL,2015-01-16,110,call,-3\n"     // 12 negative OI
                         "2014-12-30,AAPL,2015-01-16,110,call,2.5\n"    // 13 fractional OI
                         "2014-12-30,AAPL,2015-01-16,110,call\n"        // 14 short row
                         "\n"                                           // 15 empty
                         "2014-12-31,MSFT,2015-01-16,45,call,10\n");    // 16
  auto r = read_option_interest(path);
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_TRUE(r.rows[0].call);
  EXPECT_FALSE(r.rows[1].call);
  EXPECT_TRUE(r.rows[2].call);
  EXPECT_FALSE(r.rows[3].call);
  EXPECT_EQ(r.rows[0].date, day("2014-12-30"));
  EXPECT_EQ(r.rows[0].expiry, day("2015-01-16"));
  EXPECT_EQ(r.rows[0].strike, 110.0);
  EXPECT_EQ(r.rows[0].open_interest, 1000);
  ASSERT_EQ(r.problems.size(), 10u);
  EXPECT_TRUE(has_problem(r.problems, path + ":6: ", "date \"12/30/2014\" is not YYYY-MM-DD"));
  EXPECT_TRUE(has_problem(r.problems, path + ":7: ", "empty symbol"));
  EXPECT_TRUE(has_problem(r.problems, path + ":8: ", "expiry \"soon\""));
  EXPECT_TRUE(has_problem(r.problems, path + ":9: ", "before the date"));
  EXPECT_TRUE(has_problem(r.problems, path + ":10: ", "strike \"-5\""));
  EXPECT_TRUE(has_problem(r.problems, path + ":11: ", "type \"straddle\""));
  EXPECT_TRUE(has_problem(r.problems, path + ":12: ", "open_interest \"-3\""));
  EXPECT_TRUE(has_problem(r.problems, path + ":13: ", "open_interest \"2.5\""));
  EXPECT_TRUE(has_problem(r.problems, path + ":14: ", "expected 6 fields, found 5"));
  EXPECT_TRUE(has_problem(r.problems, path + ":15: ", "empty line"));
  std::filesystem::remove(path);
}

TEST(evaluation_inputs, call_put_ratio_uses_the_latest_date_on_or_before_the_day) {
  auto path = write_temp("options-dates.csv",
                         "date,symbol,expiry,strike,type,open_interest\n"
                         "2014-12-29,AAPL,2015-01-16,110,call,100\n"
                         "2014-12-29,AAPL,2015-01-16,110,put,100\n"
                         "2014-12-30,AAPL,2015-01-16,110,call,1000\n"
                         "2014-12-30,AAPL,2015-01-16,115,call,500\n"
                         "2014-12-30,AAPL,2015-01-16,110,put,400\n"
                         "2014-12-30,AAPL,2015-01-16,105,put,100\n"
                         "2015-01-05,AAPL,2015-01-16,110,call,9\n"
                         "2015-01-05,AAPL,2015-01-16,110,put,1\n"
                         "2014-12-30,MSFT,2015-01-16,45,call,10\n");
  auto r = read_option_interest(path);
  ASSERT_TRUE(r.problems.empty()) << r.problems[0];
  // 2014-12-31 takes the 2014-12-30 rows: (1000 + 500) / (400 + 100).
  EXPECT_DOUBLE_EQ(call_put_oi_ratio(r.rows, "AAPL", day("2014-12-31")), 3.0);
  EXPECT_DOUBLE_EQ(call_put_oi_ratio(r.rows, "AAPL", day("2014-12-29")), 1.0);
  EXPECT_DOUBLE_EQ(call_put_oi_ratio(r.rows, "AAPL", day("2015-02-01")), 9.0);
  EXPECT_TRUE(std::isnan(call_put_oi_ratio(r.rows, "AAPL", day("2014-12-28")))); // none yet
  EXPECT_TRUE(std::isnan(call_put_oi_ratio(r.rows, "MSFT", day("2014-12-31")))); // no puts
  EXPECT_TRUE(std::isnan(call_put_oi_ratio(r.rows, "KO", day("2014-12-31"))));
  std::filesystem::remove(path);
}

TEST(evaluation_inputs, a_wrong_header_skips_the_file_and_a_missing_file_throws) {
  auto path = write_temp("options-header.csv", "date,symbol,strike\n2014-12-30,AAPL,1\n");
  auto r = read_option_interest(path);
  EXPECT_TRUE(r.rows.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_TRUE(has_problem(r.problems, path + ":1: ", "the header must be")) << r.problems[0];
  auto f = read_fundamentals(path);
  EXPECT_TRUE(f.rows.empty());
  EXPECT_TRUE(has_problem(f.problems, path + ":1: ", "symbol,date,eps_actual")) << f.problems[0];
  std::filesystem::remove(path);
  try {
    read_fundamentals("/nonexistent/fundamentals.csv");
    FAIL() << "read a missing file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("/nonexistent/fundamentals.csv"), std::string::npos);
  }
  EXPECT_THROW(read_option_interest("/nonexistent/options.csv"), std::runtime_error);
}

TEST(evaluation_inputs, reads_fundamentals_with_empty_cells_and_reports_bad_rows) {
  auto path = write_temp("fundamentals.csv",
                         "symbol,date,eps_actual,eps_estimate,revenue,revenue_year_ago\n"
                         "AAPL,2014-10-20,1.42,1.31,42.1e9,37.4e9\n"  // 2
                         "AAPL,2014-07-22,1.28,,37.4e9,\n"            // 3 empty cells
                         "AAPL,2014-10-20,1.0,1.0,1,1\n"              // 4 duplicate
                         "MSFT,20141023,0.54,0.49,23.2e9,18.5e9\n"    // 5 bad date
                         "MSFT,2014-10-23,lots,0.49,23.2e9,18.5e9\n"  // 6 bad number
                         "MSFT,2014-10-23,0.54,0.49,-1,18.5e9\n"      // 7 negative revenue
                         ",2014-10-23,0.54,0.49,23.2e9,18.5e9\n"      // 8 empty symbol
                         "MSFT,2014-10-23,0.54,0.49\n");              // 9 short
  auto r = read_fundamentals(path);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].symbol, "AAPL");
  EXPECT_EQ(r.rows[0].date, day("2014-10-20"));
  EXPECT_DOUBLE_EQ(r.rows[0].eps_actual, 1.42);
  EXPECT_DOUBLE_EQ(r.rows[0].revenue, 42.1e9);
  EXPECT_TRUE(std::isnan(r.rows[1].eps_estimate));
  EXPECT_TRUE(std::isnan(r.rows[1].revenue_year_ago));
  ASSERT_EQ(r.problems.size(), 6u);
  EXPECT_TRUE(has_problem(r.problems, path + ":4: ", "a second report of AAPL on 2014-10-20"));
  EXPECT_TRUE(has_problem(r.problems, path + ":5: ", "date \"20141023\""));
  EXPECT_TRUE(has_problem(r.problems, path + ":6: ", "eps_actual \"lots\" is not a number"));
  EXPECT_TRUE(has_problem(r.problems, path + ":7: ", "revenue must not be negative"));
  EXPECT_TRUE(has_problem(r.problems, path + ":8: ", "empty symbol"));
  EXPECT_TRUE(has_problem(r.problems, path + ":9: ", "expected 6 fields, found 4"));
  std::filesystem::remove(path);
}

TEST(evaluation_inputs, fundamentals_give_surprise_and_growth_from_the_latest_report) {
  std::vector<fundamentals_row> rows = {
    {"ACME", day("2014-04-20"), 0.90, 1.00, 90, 100},
    {"ACME", day("2014-07-20"), 1.10, 1.00, 120, 100},
    {"ACME", day("2014-10-20"), 5.00, 1.00, 500, 100}, // after the day: not used
    {"LOSS", day("2014-07-20"), -0.50, -1.00, 50, 0},
    {"ZERO", day("2014-07-20"), 0.10, 0.0, missing, 80},
  };
  other_features o;
  fill_fundamentals(rows, "ACME", day("2014-08-01"), o);
  EXPECT_NEAR(o.earnings_surprise_pct, 10.0, 1e-9); // (1.10 - 1.00) / 1.00
  EXPECT_NEAR(o.revenue_growth_pct, 20.0, 1e-9);    // 120 / 100 - 1
  other_features early;
  fill_fundamentals(rows, "ACME", day("2014-05-01"), early);
  EXPECT_NEAR(early.earnings_surprise_pct, -10.0, 1e-9);
  EXPECT_NEAR(early.revenue_growth_pct, -10.0, 1e-9);
  other_features loss;
  fill_fundamentals(rows, "LOSS", day("2014-08-01"), loss);
  EXPECT_NEAR(loss.earnings_surprise_pct, 50.0, 1e-9); // a smaller loss than feared
  EXPECT_TRUE(std::isnan(loss.revenue_growth_pct));    // no revenue a year ago
  other_features zero;
  fill_fundamentals(rows, "ZERO", day("2014-08-01"), zero);
  EXPECT_TRUE(std::isnan(zero.earnings_surprise_pct)); // estimate 0: undefined
  EXPECT_TRUE(std::isnan(zero.revenue_growth_pct));    // revenue empty
  other_features none;
  fill_fundamentals(rows, "ACME", day("2014-01-01"), none);
  EXPECT_TRUE(std::isnan(none.earnings_surprise_pct));
}

TEST(evaluation_inputs, trades_in_the_data_files_become_prints_and_daily_bars) {
  auto path = write_temp("ACME_trades.csv",
                         "ts_event,symbol,kind,price,size\n"
                         "2026-01-05T14:31:00Z,ACME,trade,10.00,500\n"
                         "2026-01-05T15:00:00Z,ACME,trade,11.50,20000\n"
                         "2026-01-05T20:00:00Z,ACME,trade,10.50,100\n"
                         "2026-01-06T14:31:00Z,ACME,trade,12.00,bad\n"
                         "2026-01-06T14:32:00Z,ACME,trade,12.25,300\n");
  std::ostringstream err;
  auto in = load_evaluation_inputs({{path}, {}, {}, {}}, neutral, err);
  EXPECT_NE(err.str().find(path + ":5"), std::string::npos) << err.str();
  ASSERT_EQ(in.trades["ACME"].size(), 4u);
  EXPECT_EQ(in.trades["ACME"][1].price_micros, 11'500'000);
  EXPECT_EQ(in.trades["ACME"][1].size, 20'000);
  auto& bars = in.bars["ACME"];
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_DOUBLE_EQ(bars[0].open, 10.0);
  EXPECT_DOUBLE_EQ(bars[0].high, 11.5);
  EXPECT_DOUBLE_EQ(bars[0].low, 10.0);
  EXPECT_DOUBLE_EQ(bars[0].close, 10.5);
  EXPECT_DOUBLE_EQ(bars[0].volume, 20'600.0);
  EXPECT_EQ(bars[1].ts, in.trades["ACME"][3].ts);
  std::filesystem::remove(path);
}
