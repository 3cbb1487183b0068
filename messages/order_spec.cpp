#include "messages/order_spec.hpp"

namespace osprey {

order_spec spec_of(const fb::OrderIntent& i) {
  order_spec s;
  s.symbol = symbol_id{i.symbol()};
  s.side = i.side();
  s.qty = quantity{i.quantity()};
  s.type = i.type();
  s.tif = i.tif();
  s.limit = price{i.limit_price()};
  s.stop = price{i.stop_price()};
  s.trail = price{i.trail_price()};
  s.trail_percent_bps = i.trail_percent_bps();
  s.order_class = i.order_class();
  s.take_profit_limit = price{i.take_profit_limit()};
  s.stop_loss_stop = price{i.stop_loss_stop()};
  s.stop_loss_limit = price{i.stop_loss_limit()};
  s.reduce_only = i.reduce_only();
  return s;
}

order_spec spec_of(const fb::SubmitOrder& o) {
  order_spec s;
  s.symbol = symbol_id{o.symbol()};
  s.side = o.side();
  s.qty = quantity{o.quantity()};
  s.type = o.type();
  s.tif = o.tif();
  s.limit = price{o.limit_price()};
  s.stop = price{o.stop_price()};
  s.trail = price{o.trail_price()};
  s.trail_percent_bps = o.trail_percent_bps();
  s.order_class = o.order_class();
  s.take_profit_limit = price{o.take_profit_limit()};
  s.stop_loss_stop = price{o.stop_loss_stop()};
  s.stop_loss_limit = price{o.stop_loss_limit()};
  return s;
}

algo_spec algo_of(const fb::OrderIntent& i) {
  algo_spec a;
  auto spec = i.algo();
  if (!spec)
    return a;
  a.kind = spec->kind();
  a.start_ns = spec->start_ns();
  a.horizon_ns = spec->horizon_ns();
  a.slices = spec->slices();
  a.randomize_bps = spec->randomize_bps();
  a.seed = spec->seed();
  if (auto p = spec->volume_profile())
    a.volume_profile.assign(p->begin(), p->end());
  a.display_quantity = quantity{spec->display_quantity()};
  return a;
}

} // namespace osprey
