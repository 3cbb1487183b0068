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
};

} // namespace osprey
