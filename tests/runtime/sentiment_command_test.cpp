#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/json_text.hpp"
#include "runtime/sentiment_command.hpp"

using namespace osprey;
namespace fs = std::filesystem;

namespace {

// A small lexicon file, so the command runs without the shared data.
std::string write_lexicon() {
  const fs::path p = fs::temp_directory_path() / "osprey_sentiment_command_lexicon.txt";
  std::ofstream(p) << "good\t1.9\t0.9\t[2]\nbad\t-2.5\t0.7\t[-2]\n";
  return p.string();
}

struct run_result {
  int code;
  std::string out, err;
};

run_result run(const std::vector<std::string>& texts, bool json, bool plain,
               const std::string& lexicon, const std::string& stdin_text = "",
               const sentiment::ticker_universe& universe = {}) {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int code = sentiment_command(texts, json, plain, lexicon, in, out, err, universe);
  return {code, out.str(), err.str()};
}

} // namespace

TEST(sentiment_command, prints_scores_label_tickers_and_events_as_text) {
  const auto r = run({"$TSLA beats estimates"}, false, false, write_lexicon());
  ASSERT_EQ(r.code, 0) << r.err;
  // "beats estimates" is a finance phrase worth 2.0: compound 2 / sqrt(19) = 0.4588.
  EXPECT_EQ(r.out, "compound=0.4588 pos=0.600 neu=0.400 neg=0.000 label=positive tickers=TSLA "
                   "events=earnings_beat:0.90 text=\"$TSLA beats estimates\"\n");
}

TEST(sentiment_command, prints_one_json_object_per_item) {
  const sentiment::ticker_universe universe({{"AAPL", {"Apple"}, false}});
  const auto r = run({"Apple \"good\"", "bad"}, true, true, write_lexicon(), "", universe);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"text\":\"Apple \\\"good\\\"\",\"compound\":0.4404,\"pos\":0.744,\"neu\":0.256,"
            "\"neg\":0.000,\"label\":\"positive\",\"tickers\":[{\"symbol\":\"AAPL\",\"source\":"
            "\"name\"}],\"events\":[]}\n"
            "{\"text\":\"bad\",\"compound\":-0.5423,\"pos\":0.000,\"neu\":0.000,\"neg\":1.000,"
            "\"label\":\"negative\",\"tickers\":[],\"events\":[]}\n");
}

TEST(sentiment_command, reads_one_item_per_non_blank_line_of_stdin) {
  const auto r = run({}, false, false, write_lexicon(), "good\r\n\n   \nbad\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  EXPECT_NE(r.out.find("label=positive"), std::string::npos);
  EXPECT_NE(r.out.find("label=negative"), std::string::npos);
}

TEST(sentiment_command, reports_a_missing_lexicon_with_its_path) {
  const auto r = run({"good"}, false, false, "/nonexistent/vader_lexicon.txt");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "sentiment: cannot open sentiment lexicon /nonexistent/vader_lexicon.txt\n");
  EXPECT_TRUE(r.out.empty());
}

TEST(sentiment_command, keeps_json_valid_for_bad_bytes_and_control_characters) {
  const auto r = run({std::string("caf\xc3\xa9 \xff\x80 tab\there") + '\x01'}, true, false,
                     write_lexicon());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"text\":\"caf\xc3\xa9 \\ufffd\\ufffd tab\\there\\u0001\""),
            std::string::npos)
    << r.out;
  EXPECT_NE(r.out.find("\"label\":\"neutral\""), std::string::npos);
}

TEST(sentiment_command, finds_the_lexicon_from_config_then_npm_then_shared_data) {
  EXPECT_EQ(find_sentiment_lexicon("/given/path.txt", "/anywhere"), "/given/path.txt");
  const fs::path project = fs::temp_directory_path() / "osprey_sentiment_lookup" / "project";
  fs::remove_all(project.parent_path());
  fs::create_directories(project);
  EXPECT_EQ(find_sentiment_lexicon("", project.string()), "");
  const fs::path shared = project.parent_path() / "shared" / "data" / "lexicons";
  fs::create_directories(shared);
  std::ofstream(shared / "vader_lexicon.txt") << "good\t1.9\t0.9\t[2]\n";
  EXPECT_EQ(fs::path(find_sentiment_lexicon("", project.string())).lexically_normal(),
            (shared / "vader_lexicon.txt").lexically_normal());
  const fs::path npm = project / "node_modules" / "vader-sentiment";
  fs::create_directories(npm);
  std::ofstream(npm / "vader_lexicon.txt") << "good\t1.9\t0.9\t[2]\n";
  EXPECT_EQ(find_sentiment_lexicon("", project.string()), (npm / "vader_lexicon.txt").string());
  fs::remove_all(project.parent_path());
}

TEST(sentiment_command, escapes_json_strings) {
  EXPECT_EQ(json_escape("a\"b\\c\n"), "a\\\"b\\\\c\\n");
  EXPECT_EQ(json_escape("\xe2\x82\xac"), "\xe2\x82\xac");    // valid euro sign kept
  EXPECT_EQ(json_escape("\xc0\xaf"), "\\ufffd\\ufffd");      // overlong form rejected
  EXPECT_EQ(json_escape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd"); // surrogate rejected
}
