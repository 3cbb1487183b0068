#include "actors/signal.hpp"

namespace osprey {

symbol_indicators::symbol_indicators(const signal_params& p)
  : sma(p.sma_period),
    ema(p.ema_period),
    rsi(p.rsi_period),
    avg_volume(p.volume_period),
    high(p.high_period),
    low(p.low_period) {
  // nop
}

signal_values update_indicators(symbol_indicators& ind, const fb::Bar& bar) {
  signal_values v;
  v.close = price{bar.close()};
  v.volume = quantity{bar.volume()};
  // Levels of the preceding bars, read before this bar enters the windows.
  v.ready = ind.high.ready() && ind.low.ready() && ind.avg_volume.ready();
  v.high_n = price{ind.high.ready() ? static_cast<int64_t>(ind.high.value()) : 0};
  v.low_m = price{ind.low.ready() ? static_cast<int64_t>(ind.low.value()) : 0};
  v.avg_volume = ind.avg_volume.value();
  auto close = static_cast<double>(bar.close()) / micros_per_dollar;
  ind.sma.update(close);
  ind.ema.update(close);
  ind.rsi.update(close);
  ind.avg_volume.update(static_cast<double>(bar.volume()));
  ind.high.update(static_cast<double>(bar.high()));
  ind.low.update(static_cast<double>(bar.low()));
  v.sma = ind.sma.value();
  v.ema = ind.ema.value();
  v.rsi = ind.rsi.value();
  return v;
}

symbol_indicators& signal_state::indicators(uint32_t symbol) {
  while (symbols.size() <= symbol)
    symbols.emplace_back(params);
  return symbols[symbol];
}

void recover(signal_state& st, const msg& record) {
  auto bar = record.as<fb::Bar>();
  if (!bar || record.seq() == 0)
    return;
  ++st.bars;
  update_indicators(st.indicators(bar->symbol()), *bar);
}

signal_actor::behavior_type
signal(signal_actor::stateful_pointer<signal_state> self,
       signal_settings settings) {
  self->state.params = settings.params;
  if (settings.recovered)
    for (auto& m : *settings.recovered)
      recover(self->state, m);
  return {
    [self, settings](const msg& m) {
      auto bar = m.as<fb::Bar>();
      if (!bar)
        return;
      auto& st = self->state;
      ++st.bars;
      auto values = update_indicators(st.indicators(bar->symbol()), *bar);
      auto out = st.builder.signal(stamp::caused_by(m), symbol_id{bar->symbol()},
                                   values);
      self->send(settings.strategy, out);
      if (settings.journal)
        settings.journal->push(out);
    },
  };
}

} // namespace osprey
