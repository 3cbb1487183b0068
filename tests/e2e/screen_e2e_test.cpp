// End to end: `osprey screen` as a user runs it, on the shared daily files.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>


#include "../support/osprey_process.hpp"

using namespace osprey::test;

namespace {

/// Runs `osprey args...` to completion in a scratch directory of its own.
outcome run_osprey(const std::vector<std::string>& args) {
  scratch_dir dir;
  return run(args, dir);
}

TEST(screen_e2e, screens_a_phrase_and_prints_json) {
  auto files = shared_daily_files();
  if (files.empty())
    FAIL() << "the shared market files are absent";
  std::vector<std::string> args{"screen", "--data"};
  args.insert(args.end(), files.begin(), files.end());
  for (const char* a : {"--phrase", "price above 20", "--date", "2013-06-28", "--json", "--all"})
    args.emplace_back(a);
  auto r = run_osprey(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("rule: close > 20"), std::string::npos) << r.err;
  ASSERT_EQ(r.out.front(), '[') << r.out;
  for (const char* s : {"\"AAPL\"", "\"IBM\"", "\"KO\"", "\"MSFT\""})
    EXPECT_NE(r.out.find(std::string{"{\"symbol\": "} + s + ", \"date\": \"2013-06-28\""),
              std::string::npos)
      << s << "\n" << r.out;
  // Every one of them closed above $20 that day.
  EXPECT_EQ(r.out.find("\"passed\": false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"text\": \"close > 20\", \"left\": "), std::string::npos) << r.out;
}

TEST(screen_e2e, prints_the_rule_and_a_table_and_refuses_what_it_cannot_read) {
  auto files = shared_daily_files();
  if (files.empty())
    FAIL() << "the shared market files are absent";
  std::vector<std::string> args{"screen", "--data"};
  args.insert(args.end(), files.begin(), files.end());
  auto with = [&](std::vector<std::string> more) {
    auto a = args;
    a.insert(a.end(), more.begin(), more.end());
    return run_osprey(a);
  };
  auto r = with({"--phrase", "rsi below 101", "--top", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("rule: rsi(14) < 101\nsymbol  date        result  rank", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("4 of 4 symbols passed"), std::string::npos) << r.out;

  r = with({"--phrase", "price bounces off support"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did not understand \"bounces\""), std::string::npos) << r.err;

  r = with({"--rule", "clsoe > 1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("1:1: unknown name \"clsoe\""), std::string::npos) << r.err;

  r = with({"--rule", "close > 1", "--date", "2001-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no symbol has a bar on or before 2001-01-01"), std::string::npos) << r.err;
}

} // namespace
