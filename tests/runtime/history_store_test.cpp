// The evaluation history in SQLite.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include "runtime/history_store.hpp"

using namespace osprey;

namespace {

std::string temp_db(const std::string& name) {
  auto p = std::filesystem::temp_directory_path()
           / (name + "-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(p);
  return p.string();
}

evaluation_record eval(const std::string& ticker, int64_t ts, double score) {
  evaluation_record r;
  r.ticker = ticker;
  r.ts = ts;
  r.score = score;
  r.verdict = score >= 75 ? "high potential" : "pass";
  r.institutional = 80;
  r.narrative = 70;
  r.other = 60;
  r.detail_json = "{\"ticker\": \"" + ticker + "\"}";
  return r;
}

} // namespace

TEST(history_store, keeps_evaluations_across_openings_in_time_order) {
  auto path = temp_db("history");
  {
    history_store h{path};
    h.add(eval("NVDA", 20, 81.5));
    h.add(eval("AAPL", 10, 40));
    h.add(eval("NVDA", 5, 62));
  }
  history_store h{path};
  auto nvda = h.of("NVDA");
  ASSERT_EQ(nvda.size(), 2u);
  EXPECT_EQ(nvda[0].ts, 5);
  EXPECT_EQ(nvda[1].score, 81.5);
  EXPECT_EQ(nvda[1].verdict, "high potential");
  EXPECT_EQ(nvda[1].detail_json, "{\"ticker\": \"NVDA\"}");
  EXPECT_EQ(h.all().size(), 3u);
  EXPECT_TRUE(h.of("MSFT").empty());
  std::filesystem::remove(path);
}

TEST(history_store, a_ticker_with_quotes_is_stored_as_data) {
  auto path = temp_db("history-quotes");
  history_store h{path};
  h.add(eval("X'); DROP TABLE evaluations; --", 1, 50));
  EXPECT_EQ(h.all().size(), 1u);
  std::filesystem::remove(path);
}

TEST(history_store, a_file_that_is_not_a_database_is_a_clear_error) {
  auto path = temp_db("history-bad");
  std::ofstream{path} << "this is not a database, just text that is long enough to matter";
  try {
    history_store h{path};
    FAIL() << "opened a text file as a database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find(path), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}
