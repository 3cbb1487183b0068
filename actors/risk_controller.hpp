#pragma once

// risk controller: every order intent passes the pre-trade checks here before
// it may become an order. A refusal is an OrderDenied event naming the check,
// the value that failed and the limit it crossed.

#include <array>
#include <cstdint>
#include <vector>

#include "actors/caf_types.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"
#include "messages/units.hpp"

namespace osprey {

/// The limits, from the configuration.
struct risk_limits {
  quantity max_order_quantity{10'000};
  money max_order_notional{250'000 * micros_per_dollar};
  quantity max_position{20'000}; ///< Absolute shares per symbol.
  money max_gross_exposure{1'000'000 * micros_per_dollar};
  int64_t price_collar_bps = 500; ///< Max distance from the last price.
  uint32_t max_orders_per_window = 100;
  int64_t rate_window_ns = 1'000'000'000;
};

/// What the controller knows about one symbol.
struct risk_symbol {
  price last;         ///< Last trade, quote mid or bar close.
  quantity position;  ///< Signed, from fills.
  quantity working;   ///< Signed quantity approved and not yet done.
  money exposure;     ///< |position + working| x last.
};

/// An order as the checks see it.
struct risk_order {
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  quantity qty;
  price px;        ///< Limit price, or the trigger price of a market order.
  int64_t ts_event = 0;
};

/// The outcome of the checks: pass, or the first check that failed.
struct risk_verdict {
  fb::DenyReason reason = fb::DenyReason::Unspecified;
  int64_t value = 0;
  int64_t limit = 0;

  bool passed() const noexcept { return reason == fb::DenyReason::Unspecified; }
};

struct risk_stats {
  uint64_t approved = 0;
  uint64_t denied = 0;
  std::array<uint64_t, 16> denied_by_reason{};
  bool kill_switch = false;
};

struct risk_state {
  risk_limits limits;
  std::vector<risk_symbol> symbols; ///< Indexed by symbol id.
  money gross;                      ///< Sum of the symbols' exposure.
  std::vector<int64_t> recent;      ///< Ring of approval times (event time).
  size_t recent_next = 0;
  size_t recent_count = 0;
  bool kill_switch = false;
  risk_stats stats;
  msg_builder builder;

  void configure(const risk_limits& l);
  risk_symbol& symbol(symbol_id id);
};

/// Runs every pre-trade check on `order`, in a fixed order, without changing
/// the state. Returns the first failure or a pass.
risk_verdict check(const risk_state& st, const risk_order& order);

/// Books an approved order: working quantity, exposure and the rate window.
void on_approved(risk_state& st, const risk_order& order);

/// Takes the last price from a trade, quote or bar.
void on_market(risk_state& st, const msg& event);

/// Moves quantity from working to position on fills, and releases the
/// working quantity of canceled, rejected and expired orders.
void on_execution(risk_state& st, const msg& event);

/// Returns the order an intent asks for.
risk_order order_of(const fb::OrderIntent& intent, int64_t ts_event);

struct risk_settings {
  risk_limits limits;
  msg_actor order_manager; ///< Receives approved intents.
  // Denials go back to whoever sent the intent.
  msg_sink* journal = nullptr;
};

using risk_controller_actor
  = msg_actor::extend<caf::replies_to<stats_atom>::with<risk_stats>,
                      caf::reacts_to<kill_switch_atom, bool>>;

risk_controller_actor::behavior_type
risk_controller(risk_controller_actor::stateful_pointer<risk_state> self,
                risk_settings settings);

} // namespace osprey

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::risk_stats)
