#pragma once

// News (and social posts, same shape) from a replay file: JSON Lines, one
// item per line, in the field names Alpaca's news API uses:
//
//   {"id": "31219", "created_at": "2026-01-05T15:04:05Z",
//    "headline": "Acme beats estimates", "summary": "...",
//    "symbols": ["ACME"], "source": "benzinga"}
//
// `time` may stand for `created_at`, as RFC 3339 text (fractional seconds
// and offsets allowed) or integer nanoseconds since the epoch. Only
// `headline` and a time are required. Every line that cannot be used is
// reported with its file and line and skipped; the others are kept, in the
// file's order (the caller merges by event time).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/msg.hpp"

namespace osprey {

struct news_problem {
  std::string file;
  uint64_t line = 0;
  std::string what;
};

struct news_read_result {
  std::vector<msg> items; ///< NewsItem messages, ts_event = the item's time.
  std::vector<news_problem> problems;
};

/// Reads every item of the JSON Lines file at `path`; throws
/// std::runtime_error naming the path when it cannot be opened.
news_read_result read_news(const std::string& path);

/// Parses RFC 3339 date-time text ("2026-01-05T15:04:05.25-05:00") into
/// nanoseconds since the epoch; nullopt when it is not one.
std::optional<int64_t> parse_rfc3339(std::string_view text);

} // namespace osprey
