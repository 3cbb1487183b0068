// End to end: the built `osprey` binary, started as a user would start it.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
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

/// Returns the lines after the "final positions" header up to the next
/// line that is not indented, sorted (the run lists symbols in id order, the
/// journal command by name).
std::vector<std::string> final_positions(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("final positions", 0) == 0) {
      inside = true;
      lines.clear();
      continue;
    }
    if (inside) {
      if (line.rfind("  ", 0) != 0)
        inside = false;
      else
        lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// Overwrites the root offset of a journal's second record with garbage.
void corrupt_second_record(const std::string& journal) {
  std::fstream f{journal, std::ios::in | std::ios::out | std::ios::binary};
  uint32_t first_len = 0;
  f.read(reinterpret_cast<char*>(&first_len), 4);
  f.seekp(4 + first_len + 4);
  const char junk[4] = {'\x7f', '\x7f', '\x7f', '\x7f'};
  f.write(junk, 4);
}

uint64_t count_in_summary(const std::string& out, const std::string& label) {
  auto at = out.find("\n  " + label);
  if (at == std::string::npos)
    return 0;
  return std::stoull(out.substr(out.find_first_not_of(' ', at + 3 + label.size())));
}

} // namespace

TEST(osprey_binary, prints_its_version_and_help) {
  scratch_dir dir;
  auto v = run({"--version"}, dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("osprey "), std::string::npos) << v.out;
  auto h = run({"--help"}, dir);
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("run"), std::string::npos);
  EXPECT_NE(h.out.find("journal"), std::string::npos);
}

TEST(osprey_binary, the_demo_trades_exits_zero_and_its_journal_replays_to_the_same_positions) {
  scratch_dir dir;
  auto journal = (dir / "demo.journal").string();
  auto r = run({"run", "--duration", "5s", "--journal", journal}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("tick->order p50"), std::string::npos) << r.out;
  EXPECT_GT(count_in_summary(r.out, "orders"), 0u) << r.out;
  auto positions = final_positions(r.out);
  ASSERT_FALSE(positions.empty()) << r.out;

  auto j = run({"journal", journal}, dir);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_TRUE(j.err.empty()) << j.err;
  EXPECT_EQ(final_positions(j.out), positions);
  EXPECT_NE(j.out.find("\"payload_type\": \"OrderFilled\""), std::string::npos);
  EXPECT_NE(j.out.find("\"payload_type\": \"Health\""), std::string::npos);
}

