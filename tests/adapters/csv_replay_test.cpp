#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "adapters/csv_replay.hpp"

using namespace osprey;
namespace fs = std::filesystem;

namespace {

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t close_21h = 21 * 3600 * sec;

std::string market(const char* name) {
  return std::string{OSPREY_SHARED_DATA} + "/market/" + name;
}

#define REQUIRE_DATA(path)                                                     \
  do {                                                                         \
    if (!fs::exists(path)) {                                                   \
      FAIL() << "shared data absent: " << (path);                        \
    }                                                                          \
  } while (false)

// Counts the data lines of a file on its own terms: every non-empty line
// after the header.
size_t data_lines(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  size_t n = 0;
  std::getline(in, line);
  while (std::getline(in, line))
    n += !line.empty() && line != "\r";
  return n;
}

// A scratch directory removed at the end of the test.
struct temp_dir {
  fs::path dir;
  temp_dir() {
    static int counter = 0;
    std::string name = "osprey_csv_";
    name += std::to_string(::getpid());
    name += '_';
    name += std::to_string(counter++);
    dir = fs::temp_directory_path() / name;
    fs::create_directories(dir);
  }
  ~temp_dir() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = (dir / name).string();
    std::ofstream{p, std::ios::binary} << text;
    return p;
  }
};

const fb::Bar& bar(const msg& m) {
  auto b = m.as<fb::Bar>();
  if (!b)
    throw std::runtime_error("not a bar");
  return *b;
}

struct ohlcv {
  int64_t o, h, l, c, v;
};

void expect_bar(const msg& m, int64_t ts, ohlcv x) {
  auto& b = bar(m);
  EXPECT_EQ(m.ts_event(), ts);
  EXPECT_EQ(b.open(), x.o);
  EXPECT_EQ(b.high(), x.h);
  EXPECT_EQ(b.low(), x.l);
  EXPECT_EQ(b.close(), x.c);
  EXPECT_EQ(shares_from_nanos(b.volume()), x.v);
}

bool has_problem(const replay_report& r, const std::string& where,
                 const std::string& what) {
  return std::any_of(r.problems.begin(), r.problems.end(), [&](auto& p) {
    return p.find(where) != std::string::npos && p.find(what) != std::string::npos;
  });
}

} // namespace

// ---- real files -----------------------------------------------------------

TEST(csv_replay, reads_every_row_of_every_real_file) {
  for (auto name :
       {"AAPL_daily_2012-2014.csv", "IBM_daily_2012-2014.csv", "KO_daily_2012-2014.csv",
        "MSFT_daily_2012-2014.csv", "GOOG_daily_2004-2013.csv", "ORCL_daily_1995-2014.csv",
        "YHOO_daily_1996-2015.csv", "NVDA_daily_1999-2014.csv",
        "STOXX50_futures_1min_2006-01.csv", "STOXX50_index_daily_2006.csv"}) {
    auto path = market(name);
    REQUIRE_DATA(path);
    symbol_table t;
    auto r = read_all_csv({path}, {}, t);
    auto lines = data_lines(path);
    EXPECT_EQ(r.report.rows, lines) << name;
    EXPECT_EQ(r.messages.size(), lines) << name;
    EXPECT_EQ(r.report.skipped(), 0u) << name << ": " << r.report.problems.front();
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t.names()[0], std::string{name}.substr(0, std::string{name}.find('_')));
  }
}

