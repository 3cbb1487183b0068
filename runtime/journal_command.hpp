#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "actors/order_state.hpp"
#include "messages/msg.hpp"

namespace osprey {

/// Final positions rebuilt from a journal's fills, by symbol name.
struct replayed_positions {
  std::map<std::string, position> by_symbol;
  uint64_t fills = 0;
};

/// Replays every OrderFilled of `messages` through the same position
/// arithmetic the order manager uses. Symbol names come from the journal's
/// SymbolDirectory record.
replayed_positions replay_positions(const std::vector<msg>& messages);

/// `osprey journal PATH`: prints every record as one line of JSON on `out`,
/// then the final positions; problems (a torn tail, a corrupt record) go to
/// `err`. Returns the exit code: 0, or 1 when a record was corrupt or the
/// file could not be read.
int print_journal(const std::string& path, std::ostream& out, std::ostream& err);

} // namespace osprey