TEST(osprey_binary, the_heap_is_on_huge_pages_unless_the_environment_says_no) {
  scratch_dir dir;
  auto banner_of = [&] {
    auto r = run({"run", "--duration", "1s", "--fresh"}, dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
#if OSPREY_MIMALLOC_LINKED
  auto on = banner_of();
  EXPECT_NE(on.find("heap on huge pages"), std::string::npos) << on;
#else
  auto on = banner_of();
  EXPECT_NE(on.find("heap on 4 KiB pages"), std::string::npos) << on;
#endif
  ::setenv("MIMALLOC_LARGE_OS_PAGES", "0", 1); // the child inherits it
  auto off = banner_of();
  ::unsetenv("MIMALLOC_LARGE_OS_PAGES");
  EXPECT_NE(off.find("heap on 4 KiB pages"), std::string::npos) << off;
}

TEST(osprey_binary, ctrl_c_shuts_down_cleanly_with_a_summary) {
  scratch_dir dir;
  auto journal = (dir / "sigint.journal").string();
  auto pid = start({"run", "--journal", journal}, dir);
  std::this_thread::sleep_for(std::chrono::seconds{2});
  kill(pid, SIGINT);
  auto r = finish(pid, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("summary"), std::string::npos) << r.out;
  auto j = run({"journal", journal}, dir);
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_TRUE(j.err.empty()) << j.err; // flushed: no torn tail
}

TEST(osprey_binary, a_malformed_config_names_file_line_and_key) {
  scratch_dir dir;
  auto cfg = dir / "bad.toml";
  std::ofstream{cfg} << "[risk]\nmax_position = 100\nmax_order_notionl = 5.0\n";
  auto r = run({"run", "--config", cfg.string(), "--duration", "1s"}, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(cfg.string() + ":3: risk.max_order_notionl: unknown key"),
            std::string::npos)
    << r.err;
}

TEST(osprey_binary, a_torn_journal_tail_keeps_every_complete_record) {
  scratch_dir dir;
  auto journal = (dir / "torn.journal").string();
  ASSERT_EQ(run({"run", "--profile", "deterministic", "--events", "3000", "--journal",
                 journal},
                dir)
              .exit_code,
            0);
  auto whole = run({"journal", journal}, dir);
  fs::resize_file(journal, fs::file_size(journal) - 7);
  auto torn = run({"journal", journal}, dir);
  EXPECT_EQ(torn.exit_code, 0);
  EXPECT_NE(torn.err.find("torn"), std::string::npos) << torn.err;
  // Exactly one record (the last) is lost.
  auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
  EXPECT_EQ(lines(torn.out), lines(whole.out) - 1);
}

TEST(osprey_binary, a_corrupt_journal_record_is_reported_with_its_offset) {
  scratch_dir dir;
  auto journal = (dir / "corrupt.journal").string();
  ASSERT_EQ(run({"run", "--profile", "deterministic", "--events", "500", "--journal",
                 journal},
                dir)
              .exit_code,
            0);
  corrupt_second_record(journal);
  auto r = run({"journal", journal}, dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("offset"), std::string::npos) << r.err;
  // The first record (the symbol directory) was still printed.
  EXPECT_NE(r.out.find("SymbolDirectory"), std::string::npos);
}

TEST(osprey_binary, a_missing_journal_is_a_clear_error) {
  scratch_dir dir;
  auto r = run({"journal", (dir / "nope.journal").string()}, dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.journal"), std::string::npos) << r.err;
}

namespace {

/// Waits until `path` holds at least `bytes`, or `pid` has exited; returns
/// whether the size was reached with the process still running.
bool wait_for_size(const fs::path& path, uintmax_t bytes, pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (fs::file_size(path, ec) >= bytes && !ec)
      return waitpid(pid, nullptr, WNOHANG) == 0;
    if (waitpid(pid, nullptr, WNOHANG) != 0)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
  return false;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

} // namespace

TEST(osprey_binary, sigkill_mid_run_then_restart_writes_what_an_uncrashed_run_writes) {
  scratch_dir dir;
  std::vector<std::string> args{"run", "--profile", "deterministic", "--events", "150000"};
  auto whole = (dir / "whole.journal").string();
  auto a = args;
  a.insert(a.end(), {"--journal", whole});
  auto uncrashed = run(a, dir);
  ASSERT_EQ(uncrashed.exit_code, 0) << uncrashed.err;
  ASSERT_GT(count_in_summary(uncrashed.out, "orders"), 0u) << uncrashed.out;

  auto crashed = (dir / "crashed.journal").string();
  auto b = args;
  b.insert(b.end(), {"--journal", crashed});
  // Kill it twice in the middle of trading (at a third and at two thirds of
  // the journal), restarting in between.
  for (auto fraction : {3, 2}) {
    auto pid = start(b, dir);
    auto target = fs::file_size(whole) / static_cast<uintmax_t>(fraction);
    if (fraction == 2)
      target = fs::file_size(whole) * 2 / 3;
    bool mid_run = wait_for_size(crashed, target, pid);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ASSERT_TRUE(mid_run) << "the run ended before it could be killed";
    ASSERT_LT(fs::file_size(crashed), fs::file_size(whole));
  }

  auto resumed = run(b, dir);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("resumed from"), std::string::npos) << resumed.out;
  EXPECT_EQ(final_positions(resumed.out), final_positions(uncrashed.out));
  // Byte for byte: no order or fill lost or written twice, none different.
  EXPECT_EQ(fs::file_size(crashed), fs::file_size(whole));
  EXPECT_TRUE(slurp(crashed) == slurp(whole)) << "the resumed journal differs";
}

TEST(osprey_binary, sigkill_on_threads_then_restart_keeps_every_order_and_fill_once) {
  scratch_dir dir;
  auto journal = (dir / "threads.journal").string();
  std::vector<std::string> args{"run", "--profile", "efficient", "--journal", journal};
  auto first = args;
  first.insert(first.end(), {"--duration", "60s"});
  auto pid = start(first, dir);
  bool running = wait_for_size(journal, 400'000, pid);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_TRUE(running);
  auto before = run({"journal", journal}, dir);
  auto second = args;
  second.insert(second.end(), {"--duration", "3s"});
  auto resumed = run(second, dir);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("resumed from"), std::string::npos) << resumed.out;
  auto after = run({"journal", journal}, dir);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  // Every client order id is submitted once, across both processes.
  std::istringstream in{after.out};
  std::string line;
  std::set<uint64_t> submitted;
  std::map<uint64_t, int64_t> filled;
  size_t submits = 0;
  while (std::getline(in, line)) {
    auto id_at = line.find("\"client_order_id\": ");
    if (id_at == std::string::npos)
      continue;
    auto id = std::stoull(line.substr(id_at + 19));
    if (line.find("\"payload_type\": \"SubmitOrder\"") != std::string::npos) {
      ++submits;
      EXPECT_TRUE(submitted.insert(id).second) << "order " << id << " submitted twice";
    }
    if (line.find("\"payload_type\": \"OrderFilled\"") != std::string::npos) {
      EXPECT_TRUE(submitted.contains(id)) << "a fill for unknown order " << id;
      auto q = line.find("\"fill_quantity\": ");
      filled[id] += std::stoll(line.substr(q + 17));
    }
  }
  EXPECT_GT(submits, count_of(before.out, "\"payload_type\": \"SubmitOrder\"") - 1);
  // The journal's fills replay to the positions the resumed run ended with.
  EXPECT_EQ(final_positions(after.out), final_positions(resumed.out));
}

TEST(osprey_binary, a_journal_corrupt_in_the_middle_is_not_resumed) {
  scratch_dir dir;
  auto journal = (dir / "corrupt.journal").string();
  ASSERT_EQ(run({"run", "--profile", "deterministic", "--events", "500", "--journal",
                 journal},
                dir)
              .exit_code,
            0);
  corrupt_second_record(journal);
  auto size = fs::file_size(journal);
  auto r = run({"run", "--profile", "deterministic", "--events", "600", "--journal", journal},
               dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot resume"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--fresh"), std::string::npos) << r.err;
  EXPECT_EQ(fs::file_size(journal), size); // nothing touched
}

TEST(osprey_binary, a_journal_of_other_symbols_is_not_resumed) {
  scratch_dir dir;
  auto journal = (dir / "other.journal").string();
  auto cfg = dir / "two.toml";
  std::ofstream{cfg} << "[market]\nsymbols = [\"AAPL\", \"MSFT\"]\n";
  ASSERT_EQ(run({"run", "--profile", "deterministic", "--events", "300", "--journal",
                 journal},
                dir)
              .exit_code,
            0);
  auto r = run({"run", "--config", cfg.string(), "--profile", "deterministic", "--events",
                "300", "--journal", journal},
               dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("written for symbols AAPL,MSFT,NVDA"), std::string::npos) << r.err;
  auto fresh = run({"run", "--config", cfg.string(), "--profile", "deterministic",
                    "--events", "300", "--journal", journal, "--fresh"},
                   dir);
  EXPECT_EQ(fresh.exit_code, 0) << fresh.err;
}

TEST(osprey_binary, replaying_a_journal_through_the_same_actors_rewrites_it_byte_for_byte) {
  scratch_dir dir;
  auto source = (dir / "source.journal").string();
  auto replayed = (dir / "replayed.journal").string();
  auto a = run({"run", "--profile", "deterministic", "--events", "20000", "--journal", source},
               dir);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = run({"run", "--profile", "deterministic", "--replay", source, "--journal", replayed},
               dir);
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("replaying " + source), std::string::npos) << b.out;
  EXPECT_EQ(final_positions(b.out), final_positions(a.out));
  EXPECT_TRUE(slurp(source) == slurp(replayed)) << "the replay wrote a different journal";
}

TEST(osprey_binary, a_replay_of_a_missing_or_corrupt_journal_is_a_clear_error) {
  scratch_dir dir;
  auto missing = run({"run", "--replay", (dir / "nope.journal").string()}, dir);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.journal"), std::string::npos) << missing.err;
  auto journal = (dir / "bad.journal").string();
  ASSERT_EQ(run({"run", "--profile", "deterministic", "--events", "300", "--journal", journal},
                dir)
              .exit_code,
            0);
  corrupt_second_record(journal);
  auto r = run({"run", "--profile", "deterministic", "--replay", journal, "--journal",
                (dir / "out.journal").string()},
               dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.journal"), std::string::npos) << r.err;
}

TEST(osprey_binary, sentiment_scores_text_and_evaluate_reports_and_remembers) {
  scratch_dir dir;
  auto s = run({"sentiment", "--json", "Acme beats estimates and raises guidance"}, dir);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("\"compound\""), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("earnings_beat"), std::string::npos) << s.out;

  std::string market = std::string{OSPREY_SOURCE_DIR} + "/../shared/data/market/";
  if (!fs::exists(market + "MSFT_daily_2012-2014.csv"))
    FAIL() << "shared market data not found at " << market;
  auto history = (dir / "history.sqlite").string();
  auto e = run({"evaluate", "MSFT", "--data", market + "MSFT_daily_2012-2014.csv", "--history",
                history},
               dir);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("MSFT as of 2014-12-31: run score"), std::string::npos) << e.out;
  auto h = run({"history", "MSFT", "--history", history}, dir);
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("2014-12-31 MSFT run score"), std::string::npos) << h.out;
  auto missing = run({"evaluate", "ZZZZ", "--data", market + "MSFT_daily_2012-2014.csv",
                      "--history", history},
                     dir);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no daily bars for ZZZZ"), std::string::npos) << missing.err;
}

