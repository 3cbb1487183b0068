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


#include "../support/osprey_process.hpp"

using namespace osprey::test;

namespace {

/// Runs `osprey args...` to completion in a scratch directory of its own.
outcome run_osprey(const std::vector<std::string>& args) {
  scratch_dir dir;
  return run(args, dir);
}

const std::string goog =
  std::string{OSPREY_SOURCE_DIR} + "/../shared/data/market/GOOG_daily_2004-2013.csv";

} // namespace

TEST(osprey_optimize, prints_the_search_as_json_with_a_ready_set_line) {
  if (!fs::exists(goog))
    FAIL() << "shared market data not found: " << goog;
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
    FAIL() << "shared market data not found: " << goog;
  auto r = run_osprey({"optimize", "--data", goog, "--params", "strategy.no_such_key=1..2"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("no_such_key"), std::string::npos) << r.err;
}

TEST(osprey_optimize, walks_forward_as_json) {
  if (!fs::exists(goog))
    FAIL() << "shared market data not found: " << goog;
  auto r = run_osprey({"optimize", "--data", goog, "--params", "signal.high_period=10..20:10",
                       "--objective", "total_return", "--walk-forward", "1000:500", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"in_sample_bars\":1000", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("\"stitched\":{\"start\":"), std::string::npos);
}
