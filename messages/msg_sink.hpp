#pragma once

#include "messages/msg.hpp"

namespace osprey {

/// Somewhere messages go: the journal, an actor's mailbox, a test's vector.
/// Implementations must not block the caller on I/O.
class msg_sink {
public:
  virtual ~msg_sink() = default;

  /// Takes a reference to `m`'s bytes; never copies them.
  virtual void push(const msg& m) = 0;

  /// Returns a sink for one producer (one actor) through which its messages
  /// keep the order it pushed them in, whichever thread it runs on. The
  /// returned sink lives as long as this one. By default, this sink itself.
  virtual msg_sink* lane() { return this; }
};

} // namespace osprey
