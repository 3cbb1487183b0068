#pragma once

// Narrative metrics per symbol, from the news and social mentions the
// signal actor sees: how often a symbol is mentioned now against its own
// baseline, with what sentiment, moving which way. Plain state over event
// time; O(1) amortised per mention, no allocation after the first mention
// of a symbol (each keeps a fixed ring of recent mentions).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace osprey {

struct narrative_params {
  int64_t window_ns = 3'600'000'000'000;     ///< "Now": the last hour.
  int64_t baseline_ns = 86'400'000'000'000;  ///< The symbol's normal: the last day.
  double trending_velocity = 3.0;            ///< Now at 3x its baseline rate...
  uint32_t trending_min_mentions = 5;        ///< ...with at least this many mentions.
  uint32_t capacity = 4096; ///< Mentions kept per symbol; the oldest go first.
};

/// What the metrics say at one moment.
struct narrative_metrics {
  uint32_t mentions_window = 0;   ///< In the last window.
  uint32_t mentions_baseline = 0; ///< In the baseline before the window.
  /// Mentions per unit time now against the baseline's rate (a symbol with
  /// no baseline mentions: the window count itself).
  double velocity = 0;
  double sentiment = 0;       ///< Mean sentiment in the window (0 without mentions).
  double sentiment_trend = 0; ///< Window mean less the previous window's mean.
  bool trending = false;
};

class narrative_tracker {
public:
  explicit narrative_tracker(narrative_params p = {}) : params_(p) {}

  /// Records a mention of `symbol` at event time `ts` with a sentiment in
  /// [-1, 1] (non-finite sentiment counts as a mention with none: 0).
  /// Mentions must come in event-time order; an older one is ignored.
  void mention(uint32_t symbol, int64_t ts, double sentiment);

  /// Returns the metrics of `symbol` as of `now`.
  narrative_metrics metrics(uint32_t symbol, int64_t now) const;

private:
  struct entry {
    int64_t ts = 0;
    double sentiment = 0;
  };
  struct ring {
    std::vector<entry> items; ///< Sized to capacity at the first mention.
    std::size_t head = 0, count = 0;
    int64_t last_ts = INT64_MIN;
  };

  narrative_params params_;
  std::vector<ring> symbols_;
};

} // namespace osprey
