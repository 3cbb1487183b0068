// End to end: `osprey optimize` as a user starts it (the binary is
// OSPREY_BINARY, as in osprey_e2e_test.cpp).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs `osprey args...` to completion, stdout and stderr through files.
outcome run_osprey(const std::vector<std::string>& args) {
  std::string name = "osprey-opt-e2e-";
  name += std::to_string(::getpid());
  auto dir = fs::temp_directory_path() / name;
  fs::create_directories(dir);
  std::vector<std::string> argv_s{OSPREY_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  auto out_path = (dir / "stdout").string(), err_path = (dir / "stderr").string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  outcome o;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&fa);
  o.out = slurp(out_path);
  o.err = slurp(err_path);
  fs::remove_all(dir);
  return o;
}

const std::string goog =
  std::string{OSPREY_SOURCE_DIR} + "/../shared/data/market/GOOG_daily_2004-2013.csv";

} // namespace

TEST(osprey_optimize, prints_the_search_as_json_with_a_ready_set_line) {
  if (!fs::exists(goog))
    GTEST_SKIP() << "shared market data not found: " << goog;
  auto r = run_osprey({"optimize", "--data", goog, "--params",
                       "strategy.volume_factor=1.0..1.5:0.5,signal.high_period=10..20:10",
                       "--objective", "total_return", "--workers", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"search\":{", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("\"best_set\":\"--set strategy.volume_factor="), std::string::npos)
    << r.out;
}

TEST(osprey_optimize, an_unknown_setting_exits_2_naming_it) {
  if (!fs::exists(goog))
    GTEST_SKIP() << "shared market data not found: " << goog;
  auto r = run_osprey({"optimize", "--data", goog, "--params", "strategy.no_such_key=1..2"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("no_such_key"), std::string::npos) << r.err;
}

TEST(osprey_optimize, walks_forward_as_json) {
  if (!fs::exists(goog))
    GTEST_SKIP() << "shared market data not found: " << goog;
  auto r = run_osprey({"optimize", "--data", goog, "--params", "signal.high_period=10..20:10",
                       "--objective", "total_return", "--walk-forward", "1000:500", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"in_sample_bars\":1000", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("\"stitched\":{\"start\":"), std::string::npos);
}
