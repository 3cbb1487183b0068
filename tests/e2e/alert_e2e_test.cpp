// End to end: `osprey alert`, the built binary started as a user would.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>


#include "../support/osprey_process.hpp"

using namespace osprey::test;

namespace {

/// Writes daily AAPL bars with these closes (2026-01-05 on) and returns the path.
std::string bars_csv(const scratch_dir& dir, const std::vector<int>& closes) {
  auto path = (dir / "AAPL.csv").string();
  std::ofstream f{path};
  f << "ts_event,symbol,kind,interval_s,open,high,low,close,volume\n";
  for (size_t i = 0; i < closes.size(); ++i)
    f << "2026-01-0" << (5 + i) << "T21:00:00Z,AAPL,bar,86400," << closes[i] << ","
      << closes[i] << "," << closes[i] << "," << closes[i] << ",1000\n";
  return path;
}

} // namespace

TEST(alert_e2e, prints_one_json_line_per_alert_for_csv_bars) {
  scratch_dir dir;
  auto csv = bars_csv(dir, {9, 11, 12, 9, 11});
  auto o = run({"alert", "--rule", "close > 10", "--name", "above10", "--data", csv, "--json"},
               dir);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::string line1 =
    "{\"source\":\"osprey\",\"rule\":\"above10\",\"symbol\":\"AAPL\",\"severity\":\"warning\","
    "\"ts_event\":1767733200000000000,\"time\":\"2026-01-06T21:00:00.000Z\",\"message\":"
    "\"close > 10\",\"values\":[{\"name\":\"close > 10\",\"value\":\"11 > 10 true\"}]}\n";
  std::string line2 =
    "{\"source\":\"osprey\",\"rule\":\"above10\",\"symbol\":\"AAPL\",\"severity\":\"warning\","
    "\"ts_event\":1767992400000000000,\"time\":\"2026-01-09T21:00:00.000Z\",\"message\":"
    "\"close > 10\",\"values\":[{\"name\":\"close > 10\",\"value\":\"11 > 10 true\"}]}\n";
  // stdout holds only the JSON lines; the banner and summary go to stderr.
  EXPECT_EQ(o.out, line1 + line2);
  EXPECT_NE(o.err.find("  fired           2\n"), std::string::npos) << o.err;
}

TEST(alert_e2e, a_cooldown_from_the_config_file_holds_back_the_second_edge) {
  scratch_dir dir;
  auto csv = bars_csv(dir, {9, 11, 12, 9, 11});
  auto cfg = (dir / "alert.toml").string();
  std::ofstream{cfg} << "[alert]\ncooldown = \"5h\"\ncooldown = \"7d\"\n";
  auto dup = run({"alert", "--rule", "close > 10", "--data", csv, "--config", cfg}, dir);
  EXPECT_EQ(dup.exit_code, 2);
  std::ofstream{cfg} << "[market]\nseed = 3\n\n[alert]\ncooldown = \"96h\"\n";
  auto o = run({"alert", "--rule", "close > 10", "--data", csv, "--config", cfg}, dir);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("  fired           1\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("cooldown 1"), std::string::npos) << o.out;
}

TEST(alert_e2e, bad_input_is_exit_2_saying_what_is_wrong) {
  scratch_dir dir;
  auto bad_rule = run({"alert", "--rule", "clsoe > 1", "--events", "10"}, dir);
  EXPECT_EQ(bad_rule.exit_code, 2);
  EXPECT_NE(bad_rule.err.find("1:1: unknown name \"clsoe\""), std::string::npos) << bad_rule.err;
  EXPECT_NE(bad_rule.err.find("clsoe > 1\n^"), std::string::npos) << bad_rule.err;

  auto bad_hook = run({"alert", "--rule", "close > 1", "--webhook", "pager=http://x/"}, dir);
  EXPECT_EQ(bad_hook.exit_code, 2);
  EXPECT_NE(bad_hook.err.find("unknown webhook kind \"pager\""), std::string::npos)
    << bad_hook.err;

  auto cfg = (dir / "bad.toml").string();
  std::ofstream{cfg} << "[alert]\ntrigger = \"edge\"\ncooldwn = \"5m\"\n";
  auto bad_key = run({"alert", "--rule", "close > 1", "--config", cfg}, dir);
  EXPECT_EQ(bad_key.exit_code, 2);
  EXPECT_NE(bad_key.err.find("bad.toml:3: alert.cooldwn: unknown key"), std::string::npos)
    << bad_key.err;
}

TEST(alert_e2e, stops_cleanly_on_sigint_with_a_summary) {
  scratch_dir dir;
  auto pid = start({"alert", "--rule", "close > 0"}, dir);
  // Wait for the banner: the synthetic market is running (it never ends).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (slurp(dir / "stdout").find("osprey alert:") == std::string::npos
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  kill(pid, SIGINT);
  auto o = finish(pid, dir);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("alert summary"), std::string::npos) << o.out.substr(0, 2000);
  EXPECT_NE(o.out.find("  evaluations"), std::string::npos);
}
