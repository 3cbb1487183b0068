#pragma once

// Factories for every message. Nothing else in osprey touches a
// FlatBufferBuilder. Each owner (an actor, an adapter) keeps one msg_builder
// and reuses its scratch buffer, so building allocates only the message.

#include <span>
#include <string_view>

#include <flatbuffers/flatbuffers.h>

#include "messages/msg.hpp"
#include "messages/order_spec.hpp"
#include "messages/units.hpp"

namespace osprey {

/// The envelope fields every message carries.
struct stamp {
  uint64_t seq = 0;
  int64_t ts_event = 0;
  int64_t ts_ingress = 0;

  /// Returns the stamp of a message caused by `cause`: the same sequence
  /// number, event time and ingress time, so every message traces back to
  /// the market event at the root of its chain, and latency is measured from
  /// that event's ingress.
  static stamp caused_by(const msg& cause) noexcept {
    return {cause.seq(), cause.ts_event(), cause.ts_ingress()};
  }
};

/// The reason and numbers carried by an OrderIntent.
struct intent_reason {
  fb::IntentReason code = fb::IntentReason::BreakoutEntry;
  price trigger;
  price level;
  quantity volume;
  double avg_volume = 0;
};

/// The indicator values carried by a Signal.
struct signal_values {
  price open, high, low;
  price close;
  quantity volume;
  double sma = 0, ema = 0, rsi = 0, avg_volume = 0;
  price high_n, low_m;
  bool ready = false;
  /// The configured extra indicators' columns (may be empty).
  std::span<const double> extra;
};

/// The figures carried by a NewsSentiment.
struct news_sentiment_values {
  std::string_view news_id;
  double compound = 0, positive = 0, neutral = 0, negative = 0;
  uint32_t events = 0; ///< One bit per event tag.
  uint8_t bullish_events = 0, bearish_events = 0;
  uint32_t mentions = 0;
  double velocity = 0, sentiment = 0, sentiment_trend = 0;
  bool trending = false;
};

/// The figures carried by a PositionChanged.
struct position_values {
  quantity qty;
  price average_price;
  money realized_pnl, unrealized_pnl;
  price mark;
};

/// The figures carried by a PortfolioSnapshot.
struct portfolio_values {
  money cash, equity, gross_exposure, net_exposure, realized_pnl, unrealized_pnl;
  uint32_t open_positions = 0;
  money buying_power, day_pnl, high_water_mark, drawdown;
};

/// The client order ids a SubmitOrder names besides its own.
struct submit_links {
  client_order_id take_profit; ///< Bracket, oco and oto legs.
  client_order_id stop_loss;
  uint64_t parent_id = 0;      ///< The algorithm parent of a child order.
};

/// The new values of a ReplaceOrder (zero keeps the old value).
struct replace_values {
  quantity qty;
  price limit, stop, trail;
  fb::TimeInForce tif = fb::TimeInForce::Day;
};

/// The figures carried by a RiskStateChanged.
struct risk_change {
  fb::RiskMode mode = fb::RiskMode::Normal;
  fb::RiskMode previous = fb::RiskMode::Normal;
  fb::RiskTrigger trigger = fb::RiskTrigger::None;
  int64_t value = 0, limit = 0;
  bool flatten = false;
};

/// The figures carried by an AlgoProgress.
struct algo_progress_values {
  uint64_t parent_id = 0;
  symbol_id symbol;
  fb::Side side = fb::Side::Buy;
  fb::AlgoKind kind = fb::AlgoKind::None;
  quantity target, scheduled, filled, working;
  uint32_t children = 0;
  bool done = false;
};

/// The order a denial is about, when it has an id (algorithm children,
/// commands for known orders).
struct denial_links {
  client_order_id id;
  uint64_t parent_id = 0;
};

/// The counters carried by a Health message.
struct health_values {
  uint64_t events = 0, duplicates_dropped = 0, out_of_order_dropped = 0;
};

class msg_builder {
public:
  msg_builder() : fbb_(512) {}

