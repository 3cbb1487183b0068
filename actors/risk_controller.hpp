#pragma once

// risk controller: every order intent passes the pre-trade checks here before
// it may become an order, and every cancel or replace passes the cancel-rate
// throttle. A refusal is an OrderDenied event naming the check, the value
// that failed and the limit it crossed.
//
// The controller keeps its own account ledger from fills and market data
// (cash, positions, marks, equity, the day's starting equity, the high-water
// mark) and moves between three modes:
//
//                 soft daily loss or drawdown
//     +--------+ -----------------------------> +------------+
//     | Normal |                                | ReduceOnly |
//     +--------+ <----------------------------- +------------+
//       ^    |    new trading day (soft daily       |
//       |    |    loss only) or a person's resume   | hard daily loss or
//       |    | hard daily loss or drawdown,         | drawdown, kill switch
//       |    | kill switch                          v
//       |    +------------------------------> +---------+
//       +-------- a person's resume --------- | Halted  |
//                                             +---------+
//
// Every change of mode is a RiskStateChanged event, journaled and sent to the
// order manager (which cancels working orders on Halted and flattens when the
// flag says so). Only a person leaves Halted.
//
// The decisions are plain functions over risk_state; the actor only wires
// messages to them.

#include <array>
#include <cstdint>
#include <string>
#include <memory>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/risk_window.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"
#include "messages/order_spec.hpp"
#include "messages/units.hpp"

