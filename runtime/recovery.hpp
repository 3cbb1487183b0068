#pragma once

// Crash recovery: the journal is the source of truth. On start, `osprey run`
// reads the journal it is about to append to, keeps every valid record (a
// torn tail is cut off), and hands the records to each actor, which rebuilds
// its state from them through the same functions it uses live, sending
// nothing. The simulated broker replays the commands and quotes it saw, so
// the orders working at the venue when the process died work again.
//
// With the deterministic profile the journal holds the exact order of
// execution, one market event and everything it caused after another. The
// last event's work may have been cut short by the crash, so recovery drops
// that event and its consequences and runs it again: the resumed run writes
// the same bytes a run that never crashed would have written.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/broker.hpp"
#include "messages/msg.hpp"
#include "messages/msg_sink.hpp"
#include "runtime/broker_actor.hpp"

namespace osprey {

struct recovery_plan {
  /// The records to rebuild from, in journal order (SymbolDirectory first).
  std::shared_ptr<const std::vector<msg>> records;
  /// Bytes of the file that hold those records; the rest is cut off.
  uint64_t keep_bytes = 0;
  /// The sequence number of the last market event kept.
  uint64_t last_seq = 0;
  /// How many events of the market source the kept records hold: the
  /// market resumes after them.
  uint64_t source_events = 0;
  /// Records dropped: a torn tail, or the unfinished last event.
  uint64_t dropped_records = 0;
  uint64_t orders = 0; ///< SubmitOrder records kept.
  uint64_t fills = 0;  ///< OrderFilled records kept.
};

/// Reads the journal at `path` for a restart with the symbols `symbols`.
/// `whole_events` cuts back to the start of the last market event (the
/// deterministic profile). `bars_are_built`: the collector builds the bars
/// (they are not events of the source). Throws std::runtime_error naming the path and the
/// problem when the journal cannot be resumed: unreadable, corrupt in the
/// middle, or written for other symbols.
recovery_plan plan_recovery(const std::string& path,
                            const std::vector<std::string>& symbols,
                            bool whole_events, bool bars_are_built = false);

/// Cuts the file at `path` to `bytes`; throws std::runtime_error on failure.
void cut_journal(const std::string& path, uint64_t bytes);

/// Wraps a broker factory so that the broker first replays the journal's
/// commands and market events with its reports discarded (they are in the
/// journal), then reports to the real sink.
broker_factory recovering(broker_factory make,
                          std::shared_ptr<const std::vector<msg>> records);

} // namespace osprey
