#pragma once

// The simulated broker: accepts orders and fills them against the quotes it
// sees, entirely in event time, so a backtest of the same events always
// produces the same fills. It speaks exactly the messages a real broker
// adapter does.
//
// Order lifecycle inside the simulator:
//
//   SubmitOrder ──► rejected
//        │
//        ▼
//     working ──(quote crosses, leaves > 0)──► working (partial fill)
//        │  ├──(quote crosses, leaves = 0)──► filled
//        │  ├──(Ioc/Fok after first eligible quote)──► canceled
//        │  ├──(CancelOrder)──► canceled
//        │  ├──(ReplaceOrder)──► replaced (canceled; a new working order)
//        │  └──(Day order, event at/after day end)──► expired

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/broker.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"
#include "messages/units.hpp"

namespace osprey {

/// How the simulator fills and charges.
struct sim_broker_config {
  /// Event-time latency before an order can fill.
  int64_t latency_ns = 0;
  /// Adverse slippage on market orders, in basis points; the fill price is
  /// rounded to whole cents away from the trader's favour.
  int64_t slippage_bps = 0;
  /// Commission per share filled.
  money commission_per_share{0};
  /// Minimum commission, applied to an order's first fill.
  money min_commission{0};
  /// Time of the UTC day at which Day orders expire (default 21:00).
  int64_t day_end_utc_ns = 21LL * 3'600'000'000'000;
};

/// Returns an empty string when `cfg` is usable, otherwise what is wrong.
std::string validate(const sim_broker_config& cfg);

/// A broker that fills orders against the quotes passed to on_market.
class sim_broker final : public broker {
public:
  /// Builds the simulator; throws std::invalid_argument on a bad config.
  sim_broker(sim_broker_config cfg, msg_sink& reports);

  /// Handles a SubmitOrder, CancelOrder or ReplaceOrder command.
  void on_command(const msg& command) override;

  /// Expires Day orders that are due and fills working orders on quotes.
  void on_market(const msg& event) override;

  /// Returns how many orders are still working.
  size_t open_orders() const noexcept { return working_.size(); }

private:
  enum class status { working, rejected, filled, canceled, expired, replaced };

  struct order {
    uint64_t id = 0;
    symbol_id sym;
    fb::Side side = fb::Side::Buy;
    fb::OrderType type = fb::OrderType::Market;
    fb::TimeInForce tif = fb::TimeInForce::Day;
    int64_t limit = 0;
    quantity leaves, cum;
    int64_t eligible_from = 0; // earliest quote ts_event that may fill it
    int64_t expires_at = 0;    // Day orders only
    status state = status::working;
  };

  void submit(const msg& cmd, const fb::SubmitOrder& s);
  void cancel(const msg& cmd, const fb::CancelOrder& c);
  void replace(const msg& cmd, const fb::ReplaceOrder& r);
  void expire_due(const msg& event);
  void match(const msg& event, const fb::Quote& q);
  void accept(const msg& cause, order o);
  void finish(uint64_t id, status st);
  void alert(const msg& cause, const char* code, const std::string& text);
  price market_price(fb::Side side, int64_t quoted) const noexcept;
  money commission(const order& o, quantity fill) const noexcept;
  static const char* status_name(status st) noexcept;

  sim_broker_config cfg_;
  msg_sink& reports_;
  msg_builder builder_;
  std::unordered_map<uint64_t, order> orders_; // every id ever submitted
  std::vector<uint64_t> working_;              // in submission (priority) order
  std::vector<uint64_t> finished_;             // match()'s scratch, kept to not allocate per quote
};

} // namespace osprey
