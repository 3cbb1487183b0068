#pragma once

// A one-line terminal progress bar for long runs (backtests, searches). It
// redraws in place with a carriage return at most ten times a second, and
// prints nothing at all when disabled, so pipes and log files stay clean.

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace osprey {

/// The time source of a progress bar; tests inject a fake one.
using progress_clock = std::function<std::chrono::steady_clock::time_point()>;

/// Returns whether file descriptor `fd` is a terminal (stderr is 2).
bool is_terminal(int fd);

/// Formats the bar's line: bar, percent, done/total, rate and ETA.
std::string format_progress(uint64_t done, uint64_t total, double elapsed_seconds,
                            int width = 24);

/// A progress bar drawn on `out`; pass enabled = wanted && is_terminal(fd).
class progress_bar {
public:
  /// Least time between two redraws.
  static constexpr std::chrono::milliseconds redraw_interval{100};

  progress_bar(std::ostream& out, uint64_t total, bool enabled,
               progress_clock clock = std::chrono::steady_clock::now);

  /// Ends the line if anything was drawn and finish() was not called.
  ~progress_bar();

  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  /// Records `done` units finished; redraws when the last redraw is at least
  /// redraw_interval old, or when `done` reaches the total.
  void update(uint64_t done);

  /// Draws the final state and ends the line; later updates print nothing.
  void finish();

  /// Returns how many times the line was drawn (for tests).
  uint64_t redraws() const { return redraws_; }

private:
  void draw(std::chrono::steady_clock::time_point now);

  std::ostream& out_;
  uint64_t total_;
  bool enabled_;
  progress_clock clock_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  uint64_t done_ = 0;
  uint64_t drawn_done_ = 0;
  uint64_t redraws_ = 0;
  size_t last_width_ = 0;
  bool finished_ = false;
};

} // namespace osprey