namespace osprey {

inline constexpr int64_t risk_ns_per_day = 86'400'000'000'000;

/// The limits, from the configuration. A zero money level or multiplier
/// switches its check off.
struct risk_limits {
  quantity max_order_quantity{10'000};
  money max_order_notional{250'000 * micros_per_dollar};
  quantity max_position{20'000}; ///< Absolute shares per symbol.
  money max_gross_exposure{1'000'000 * micros_per_dollar};
  /// |sum of signed exposure| over all symbols, working orders included.
  money max_net_exposure{1'000'000 * micros_per_dollar};
  int64_t price_collar_bps = 500; ///< Max distance from the reference price.
  uint32_t max_orders_per_window = 100;
  int64_t rate_window_ns = 1'000'000'000;
  /// Cancels and replaces together, per cancel window.
  uint32_t max_cancels_per_window = 100;
  int64_t cancel_window_ns = 1'000'000'000;
  /// The same symbol, side, quantity and price again within this much event
  /// time is a duplicate (0: off). Algorithm children are exempt.
  int64_t duplicate_window_ns = 100'000'000;
  /// Whether a sell may take position + working below zero (each symbol can
  /// override it on the state).
  bool allow_short_selling = false;

  /// Trading hours in UTC time of day; off by default.
  bool trading_hours = false;
  int64_t market_open_ns = (14 * 3600 + 30 * 60) * int64_t{1'000'000'000};
  int64_t market_close_ns = 21 * 3600 * int64_t{1'000'000'000};
  /// Opg orders pass in [open - window, open); Cls in [close - window, close).
  int64_t auction_window_ns = 10 * 60 * int64_t{1'000'000'000};

  /// The account: cash at start, and buying power = equity x multiplier -
  /// gross exposure incl. working (1: a cash account; 0: no check).
  money starting_cash{100'000 * micros_per_dollar};
  int64_t margin_multiplier = 1;
  /// Loss since the day's starting equity: soft -> ReduceOnly, hard -> Halted.
  money daily_loss_soft{5'000 * micros_per_dollar};
  money daily_loss_hard{10'000 * micros_per_dollar};
  /// Equity below its high-water mark: soft -> ReduceOnly, hard -> Halted.
  money drawdown_soft{10'000 * micros_per_dollar};
  money drawdown_hard{20'000 * micros_per_dollar};
  /// On Halted, ask the order manager to close every position.
  bool flatten_on_halt = false;
};

/// A per-symbol override of `allow_short_selling`.
enum class short_sale : uint8_t { inherit, allowed, forbidden };

/// One approved order remembered to find duplicates.
struct risk_recent_order {
  fb::Side side = fb::Side::Buy;
  quantity qty;
  price px;
  int64_t ts_event = 0;
};

/// What the controller knows about one symbol.
struct risk_symbol {
  price last;         ///< Mark: last trade, quote mid or bar close.
  price bid, ask;     ///< Last quote (0: none seen).
  price last_trade;   ///< Last trade or bar close.
  quantity position;  ///< Signed, from fills.
  quantity working;   ///< Signed quantity approved and not yet done.
  money exposure;     ///< |position + working| x last.
  money net;          ///< (position + working) x last.
  money value;        ///< position x last, for equity.
  short_sale shorting = short_sale::inherit;
  std::array<risk_recent_order, 4> recent{}; ///< Last approvals, a ring.
  uint8_t recent_next = 0;
};

/// An order as the checks see it.
struct risk_order {
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  quantity qty;
  /// The checked price: the limit price of Limit and StopLimit orders, the
  /// trigger price of every other type (0: the reference price).
  price px;
  int64_t ts_event = 0;
  fb::OrderType type = fb::OrderType::Market;
  fb::TimeInForce tif = fb::TimeInForce::Day;
  price stop{};
  price trail{};
  int64_t trail_percent_bps = 0;
  fb::OrderClass order_class = fb::OrderClass::Simple;
  price take_profit_limit{};
  price stop_loss_stop{};
  bool reduce_only = false;
  uint64_t parent_id = 0; ///< Set for an algorithm's child order.
};

/// A cancel or replace as the throttle and the collar see it.
struct risk_command {
  client_order_id id;
  bool replace = false;
  quantity qty;  ///< Replace: the new quantity (0 keeps it).
  price limit;   ///< Replace: the new limit price (0 keeps it).
  int64_t ts_event = 0;
};

/// The outcome of the checks: pass, or the first check that failed.
struct risk_verdict {
  fb::DenyReason reason = fb::DenyReason::Unspecified;
  int64_t value = 0;
  int64_t limit = 0;

  bool passed() const noexcept { return reason == fb::DenyReason::Unspecified; }
};

/// One change of mode, waiting for the actor to publish it.
struct risk_transition {
  fb::RiskMode mode = fb::RiskMode::Normal;
  fb::RiskMode previous = fb::RiskMode::Normal;
  fb::RiskTrigger trigger = fb::RiskTrigger::None;
  int64_t value = 0;
  int64_t limit = 0;
  bool flatten = false;
  int64_t ts_event = 0;
};

/// The account as the controller's own ledger sees it.
struct risk_account {
  money cash;
  money market_value;      ///< Sum of position x mark.
  money day_start_equity;
  money high_water_mark;
  int64_t day = INT64_MIN; ///< UTC day number of the trading day (event time).
  // Which levels were crossed at the last evaluation; a level acts when it
  // is crossed, so a person's resume is not undone by the next tick.
  bool loss_soft = false, loss_hard = false;
  bool drawdown_soft = false, drawdown_hard = false;

  money equity() const noexcept { return cash + market_value; }
  money day_pnl() const noexcept { return equity() - day_start_equity; }
  money drawdown() const noexcept { return high_water_mark - equity(); }
};

/// A working order the controller has seen accepted, for replaces.
struct risk_known_order {
  client_order_id id;
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  bool side_known = false;
};

inline constexpr size_t risk_reason_count
  = static_cast<size_t>(fb::DenyReason::MAX) + 1;

struct risk_stats {
  uint64_t approved = 0;
  uint64_t denied = 0;
  std::array<uint64_t, risk_reason_count> denied_by_reason{};
  uint64_t commands_forwarded = 0; ///< Cancels and replaces passed on.
  uint64_t commands_denied = 0;
  bool kill_switch = false;
  fb::RiskMode mode = fb::RiskMode::Normal;
  money equity, day_pnl, drawdown;
};

struct risk_state {
  risk_limits limits;
  uint32_t symbol_count = 0;        ///< 0: unknown, ids are not checked.
  std::vector<risk_symbol> symbols; ///< Indexed by symbol id.
  money gross;                      ///< Sum of the symbols' exposure.
  money net;                        ///< Sum of the symbols' signed exposure.
  rate_window orders;               ///< Approvals, for the order-rate throttle.
  rate_window cancels;              ///< Forwarded cancels and replaces.
  risk_account account;
  fb::RiskMode mode = fb::RiskMode::Normal;
  fb::RiskTrigger mode_trigger = fb::RiskTrigger::None;
  int64_t mode_value = 0, mode_limit = 0; ///< The numbers behind the mode.
  std::vector<risk_transition> transitions; ///< Unpublished mode changes.
  std::vector<risk_known_order> known;      ///< Accepted and not yet done.
  int64_t last_ts_event = 0;
  risk_stats stats;
  msg_builder builder;

  /// Sets the limits, sizes the tables for `symbols` ids (0: grow on demand)
  /// and opens the account with the starting cash.
  void configure(const risk_limits& l, uint32_t symbols = 0);
  risk_symbol& symbol(symbol_id id);

  /// Returns true when the kill switch holds the controller halted.
  bool kill_switch() const noexcept {
    return mode == fb::RiskMode::Halted && mode_trigger == fb::RiskTrigger::KillSwitch;
  }
};

// ---- pre-trade checks -----------------------------------------------------

/// Runs every pre-trade check on `order` without changing the state and
/// returns the first failure or a pass. The order, cheapest and most basic
/// first: Halted (KillSwitch when the switch caused it), InvalidOrder,
/// UnknownSymbol, OutsideTradingHours, ReduceOnly, MaxOrderQuantity,
/// NoReferencePrice, PriceCollar, MaxOrderNotional, DuplicateOrder,
/// ShortSaleNotAllowed, MaxPositionPerSymbol, MaxGrossExposure,
/// MaxNetExposure, BuyingPower, OrderRateThrottle.
risk_verdict check(const risk_state& st, const risk_order& order);

/// Books an approved order: working quantity, exposure, the rate window and
/// the duplicate memory.
void on_approved(risk_state& st, const risk_order& order);

/// Returns the order an intent asks for.
risk_order order_of(const fb::OrderIntent& intent, int64_t ts_event);

/// Returns the order a spec asks for; `trigger` prices non-limit orders.
risk_order order_of(const order_spec& spec, price trigger, int64_t ts_event,
                    uint64_t parent_id = 0);

/// Returns the price the collar compares a `side` order with: the last
/// quote's own side, else the last trade or bar close (0: none).
price reference_price(const risk_symbol& s, fb::Side side) noexcept;

/// Returns equity x margin multiplier - gross exposure (working included).
money buying_power(const risk_state& st) noexcept;

/// Sets whether `symbol` may be sold short, over the global flag.
void set_short_sale(risk_state& st, symbol_id symbol, short_sale permission);

// ---- cancels and replaces -------------------------------------------------

/// Checks a cancel or replace: the cancel-rate throttle, and for a replace
/// of a known order, the mode and the new price's collar.
risk_verdict check_command(const risk_state& st, const risk_command& cmd);

/// Books a forwarded cancel or replace in the cancel-rate window.
void on_command_approved(risk_state& st, const risk_command& cmd);

/// Returns the command a CancelOrder or ReplaceOrder message asks for.
risk_command command_of(const msg& m);

/// Returns the order `id` if the controller has seen it accepted.
const risk_known_order* known_order(const risk_state& st, client_order_id id);

// ---- market data, executions and the ledger -------------------------------

/// Takes the marks and reference prices from a trade, quote or bar, then
/// revalues the account and applies the loss levels.
void on_market(risk_state& st, const msg& event);

/// Moves quantity from working to position on fills and books them in the
/// ledger; releases the working quantity of canceled, rejected and expired
/// orders; remembers accepted orders for replaces.
void on_execution(risk_state& st, const msg& event);

/// Books one fill in the ledger: position, cash (commission included),
/// working quantity; then applies the loss levels.
void apply_fill(risk_state& st, symbol_id symbol, fb::Side side, quantity qty,
                price px, money commission, int64_t ts_event);

/// Sets the mark of `symbol` and revalues exposure and equity.
void set_mark(risk_state& st, symbol_id symbol, price mark);

/// Starts a new trading day when `ts_event` falls on a later UTC day than the
/// current one: the day's starting equity is today's equity, and a
/// ReduceOnly caused by the soft daily loss ends.
void roll_trading_day(risk_state& st, int64_t ts_event);

/// Updates the high-water mark and moves to ReduceOnly or Halted when a
/// daily loss or drawdown level is crossed.
void apply_loss_levels(risk_state& st, int64_t ts_event);

// ---- modes ---------------------------------------------------------------

/// Moves to `mode` for `trigger` and queues the transition (no-op when the
/// mode and trigger are already these).
void change_mode(risk_state& st, fb::RiskMode mode, fb::RiskTrigger trigger,
                 int64_t value, int64_t limit, int64_t ts_event);

/// Engages (halts, trigger KillSwitch) or releases (resumes) the kill switch.
void set_kill_switch(risk_state& st, bool engaged, int64_t ts_event);

/// A person's resume: back to Normal from ReduceOnly or Halted.
void resume(risk_state& st, int64_t ts_event);

/// Returns a plain-words account of a transition, for the journal.
std::string describe(const risk_transition& t);

// ---- the actor -----------------------------------------------------------

/// Rebuilds the ledger, the working quantities and the mode from one
/// journal record, in journal order: market data, intents (checked again:
/// the same state gives the same verdict), execution reports, and the
/// person's kill switch and resume (RiskStateChanged). Publishes nothing.
void recover(risk_state& st, const msg& record);

struct risk_settings {
  risk_limits limits;
  msg_actor order_manager; ///< Receives approved intents and commands.
  // Denials go back to whoever sent the intent or command.
  msg_sink* journal = nullptr;
  /// The number of interned symbols; ids at or above it are unknown (0: do
  /// not check).
  uint32_t symbols = 0;
  /// A journal to rebuild the state from before the first message (may be null).
  std::shared_ptr<const std::vector<msg>> recovered;
};

using risk_controller_actor
  = msg_actor::extend<caf::replies_to<stats_atom>::with<risk_stats>,
                      caf::reacts_to<kill_switch_atom, bool>,
                      caf::reacts_to<resume_atom>>;

risk_controller_actor::behavior_type
risk_controller(risk_controller_actor::stateful_pointer<risk_state> self,
                risk_settings settings);

} // namespace osprey

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::risk_stats)
