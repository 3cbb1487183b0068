// osprey evaluate --batch: the ticker file, and parallel evaluation on an
// actor system giving exactly what the sequential command gives.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "runtime/evaluate_batch.hpp"

using namespace osprey;

namespace {

const std::string market = std::string{OSPREY_SHARED_DATA} + "/market/";

std::string temp(const std::string& name) {
  auto p = std::filesystem::temp_directory_path()
           / (std::to_string(::getpid()) + "-batch-" + name);
  std::filesystem::remove(p);
  return p.string();
}

headline_reading by_length(const std::string& text) {
  return {text.size() % 2 ? 0.3 : -0.2, static_cast<int>(text.size() % 3 == 0), 0};
}

bool have_market() {
  for (auto f : {"AAPL", "MSFT", "KO", "IBM"})
    if (!std::filesystem::exists(market + f + "_daily_2012-2014.csv"))
      return false;
  return true;
}

std::vector<std::string> market_files() {
  return {market + "AAPL_daily_2012-2014.csv", market + "MSFT_daily_2012-2014.csv",
          market + "KO_daily_2012-2014.csv", market + "IBM_daily_2012-2014.csv"};
}

} // namespace

TEST(evaluate_batch, the_ticker_file_skips_comments_and_blanks_and_reports_bad_lines) {
  auto path = temp("list.txt");
  std::ofstream{path} << "# my watch list\n"
                         "AAPL\n"
                         "\n"
                         "  MSFT   # software\n"
                         "BRK.B\n"
                         "two words\n"
                         "$NVDA\n"
                         "ABCDEFGHIJKLMNOPQ\n"
                         "KO\r\n";
  auto list = read_ticker_list(path);
  EXPECT_EQ(list.tickers, (std::vector<std::string>{"AAPL", "MSFT", "BRK.B", "KO"}));
  ASSERT_EQ(list.problems.size(), 3u);
  EXPECT_EQ(list.problems[0].rfind(path + ":6: \"two words\" is not a ticker", 0), 0u)
    << list.problems[0];
  EXPECT_EQ(list.problems[1].rfind(path + ":7: \"$NVDA\"", 0), 0u) << list.problems[1];
  EXPECT_EQ(list.problems[2].rfind(path + ":8: ", 0), 0u) << list.problems[2];
  std::filesystem::remove(path);
  EXPECT_THROW(read_ticker_list("/nonexistent/list.txt"), std::runtime_error);
}

TEST(evaluate_batch, parallel_results_come_back_in_the_order_asked) {
  if (!have_market())
    FAIL() << "shared market data not found at " << market;
  std::ostringstream err;
  auto in = load_evaluation_inputs({market_files(), {}, {}, {}}, by_length, err);
  evaluate_options o;
  std::vector<std::string> tickers = {"KO", "ZZZZ", "AAPL", "IBM", "MSFT", "KO"};
  auto results = evaluate_in_parallel(in, tickers, o, 2);
  ASSERT_EQ(results.size(), tickers.size());
  for (size_t k = 0; k < tickers.size(); ++k) {
    EXPECT_EQ(results[k].ticker, tickers[k]);
    auto alone = evaluate_ticker(in, tickers[k], o);
    EXPECT_EQ(results[k].code, alone.code);
    EXPECT_EQ(results[k].text, alone.text);
    EXPECT_EQ(results[k].json, alone.json);
  }
  EXPECT_EQ(results[1].code, 1);
  EXPECT_NE(results[1].error.find("no daily bars for ZZZZ"), std::string::npos);
}

TEST(evaluate_batch, a_batch_prints_and_stores_what_the_sequential_command_does) {
  if (!have_market())
    FAIL() << "shared market data not found at " << market;
  auto news = temp("news.jsonl");
  std::ofstream{news} << R"({"created_at": "2014-12-30T15:00:00Z", "headline": "Apple sets a record", "symbols": ["AAPL"]}
{"created_at": "2014-12-31T15:00:00Z", "headline": "$KO and $MSFT rally together"}
)";
  auto list = temp("tickers.txt");
  std::ofstream{list} << "AAPL\nZZZZ\n# comment\nKO\nMSFT\nIBM\n";
  // Both runs start from the same history, which holds an earlier
  // evaluation that becomes a comparable.
  auto seed = temp("seed.sqlite");
  {
    evaluate_options first;
    first.tickers = {"IBM"};
    first.data = {market + "IBM_daily_2012-2014.csv"};
    first.history_path = seed;
    std::ostringstream out, err;
    ASSERT_EQ(evaluate_command(first, by_length, out, err), 0) << err.str();
  }
  auto seq_db = temp("seq.sqlite"), par_db = temp("par.sqlite");
  std::filesystem::copy_file(seed, seq_db);
  std::filesystem::copy_file(seed, par_db);

  for (bool json : {false, true}) {
    evaluate_options o;
    o.data = market_files();
    o.news = {news};
    o.json = json;
    o.history_path = seq_db;
    o.tickers = {"AAPL", "ZZZZ", "KO", "MSFT", "IBM"};
    std::ostringstream seq_out, seq_err;
    auto seq_code = evaluate_command(o, by_length, seq_out, seq_err);

    o.history_path = par_db;
    o.tickers.clear();
    std::ostringstream par_out, par_err;
    auto par_code = evaluate_batch_command(o, list, by_length, par_out, par_err, 3);
    EXPECT_EQ(seq_code, 1); // ZZZZ has no bars
    EXPECT_EQ(par_code, seq_code);
    EXPECT_EQ(par_out.str(), seq_out.str());
    EXPECT_EQ(par_err.str(), seq_err.str());
  }
  history_store seq{seq_db}, par{par_db};
  auto a = seq.all(), b = par.all();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.size(), 1u + 2 * 4);
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].ticker, b[k].ticker);
    EXPECT_EQ(a[k].detail_json, b[k].detail_json);
    EXPECT_EQ(a[k].features, b[k].features);
  }
  for (auto& f : {news, list, seed, seq_db, par_db})
    std::filesystem::remove(f);
}