  msg trade(stamp s, symbol_id sym, price px, quantity size);
  msg quote(stamp s, symbol_id sym, price bid, quantity bid_size, price ask,
            quantity ask_size);
  msg bar(stamp s, symbol_id sym, uint32_t interval_s, price open, price high,
          price low, price close, quantity volume);
  msg news(stamp s, std::string_view id, std::string_view headline,
           std::string_view summary, std::span<const std::string_view> symbols,
           std::string_view source);
  msg symbol_directory(stamp s, std::span<const std::string> names);

  /// Many bars in one message; the stamp is the first row's (ingress: when
  /// the batch entered).
  msg bar_batch(stamp s, std::span<const fb::BarRow> rows);
  msg signal(stamp s, symbol_id sym, const signal_values& v);
  /// The signals of a batch; `values` holds `width` extra columns per row.
  msg signal_batch(stamp s, std::span<const fb::SignalRow> rows, uint32_t width,
                   std::span<const double> values);
  msg news_sentiment(stamp s, symbol_id sym, const news_sentiment_values& v);
  msg order_intent(stamp s, symbol_id sym, fb::Side side, quantity qty,
                   fb::OrderType type, price limit, const intent_reason& why);
  /// An intent for any order; `algo` (kind None: none) works it as a parent.
  msg order_intent(stamp s, const order_spec& o, const intent_reason& why,
                   uint64_t parent_id = 0, const algo_spec* algo = nullptr);

  msg submit_order(stamp s, client_order_id id, symbol_id sym, fb::Side side,
                   quantity qty, fb::OrderType type, fb::TimeInForce tif,
                   price limit, price stop);
  msg submit_order(stamp s, client_order_id id, const order_spec& o,
                   const submit_links& links = {});
  msg cancel_order(stamp s, client_order_id id);
  msg replace_order(stamp s, client_order_id id, client_order_id new_id,
                    quantity qty, price limit);
  msg replace_order(stamp s, client_order_id id, client_order_id new_id,
                    const replace_values& v);

  msg order_accepted(stamp s, client_order_id id, symbol_id sym);
  msg order_triggered(stamp s, client_order_id id, symbol_id sym, price stop,
                      price trigger, price water_mark);
  msg order_replaced(stamp s, client_order_id id, client_order_id new_id,
                     symbol_id sym, fb::Side side, quantity qty, price limit,
                     price stop, quantity old_leaves = {});
  msg cancel_rejected(stamp s, client_order_id id, std::string_view reason);
  msg replace_rejected(stamp s, client_order_id id, client_order_id new_id,
                       std::string_view reason);
  msg order_denied(stamp s, symbol_id sym, fb::Side side, quantity qty,
                   price px, fb::DenyReason reason, int64_t value, int64_t limit,
                   const denial_links& links = {});
  msg order_rejected(stamp s, client_order_id id, symbol_id sym, fb::Side side,
                     quantity leaves, std::string_view reason);
  msg order_filled(stamp s, client_order_id id, symbol_id sym, fb::Side side,
                   quantity fill_qty, price fill_px, quantity cum_qty,
                   quantity leaves, money commission);
  msg order_canceled(stamp s, client_order_id id, symbol_id sym, fb::Side side,
                     quantity leaves);
  msg order_expired(stamp s, client_order_id id, symbol_id sym, fb::Side side,
                    quantity leaves);
  msg position_changed(stamp s, symbol_id sym, const position_values& v);
  msg portfolio_snapshot(stamp s, const portfolio_values& v);
  msg risk_state_changed(stamp s, const risk_change& c, std::string_view text);
  msg algo_progress(stamp s, const algo_progress_values& v);

  msg alert(stamp s, fb::Severity severity, std::string_view code,
            std::string_view text);
  msg agent_note(stamp s, std::string_view agent, uint64_t subject_seq,
                 std::string_view text);
  msg health(stamp s, std::string_view component, const health_values& v);

private:
  msg finish(stamp s, fb::Payload type, flatbuffers::Offset<void> payload);

  flatbuffers::FlatBufferBuilder fbb_;
};

} // namespace osprey
