#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <unistd.h>
#include <vector>

#include "adapters/csv_replay.hpp"

using namespace osprey;
namespace fs = std::filesystem;

namespace {

// One generated row: its file, its place in the file and its time.
struct row {
  int file;
  int index;
  int64_t ts;
};

} // namespace

RC_GTEST_PROP(csv_replay_property,
              merges_sorted_files_in_any_order_into_one_ordered_stream_of_every_row,
              ()) {
  const int files = *rc::gen::inRange(1, 6);
  // Times from a narrow range so that files often tie with each other.
  std::vector<std::vector<int64_t>> times(files);
  for (auto& t : times) {
    auto raw = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 40));
    std::sort(raw.begin(), raw.end());
    raw.erase(std::unique(raw.begin(), raw.end()), raw.end());
    for (int v : raw)
      t.push_back(1'700'000'000'000'000'000 + int64_t{v} * 1'000'000'000);
  }
  // The order in which the files are handed to the replay.
  auto keys = *rc::gen::container<std::vector<int>>(static_cast<size_t>(files),
                                                    rc::gen::arbitrary<int>());
  std::vector<int> order(files);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return keys[a] < keys[b]; });

  static int run = 0;
  std::string dir_name = "osprey_csv_prop_";
  dir_name += std::to_string(::getpid());
  dir_name += '_';
  dir_name += std::to_string(run++);
  auto dir = fs::temp_directory_path() / dir_name;
  fs::create_directories(dir);
  std::vector<std::string> paths;
  std::vector<int> position(files); // file -> its place in `paths`
  for (int f : order) {
    position[f] = static_cast<int>(paths.size());
    std::string name = "F";
    name += std::to_string(f);
    name += "_bars.csv";
    auto p = (dir / name).string();
    std::ofstream out{p};
    out << "ts_event,symbol,kind,interval_s,open,high,low,close,volume\n";
    for (size_t i = 0; i < times[f].size(); ++i) {
      // The close names the row: file * 1000 + index + 1 dollars.
      auto close = std::to_string(f * 1000 + static_cast<int>(i) + 1);
      out << times[f][i] << ",F" << f << ",bar,60," << close << ',' << close << ','
          << close << ',' << close << ",1\n";
    }
    paths.push_back(p);
  }

  symbol_table table;
  auto result = read_all_csv(paths, {}, table);
  fs::remove_all(dir);

  size_t total = 0;
  for (auto& t : times)
    total += t.size();
  RC_ASSERT(result.messages.size() == total);
  RC_ASSERT(result.report.skipped() == 0u);

  std::vector<std::vector<int>> seen(files);
  for (auto& t : seen)
    t.assign(40, 0);
  int prev_position = -1;
  int64_t prev_ts = INT64_MIN;
  for (auto& m : result.messages) {
    auto b = m.as<fb::Bar>();
    RC_ASSERT(b != nullptr);
    auto id = b->close() / 1'000'000 - 1;
    int f = static_cast<int>(id / 1000);
    int i = static_cast<int>(id % 1000);
    RC_ASSERT(f >= 0 && f < files);
    RC_ASSERT(i >= 0 && static_cast<size_t>(i) < times[f].size());
    std::string symbol = "F";
    symbol += std::to_string(f);
    RC_ASSERT(table.name(symbol_id{b->symbol()}) == symbol);
    RC_ASSERT(m.ts_event() == times[f][i]);
    // Non-decreasing in time; among equal times, in the order files were given.
    RC_ASSERT(m.ts_event() >= prev_ts);
    if (m.ts_event() == prev_ts) {
      RC_ASSERT(position[f] > prev_position);
    }
    prev_ts = m.ts_event();
    prev_position = position[f];
    ++seen[f][i];
  }
  for (int f = 0; f < files; ++f)
    for (size_t i = 0; i < times[f].size(); ++i)
      RC_ASSERT(seen[f][i] == 1);
}
