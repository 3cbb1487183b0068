#pragma once

// The simulated broker: accepts orders and fills them against the quotes it
// sees (or, for backtests of bar data, against the bars: see bar_fill),
// entirely in event time, so a backtest of the same events always produces
// the same fills. It speaks exactly the messages a real broker
// adapter does, with Alpaca's semantics for order types, time in force and
// order classes.
//
// Order lifecycle inside the simulator:
//
//   SubmitOrder ──► rejected
//        │
//        ├──► held (bracket/oto exit leg) ──(entry fills)──► working
//        │       └──(entry done unfilled, group canceled)──► canceled
//        ▼
//     working ──(stop reached on a trade or quote)──► working, triggered
//        │  ├──(quote crosses, leaves > 0)──► working (partial fill)
//        │  ├──(quote crosses, leaves = 0)──► filled
//        │  ├──(Ioc/Fok/Opg after its one eligible quote)──► canceled
//        │  ├──(CancelOrder of it or of its group)──► canceled
//        │  ├──(other exit leg used up the group)──► canceled
//        │  ├──(ReplaceOrder)──► replaced (a new working order, new id)
//        │  └──(not Gtc, event at/after the session close)──► expired
//
// Stop-type orders (Stop, StopLimit, TrailingStop) rest untriggered and do
// not fill; once triggered they work as Market (Stop, TrailingStop) or
// Limit (StopLimit) orders under the same fill rules as any other.
//
// Exit legs (bracket, oco, oto) share one budget: together they may fill at
// most what the entry has filled so far (oco: the order's quantity). A leg's
// quantity is the group's: the entry's ordered quantity while the entry can
// still fill, its filled quantity once it cannot. The leaves a leg reports
// are that quantity less the leg's own fills; when the budget is used up
// with the entry done, every leg still working is canceled with those leaves.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/broker.hpp"
#include "adapters/order_triggers.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"
#include "messages/units.hpp"

namespace osprey {

/// Whether and how bars fill orders (backtests of bar data; see
/// sim_broker_bars.cpp for the rules within a bar).
enum class bar_fill : uint8_t {
  none,       ///< Bars only move time on; quotes fill (live-like).
  next_open,  ///< Market orders fill at the open of the symbol's next bar.
  next_close, ///< Market orders fill at the close of the symbol's next bar.
  /// Market orders fill at the close of the bar that caused them. That
  /// close was known when the order was decided, but nobody can trade at a
  /// price already past: a look-ahead, allowed for comparison with tools
  /// that do it, and announced as such.
  same_close,
};

/// How the simulator fills and charges.
struct sim_broker_config {
  /// Event-time latency before an order can fill or trigger.
  int64_t latency_ns = 0;
  /// Adverse slippage on market orders, in basis points; the fill price is
  /// rounded to whole cents away from the trader's favour.
  int64_t slippage_bps = 0;
  /// Commission per share filled.
  money commission_per_share{0};
  /// Minimum commission, applied to an order's first fill.
  money min_commission{0};
  /// Commission per order, charged on its first fill.
  money commission_per_order{0};
  /// Commission in basis points of each fill's notional.
  int64_t commission_bps = 0;
  /// Bars fill orders (backtests of bar data), or only quotes do.
  bar_fill bar_fills = bar_fill::none;
  /// Time of the UTC day at which the session closes and orders that are not
  /// Gtc expire (default 21:00).
  int64_t day_end_utc_ns = 21LL * 3'600'000'000'000;
  /// Time of the UTC day at which the session opens (default 14:30); Opg
  /// orders must arrive before it and fill only at it.
  int64_t session_open_utc_ns = 14LL * 3'600'000'000'000 + 30LL * 60'000'000'000;
  /// Length of the closing auction before the close (default 60 s); Cls
  /// orders fill only within it.
  int64_t closing_auction_ns = 60'000'000'000;
};

/// Returns an empty string when `cfg` is usable, otherwise what is wrong.
std::string validate(const sim_broker_config& cfg);

/// A broker that fills orders against the quotes passed to on_market.
/// The price a market order of `side` gets against `quoted` under `cfg`'s
/// slippage: (1 ± bps) and whole cents against the trader (buys round up,
/// sells down); the quote itself without slippage.
price slipped_market_price(const sim_broker_config& cfg, fb::Side side, int64_t quoted) noexcept;

/// The fee for `fill` shares at `px` under `cfg`: per share, plus bps of the
/// notional (rounded up), plus, on an order's first fill, the per-order fee,
/// at least the minimum.
money fill_commission(const sim_broker_config& cfg, quantity fill, price px,
                      bool first_fill) noexcept;

class sim_broker final : public broker {
public:
  /// Builds the simulator; throws std::invalid_argument on a bad config.
  sim_broker(sim_broker_config cfg, msg_sink& reports);

  /// Handles a SubmitOrder, CancelOrder or ReplaceOrder command.
  void on_command(const msg& command) override;

  /// Expires orders that are due, triggers stops on trades and quotes, and
  /// fills working orders on quotes (and on bars, with bar fills on).
  void on_market(const msg& event) override;