TEST(osprey_binary, news_is_read_into_the_journal_and_moves_the_narrative) {
  scratch_dir dir;
  {
    std::ofstream news{dir / "news.jsonl"};
    news << R"({"id":"1","headline":"Apple beats estimates and raises guidance","symbols":["AAPL"],"created_at":"2026-01-05T14:00:00Z"})"
         << "\n"
         << R"({"id":"2","headline":"Microsoft faces a lawsuit over a bad product","symbols":["MSFT"],"created_at":"2026-01-05T14:31:00Z"})"
         << "\n"
         << R"({"id":"3","headline":"Why NVDA is great today","created_at":"2026-01-05T14:32:00Z"})"
         << "\n"
         << R"({"id":"4","headline":"","created_at":"2026-01-05T14:33:00Z"})"
         << "\n";
  }
  auto journal = (dir / "news.journal").string();
  auto r = run({"run", "--profile", "deterministic", "--events", "2000", "--news",
                (dir / "news.jsonl").string(), "--journal", journal},
               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("news: 3 items from 1 file(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("news.jsonl:4"), std::string::npos) << r.out; // the empty headline
  auto j = run({"journal", journal}, dir);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = j.out.find(what); at != std::string::npos; at = j.out.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("\"payload_type\": \"NewsItem\""), 3u);
  // One reading per item: AAPL, MSFT by its list, NVDA found in the headline.
  EXPECT_EQ(count("\"payload_type\": \"NewsSentiment\""), 3u);
  EXPECT_NE(j.out.find("\"news_id\": \"1\", \"compound\": 0.7"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"news_id\": \"2\", \"compound\": -"), std::string::npos) << j.out;
}

TEST(osprey_binary, evaluate_batch_with_options_and_fundamentals_matches_one_by_one) {
  std::string market = std::string{OSPREY_SOURCE_DIR} + "/../shared/data/market/";
  for (auto f : {"AAPL", "MSFT", "KO"})
    if (!fs::exists(market + f + "_daily_2012-2014.csv"))
      FAIL() << "shared market data not found at " << market;
  scratch_dir dir;
  auto write = [&dir](const std::string& name, const std::string& text) {
    std::ofstream{dir / name} << text;
    return (dir / name).string();
  };
  auto options = write("options.csv", "date,symbol,expiry,strike,type,open_interest\n"
                                      "2014-12-30,AAPL,2015-01-16,110,call,1500\n"
                                      "2014-12-30,AAPL,2015-01-16,105,put,500\n"
                                      "2014-12-30,KO,2015-01-16,40,P,oops\n");
  auto fundamentals = write("fundamentals.csv",
                            "symbol,date,eps_actual,eps_estimate,revenue,revenue_year_ago\n"
                            "MSFT,2014-10-23,0.54,0.50,,\n");
  auto list = write("tickers.txt", "# batch\nAAPL\nMSFT\n\nKO\nnot a ticker\n");
  std::vector<std::string> common = {"--data",
                                     market + "AAPL_daily_2012-2014.csv",
                                     market + "MSFT_daily_2012-2014.csv",
                                     market + "KO_daily_2012-2014.csv",
                                     "--options", options, "--fundamentals", fundamentals};
  auto with = [&common](std::vector<std::string> args) {
    args.insert(args.end(), common.begin(), common.end());
    return args;
  };
  auto batch = run(with({"evaluate", "--batch", list, "--history",
                         (dir / "batch.sqlite").string()}),
                   dir);
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  auto one_by_one = run(with({"evaluate", "AAPL", "MSFT", "KO", "--history",
                              (dir / "seq.sqlite").string()}),
                        dir);
  ASSERT_EQ(one_by_one.exit_code, 0) << one_by_one.err;
  EXPECT_EQ(batch.out, one_by_one.out);
  EXPECT_NE(batch.out.find("call/put open interest 3.00"), std::string::npos) << batch.out;
  EXPECT_NE(batch.out.find("earnings surprise +8.0%"), std::string::npos) << batch.out;
  EXPECT_LT(batch.out.find("AAPL as of"), batch.out.find("MSFT as of"));
  EXPECT_LT(batch.out.find("MSFT as of"), batch.out.find("KO as of"));
  EXPECT_NE(batch.err.find("options.csv:4: open_interest \"oops\""), std::string::npos)
    << batch.err;
  EXPECT_NE(batch.err.find("tickers.txt:6: \"not a ticker\""), std::string::npos) << batch.err;
  auto h = run({"history", "KO", "--history", (dir / "batch.sqlite").string()}, dir);
  EXPECT_NE(h.out.find("2014-12-31 KO run score"), std::string::npos) << h.out;
}

TEST(osprey_binary, a_backtest_of_a_recorded_run_places_the_same_orders_in_the_same_order) {
  scratch_dir dir;
  auto live = (dir / "live.journal").string();
  auto r = run({"run", "--profile", "deterministic", "--events", "30000", "--journal", live}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto bt = (dir / "bt.journal").string();
  auto b = run({"backtest", "--data", live, "--journal", bt, "--no-progress"}, dir);
  ASSERT_EQ(b.exit_code, 0) << b.err << b.out;
  EXPECT_NE(b.out.find("fills at the next quote"), std::string::npos) << b.out;
  auto orders_of = [&](const std::string& journal) {
    auto j = run({"journal", journal}, dir);
    std::vector<std::string> out;
    std::istringstream lines{j.out};
    for (std::string line; std::getline(lines, line);)
      if (line.find("\"payload_type\": \"SubmitOrder\"") != std::string::npos)
        out.push_back(line);
    return out;
  };
  auto a = orders_of(live), c = orders_of(bt);
  EXPECT_GT(a.size(), 5u);
  EXPECT_EQ(a, c);
}

TEST(osprey_binary, backtest_prints_json_and_writes_a_report) {
  std::string market = std::string{OSPREY_SOURCE_DIR} + "/../shared/data/market/";
  if (!fs::exists(market + "GOOG_daily_2004-2013.csv"))
    FAIL() << "shared market data not found at " << market;
  scratch_dir dir;
  auto report = (dir / "report.html").string();
  auto r = run({"backtest", "--data", market + "GOOG_daily_2004-2013.csv", "--json", "--report",
                report, "--no-progress"},
               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"metrics\":{", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find("\"trades\":["), std::string::npos);
  auto html = slurp(report);
  EXPECT_NE(html.find("<html"), std::string::npos);
  EXPECT_NE(html.find("LightweightCharts"), std::string::npos) << "the chart library is not inlined";
  auto bad = run({"backtest", "--data", market + "GOOG_daily_2004-2013.csv", "--fill", "tomorrow"},
                 dir);
  EXPECT_NE(bad.exit_code, 0);
}

TEST(osprey_binary, backtest_fractional_trades_fractions_of_a_share) {
  std::string market = std::string{OSPREY_SOURCE_DIR} + "/../shared/data/market/";
  if (!fs::exists(market + "GOOG_daily_2004-2013.csv"))
    FAIL() << "shared market data not found at " << market;
  scratch_dir dir;
  std::vector<std::string> args{"backtest", "--data", market + "GOOG_daily_2004-2013.csv",
                                "--strategy", "trend", "--size", "all cash", "--json",
                                "--no-progress"};
  auto whole = run(args, dir);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  args.push_back("--fractional");
  auto fractional = run(args, dir);
  ASSERT_EQ(fractional.exit_code, 0) << fractional.err;
  // Whole shares print as integers; fractions with their decimals.
  std::regex qty{R"re("qty":(-?[0-9]+(\.[0-9]+)?))re"};
  auto decimals = [&](const std::string& out) {
    size_t trades = 0, with_fraction = 0;
    for (std::sregex_iterator it{out.begin(), out.end(), qty}, end; it != end; ++it) {
      ++trades;
      with_fraction += (*it)[2].matched;
    }
    return std::pair{trades, with_fraction};
  };
  auto [whole_trades, whole_fractions] = decimals(whole.out);
  auto [fractional_trades, fractions] = decimals(fractional.out);
  EXPECT_GT(whole_trades, 0u) << whole.out.substr(0, 300);
  EXPECT_EQ(whole_fractions, 0u);
  EXPECT_EQ(fractional_trades, whole_trades);
  EXPECT_GT(fractions, 0u) << fractional.out.substr(0, 300);
  // Brackets cannot carry fractions: refused before anything runs.
  auto refused = run({"backtest", "--data", market + "GOOG_daily_2004-2013.csv", "--entry",
                      "close > sma(close, 20)", "--stop", "5%", "--opposite", "ignore",
                      "--exits", "bracket", "--fractional", "--no-progress"},
                     dir);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("fractional entries cannot carry bracket exits"), std::string::npos)
    << refused.err;
}
