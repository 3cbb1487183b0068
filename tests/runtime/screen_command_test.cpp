#include "runtime/screen_command.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/csv_fields.hpp"

namespace osprey {
namespace {

namespace fs = std::filesystem;
constexpr int64_t day_ns = 86'400'000'000'000;
constexpr int64_t close_ns = 21LL * 3600 * 1'000'000'000;

// Day 19000 is 2022-01-08; bars are daily, stamped at 21:00 UTC.
constexpr int64_t first_day = 19000;

screen_bar bar_on(int64_t day, double close, double volume = 1000) {
  return screen_bar{day * day_ns + close_ns,
                    ind::bar_input{close, close + 1, close - 1, close, volume}};
}

symbol_bars closes(std::string name, const std::vector<double>& cs, int64_t from = first_day) {
  symbol_bars s{std::move(name), {}, {}};
  for (size_t i = 0; i < cs.size(); ++i)
    s.bars.push_back(bar_on(from + static_cast<int64_t>(i), cs[i]));
  return s;
}

// A deterministic random walk (a linear congruential generator), so the
// indicators see varied bars.
symbol_bars walk(std::string name, size_t n, uint32_t seed, int64_t step_ns = day_ns) {
  symbol_bars s{std::move(name), {}, {}};
  double p = 100;
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    double r = static_cast<double>(x >> 8) / 16777216.0 - 0.5;
    double open = p;
    p *= 1.0 + r * 0.04;
    double hi = std::max(open, p) * 1.005, lo = std::min(open, p) * 0.995;
    s.bars.push_back(screen_bar{first_day * day_ns + close_ns + static_cast<int64_t>(i) * step_ns,
                                ind::bar_input{open, hi, lo, p, 1000.0 + (x >> 20)}});
  }
  return s;
}

rules::compiled_rules compiled(const std::string& text) {
  auto r = rules::compile_rules(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().text());
  return r.value();
}

rules::compiled_rules number(const std::string& text) {
  auto r = rules::compile_expression(text, rules::value_type::number);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().text());
  return r.value();
}

std::vector<std::string> symbols_of(const screen_result& r, screen_status s) {
  std::vector<std::string> out;
  for (auto& row : r.rows)
    if (row.status == s)
      out.push_back(row.symbol);
  return out;
}

const screen_row& row_of(const screen_result& r, const std::string& symbol) {
  for (auto& row : r.rows)
    if (row.symbol == symbol)
      return row;
  throw std::runtime_error("no row for " + symbol);
}

TEST(screen, passes_and_fails_each_symbol_at_its_latest_bar) {
  std::vector<symbol_bars> u{closes("AAA", {9, 12}), closes("BBB", {20, 8}), closes("CCC", {1, 15})};
  auto r = screen(u, compiled("close > 10"), {});
  EXPECT_EQ(symbols_of(r, screen_status::passed), (std::vector<std::string>{"CCC", "AAA"}));
  EXPECT_EQ(symbols_of(r, screen_status::failed), (std::vector<std::string>{"BBB"}));
  EXPECT_EQ(r.passed, 2u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.skipped, 0u);
  auto& c = row_of(r, "CCC");
  EXPECT_EQ(c.ts, (first_day + 1) * day_ns + close_ns);
  EXPECT_DOUBLE_EQ(c.rank, 15.0);
  ASSERT_EQ(c.values.size(), 1u);
  EXPECT_DOUBLE_EQ(c.values[0].left, 15.0);
  EXPECT_DOUBLE_EQ(c.values[0].right, 10.0);
  EXPECT_EQ(c.values[0].result, 1);
}

TEST(screen, ranks_highest_first_and_breaks_ties_by_symbol_name) {
  std::vector<symbol_bars> u{closes("ZED", {12}), closes("ALF", {12}), closes("MID", {30}),
                             closes("BOB", {11})};
  auto r = screen(u, compiled("close > 10"), {});
  EXPECT_EQ(symbols_of(r, screen_status::passed),
            (std::vector<std::string>{"MID", "ALF", "ZED", "BOB"}));
  screen_options asc;
  asc.ascending = true;
  auto a = screen(u, compiled("close > 10"), asc);
  EXPECT_EQ(symbols_of(a, screen_status::passed),
            (std::vector<std::string>{"BOB", "ALF", "ZED", "MID"}));
}

TEST(screen, ranks_by_the_non_constant_side_when_the_left_is_a_number) {
  std::vector<symbol_bars> u{closes("A", {50}), closes("B", {70})};
  auto r = screen(u, compiled("10 < close"), {});
  EXPECT_EQ(symbols_of(r, screen_status::passed), (std::vector<std::string>{"B", "A"}));
  EXPECT_DOUBLE_EQ(row_of(r, "B").rank, 70.0);
}

