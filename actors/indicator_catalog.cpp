#include "actors/indicator_catalog.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace osprey::ind {

namespace {

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

[[noreturn]] void refuse(std::string_view entry, const std::string& why) {
  std::string what{entry};
  what += ": ";
  what += why;
  throw std::invalid_argument(what);
}

int whole(std::string_view entry, std::string_view p) {
  int v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc{} || end != p.data() + p.size() || v < 1)
    refuse(entry, quoted(p) + " is not a period (a whole number >= 1)");
  return v;
}

double positive(std::string_view entry, std::string_view p) {
  double v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc{} || end != p.data() + p.size() || !std::isfinite(v) || v <= 0)
    refuse(entry, quoted(p) + " is not a positive number");
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t from = 0;
  for (;;) {
    auto at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
    if (at == std::string_view::npos)
      return out;
    from = at + 1;
  }
}

struct catalog_entry {
  const char* name;
  indicator_kind kind;
  size_t min_params, max_params;
  const char* usage;
};

// One line per name: how many parameters and how they are written.
constexpr catalog_entry catalog[] = {
  {"sma", indicator_kind::sma, 1, 1, "sma:PERIOD"},
  {"ema", indicator_kind::ema, 1, 1, "ema:PERIOD"},
  {"wma", indicator_kind::wma, 1, 1, "wma:PERIOD"},
  {"rsi", indicator_kind::rsi, 1, 1, "rsi:PERIOD"},
  {"stdev", indicator_kind::stdev, 1, 1, "stdev:PERIOD"},
  {"zscore", indicator_kind::zscore, 1, 1, "zscore:PERIOD"},
  {"roc", indicator_kind::roc, 1, 1, "roc:PERIOD"},
  {"macd", indicator_kind::macd, 3, 3, "macd:FAST:SLOW:SIGNAL"},
  {"bb", indicator_kind::bb, 2, 2, "bb:PERIOD:K"},
  {"atr", indicator_kind::atr, 1, 1, "atr:PERIOD"},
  {"adx", indicator_kind::adx, 1, 1, "adx:PERIOD"},
  {"stoch", indicator_kind::stoch, 3, 3, "stoch:PERIOD:SMOOTHING:D"},
  {"obv", indicator_kind::obv, 0, 0, "obv (no parameters)"},
  {"vwap", indicator_kind::vwap, 0, 0, "vwap (no parameters: the session VWAP, reset each day)"},
  {"rvwap", indicator_kind::rvwap, 1, 1, "rvwap:PERIOD"},
  {"volratio", indicator_kind::volratio, 1, 1, "volratio:PERIOD"},
  {"breakout", indicator_kind::breakout, 1, 1, "breakout:PERIOD"},
  {"rvol", indicator_kind::rvol, 1, 2, "rvol:PERIOD[:PER_YEAR]"},
  {"gap", indicator_kind::gap, 0, 0, "gap (no parameters)"},
  {"avg", indicator_kind::avg, 2, 2, "avg:FIELD:PERIOD (FIELD: open high low close volume)"},
  {"highest", indicator_kind::highest, 2, 2, "highest:FIELD:PERIOD (FIELD: open high low close volume)"},
  {"lowest", indicator_kind::lowest, 2, 2, "lowest:FIELD:PERIOD (FIELD: open high low close volume)"},
};

// Which input each indicator takes: the close, or the whole bar.
template <class I>
void feed(I& i, const bar_input& b, int64_t) noexcept {
  if constexpr (requires { i.update(b); })
    i.update(b);
  else
    i.update(b.close);
}
void feed(volume_ratio& i, const bar_input& b, int64_t) noexcept { i.update(b); }
void feed(session_vwap& i, const bar_input& b, int64_t session) noexcept { i.update(b, session); }

template <class I>
size_t columns(const I& i, double* out) noexcept {
  out[0] = i.value();
  return 1;
}
size_t columns(const rate_of_change& i, double* out) noexcept {
  out[0] = i.percent();
  return 1;
}
size_t columns(const macd& i, double* out) noexcept {
  out[0] = i.line();
  out[1] = i.signal();
  out[2] = i.histogram();
  return 3;
}
size_t columns(const bollinger& i, double* out) noexcept {
  out[0] = i.upper();
  out[1] = i.middle();
  out[2] = i.lower();
  return 3;
}
size_t columns(const adx& i, double* out) noexcept {
  out[0] = i.value();
  out[1] = i.plus_di();
  out[2] = i.minus_di();
  return 3;
}
size_t columns(const stochastic& i, double* out) noexcept {
  out[0] = i.k();
  out[1] = i.d();
  return 2;
}
size_t columns(const breakout& i, double* out) noexcept {
  out[0] = i.value();
  out[1] = i.prior_high();
  out[2] = i.prior_low();
  return 3;
}

bar_field field_named(std::string_view entry, std::string_view p) {
  constexpr bar_field all[] = {bar_field::open, bar_field::high, bar_field::low, bar_field::close,
                               bar_field::volume};
  for (auto f : all)
    if (p == to_string(f))
      return f;
  refuse(entry, quoted(p) + " is not a bar field (open high low close volume)");
}

} // namespace

const char* to_string(bar_field f) noexcept {
  switch (f) {
  case bar_field::open: return "open";
  case bar_field::high: return "high";
  case bar_field::low: return "low";
  case bar_field::close: return "close";
  case bar_field::volume: return "volume";
  }
  return nullptr;
}

