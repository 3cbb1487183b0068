// End to end: `osprey screen` as a user runs it, on the shared daily files.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

struct screen_run {
  int exit_code = -1;
  std::string out, err;
};

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the binary through the shell with its outputs in temporary files.
screen_run run_osprey(const std::vector<std::string>& args) {
  auto dir = fs::temp_directory_path() / ("osprey-screen-e2e-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cmd = quoted(OSPREY_BINARY);
  for (auto& a : args)
    cmd += " " + quoted(a);
  cmd += " </dev/null >" + quoted((dir / "out").string()) + " 2>" + quoted((dir / "err").string());
  int status = std::system(cmd.c_str());
  screen_run r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

std::vector<std::string> shared_files() {
  std::vector<std::string> files;
  for (const char* s : {"AAPL", "IBM", "KO", "MSFT"}) {
    std::string p = OSPREY_SHARED_DATA "/market/";
    p += s;
    p += "_daily_2012-2014.csv";
    if (!fs::exists(p))
      return {};
    files.push_back(p);
  }
  return files;
}

TEST(screen_e2e, screens_a_phrase_and_prints_json) {
  auto files = shared_files();
  if (files.empty())
    GTEST_SKIP() << "the shared market files are absent";
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
  auto files = shared_files();
  if (files.empty())
    GTEST_SKIP() << "the shared market files are absent";
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