  /// Returns how many orders are working (held exit legs are not).
  size_t open_orders() const noexcept { return working_.size(); }

private:
  enum class status { held, working, rejected, filled, canceled, expired, replaced };
  enum class role : uint8_t { simple, entry, take_profit, stop_loss };

  /// The orders a bracket, oco or oto submit made, and what they filled.
  struct group {
    fb::OrderClass cls = fb::OrderClass::Simple;
    uint64_t entry = 0, take_profit = 0, stop_loss = 0; // current ids; 0: none
    int64_t total = 0;         // the entry's whole quantity (oco: the legs')
    int64_t entry_filled = 0;  // over the entry and its replacements
    int64_t exits_filled = 0;  // over both exit legs and their replacements
    bool entry_done = false;   // no entry fill can come any more (oco: always)
  };

  struct order {
    uint64_t id = 0;
    symbol_id sym;
    fb::Side side = fb::Side::Buy;
    fb::OrderType type = fb::OrderType::Market; // as submitted
    fb::TimeInForce tif = fb::TimeInForce::Day;
    int64_t limit = 0;
    int64_t stop = 0;              // trailing stops: the current level
    trail_distance trail;
    trailing_state trailing;
    bool triggered = false;
    quantity leaves, cum;          // exit legs: leaves come from the group
    int64_t leg_offset = 0;        // exit legs: fills of the legs it replaced
    int64_t eligible_from = 0;     // earliest event ts_event that may act on it
    int64_t opens_at = 0;          // Opg: the session open it waits for
    int64_t closes_at = 0;         // the session close; expires there unless Gtc
    bool session_pending = false;  // bar fills: for the next session, not yet seen
    status state = status::working;
    role part = role::simple;
    uint32_t group = 0;            // 1 + index into groups_; 0: none
  };

  void submit(const msg& cmd, const fb::SubmitOrder& s);
  void cancel(const msg& cmd, const fb::CancelOrder& c);
  void replace(const msg& cmd, const fb::ReplaceOrder& r);
  std::string check_submit(const fb::SubmitOrder& s, int64_t ts) const;
  std::string check_replace(const order& o, const fb::ReplaceOrder& r,
                            int64_t ts) const;
  std::string check_session(fb::TimeInForce tif, int64_t ts) const;
  void expire_due(const msg& event);
  /// Ends Day orders whose close time `ts` reached (strictly_after: passed).
  void expire(const msg& event, int64_t ts, bool strictly_after);
  void on_trade(const msg& event, const fb::Trade& t);
  void match(const msg& event, const fb::Quote& q);
  /// One bar of a symbol, as the bar-fill model sees it.
  struct bar_prices {
    uint32_t symbol = 0;
    int64_t ts = 0, open = 0, high = 0, low = 0, close = 0;
  };
  void on_bars(const msg& event);
  void start_pending_sessions(int64_t ts);
  void match_bar(const msg& event, const bar_prices& bar);
  bool fill_on_bar(const msg& event, order& o, const bar_prices& bar);
  void fill_at_signal_close(const msg& cmd, order& o);
  int64_t session_day(int64_t ts) const noexcept;
  static int64_t utc_day_start(int64_t ts) noexcept;
  bool check_trigger(const msg& cause, order& o, int64_t market);
  void fill(const msg& cause, order& o, int64_t fill_nanos, price px);
  order& add(order o);
  void activate(order& o);
  void set_session(order& o, int64_t ts) const;
  void end(const msg& cause, order& o, status st);
  void entry_done(const msg& cause, group& g);
  void settle_if_used_up(const msg& cause, group& g);
  void cancel_group(const msg& cause, group& g);
  void compact();
  void alert(const msg& cause, const char* code, const std::string& text);
  quantity leaves_of(const order& o) const noexcept;
  int64_t fillable(const order& o) const noexcept;
  int64_t group_quantity(const group& g) const noexcept;
  group* group_of(const order& o) noexcept;
  order* find(uint64_t id) noexcept;
  bool live(const order& o) const noexcept;
  price market_price(fb::Side side, int64_t quoted) const noexcept {
    return slipped_market_price(cfg_, side, quoted);
  }
  money commission(const order& o, quantity fill, price px) const noexcept {
    return fill_commission(cfg_, fill, px, o.cum.nanos == 0);
  }
  static const char* status_name(status st) noexcept;

  sim_broker_config cfg_;
  msg_sink& reports_;
  msg_builder builder_;
  // Every id ever submitted or named as a leg. Elements of an unordered_map
  // keep their address across inserts, so the lists below hold pointers.
  std::unordered_map<uint64_t, order> orders_;
  std::vector<group> groups_;
  std::vector<order*> working_;                                // priority order
  std::unordered_map<uint32_t, std::vector<order*>> by_symbol_; // same, per symbol
  std::vector<order*> armed_;    // legs armed during one match, kept to not allocate
  bool finished_any_ = false;    // some order left working since the last compact()
  int64_t next_expiry_ = INT64_MAX; // no working non-Gtc order expires before it
  std::vector<bar_prices> last_bar_; // per symbol, for same_close fills
  bool sessions_pending_ = false;    // some working order waits for its session
};

} // namespace osprey
