#include "messages/msg_builder.hpp"

#include <vector>

namespace osprey {

namespace {

flatbuffers::Offset<flatbuffers::String> str(flatbuffers::FlatBufferBuilder& b,
                                             std::string_view s) {
  return b.CreateString(s.data(), s.size());
}

} // namespace

msg msg_builder::finish(stamp s, fb::Payload type,
                        flatbuffers::Offset<void> payload) {
  // Payloads leave their zero fields out (a SubmitOrder without a bracket
  // carries none of its legs); the envelope writes every field, so its
  // sequence number and ingress time can be restamped in place.
  fbb_.ForceDefaults(true);
  auto env = fb::CreateEnvelope(fbb_, s.seq, s.ts_event, s.ts_ingress, type, payload);
  fbb_.ForceDefaults(false);
  fbb_.Finish(env, fb::EnvelopeIdentifier());
  auto m = msg::copy_of_trusted({fbb_.GetBufferPointer(), fbb_.GetSize()});
  fbb_.Clear();
  return m;
}

msg msg_builder::trade(stamp s, symbol_id sym, price px, quantity size) {
  auto p = fb::CreateTrade(fbb_, sym.value, px.micros, size.nanos);
  return finish(s, fb::Payload::Trade, p.Union());
}

msg msg_builder::quote(stamp s, symbol_id sym, price bid, quantity bid_size,
                       price ask, quantity ask_size) {
  auto p = fb::CreateQuote(fbb_, sym.value, bid.micros, bid_size.nanos,
                           ask.micros, ask_size.nanos);
  return finish(s, fb::Payload::Quote, p.Union());
}

msg msg_builder::bar(stamp s, symbol_id sym, uint32_t interval_s, price open,
                     price high, price low, price close, quantity volume) {
  auto p = fb::CreateBar(fbb_, sym.value, interval_s, open.micros, high.micros,
                         low.micros, close.micros, volume.nanos);
  return finish(s, fb::Payload::Bar, p.Union());
}

msg msg_builder::news(stamp s, std::string_view id, std::string_view headline,
                      std::string_view summary,
                      std::span<const std::string_view> symbols,
                      std::string_view source) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> syms;
  syms.reserve(symbols.size());
  for (auto sv : symbols)
    syms.push_back(str(fbb_, sv));
  auto p = fb::CreateNewsItem(fbb_, str(fbb_, id), str(fbb_, headline),
                              str(fbb_, summary), fbb_.CreateVector(syms),
                              str(fbb_, source));
  return finish(s, fb::Payload::NewsItem, p.Union());
}

msg msg_builder::symbol_directory(stamp s, std::span<const std::string> names) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> v;
  v.reserve(names.size());
  for (auto& n : names)
    v.push_back(str(fbb_, n));
  auto p = fb::CreateSymbolDirectory(fbb_, fbb_.CreateVector(v));
  return finish(s, fb::Payload::SymbolDirectory, p.Union());
}

msg msg_builder::signal(stamp s, symbol_id sym, const signal_values& v) {
  flatbuffers::Offset<flatbuffers::Vector<double>> extra;
  if (!v.extra.empty())
    extra = fbb_.CreateVector(v.extra.data(), v.extra.size());
  auto p = fb::CreateSignal(fbb_, sym.value, v.close.micros, v.volume.nanos,
                            v.sma, v.ema, v.rsi, v.avg_volume, v.high_n.micros,
                            v.low_m.micros, v.ready, extra, v.open.micros, v.high.micros,
                            v.low.micros);
  return finish(s, fb::Payload::Signal, p.Union());
}

msg msg_builder::bar_batch(stamp s, std::span<const fb::BarRow> rows) {
  auto v = fbb_.CreateVectorOfStructs(rows.data(), rows.size());
  auto p = fb::CreateBarBatch(fbb_, v);
  return finish(s, fb::Payload::BarBatch, p.Union());
}

msg msg_builder::signal_batch(stamp s, std::span<const fb::SignalRow> rows, uint32_t width,
                              std::span<const double> values) {
  flatbuffers::Offset<flatbuffers::Vector<double>> extra;
  if (!values.empty())
    extra = fbb_.CreateVector(values.data(), values.size());
  auto v = fbb_.CreateVectorOfStructs(rows.data(), rows.size());
  auto p = fb::CreateSignalBatch(fbb_, v, width, extra);
  return finish(s, fb::Payload::SignalBatch, p.Union());
}

msg msg_builder::news_sentiment(stamp s, symbol_id sym, const news_sentiment_values& v) {
  auto id = fbb_.CreateString(v.news_id.data(), v.news_id.size());
  auto p = fb::CreateNewsSentiment(fbb_, sym.value, id, v.compound, v.positive, v.neutral,
                                   v.negative, v.events, v.bullish_events, v.bearish_events,
                                   v.mentions, v.velocity, v.sentiment, v.sentiment_trend,
                                   v.trending);
  return finish(s, fb::Payload::NewsSentiment, p.Union());
}

