// Point-in-time fundamentals for rules: trailing P/E and the latest report's
// surprise and growth, as of a bar's day; and `osprey screen` using them.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/rule_fundamentals.hpp"
#include "runtime/screen_command.hpp"

using namespace osprey;

namespace {

constexpr int64_t day_ns = 86'400'000'000'000;

fundamentals_row report(const char* symbol, int64_t day, double eps, double estimate = NAN,
                        double revenue = NAN, double year_ago = NAN) {
  fundamentals_row r;
  r.symbol = symbol;
  r.date = day * day_ns;
  r.eps_actual = eps;
  r.eps_estimate = estimate;
  r.revenue = revenue;
  r.revenue_year_ago = year_ago;
  return r;
}

// Four quarters of a company earning $1, $1, $1.5 and $1.5 a share.
std::vector<fundamentals_row> quarters() {
  return {report("X", 1000, 1.0), report("X", 1091, 1.0), report("X", 1182, 1.5),
          report("X", 1273, 1.5, 1.2, 110, 100)};
}

} // namespace

TEST(rule_fundamentals, pe_is_the_close_over_the_trailing_four_quarters) {
  auto q = quarters();
  rules::fundamentals f;
  fundamentals_on(q, 1280 * day_ns, 50.0, f);
  EXPECT_DOUBLE_EQ(f.pe, 10.0); // 50 / (1 + 1 + 1.5 + 1.5)
  EXPECT_NEAR(f.eps_surprise_pct, 25.0, 1e-9); // (1.5 - 1.2) / 1.2
  EXPECT_NEAR(f.revenue_growth_pct, 10.0, 1e-9);
}

TEST(rule_fundamentals, only_reports_dated_on_or_before_the_day_count) {
  auto q = quarters();
  rules::fundamentals f;
  fundamentals_on(q, 1272 * day_ns, 50.0, f); // the day before the fourth report
  EXPECT_TRUE(std::isnan(f.pe)) << "three quarters are not a trailing year";
  EXPECT_TRUE(std::isnan(f.eps_surprise_pct)) << "the third report has no estimate";
  rules::fundamentals before;
  fundamentals_on(q, 999 * day_ns, 50.0, before);
  EXPECT_TRUE(std::isnan(before.pe));
  EXPECT_TRUE(std::isnan(before.revenue_growth_pct));
}

TEST(rule_fundamentals, stale_or_negative_earnings_give_no_pe) {
  auto q = quarters();
  rules::fundamentals f;
  fundamentals_on(q, 1401 * day_ns, 50.0, f);
  // At day 1401 the first report (day 1000) is older than 400 days.
  EXPECT_TRUE(std::isnan(f.pe));
  auto losses = quarters();
  losses[0].eps_actual = -5;
  rules::fundamentals l;
  fundamentals_on(losses, 1280 * day_ns, 50.0, l);
  EXPECT_TRUE(std::isnan(l.pe)) << "a loss over the year has no meaningful P/E";
}

TEST(rule_fundamentals, screen_reads_pe_as_of_the_screened_day) {
  // Two symbols at $40 and $80 with the same earnings ($5 a year): P/E 8 and 16.
  auto make = [](const char* name, double close) {
    symbol_bars s{name, {}, quarters()};
    for (auto& r : s.reports)
      r.symbol = name;
    for (int64_t d = 1270; d <= 1290; ++d)
      s.bars.push_back(screen_bar{d * day_ns + 21 * 3'600'000'000'000LL,
                                  ind::bar_input{close, close, close, close, 1000}});
    return s;
  };
  std::vector<symbol_bars> universe{make("CHEAP", 40), make("DEAR", 80)};
  auto rule = rules::compile_rules("pe < 15");
  ASSERT_TRUE(rule) << rule.error().text();
  screen_options o;
  auto r = screen(universe, rule.value(), o);
  ASSERT_EQ(r.passed, 1u);
  EXPECT_EQ(r.rows[0].symbol, "CHEAP");
  EXPECT_NEAR(r.rows[0].rank, 8.0, 1e-9);
  o.day = 1272; // before the fourth quarter is reported: no P/E yet
  auto early = screen(universe, rule.value(), o);
  EXPECT_EQ(early.passed, 0u);
}

TEST(rule_fundamentals, the_screen_command_reads_a_fundamentals_file_and_reports_bad_rows) {
  auto market = std::string{OSPREY_SHARED_DATA} + "/market/";
  if (!std::filesystem::exists(market + "KO_daily_2012-2014.csv"))
    FAIL() << "shared market data not found";
  auto path = (std::filesystem::temp_directory_path()
               / ("osprey-fund-" + std::to_string(::getpid()) + ".csv"))
                .string();
  {
    std::ofstream f{path};
    f << "symbol,date,eps_actual,eps_estimate,revenue,revenue_year_ago\n";
    // KO closed near $40 at the end of 2013; IBM near $187.
    for (auto d : {"2013-02-12", "2013-04-16", "2013-07-16", "2013-10-15"})
      f << "KO," << d << ",0.50,,,\n";
    for (auto d : {"2013-01-22", "2013-04-18", "2013-07-17", "2013-10-16"})
      f << "IBM," << d << ",4.00,,,\n";
    f << "IBM,2013-13-40,1,,,\n";
  }
  screen_command_options o;
  o.data = {market + "KO_daily_2012-2014.csv", market + "IBM_daily_2012-2014.csv"};
  o.fundamentals = {path};
  o.phrase = "P/E under 15";
  o.date = "2013-12-31";
  std::ostringstream out, err;
  EXPECT_EQ(screen_command(o, out, err), 0) << err.str();
  // KO: ~40 / 2.00 = ~20, fails; IBM: ~187 / 16 = ~11.7, passes.
  EXPECT_NE(out.str().find("IBM"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("KO "), std::string::npos) << out.str();
  EXPECT_NE(err.str().find("skipped"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("2013-13-40"), std::string::npos) << err.str();
  std::filesystem::remove(path);
}
