#include "runtime/progress_bar.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>
#include <utility>

namespace osprey {

namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string rate_text(double per_second) {
  char buf[32];
  if (per_second >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM/s", per_second / 1e6);
  else if (per_second >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk/s", per_second / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.1f/s", per_second);
  return buf;
}

} // namespace

bool is_terminal(int fd) {
  return ::isatty(fd) == 1;
}

std::string format_progress(uint64_t done, uint64_t total, double elapsed_seconds, int width) {
  done = std::min(done, total);
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * width);
  std::string line = "[";
  line.append(static_cast<size_t>(filled), '#');
  line.append(static_cast<size_t>(width - filled), '.');
  line += "] ";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%5.1f%% %llu/%llu", fraction * 100,
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
  line += buf;
  // Before any time has passed or anything is done the rate says nothing.
  if (elapsed_seconds > 0 && done > 0) {
    const double rate = static_cast<double>(done) / elapsed_seconds;
    line += "  ";
    line += rate_text(rate);
    line += "  ETA ";
    line += clock_text(static_cast<double>(total - done) / rate);
  } else {
    line += "  --/s  ETA --:--:--";
  }
  return line;
}

progress_bar::progress_bar(std::ostream& out, uint64_t total, bool enabled, progress_clock clock)
    : out_(out), total_(total), enabled_(enabled), clock_(std::move(clock)) {
  start_ = clock_();
  last_draw_ = start_;
}

progress_bar::~progress_bar() {
  if (enabled_ && redraws_ > 0 && !finished_)
    out_ << '\n' << std::flush;
}

void progress_bar::update(uint64_t done) {
  if (!enabled_ || finished_)
    return;
  done_ = done;
  const auto now = clock_();
  // Reaching the total is always shown, once.
  if (redraws_ == 0 || (done >= total_ && drawn_done_ < total_) ||
      now - last_draw_ >= redraw_interval)
    draw(now);
}

void progress_bar::finish() {
  if (!enabled_ || finished_)
    return;
  draw(clock_());
  out_ << '\n' << std::flush;
  finished_ = true;
}

void progress_bar::draw(std::chrono::steady_clock::time_point now) {
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = format_progress(done_, total_, elapsed);
  // Blank out what is left of a longer previous line.
  const size_t width = line.size();
  if (width < last_width_)
    line.append(last_width_ - width, ' ');
  last_width_ = width;
  out_ << '\r' << line << std::flush;
  last_draw_ = now;
  drawn_done_ = done_;
  ++redraws_;
}

} // namespace osprey
