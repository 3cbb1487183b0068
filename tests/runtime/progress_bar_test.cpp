// The progress bar on a fake clock and a string stream.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "runtime/progress_bar.hpp"

using namespace osprey;
using namespace std::chrono_literals;

namespace {

/// A clock that moves only when the test says so.
struct fake_clock {
  std::chrono::steady_clock::time_point now{};
  progress_clock source() {
    return [this] { return now; };
  }
};

size_t count(const std::string& s, char c) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), c));
}

} // namespace

TEST(progress_bar, prints_nothing_when_disabled) {
  std::ostringstream out;
  fake_clock clock;
  {
    progress_bar bar{out, 100, false, clock.source()};
    for (uint64_t i = 0; i <= 100; ++i) {
      clock.now += 1s;
      bar.update(i);
    }
    bar.finish();
  }
  EXPECT_EQ(out.str(), "");
}

TEST(progress_bar, redraws_at_most_ten_times_a_second) {
  std::ostringstream out;
  fake_clock clock;
  progress_bar bar{out, 1000, true, clock.source()};
  // 999 updates 1 ms apart: about one second of work.
  for (uint64_t i = 1; i < 1000; ++i) {
    clock.now += 1ms;
    bar.update(i);
  }
  // The first update draws, then one draw per 100 ms: 1 + 9.
  EXPECT_EQ(bar.redraws(), 10u);
  EXPECT_EQ(count(out.str(), '\r'), 10u);
  EXPECT_EQ(count(out.str(), '\n'), 0u);
}

TEST(progress_bar, always_draws_completion_once_and_ends_the_line) {
  std::ostringstream out;
  fake_clock clock;
  progress_bar bar{out, 10, true, clock.source()};
  bar.update(1);
  clock.now += 1ms;
  bar.update(10);
  bar.update(10);
  EXPECT_EQ(bar.redraws(), 2u);
  bar.finish();
  bar.update(10);
  EXPECT_EQ(bar.redraws(), 3u);
  const auto s = out.str();
  EXPECT_EQ(s.back(), '\n');
  EXPECT_NE(s.find("100.0% 10/10"), std::string::npos) << s;
}

TEST(progress_bar, shows_percent_count_rate_and_eta) {
  std::ostringstream out;
  fake_clock clock;
  progress_bar bar{out, 200, true, clock.source()};
  clock.now += 2s;
  bar.update(50);
  EXPECT_EQ(out.str(), "\r[######..................]  25.0% 50/200  25.0/s  ETA 0:00:06");
}

TEST(progress_bar, blanks_the_rest_of_a_longer_previous_line) {
  std::ostringstream out;
  fake_clock clock;
  progress_bar bar{out, 100000, true, clock.source()};
  clock.now += 1s;
  bar.update(99000); // "99.0k/s": long
  const auto first = out.str().size();
  clock.now += 1000s;
  bar.update(99001); // "99.0/s": one character shorter
  const auto second = out.str().substr(first);
  EXPECT_EQ(second.size(), first);
  EXPECT_EQ(second.back(), ' ');
}

TEST(progress_bar, formats_the_unknown_rate_before_any_progress) {
  EXPECT_EQ(format_progress(0, 10, 0, 10), "[..........]   0.0% 0/10  --/s  ETA --:--:--");
  EXPECT_EQ(format_progress(5, 0, 1, 4), "[####] 100.0% 0/0  --/s  ETA --:--:--");
}

TEST(progress_bar, ends_a_drawn_line_when_destroyed_unfinished) {
  std::ostringstream out;
  fake_clock clock;
  {
    progress_bar bar{out, 10, true, clock.source()};
    bar.update(3);
  }
  EXPECT_EQ(out.str().back(), '\n');
}
