#pragma once

// collector: the door market data comes in by. It gives every event a
// sequence number, drops duplicates and events older than the last one seen
// for the same symbol and kind, keeps the last event per symbol, and fans the
// accepted events out to its subscribers. A BarBatch (many symbols' bars,
// as replay sends history) is admitted row by row under the same rules and
// goes on as one message.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "actors/bar_builder.hpp"
#include "actors/caf_types.hpp"
#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"

namespace osprey {

/// Counters a collector exposes.
struct collector_stats {
  uint64_t accepted = 0;
  uint64_t duplicates_dropped = 0;
  uint64_t out_of_order_dropped = 0;
  uint64_t refused = 0; ///< Messages that are not market data.
  uint64_t bars_built = 0; ///< Bars made from trades (counted in accepted too).
  uint64_t bar_gaps = 0;   ///< Intervals with no trade between two built bars.
  uint64_t stale_reports = 0;
  uint64_t news = 0; ///< News items accepted (also counted in accepted).
};

/// What the collector derives from the events it accepts.
struct collector_params {
  /// Builds bars of this interval from trades (0: off, for sources that
  /// give bars themselves).
  int64_t bar_interval_ns = 0;
  /// Reports a symbol with no event for this long (0: off).
  int64_t stale_after_ns = 0;
  /// The session, as UTC times of day; its open and close are journaled as
  /// they happen in event time (equal: off).
  int64_t session_open_ns = (14 * 60 + 30) * 60'000'000'000LL;
  int64_t session_close_ns = 21 * 3'600'000'000'000LL;
};

/// What the collector decided about one event.
enum class admission { accept, duplicate, out_of_order, not_market_data };

/// The collector's state: sequence counter and the last event per symbol for
/// each kind of market data.
struct collector_state {
  static constexpr size_t kinds = 3; // trade, quote, bar

  uint64_t next_seq = 1;
  msg_builder builder;
  std::vector<std::array<msg, kinds>> last; ///< Indexed by symbol id.
  collector_stats stats;
  bar_builder bars{0};
  int64_t next_bar_close = INT64_MIN; ///< When close_due may next emit.
  stale_watch stale;
  session_clock session;
  session_edge last_edge = session_edge::none; ///< What the last event crossed.
  std::vector<built_bar> due; ///< Scratch, kept to not allocate per event.
  std::vector<msg> built;     ///< Scratch: derive()'s bars for the actor.
  /// Ids of recent news items, to drop a story delivered twice (a ring of
  /// the last news_ids_kept ids and a set over it).
  static constexpr size_t news_ids_kept = 4096;
  std::vector<std::string> news_ring;
  size_t news_next = 0;
  std::unordered_set<std::string> news_seen;
  std::vector<symbol_id> went_stale;
  /// The last bar row admitted per symbol (batches carry bars as rows, not
  /// messages), and scratch for the rows of the batch being admitted.
  struct bar_row_mark {
    bool seen = false;
    fb::BarRow row;
  };
  std::vector<bar_row_mark> last_rows;
  std::vector<fb::BarRow> batch_rows;

  void configure(const collector_params& p);

  /// Returns the last event of `kind` (0 trade, 1 quote, 2 bar) for a symbol.
  const msg* last_event(uint32_t symbol, size_t kind) const;
};

/// Decides whether `m` is new, a duplicate or out of order, and on
/// acceptance stamps its sequence number and records it as the last event.
/// Returns the decision and, on acceptance, the stamped message in `out`.
admission admit(collector_state& st, msg m, msg& out);

/// The same for a BarBatch: rows older than, or repeating, the symbol's last
/// bar are dropped (and counted); the others are sequenced in order. `out`
/// is the batch of the accepted rows (accept), or nothing is accepted
/// (duplicate when every row was dropped).
admission admit_batch(collector_state& st, const msg& batch, msg& out);

/// Derives from an accepted event: the bars it completes (built from trades,
/// sequenced after it) and the symbols it shows have gone stale. Appends the
/// Bar messages to `bars_out` and the stale symbols to `stale_out`.
void derive(collector_state& st, const msg& accepted, std::vector<msg>& bars_out,
            std::vector<symbol_id>& stale_out);

/// derive() for an accepted BarBatch: the session edges and stale symbols
/// its rows show (bars are not built from bars).
void derive_batch(collector_state& st, const msg& accepted, std::vector<symbol_id>& stale_out);

/// Kinds of market data, as a bit mask of what a subscriber wants.
enum market_kind : uint8_t {
  trades = 1,
  quotes = 2,
  bars = 4,
  all_market_data = trades | quotes | bars,
  news = 8, ///< News and social items (not market data: asked for separately).
};

/// An actor and the kinds of market data it receives.
struct market_subscriber {
  msg_actor actor;
  uint8_t kinds = all_market_data;
};

/// Returns the kind bit of a market data message (0 for anything else).
uint8_t market_kind_of(const msg& m) noexcept;

/// Returns whether the collector should journal its counters after the
/// events it just accepted: every `every` accepted events (0: never), once
/// the count crosses a multiple (a batch may cross it by more than one).
inline bool health_due(const collector_state& st, uint64_t every,
                       uint64_t accepted_before) noexcept {
  return every > 0 && st.stats.accepted / every != accepted_before / every;
}
inline bool health_due(const collector_state& st, uint64_t every) noexcept {
  return health_due(st, every, st.stats.accepted - 1);
}

/// The collector's peers, handed over at spawn.
/// Rebuilds the sequence counter, the counters and the last events from one
/// journal record (the market events it sequenced, its Health records).
void recover(collector_state& st, const msg& record);

struct collector_settings {
  /// Receive the accepted events of the kinds they asked for, in this order.
  /// Put the critical path (the signal actor) last: CAF's work-stealing
  /// worker runs the actor enqueued most recently first, so it runs next.
  std::vector<market_subscriber> subscribers;
  /// Receives every accepted event (the journal); may be null.
  msg_sink* journal = nullptr;
  /// Journal a Health message with the counters this often (accepted events).
  uint64_t health_every = 10'000;
  collector_params params;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

using collector_actor
  = msg_actor::extend<caf::replies_to<stats_atom>::with<collector_stats>>;

collector_actor::behavior_type
collector(collector_actor::stateful_pointer<collector_state> self,
          collector_settings settings);

} // namespace osprey

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::collector_stats)