TEST(screen, ranks_by_a_rank_expression_reading_its_own_indicators) {
  std::vector<symbol_bars> u{closes("UP", {1, 2, 3, 4}), closes("FLAT", {5, 5, 5, 5}),
                             closes("DOWN", {9, 8, 7, 6})};
  auto rank = number("close - sma(close, 3)[1]");
  screen_options o;
  o.rank = &rank;
  auto r = screen(u, compiled("close > 0 and close > ema(2)[1] - 100"), o);
  EXPECT_EQ(symbols_of(r, screen_status::passed),
            (std::vector<std::string>{"UP", "FLAT", "DOWN"}));
  EXPECT_DOUBLE_EQ(row_of(r, "UP").rank, 4.0 - 2.0);
  EXPECT_DOUBLE_EQ(row_of(r, "DOWN").rank, 6.0 - 8.0);
}

TEST(screen, missing_ranks_go_last) {
  std::vector<symbol_bars> u{closes("A", {5, 6}), closes("B", {7, 8})};
  auto rank = number("pe");
  screen_options o;
  o.rank = &rank;
  auto r = screen(u, compiled("close > 1"), o);
  EXPECT_TRUE(std::isnan(row_of(r, "A").rank));
  EXPECT_EQ(symbols_of(r, screen_status::passed), (std::vector<std::string>{"A", "B"}));
}

TEST(screen, date_picks_the_last_bar_on_or_before_it) {
  // Bars on days 0, 1, 2 and 5 (a long weekend).
  symbol_bars s{"X", {bar_on(first_day, 1), bar_on(first_day + 1, 2), bar_on(first_day + 2, 3),
                      bar_on(first_day + 5, 4)}, {}};
  symbol_bars late = closes("LATE", {100}, first_day + 4);
  std::vector<symbol_bars> u{s, late};
  screen_options o;
  o.day = first_day + 4;
  auto r = screen(u, compiled("close > 0"), o);
  EXPECT_EQ(row_of(r, "X").ts, (first_day + 2) * day_ns + close_ns);
  EXPECT_DOUBLE_EQ(row_of(r, "X").rank, 3.0);
  EXPECT_EQ(row_of(r, "LATE").status, screen_status::passed);
  o.day = first_day + 1;
  r = screen(u, compiled("close > 0"), o);
  EXPECT_DOUBLE_EQ(row_of(r, "X").rank, 2.0);
  EXPECT_EQ(row_of(r, "LATE").status, screen_status::no_bar);
  EXPECT_EQ(r.skipped, 1u);
  // The skipped row comes after the evaluated ones.
  EXPECT_EQ(r.rows.back().symbol, "LATE");
  o.day = first_day - 1;
  r = screen(u, compiled("close > 0"), o);
  EXPECT_EQ(r.skipped, 2u);
}

TEST(screen, reports_not_enough_history_instead_of_evaluating) {
  std::vector<symbol_bars> u{closes("SHORT", {1, 2, 3}), closes("LONG", {1, 2, 3, 4, 5, 6})};
  auto r = screen(u, compiled("close > sma(close, 5)"), {});
  auto& s = row_of(r, "SHORT");
  EXPECT_EQ(s.status, screen_status::not_enough_history);
  EXPECT_EQ(s.needs, 5u);
  EXPECT_EQ(s.has, 3u);
  EXPECT_EQ(row_of(r, "LONG").status, screen_status::passed);
  // A look-back adds to the warm-up: highest of 3 bars, one bar ago.
  r = screen(u, compiled("close > highest(high, 3)[1]"), {});
  EXPECT_EQ(r.needs, 4u);
  EXPECT_EQ(row_of(r, "SHORT").status, screen_status::not_enough_history);
  r = screen(u, compiled("close > close[2]"), {});
  EXPECT_EQ(r.needs, 3u);
  EXPECT_EQ(row_of(r, "SHORT").status, screen_status::passed);
}

TEST(screen, ready_bars_is_when_every_column_of_each_indicator_first_exists) {
  auto specs = ind::parse_indicator_list(
    "sma:5,ema:5,wma:5,rsi:5,stdev:5,zscore:5,roc:5,macd:3:6:4,bb:5:2,atr:5,adx:5,stoch:5:3:3,"
    "obv,vwap,rvwap:5,volratio:5,breakout:5,rvol:5,gap,avg:volume:5,highest:high:5,lowest:low:5");
  auto bars = walk("W", 40, 7);
  for (auto& spec : specs) {
    size_t ready = ready_bars(spec);
    ind::indicator_set set{{spec}};
    std::vector<double> v(set.width());
    for (size_t i = 0; i < ready; ++i) {
      set.update(bars.bars[i].bar, static_cast<int64_t>(i), v.data());
      bool all_there = std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
      EXPECT_EQ(all_there, i + 1 == ready) << spec.text << " after " << i + 1 << " bars";
    }
  }
}

