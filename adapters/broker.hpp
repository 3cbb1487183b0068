#pragma once

// The one interface every broker adapter implements: the simulated broker
// here, the Alpaca adapter later. The order manager talks to either the same
// way, so a backtest and a live run exercise the same code above this line.

#include "messages/msg.hpp"

namespace osprey {

/// A venue that takes order commands and reports executions to a msg_sink.
class broker {
public:
  virtual ~broker() = default;

  /// Handles a SubmitOrder, CancelOrder or ReplaceOrder command; execution
  /// reports go to the sink given at construction.
  virtual void on_command(const msg& command) = 0;

  /// Sees every market event (the simulator fills against quotes; a real
  /// venue ignores this).
  virtual void on_market(const msg& event) = 0;
};

} // namespace osprey