msg msg_builder::order_intent(stamp s, symbol_id sym, fb::Side side,
                              quantity qty, fb::OrderType type, price limit,
                              const intent_reason& why) {
  auto p = fb::CreateOrderIntent(fbb_, sym.value, side, qty.nanos, type,
                                 limit.micros, why.code, why.trigger.micros,
                                 why.level.micros, why.volume.nanos,
                                 why.avg_volume);
  return finish(s, fb::Payload::OrderIntent, p.Union());
}

msg msg_builder::order_intent(stamp s, const order_spec& o,
                              const intent_reason& why, uint64_t parent_id,
                              const algo_spec* algo) {
  flatbuffers::Offset<fb::AlgoSpec> a;
  if (algo && algo->kind != fb::AlgoKind::None) {
    auto profile = fbb_.CreateVector(algo->volume_profile);
    a = fb::CreateAlgoSpec(fbb_, algo->kind, algo->start_ns, algo->horizon_ns,
                           algo->slices, algo->randomize_bps, algo->seed,
                           profile, algo->display_quantity.nanos);
  }
  auto p = fb::CreateOrderIntent(
    fbb_, o.symbol.value, o.side, o.qty.nanos, o.type, o.limit.micros, why.code,
    why.trigger.micros, why.level.micros, why.volume.nanos, why.avg_volume,
    o.tif, o.stop.micros, o.trail.micros, o.trail_percent_bps, o.order_class,
    o.take_profit_limit.micros, o.stop_loss_stop.micros, o.stop_loss_limit.micros,
    o.reduce_only, parent_id, a);
  return finish(s, fb::Payload::OrderIntent, p.Union());
}

msg msg_builder::submit_order(stamp s, client_order_id id, const order_spec& o,
                              const submit_links& links) {
  auto p = fb::CreateSubmitOrder(
    fbb_, id.value, o.symbol.value, o.side, o.qty.nanos, o.type, o.tif,
    o.limit.micros, o.stop.micros, o.trail.micros, o.trail_percent_bps,
    o.order_class, links.take_profit.value, o.take_profit_limit.micros,
    links.stop_loss.value, o.stop_loss_stop.micros, o.stop_loss_limit.micros,
    links.parent_id);
  return finish(s, fb::Payload::SubmitOrder, p.Union());
}

msg msg_builder::replace_order(stamp s, client_order_id id,
                               client_order_id new_id, const replace_values& v) {
  auto p = fb::CreateReplaceOrder(fbb_, id.value, new_id.value, v.qty.nanos,
                                  v.limit.micros, v.stop.micros, v.trail.micros,
                                  v.tif);
  return finish(s, fb::Payload::ReplaceOrder, p.Union());
}

msg msg_builder::order_triggered(stamp s, client_order_id id, symbol_id sym,
                                 price stop, price trigger, price water_mark) {
  auto p = fb::CreateOrderTriggered(fbb_, id.value, sym.value, stop.micros,
                                    trigger.micros, water_mark.micros);
  return finish(s, fb::Payload::OrderTriggered, p.Union());
}

msg msg_builder::order_replaced(stamp s, client_order_id id,
                                client_order_id new_id, symbol_id sym,
                                fb::Side side, quantity qty, price limit,
                                price stop, quantity old_leaves) {
  auto p = fb::CreateOrderReplaced(fbb_, id.value, new_id.value, sym.value, side,
                                   qty.nanos, limit.micros, stop.micros,
                                   old_leaves.nanos);
  return finish(s, fb::Payload::OrderReplaced, p.Union());
}

msg msg_builder::cancel_rejected(stamp s, client_order_id id,
                                 std::string_view reason) {
  auto text = str(fbb_, reason);
  auto p = fb::CreateCancelRejected(fbb_, id.value, text);
  return finish(s, fb::Payload::CancelRejected, p.Union());
}

msg msg_builder::replace_rejected(stamp s, client_order_id id,
                                  client_order_id new_id,
                                  std::string_view reason) {
  auto text = str(fbb_, reason);
  auto p = fb::CreateReplaceRejected(fbb_, id.value, new_id.value, text);
  return finish(s, fb::Payload::ReplaceRejected, p.Union());
}

msg msg_builder::risk_state_changed(stamp s, const risk_change& c,
                                    std::string_view text) {
  auto t = str(fbb_, text);
  auto p = fb::CreateRiskStateChanged(fbb_, c.mode, c.previous, c.trigger,
                                      c.value, c.limit, c.flatten, t);
  return finish(s, fb::Payload::RiskStateChanged, p.Union());
}

msg msg_builder::algo_progress(stamp s, const algo_progress_values& v) {
  auto p = fb::CreateAlgoProgress(fbb_, v.parent_id, v.symbol.value, v.side,
                                  v.kind, v.target.nanos, v.scheduled.nanos,
                                  v.filled.nanos, v.working.nanos, v.children,
                                  v.done);
  return finish(s, fb::Payload::AlgoProgress, p.Union());
}