TEST(screen, warmup_bars_feeds_recursive_indicators_until_the_seed_fades) {
  auto rsi = ind::parse_indicator("rsi:14");
  // (13/14)^k <= 1e-4 from k = 125.
  EXPECT_EQ(warmup_bars(rsi, 1e-4), 15u + 125u);
  EXPECT_EQ(warmup_bars(ind::parse_indicator("sma:50"), 1e-4), 50u);
  EXPECT_EQ(warmup_bars(ind::parse_indicator("obv"), 1e-4), SIZE_MAX);
  EXPECT_EQ(warmup_bars(ind::parse_indicator("sma:50"), 0), SIZE_MAX);
  auto w = window_of(compiled("rsi(14) < 30 and close > sma(close, 50)[2]"), nullptr, 1e-4);
  EXPECT_EQ(w.needs, 52u);
  EXPECT_EQ(w.feeds, 142u);
}

TEST(screen, warming_on_the_last_bars_matches_the_full_history_within_tolerance) {
  std::vector<symbol_bars> u;
  for (uint32_t i = 0; i < 20; ++i) {
    std::string name = "S"; // not "S" + ...: a false -Wrestrict in g++ 12 -O3
    name += std::to_string(100 + i);
    u.push_back(walk(name, 600, i + 1));
  }
  // One recursive indicator at a time, so that none is warmed by another's window.
  for (std::string rank_text : {"rsi(14)", "ema(20)", "atr(10)", "adx(7)", "macd(12, 26, 9).signal",
                                "macd(5, 8, 30).signal", "sma(close, 30)[3] + highest(high, 20)"}) {
    auto rank = number(rank_text);
    screen_options windowed, full;
    windowed.rank = full.rank = &rank;
    full.tolerance = 0;
    auto a = screen(u, compiled("close > 0"), windowed);
    auto b = screen(u, compiled("close > 0"), full);
    ASSERT_LT(a.feeds, 600u) << rank_text;
    for (auto& row : a.rows) {
      double exact = row_of(b, row.symbol).rank;
      EXPECT_NEAR(row.rank, exact, 1e-3 * std::max(1.0, std::fabs(exact)))
        << rank_text << " " << row.symbol;
    }
  }
}

TEST(screen, obv_and_session_vwap_are_fed_what_they_need) {
  // Hourly bars: 6 sessions of 24.
  std::vector<symbol_bars> u{walk("H", 144, 3, 3'600'000'000'000)};
  for (std::string rank_text : {"obv", "vwap"}) {
    auto rank = number(rank_text);
    screen_options windowed, full;
    windowed.rank = full.rank = &rank;
    full.tolerance = 0;
    auto a = screen(u, compiled("close > 0"), windowed);
    auto b = screen(u, compiled("close > 0"), full);
    EXPECT_DOUBLE_EQ(a.rows[0].rank, b.rows[0].rank) << rank_text;
  }
}

TEST(screen, parses_and_formats_dates) {
  EXPECT_EQ(parse_screen_date("2022-01-08"), first_day);
  EXPECT_EQ(format_screen_date(first_day), "2022-01-08");
  EXPECT_FALSE(parse_screen_date("2022-13-01"));
  EXPECT_FALSE(parse_screen_date("20220108"));
  EXPECT_FALSE(parse_screen_date("yesterday"));
  EXPECT_EQ(screen_day(first_day * day_ns + close_ns), first_day);
  EXPECT_EQ(screen_day((first_day + 1) * day_ns), first_day); // closing at midnight
}

// ---- the command ---------------------------------------------------------