TEST(csv_replay, reads_zipline_bars_exactly_at_the_session_close) {
  auto path = market("AAPL_daily_2012-2014.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  ASSERT_EQ(r.messages.size(), 754u);
  expect_bar(r.messages.front(), 1'325'548'800 * sec + close_21h,
             {58'485'714, 58'928'570, 58'428'570, 58'747'143, 75'555'200});
  expect_bar(r.messages.back(), 1'420'059'600 * sec,
             {112'820'000, 113'129'997, 110'209'999, 110'379'997, 41'403'400});
  EXPECT_EQ(bar(r.messages.front()).interval_s(), 86'400u);
  EXPECT_EQ(bar(r.messages.front()).symbol(), t.find("AAPL")->value);
}

TEST(csv_replay, back_adjusts_aapl_for_the_seven_for_one_split_when_told) {
  auto path = market("AAPL_daily_2012-2014.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  csv_replay_options opt;
  opt.splits = split_adjustment::always;
  auto adj = read_all_csv({path}, opt, t);
  opt.splits = split_adjustment::never;
  auto raw = read_all_csv({path}, opt, t);
  ASSERT_EQ(adj.messages.size(), raw.messages.size());
  // 2014-06-06 is message 609 (line 611), 2014-06-09 the split day.
  expect_bar(adj.messages[609], 1'402'088'400 * sec,
             {13'263'265, 13'291'020, 13'152'449, 13'174'898, 612'392'200});
  expect_bar(adj.messages.front(), 1'325'548'800 * sec + close_21h,
             {8'355'102, 8'418'367, 8'346'939, 8'392'449, 528'886'400});
  for (size_t i = 0; i < raw.messages.size(); ++i) {
    auto& a = bar(adj.messages[i]);
    auto& b = bar(raw.messages[i]);
    if (i < 610) {
      EXPECT_EQ(a.close(), (b.close() * 2 + 7) / 14) << i; // b / 7, rounded
      EXPECT_EQ(shares_from_nanos(a.volume()), shares_from_nanos(b.volume()) * 7) << i;
    } else {
      EXPECT_EQ(a.close(), b.close()) << i;
      EXPECT_EQ(shares_from_nanos(a.volume()), shares_from_nanos(b.volume())) << i;
    }
  }
}

TEST(csv_replay, leaves_splits_already_in_the_prices_alone_by_default) {
  // The zipline AAPL file is already split-adjusted: 92.22 closes the day
  // before the split and 92.70 opens the split day.
  auto path = market("AAPL_daily_2012-2014.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  expect_bar(r.messages[609], 1'402'088'400 * sec,
             {92'842'857, 93'037'140, 92'067'146, 92'224'289, 87'484'600});
  EXPECT_TRUE(std::any_of(r.report.notes.begin(), r.report.notes.end(), [](auto& n) {
    return n.find("line 612: split 7.000000 already reflected") != std::string::npos;
  }));
}

TEST(csv_replay, back_adjusts_raw_prices_for_a_split_and_dividends) {
  temp_dir d;
  auto path = d.write("RAW_daily.csv",
                      "date,open,high,low,close,volume,dividend,split\n"
                      "2014-06-05,600,610,590,600,1000,0.0,1.0\n"
                      "2014-06-06,601,611,591,601,1000,1.0,1.0\n"
                      "2014-06-09,100,101,99,100,7000,0.0,6.0\n");
  symbol_table t;
  csv_replay_options opt;
  auto r = read_all_csv({path}, opt, t);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(bar(r.messages[0]).close(), 100'000'000);
  EXPECT_EQ(shares_from_nanos(bar(r.messages[0]).volume()), 6000);
  EXPECT_EQ(bar(r.messages[1]).open(), 100'166'667);
  EXPECT_EQ(bar(r.messages[2]).close(), 100'000'000);
  opt.adjust_dividends = true;
  auto div = read_all_csv({path}, opt, t);
  // The first bar also precedes the 1.00 dividend on 2014-06-06: x (1 - 1/600).
  EXPECT_EQ(bar(div.messages[0]).close(), 99'833'333);
  EXPECT_EQ(bar(div.messages[1]).close(), 100'166'667);
}

TEST(csv_replay, scales_yahoo_bars_by_adj_close_when_asked) {
  auto path = market("ORCL_daily_1995-2014.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  csv_replay_options opt;
  auto raw = read_all_csv({path}, opt, t);
  expect_bar(raw.messages.front(), 789'166'800 * sec,
             {2'179'012, 2'191'358, 2'117'284, 2'117'284, 36'301'200});
  opt.adjust_by_adj_close = true;
  auto adj = read_all_csv({path}, opt, t);
  ASSERT_EQ(adj.messages.size(), 5036u);
  expect_bar(adj.messages.front(), 789'166'800 * sec,
             {1'938'210, 1'949'192, 1'883'304, 1'883'304, 36'301'200});
  expect_bar(adj.messages.back(), 1'420'059'600 * sec,
             {42'754'669, 42'858'146, 42'303'135, 42'303'135, 13'269'200});
}

TEST(csv_replay, reads_the_unnamed_date_column_of_the_goog_file) {
  auto path = market("GOOG_daily_2004-2013.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  ASSERT_EQ(r.messages.size(), 2148u);
  expect_bar(r.messages.front(), 1'092'949'200 * sec,
             {100'000'000, 104'060'000, 95'960'000, 100'340'000, 22'351'900});
  expect_bar(r.messages.back(), 1'362'171'600 * sec,
             {797'800'000, 807'140'000, 796'150'000, 806'190'000, 2'175'400});
}

TEST(csv_replay, reads_stoxx_date_and_time_columns_as_one_minute_bars) {
  auto path = market("STOXX50_futures_1min_2006-01.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  ASSERT_EQ(r.messages.size(), 30'889u);
  expect_bar(r.messages.front(), 1'136'192'460 * sec,
             {3'602'000'000, 3'603'000'000, 3'597'000'000, 3'599'000'000, 5699});
  expect_bar(r.messages.back(), 1'141'077'600 * sec,
             {3'840'000'000, 3'840'000'000, 3'838'000'000, 3'838'000'000, 327});
  EXPECT_EQ(bar(r.messages.front()).interval_s(), 60u);
  EXPECT_EQ(t.names()[0], "STOXX50");
}

TEST(csv_replay, applies_the_utc_offset_to_intraday_times) {
  auto path = market("STOXX50_futures_1min_2006-01.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  csv_replay_options opt;
  opt.utc_offset_ns = 3600 * sec; // CET
  csv_replay replay{{path}, opt, t};
  EXPECT_EQ(replay.peek_time(), (1'136'192'460 - 3600) * sec);
  msg m;
  ASSERT_TRUE(replay.next(m));
  EXPECT_EQ(m.ts_event(), (1'136'192'460 - 3600) * sec);
  EXPECT_EQ(replay.peek_time(), (1'136'192'520 - 3600) * sec);
}

TEST(csv_replay, reads_usdthb_quote_ticks_and_reports_its_two_bad_rows) {
  auto path = market("USDTHB_quotes_1997-06.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  EXPECT_EQ(r.report.rows, data_lines(path));
  ASSERT_EQ(r.messages.size(), 2982u);
  auto q = r.messages.front().as<fb::Quote>();
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(r.messages.front().ts_event(), 865'193'280 * sec);
  EXPECT_EQ(q->bid(), 24'800'000);
  EXPECT_EQ(q->ask(), 25'000'000);
  EXPECT_EQ(shares_from_nanos(q->bid_size()), 0);
  EXPECT_EQ(t.names()[0], "USDTHB");
  EXPECT_EQ(r.report.count(csv_problem::out_of_order), 1u);
  EXPECT_TRUE(has_problem(r.report, "USDTHB_quotes_1997-06.csv:2363:",
                          "1997-06-20T02:36:00Z is before 1997-06-20T02:56:00Z of line 2362"));
  EXPECT_EQ(r.report.count(csv_problem::non_positive_price), 1u);
  EXPECT_TRUE(has_problem(r.report, ":2788:", "ask 0.000000 is not positive"));
  EXPECT_EQ(r.report.skipped(), 2u);
}

TEST(csv_replay, drops_quotes_sharing_a_minute_only_when_told) {
  auto path = market("USDTHB_quotes_1997-06.csv");
  REQUIRE_DATA(path);
  symbol_table t;
  csv_replay_options opt;
  opt.keep_equal_time_ticks = false;
  auto r = read_all_csv({path}, opt, t);
  // 504 valid quotes share their minute with the previous valid one.
  EXPECT_EQ(r.report.count(csv_problem::duplicate_time), 504u);
  EXPECT_EQ(r.messages.size(), 2982u - 504u);
}

TEST(csv_replay, merges_many_files_in_event_time_with_stable_ties) {
  std::vector<std::string> paths;
  for (auto name : {"AAPL_daily_2012-2014.csv", "IBM_daily_2012-2014.csv",
                    "KO_daily_2012-2014.csv", "MSFT_daily_2012-2014.csv",
                    "GOOG_daily_2004-2013.csv", "STOXX50_futures_1min_2006-01.csv",
                    "USDTHB_quotes_1997-06.csv"}) {
    paths.push_back(market(name));
    REQUIRE_DATA(paths.back());
  }
  symbol_table t;
  auto r = read_all_csv(paths, {}, t);
  EXPECT_EQ(r.messages.size(), 754u * 4 + 2148 + 30'889 + 2982);
  std::map<uint32_t, size_t> per_symbol;
  uint32_t prev_symbol = 0;
  for (size_t i = 0; i < r.messages.size(); ++i) {
    auto& m = r.messages[i];
    uint32_t sym = m.as<fb::Bar>() ? m.as<fb::Bar>()->symbol() : m.as<fb::Quote>()->symbol();
    ++per_symbol[sym];
    if (i > 0) {
      auto prev = r.messages[i - 1].ts_event();
      ASSERT_LE(prev, m.ts_event()) << i;
      // Symbols were interned in file order, so ids order files: a tie keeps it.
      if (prev == m.ts_event()) {
        ASSERT_LE(prev_symbol, sym) << i;
      }
    }
    prev_symbol = sym;
  }
  EXPECT_EQ(per_symbol[t.find("AAPL")->value], 754u);
  EXPECT_EQ(per_symbol[t.find("GOOG")->value], 2148u);
  EXPECT_EQ(r.report.messages, r.messages.size());
}

// ---- bad input ------------------------------------------------------------

TEST(csv_replay, reports_and_skips_each_malformed_row_and_keeps_the_rest) {
  temp_dir d;
  auto path = d.write("BAD_daily.csv",
                      "Date,Open,High,Low,Close,Adj Close,Volume\n" // 1
                      "2020-01-02,10,11,9,10.5,10.5,100\n"          // 2 ok
                      "2020-01-03,10,11,9,10.5,100\n"               // 3 count
                      "2020-01-06,ten,11,9,10.5,10.5,100\n"         // 4 number
                      "2020-01-07,0,11,9,10.5,10.5,100\n"           // 5 zero
                      "2020-01-08,10,11,-9,10.5,10.5,100\n"         // 6 negative
                      "2020-01-09,10,9,11,10.5,10.5,100\n"          // 7 high<low
                      "2020-01-10,10,11,9,10.5,10.5,1\xff\n"        // 8 utf-8
                      "\n"                                          // 9 empty
                      "2020-01-13,10,11,9,10.5,10.5,100\n"          // 10 ok
                      "2020-01-10,10,11,9,10.5,10.5,100\n"          // 11 order
                      "2020-01-13,10,12,9,11.5,11.5,100\n"          // 12 duplicate
                      "2020-02-30,10,11,9,10.5,10.5,100\n"          // 13 time
                      "2020-01-14,10,11,9,10.5,10.5,-4\n"           // 14 volume
                      "2020-01-15,10,11,9,10.5,10.5,100\r\n");      // 15 ok
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.report.rows, 14u);
  EXPECT_EQ(r.report.skipped(), 11u);
  auto& p = r.report;
  auto at = [&](int line) {
    std::string s = "BAD_daily.csv:";
    s += std::to_string(line);
    s += ':';
    return s;
  };
  EXPECT_TRUE(has_problem(p, at(3), "wrong_column_count: expected 7 fields, found 6"));
  EXPECT_TRUE(has_problem(p, at(4), "bad_number: open 'ten' is not a decimal number"));
  EXPECT_TRUE(has_problem(p, at(5), "non_positive_price: open 0.000000 is not positive"));
  EXPECT_TRUE(has_problem(p, at(6), "non_positive_price: low -9.000000"));
  EXPECT_TRUE(has_problem(p, at(7), "high_below_low: high 9.000000 is below low 11.000000"));
  EXPECT_TRUE(has_problem(p, at(8), "non_utf8"));
  EXPECT_TRUE(has_problem(p, at(9), "empty_line"));
  EXPECT_TRUE(has_problem(p, at(11), "out_of_order: 2020-01-10T21:00:00Z is before "
                                     "2020-01-13T21:00:00Z of line 10"));
  EXPECT_TRUE(has_problem(p, at(12), "duplicate_time: a second Bar for BAD"));
  EXPECT_TRUE(has_problem(p, at(13), "bad_time: cannot read a time from '2020-02-30'"));
  EXPECT_TRUE(has_problem(p, at(14), "bad_number: volume '-4'"));
  EXPECT_EQ(p.count(csv_problem::non_positive_price), 2u);
  EXPECT_EQ(p.count(csv_problem::wrong_column_count), 1u);
  EXPECT_EQ(p.count(csv_problem::bad_number), 2u);
  EXPECT_EQ(p.count(csv_problem::out_of_order), 1u);
  EXPECT_EQ(p.count(csv_problem::duplicate_time), 1u);
  // The kept rows are the valid ones, with the first of the duplicates.
  EXPECT_EQ(r.messages[0].ts_event(), 1'577'998'800 * sec);
  EXPECT_EQ(bar(r.messages[1]).close(), 10'500'000);
  EXPECT_EQ(bar(r.messages[2]).close(), 10'500'000);
}

TEST(csv_replay, keeps_only_the_first_messages_but_counts_every_problem) {
  temp_dir d;
  std::string text = "date,open,high,low,close\n";
  for (int i = 0; i < 20; ++i)
    text += "2020-01-02,x,1,1,1\n";
  auto path = d.write("X.csv", text);
  symbol_table t;
  csv_replay_options opt;
  opt.max_report_messages = 5;
  auto r = read_all_csv({path}, opt, t);
  EXPECT_EQ(r.report.count(csv_problem::bad_number), 20u);
  EXPECT_EQ(r.report.problems.size(), 5u);
  EXPECT_TRUE(r.messages.empty());
}

TEST(csv_replay, reads_the_osprey_layout_with_mixed_kinds) {
  temp_dir d;
  auto path = d.write("mixed.csv",
                      "ts_event,symbol,kind,v1,v2,v3,v4,v5,v6\n"
                      "1767623460000000000,AAPL,bar,60,187.12,187.50,187.01,187.44,120000\n"
                      "2026-01-05T14:31:00.25Z,AAPL,trade,187.45,100\n"
                      "2026-01-05T14:31:00.25Z,MSFT,quote,401.10,300,401.12,200\n"
                      "2026-01-05T14:31:01Z,AAPL,swap,1,2\n"
                      "2026-01-05T14:31:02Z,AAPL,quote,187.46,100,187.44,100\n"
                      "2026-01-05T14:31:03Z,AAPL,trade,187.45\n"
                      "2026-01-05T14:31:04Z,,trade,187.45,5\n"
                      "2026-01-05,AAPL,trade,187.45,5\n");
  symbol_table t;
  auto r = read_all_csv({path}, {}, t);
  ASSERT_EQ(r.messages.size(), 3u);
  auto& b = bar(r.messages[0]);
  EXPECT_EQ(b.interval_s(), 60u);
  EXPECT_EQ(b.close(), 187'440'000);
  EXPECT_EQ(r.messages[0].ts_event(), 1'767'623'460 * sec);
  auto tr = r.messages[1].as<fb::Trade>();
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(r.messages[1].ts_event(), 1'767'623'460 * sec + 250'000'000);
  EXPECT_EQ(tr->price(), 187'450'000);
  EXPECT_EQ(shares_from_nanos(tr->size()), 100);
  auto q = r.messages[2].as<fb::Quote>();
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->symbol(), t.find("MSFT")->value);
  EXPECT_EQ(shares_from_nanos(q->ask_size()), 200);
  EXPECT_TRUE(has_problem(r.report, "mixed.csv:5:", "kind 'swap' is not bar, trade or quote"));
  EXPECT_TRUE(has_problem(r.report, "mixed.csv:6:", "crossed_quote: bid 187.460000 is above ask"));
  EXPECT_TRUE(has_problem(r.report, "mixed.csv:7:", "expected 5 fields, found 4"));
  EXPECT_TRUE(has_problem(r.report, "mixed.csv:8:", "empty symbol"));
  EXPECT_TRUE(has_problem(r.report, "mixed.csv:9:", "bad_time"));
}

TEST(csv_replay, takes_columns_from_the_config_instead_of_the_header) {
  temp_dir d;
  auto path = d.write("prices.txt", "20200102;x\n20200102,1.5,2.5,1.25,2,77\n");
  symbol_table t;
  csv_replay_options opt;
  opt.symbol = "XYZ";
  csv_columns c;
  c.layout = csv_layout::bars;
  c.date = 0;
  c.open = 1;
  c.high = 2;
  c.low = 3;
  c.close = 4;
  c.volume = 5;
  c.count = 6;
  opt.columns = c;
  auto r = read_all_csv({path}, opt, t);
  ASSERT_EQ(r.messages.size(), 1u);
  expect_bar(r.messages[0], 1'577'923'200 * sec + close_21h,
             {1'500'000, 2'500'000, 1'250'000, 2'000'000, 77});
  EXPECT_EQ(t.names()[0], "XYZ");
}

TEST(csv_replay, names_each_file_as_told_when_prefixes_collide) {
  auto futures = market("STOXX50_futures_1min_2006-01.csv");
  auto index = market("STOXX50_index_daily_2006.csv");
  REQUIRE_DATA(futures);
  REQUIRE_DATA(index);
  symbol_table t;
  csv_replay_options opt;
  opt.symbols_by_file = {"FESX", ""};
  auto r = read_all_csv({futures, index}, opt, t);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.names()[0], "FESX");
  EXPECT_EQ(t.names()[1], "STOXX50");
  EXPECT_EQ(r.messages.size(), 30'889u + 255u);
}

TEST(csv_replay, reads_a_file_without_a_header_from_configured_columns) {
  temp_dir d;
  auto path = d.write("T.csv", "2020-01-02 10:00:00,5.5,10\n2020-01-02 10:00:01,5.25,20\n");
  symbol_table t;
  csv_replay_options opt;
  opt.has_header = false;
  csv_columns c;
  c.layout = csv_layout::trades;
  c.date = 0;
  c.price = 1;
  c.size = 2;
  opt.columns = c;
  auto r = read_all_csv({path}, opt, t);
  ASSERT_EQ(r.messages.size(), 2u);
  auto tr = r.messages[1].as<fb::Trade>();
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->price(), 5'250'000);
  EXPECT_EQ(shares_from_nanos(tr->size()), 20);
  EXPECT_EQ(r.messages[1].ts_event(), (1'577'923'200 + 36'001) * sec);
  EXPECT_EQ(t.names()[0], "T");
}

TEST(csv_replay, skips_a_byte_order_mark_and_reads_empty_files_as_no_rows) {
  temp_dir d;
  auto bom = d.write("BOM_daily.csv", "\xEF\xBB\xBF" "Date,Open,High,Low,Close\r\n"
                                      "2020-01-02,1,2,0.5,1.5\r\n");
  auto empty = d.write("EMPTY_daily.csv", "");
  auto header_only = d.write("HDR_daily.csv", "date,open,high,low,close\n");
  symbol_table t;
  auto r = read_all_csv({bom, empty, header_only}, {}, t);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(bar(r.messages[0]).close(), 1'500'000);
  EXPECT_EQ(r.report.skipped(), 0u);
  EXPECT_TRUE(std::any_of(r.report.notes.begin(), r.report.notes.end(), [](auto& n) {
    return n.find("EMPTY_daily.csv: is empty") != std::string::npos;
  }));
}

TEST(csv_replay, names_the_path_of_a_missing_file) {
  symbol_table t;
  try {
    csv_replay replay{{"/nonexistent/ZZZ_daily.csv"}, {}, t};
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("cannot open '/nonexistent/ZZZ_daily.csv'"),
              std::string::npos)
      << e.what();
  }
}

TEST(csv_replay, refuses_a_header_it_cannot_read) {
  temp_dir d;
  auto path = d.write("odd.csv", "when,what\n2020-01-02,3\n");
  symbol_table t;
  try {
    csv_replay replay{{path}, {}, t};
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("odd.csv' from its header 'when,what'"),
              std::string::npos)
      << e.what();
  }
}

TEST(csv_replay, detects_each_layout_from_its_header) {
  std::string err;
  auto yahoo = detect_columns("Date,Open,High,Low,Close,Adj Close,Volume", "", err);
  ASSERT_TRUE(yahoo);
  EXPECT_EQ(yahoo->layout, csv_layout::bars);
  EXPECT_EQ(yahoo->adj_close, 5);
  auto zipline = detect_columns("date,open,high,low,close,volume,dividend,split", "", err);
  ASSERT_TRUE(zipline);
  EXPECT_EQ(zipline->split, 7);
  auto goog = detect_columns(",Open,High,Low,Close,Volume", "", err);
  ASSERT_TRUE(goog);
  EXPECT_EQ(goog->date, 0);
  auto stoxx = detect_columns("Date,Open,High,Low,Close,Volume,OpenInterest",
                              "2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0",
                              err);
  ASSERT_TRUE(stoxx);
  EXPECT_EQ(stoxx->time, 1);
  EXPECT_EQ(stoxx->open, 2);
  EXPECT_EQ(stoxx->volume, 6);
  EXPECT_EQ(stoxx->count, 8u);
  auto fx = detect_columns(R"("XDATE","DELAY","CONTRIBUTOR","BID","ASK","FLAG")", "", err);
  ASSERT_TRUE(fx);
  EXPECT_EQ(fx->layout, csv_layout::quotes);
  EXPECT_EQ(fx->bid, 3);
  auto own = detect_columns("ts_event,symbol,kind,v1", "", err);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->layout, csv_layout::osprey);
  EXPECT_FALSE(detect_columns("a,b,c", "", err));
  EXPECT_EQ(symbol_from_path("/x/y/AAPL_daily_2012-2014.csv"), "AAPL");
  EXPECT_EQ(symbol_from_path("SPY.csv"), "SPY");
}