msg msg_builder::submit_order(stamp s, client_order_id id, symbol_id sym,
                              fb::Side side, quantity qty, fb::OrderType type,
                              fb::TimeInForce tif, price limit, price stop) {
  auto p = fb::CreateSubmitOrder(fbb_, id.value, sym.value, side, qty.nanos,
                                 type, tif, limit.micros, stop.micros);
  return finish(s, fb::Payload::SubmitOrder, p.Union());
}

msg msg_builder::cancel_order(stamp s, client_order_id id) {
  auto p = fb::CreateCancelOrder(fbb_, id.value);
  return finish(s, fb::Payload::CancelOrder, p.Union());
}

msg msg_builder::replace_order(stamp s, client_order_id id,
                               client_order_id new_id, quantity qty,
                               price limit) {
  auto p = fb::CreateReplaceOrder(fbb_, id.value, new_id.value, qty.nanos,
                                  limit.micros);
  return finish(s, fb::Payload::ReplaceOrder, p.Union());
}

msg msg_builder::order_accepted(stamp s, client_order_id id, symbol_id sym) {
  auto p = fb::CreateOrderAccepted(fbb_, id.value, sym.value);
  return finish(s, fb::Payload::OrderAccepted, p.Union());
}

msg msg_builder::order_denied(stamp s, symbol_id sym, fb::Side side,
                              quantity qty, price px, fb::DenyReason reason,
                              int64_t value, int64_t limit,
                              const denial_links& links) {
  auto p = fb::CreateOrderDenied(fbb_, sym.value, side, qty.nanos, px.micros,
                                 reason, value, limit, links.id.value,
                                 links.parent_id);
  return finish(s, fb::Payload::OrderDenied, p.Union());
}

msg msg_builder::order_rejected(stamp s, client_order_id id, symbol_id sym,
                                fb::Side side, quantity leaves,
                                std::string_view reason) {
  auto text = str(fbb_, reason);
  auto p = fb::CreateOrderRejected(fbb_, id.value, sym.value, side,
                                   leaves.nanos, text);
  return finish(s, fb::Payload::OrderRejected, p.Union());
}

msg msg_builder::order_filled(stamp s, client_order_id id, symbol_id sym,
                              fb::Side side, quantity fill_qty, price fill_px,
                              quantity cum_qty, quantity leaves,
                              money commission) {
  auto p = fb::CreateOrderFilled(fbb_, id.value, sym.value, side,
                                 fill_qty.nanos, fill_px.micros,
                                 cum_qty.nanos, leaves.nanos,
                                 commission.micros);
  return finish(s, fb::Payload::OrderFilled, p.Union());
}

msg msg_builder::order_canceled(stamp s, client_order_id id, symbol_id sym,
                                fb::Side side, quantity leaves) {
  auto p = fb::CreateOrderCanceled(fbb_, id.value, sym.value, side, leaves.nanos);
  return finish(s, fb::Payload::OrderCanceled, p.Union());
}

msg msg_builder::order_expired(stamp s, client_order_id id, symbol_id sym,
                               fb::Side side, quantity leaves) {
  auto p = fb::CreateOrderExpired(fbb_, id.value, sym.value, side, leaves.nanos);
  return finish(s, fb::Payload::OrderExpired, p.Union());
}

msg msg_builder::position_changed(stamp s, symbol_id sym,
                                  const position_values& v) {
  auto p = fb::CreatePositionChanged(fbb_, sym.value, v.qty.nanos,
                                     v.average_price.micros,
                                     v.realized_pnl.micros,
                                     v.unrealized_pnl.micros, v.mark.micros);
  return finish(s, fb::Payload::PositionChanged, p.Union());
}

msg msg_builder::portfolio_snapshot(stamp s, const portfolio_values& v) {
  auto p = fb::CreatePortfolioSnapshot(
    fbb_, v.cash.micros, v.equity.micros, v.gross_exposure.micros,
    v.net_exposure.micros, v.realized_pnl.micros, v.unrealized_pnl.micros,
    v.open_positions, v.buying_power.micros, v.day_pnl.micros,
    v.high_water_mark.micros, v.drawdown.micros);
  return finish(s, fb::Payload::PortfolioSnapshot, p.Union());
}

msg msg_builder::alert(stamp s, fb::Severity severity, std::string_view code,
                       std::string_view text) {
  auto c = str(fbb_, code);
  auto t = str(fbb_, text);
  auto p = fb::CreateAlert(fbb_, severity, c, t);
  return finish(s, fb::Payload::Alert, p.Union());
}

msg msg_builder::agent_note(stamp s, std::string_view agent,
                            uint64_t subject_seq, std::string_view text) {
  auto a = str(fbb_, agent);
  auto t = str(fbb_, text);
  auto p = fb::CreateAgentNote(fbb_, a, subject_seq, t);
  return finish(s, fb::Payload::AgentNote, p.Union());
}

msg msg_builder::health(stamp s, std::string_view component,
                        const health_values& v) {
  auto c = str(fbb_, component);
  auto p = fb::CreateHealth(fbb_, c, v.events, v.duplicates_dropped,
                            v.out_of_order_dropped);
  return finish(s, fb::Payload::Health, p.Union());
}

} // namespace osprey
