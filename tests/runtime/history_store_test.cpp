// The evaluation history in SQLite.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include <sqlite3.h>

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

TEST(history_store, keeps_the_feature_vector_of_each_evaluation) {
  auto path = temp_db("history-features");
  {
    history_store h{path};
    auto r = eval("NVDA", 20, 81.5);
    r.features = {1.25, -3.5, 0.1, 7.0 / 3.0, 2e-7};
    h.add(r);
    h.add(eval("AAPL", 30, 40)); // no features
  }
  history_store h{path};
  auto all = h.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].features, (std::vector<double>{1.25, -3.5, 0.1, 7.0 / 3.0, 2e-7}));
  EXPECT_TRUE(all[1].features.empty());
  std::filesystem::remove(path);
}

TEST(history_store, a_database_from_before_the_features_column_is_migrated_in_place) {
  auto path = temp_db("history-old");
  {
    // The layout the first version of the store wrote, with one row.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* old = R"sql(
      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, ticker TEXT NOT NULL,
        score REAL NOT NULL, verdict TEXT NOT NULL, institutional REAL NOT NULL,
        narrative REAL NOT NULL, other REAL NOT NULL, detail_json TEXT NOT NULL);
      INSERT INTO evaluations (ts, ticker, score, verdict, institutional, narrative, other,
                               detail_json)
        VALUES (7, 'KO', 55.5, 'pass', 1, 2, 3, '{}');
    )sql";
    ASSERT_EQ(sqlite3_exec(db, old, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  {
    history_store h{path};
    auto rows = h.all();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].ticker, "KO");
    EXPECT_EQ(rows[0].score, 55.5);
    EXPECT_TRUE(rows[0].features.empty());
    auto r = eval("KO", 8, 60);
    r.features = {1, 2, 3, 4, 5};
    h.add(r);
  }
  history_store again{path}; // opening a migrated database again adds nothing
  auto rows = again.of("KO");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].features, (std::vector<double>{1, 2, 3, 4, 5}));
  std::filesystem::remove(path);
}