class screen_files : public ::testing::Test {
protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("osprey-screen-" + name);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    auto p = (dir_ / name).string();
    std::ofstream{p} << text;
    return p;
  }

  // Daily closes from 2022-01-03 on, one per line.
  std::string daily(const std::string& symbol, const std::vector<double>& cs) {
    std::string t = "date,open,high,low,close,volume\n";
    for (size_t i = 0; i < cs.size(); ++i) {
      auto when = format_screen_date(first_day - 5 + static_cast<int64_t>(i));
      auto c = std::to_string(cs[i]);
      t += when + "," + c + "," + c + "," + c + "," + c + ",1000\n";
    }
    return write(symbol + "_daily.csv", t);
  }

  int run(screen_command_options o) {
    out_.str({});
    err_.str({});
    return screen_command(o, out_, err_);
  }

  fs::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(screen_files, prints_the_passing_symbols_as_an_aligned_table) {
  screen_command_options o;
  o.data = {daily("AAA", {5, 12}), daily("BBBB", {5, 20}), daily("C", {5, 4})};
  o.rule = "close > 10";
  EXPECT_EQ(run(o), 0) << err_.str();
  EXPECT_EQ(out_.str(),
            "symbol  date        result  rank  values\n"
            "BBBB    2022-01-04  pass    20    close > 10: 20 > 10\n"
            "AAA     2022-01-04  pass    12    close > 10: 12 > 10\n"
            "2 of 3 symbols passed (1 failed, 0 skipped)\n");
  o.all = true;
  o.top = 2;
  EXPECT_EQ(run(o), 0);
  EXPECT_EQ(out_.str().find("C  "), std::string::npos) << "--top 2 keeps two rows";
  o.top = 0;
  EXPECT_EQ(run(o), 0);
  EXPECT_NE(out_.str().find("C       2022-01-04  fail    4     close > 10: 4 > 10 false"),
            std::string::npos)
    << out_.str();
}

TEST_F(screen_files, prints_json_with_the_values_behind_each_row) {
  screen_command_options o;
  o.data = {daily("AAA", {5, 12}), daily("LATE", {5})};
  o.rule = "close > 10 and close > close[1]";
  o.json = true;
  o.all = true;
  EXPECT_EQ(run(o), 0) << err_.str();
  EXPECT_EQ(out_.str(),
            "[\n"
            " {\"symbol\": \"AAA\", \"date\": \"2022-01-04\", \"passed\": true, \"rank\": 12, "
            "\"values\": [{\"text\": \"close > 10\", \"left\": 12, \"right\": 10, \"result\": "
            "true}, {\"text\": \"close > close[1]\", \"left\": 12, \"right\": 5, \"result\": "
            "true}]},\n"
            " {\"symbol\": \"LATE\", \"date\": \"2022-01-03\", \"passed\": false, \"rank\": null, "
            "\"skipped\": \"not enough history (needs 2 bars, has 1)\", \"values\": []}\n"
            "]\n");
}

TEST_F(screen_files, lists_skipped_symbols_and_csv_rows_it_could_not_read) {
  screen_command_options o;
  auto bad = write("BAD_daily.csv",
                   "date,open,high,low,close,volume\n2022-01-03,1,1,1,1,10\nnot-a-date,1,1,1,1,1\n");
  o.data = {daily("AAA", {5, 12}), bad};
  o.rule = "close > sma(close, 2)";
  EXPECT_EQ(run(o), 0) << err_.str();
  EXPECT_NE(err_.str().find("osprey screen: skipped " + bad + ":3:"), std::string::npos)
    << err_.str();
  EXPECT_NE(out_.str().find("skipped BAD: not enough history (needs 2 bars, has 1)"),
            std::string::npos)
    << out_.str();
}

TEST_F(screen_files, prints_the_rule_a_phrase_became) {
  screen_command_options o;
  o.data = {daily("AAA", {5, 12})};
  o.phrase = "price above 10";
  EXPECT_EQ(run(o), 0) << err_.str();
  EXPECT_EQ(out_.str().rfind("rule: close > 10\n", 0), 0u) << out_.str();
}

TEST_F(screen_files, refuses_a_phrase_naming_the_words_it_did_not_understand) {
  screen_command_options o;
  o.data = {daily("AAA", {5, 12})};
  o.phrase = "price bounces off support";
  EXPECT_EQ(run(o), 2);
  EXPECT_NE(err_.str().find("could not translate the phrase: did not understand \"bounces\""),
            std::string::npos)
    << err_.str();
  EXPECT_EQ(out_.str(), "");
}

TEST_F(screen_files, a_rule_that_does_not_compile_shows_where) {
  screen_command_options o;
  o.data = {daily("AAA", {5, 12})};
  o.rule = "clsoe > 1";
  EXPECT_EQ(run(o), 2);
  EXPECT_EQ(err_.str(), "osprey screen: the rule does not compile:\n"
                        "1:1: unknown name \"clsoe\" (did you mean \"close\"?)\nclsoe > 1\n^\n");
  o.rule = "close > 1";
  o.rank = "close > 2";
  EXPECT_EQ(run(o), 2);
  EXPECT_NE(err_.str().find("the --rank expression does not compile:\n1:1: "), std::string::npos)
    << err_.str();
}

