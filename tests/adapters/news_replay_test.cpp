// News items from a JSON Lines replay file.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "adapters/news_replay.hpp"

using namespace osprey;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path()
           / (name + "-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream{p, std::ios::binary} << text;
  return p.string();
}

constexpr int64_t sec = 1'000'000'000;

} // namespace

TEST(rfc3339, parses_utc_offsets_and_fractions) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-01-05T15:04:05Z"), 1'767'625'445 * sec);
  EXPECT_EQ(parse_rfc3339("2026-01-05T10:04:05-05:00"), 1'767'625'445 * sec);
  EXPECT_EQ(parse_rfc3339("2026-01-05T15:04:05.25Z"), 1'767'625'445 * sec + 250'000'000);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00+00:00"), 1'709'164'800 * sec);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1 * sec);
}

TEST(rfc3339, refuses_what_is_not_one) {
  for (auto bad : {"", "2026-01-05", "2026-01-05T15:04:05", "2026-13-01T00:00:00Z",
                   "2023-02-29T00:00:00Z", "2026-01-05T24:00:00Z", "2026-01-05T15:04:05Zjunk",
                   "2026-01-05T15:04:05.Z", "2026-01-05T15:04:05+5:00", "yesterday"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(news_replay, reads_items_and_reports_every_bad_line_with_where) {
  auto path = write_temp("news", R"({"id": "1", "created_at": "2026-01-05T15:04:05Z", "headline": "Acme beats estimates", "summary": "Q4 EPS $1.10 vs $0.95", "symbols": ["ACME"], "source": "benzinga", "url": "https://example.com"}
{"id": 2, "time": 1767625500000000000, "headline": "$TSLA deliveries miss", "symbols": ["TSLA", "F"]}

not json at all
{"created_at": "2026-01-05T15:05:00Z", "summary": "no headline here"}
{"headline": "no time"}
{"headline": "bad time", "created_at": "5 minutes ago"}
{"headline": "bad symbols", "created_at": "2026-01-05T15:05:00Z", "symbols": "ACME"}
{"headline": "   ", "created_at": "2026-01-05T15:05:00Z"}
{"id": "9", "created_at": "2026-01-05T15:06:00Z", "headline": "Last good one"}
)");
  auto r = read_news(path);
  ASSERT_EQ(r.items.size(), 3u);
  auto first = r.items[0].as<fb::NewsItem>();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->headline()->str(), "Acme beats estimates");
  EXPECT_EQ(first->summary()->str(), "Q4 EPS $1.10 vs $0.95");
  EXPECT_EQ(first->source()->str(), "benzinga");
  ASSERT_EQ(first->symbols()->size(), 1u);
  EXPECT_EQ(first->symbols()->Get(0)->str(), "ACME");
  EXPECT_EQ(r.items[0].ts_event(), 1'767'625'445 * sec);
  EXPECT_EQ(r.items[1].as<fb::NewsItem>()->id()->str(), "2");
  EXPECT_EQ(r.items[1].ts_event(), 1'767'625'500 * sec);
  EXPECT_EQ(r.items[2].as<fb::NewsItem>()->headline()->str(), "Last good one");
  ASSERT_EQ(r.problems.size(), 6u);
  EXPECT_EQ(r.problems[0].line, 4u);
  EXPECT_EQ(r.problems[0].what, "not a JSON object");
  EXPECT_EQ(r.problems[1].what, "no headline");
  EXPECT_EQ(r.problems[2].what, "no created_at (or time)");
  EXPECT_NE(r.problems[3].what.find("5 minutes ago"), std::string::npos);
  EXPECT_EQ(r.problems[4].what, "symbols is not an array");
  EXPECT_EQ(r.problems[5].line, 9u);
  EXPECT_EQ(r.problems[5].file, path);
  std::filesystem::remove(path);
}

TEST(news_replay, non_utf8_bytes_are_reported_not_read) {
  auto path = write_temp("news-bytes", "{\"headline\": \"caf\xe9\", \"created_at\": \"2026-01-05T15:04:05Z\"}\n");
  auto r = read_news(path);
  EXPECT_TRUE(r.items.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 1u);
  std::filesystem::remove(path);
}

TEST(news_replay, a_missing_file_is_a_clear_error) {
  EXPECT_THROW(read_news("/nonexistent/news.jsonl"), std::runtime_error);
}
