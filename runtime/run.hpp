#pragma once

#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/config.hpp"

namespace osprey {

struct run_options {
  /// Starts a new journal even when one exists (otherwise the run resumes
  /// from it: see recovery.hpp).
  bool fresh = false;
  /// Replays the market events of a journal instead of the synthetic market
  /// (its symbols replace the configured ones).
  std::vector<std::string> replay;
  /// News files (JSON Lines) merged into the market by event time.
  std::vector<std::string> news;
  /// Where the sources are, the last place the sentiment lexicon is looked
  /// for when news is read and none is configured.
  std::string project_dir;
};

/// Runs the engine on the synthetic market and simulated broker until the
/// configured duration or event count, or until `stop` becomes true. When
/// the journal exists, first rebuilds every actor's state from it and
/// resumes the market after the last event it holds. Prints a status line
/// every status interval and a summary at the end to `out`. Returns the
/// process exit code; throws std::runtime_error when the journal cannot be
/// resumed.
int run_engine(const engine_config& cfg, const std::atomic<bool>& stop,
               std::ostream& out, const run_options& opts = {});

} // namespace osprey