TEST_F(screen_files, refuses_missing_or_empty_data_and_bad_dates) {
  screen_command_options o;
  o.rule = "close > 1";
  EXPECT_EQ(run(o), 2);
  EXPECT_EQ(err_.str(), "osprey screen: no data files (--data FILE...)\n");
  o.data = {(dir_ / "NOPE.csv").string()};
  EXPECT_EQ(run(o), 2);
  EXPECT_NE(err_.str().find("NOPE.csv does not exist"), std::string::npos) << err_.str();
  o.data = {write("EMPTY.csv", "date,open,high,low,close,volume\n")};
  EXPECT_EQ(run(o), 2);
  EXPECT_EQ(err_.str(), "osprey screen: the data files hold no bars: the universe is empty\n");
  o.data = {write("ODD.csv", "what,ever\n1,2\n")};
  EXPECT_EQ(run(o), 2);
  EXPECT_NE(err_.str().find("ODD.csv"), std::string::npos) << err_.str();
  o.data = {daily("AAA", {5, 12})};
  o.date = "2022-02-30";
  EXPECT_EQ(run(o), 2);
  EXPECT_EQ(err_.str(), "osprey screen: --date \"2022-02-30\" is not a date (YYYY-MM-DD)\n");
  o.date = "2021-12-31";
  EXPECT_EQ(run(o), 1);
  EXPECT_EQ(err_.str(),
            "osprey screen: no symbol has a bar on or before 2021-12-31 (the data starts later)\n");
  o.date.clear();
  o.phrase = "price above 1";
  EXPECT_EQ(run(o), 2);
  EXPECT_EQ(err_.str(), "osprey screen: give exactly one of --rule and --phrase\n");
}

// ---- real data -------------------------------------------------------------

struct row_text {
  int64_t day;
  double close, volume;
};

// Reads date and close and volume columns with nothing of the project's.
std::vector<row_text> read_plain(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  std::getline(in, line);
  std::vector<row_text> out;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss{line};
    for (std::string x; std::getline(ss, x, ',');)
      f.push_back(x);
    int y = std::stoi(f[0].substr(0, 4)), m = std::stoi(f[0].substr(5, 2)),
        d = std::stoi(f[0].substr(8, 2));
    out.push_back({csv::days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)),
                   std::stod(f[4]), std::stod(f[5])});
  }
  return out;
}

TEST(screen_real_data, matches_an_independent_recomputation) {
  std::string dir = OSPREY_SHARED_DATA "/market/";
  std::vector<std::string> names{"AAPL", "IBM", "KO", "MSFT"};
  std::vector<std::string> paths;
  for (auto& n : names) {
    paths.push_back(dir + n + "_daily_2012-2014.csv");
    if (!fs::exists(paths.back()))
      FAIL() << paths.back() << " is absent";
  }
  std::ostringstream err;
  auto universe = load_screen_bars(paths, err);
  ASSERT_EQ(universe.size(), 4u);
  auto rule = compiled("close > sma(close, 50) and volume > avg(volume, 20)[1]");
  for (std::string date : {"2012-11-15", "2013-06-28", "2014-03-14", "2014-12-31"}) {
    screen_options o;
    o.day = *parse_screen_date(date);
    auto r = screen(universe, rule, o);
    ASSERT_EQ(r.rows.size(), 4u);
    for (size_t k = 0; k < names.size(); ++k) {
      auto rows = read_plain(paths[k]);
      size_t end = 0;
      while (end < rows.size() && rows[end].day <= *o.day)
        ++end;
      ASSERT_GE(end, 51u);
      double sma = 0, vol = 0;
      for (size_t i = end - 50; i < end; ++i)
        sma += rows[i].close / 50;
      for (size_t i = end - 21; i < end - 1; ++i)
        vol += rows[i].volume / 20;
      auto& last = rows[end - 1];
      bool pass = last.close > sma && last.volume > vol;
      auto& row = row_of(r, names[k]);
      EXPECT_EQ(row.status == screen_status::passed, pass) << names[k] << " " << date;
      EXPECT_EQ(screen_day(row.ts), last.day) << names[k] << " " << date;
      EXPECT_NEAR(row.rank, last.close, 1e-6) << names[k] << " " << date;
      ASSERT_EQ(row.values.size(), 2u);
      EXPECT_NEAR(row.values[0].right, sma, 1e-6 * sma) << names[k] << " " << date;
      EXPECT_NEAR(row.values[1].right, vol, 1e-6 * vol) << names[k] << " " << date;
    }
  }
}

} // namespace
} // namespace osprey