const char* known_indicators() noexcept {
  return "sma ema wma rsi macd bb atr adx stoch obv vwap rvwap stdev zscore rvol breakout gap "
         "volratio roc avg highest lowest";
}

indicator_spec parse_indicator(std::string_view entry) {
  if (entry.empty())
    refuse(entry, "empty");
  auto parts = split(entry, ':');
  const catalog_entry* found = nullptr;
  for (auto& c : catalog)
    if (parts[0] == c.name)
      found = &c;
  if (!found) {
    std::string why = "unknown indicator ";
    why += quoted(parts[0]);
    why += " (known: ";
    why += known_indicators();
    why += ")";
    refuse(entry, why);
  }
  auto params = parts.size() - 1;
  if (params < found->min_params || params > found->max_params) {
    std::string why = "expected ";
    why += found->usage;
    refuse(entry, why);
  }
  indicator_spec s;
  s.kind = found->kind;
  s.text = entry;
  std::string base = found->name;
  for (size_t k = 1; k < parts.size(); ++k) {
    base += '_';
    base += parts[k];
  }
  int* wholes[] = {&s.p1, &s.p2, &s.p3};
  using k = indicator_kind;
  switch (s.kind) {
  case k::bb:
    s.p1 = whole(entry, parts[1]);
    s.real = positive(entry, parts[2]);
    break;
  case k::rvol:
    s.p1 = whole(entry, parts[1]);
    s.real = params == 2 ? positive(entry, parts[2]) : 1.0;
    break;
  case k::avg:
  case k::highest:
  case k::lowest:
    s.field = field_named(entry, parts[1]);
    s.p1 = whole(entry, parts[2]);
    break;
  default:
    for (size_t i = 0; i < params; ++i)
      *wholes[i] = whole(entry, parts[i + 1]);
  }
  switch (s.kind) {
  case k::macd: s.columns = {base, base + "_signal", base + "_hist"}; break;
  case k::bb: s.columns = {base + "_upper", base + "_middle", base + "_lower"}; break;
  case k::adx: s.columns = {base, base + "_plus_di", base + "_minus_di"}; break;
  case k::stoch: s.columns = {base + "_k", base + "_d"}; break;
  case k::breakout: s.columns = {base, base + "_prior_high", base + "_prior_low"}; break;
  case k::gap: s.columns = {"gap_pct"}; break;
  default: s.columns = {base};
  }
  return s;
}

std::vector<indicator_spec> parse_indicator_list(std::string_view list) {
  if (list.empty())
    throw std::invalid_argument("the indicator list is empty");
  std::vector<indicator_spec> specs;
  for (auto entry : split(list, ',')) {
    if (entry.empty()) {
      std::string what = "an empty entry in ";
      what += quoted(list);
      throw std::invalid_argument(what);
    }
    specs.push_back(parse_indicator(entry));
  }
  return specs;
}

namespace {

live_indicator::any make(const indicator_spec& s) {
  using k = indicator_kind;
  switch (s.kind) {
  case k::sma: return sma{s.p1};
  case k::ema: return ema{s.p1};
  case k::wma: return wma{s.p1};
  case k::rsi: return rsi{s.p1};
  case k::stdev: return rolling_stdev{s.p1};
  case k::zscore: return zscore{s.p1};
  case k::roc: return rate_of_change{s.p1};
  case k::macd: return macd{s.p1, s.p2, s.p3};
  case k::bb: return bollinger{s.p1, s.real};
  case k::atr: return atr{s.p1};
  case k::adx: return adx{s.p1};
  case k::stoch: return stochastic{s.p1, s.p2, s.p3};
  case k::obv: return obv{};
  case k::vwap: return session_vwap{};
  case k::rvwap: return rolling_vwap{s.p1};
  case k::volratio: return volume_ratio{s.p1};
  case k::breakout: return breakout{s.p1};
  case k::rvol: return realized_volatility{s.p1, s.real};
  case k::gap: return gap_percent{};
  case k::avg: return on_field<sma>{s.field, s.p1};
  case k::highest: return on_field<rolling_max>{s.field, s.p1};
  case k::lowest: return on_field<rolling_min>{s.field, s.p1};
  }
  throw std::logic_error("indicator_catalog: a kind without a constructor");
}

} // namespace

live_indicator::live_indicator(const indicator_spec& spec) : value_(make(spec)) {
  // nop
}

void live_indicator::update(const bar_input& b, int64_t session) noexcept {
  std::visit([&](auto& i) { feed(i, b, session); }, value_);
}

size_t live_indicator::update(const bar_input& b, int64_t session, double* out) noexcept {
  return std::visit(
    [&](auto& i) {
      feed(i, b, session);
      return columns(i, out);
    },
    value_);
}

size_t live_indicator::values(double* out) const noexcept {
  return std::visit([out](const auto& i) { return columns(i, out); }, value_);
}

indicator_set::indicator_set(const std::vector<indicator_spec>& specs) {
  items_.reserve(specs.size());
  for (auto& s : specs) {
    items_.emplace_back(s);
    width_ += s.columns.size();
  }
}

void indicator_set::values(double* out) const noexcept {
  for (auto& i : items_)
    out += i.values(out);
}

std::vector<std::string> columns_of(const std::vector<indicator_spec>& specs) {
  std::vector<std::string> out;
  for (auto& s : specs)
    out.insert(out.end(), s.columns.begin(), s.columns.end());
  return out;
}

} // namespace osprey::ind
