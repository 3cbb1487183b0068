#include "runtime/config.hpp"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <toml++/toml.h>

#include "actors/rule_templates.hpp"
#include "runtime/config_toml.hpp"

namespace osprey {

namespace {

// Reads typed values out of one TOML table and reports every problem with
// file, line and dotted key. Unknown keys are errors: a typo must not
// silently leave a limit at its default.
class table_reader {
public:
  table_reader(const toml::table& t, std::string prefix, const std::string& file)
    : table_(t), prefix_(std::move(prefix)), file_(file) {}

  /// Refuses any key that no reader asked for.
  void finish() const {
    for (auto& [k, node] : table_)
      if (!known_.count(std::string{k.str()}))
        fail(node, std::string{k.str()}, "unknown key");
  }

  [[noreturn]] void fail(const toml::node& n, const std::string& key,
                         const std::string& what) const {
    std::ostringstream os;
    // A value set on the command line (`--set`) has no place in the file.
    if (n.source().begin.line == 0)
      os << "--set " << prefix_ << key << ": " << what;
    else
      os << file_ << ':' << n.source().begin.line << ": " << prefix_ << key << ": " << what;
    throw config_error(os.str());
  }

  const toml::node* get(const std::string& key) {
    known_.insert(key);
    return table_.get(key);
  }

  template <class Int>
  void integer(const std::string& key, Int& out, int64_t lo, int64_t hi) {
    auto n = get(key);
    if (!n)
      return;
    auto v = n->value<int64_t>();
    if (!n->is_integer() || !v)
      fail(*n, key, "expected an integer");
    if (*v < lo || *v > hi)
      fail(*n, key, "must be between " + std::to_string(lo) + " and "
                      + std::to_string(hi) + ", got " + std::to_string(*v));
    out = static_cast<Int>(*v);
  }

  void number(const std::string& key, double& out, double lo, double hi) {
    auto n = get(key);
    if (!n)
      return;
    auto v = n->value<double>();
    if (!(n->is_floating_point() || n->is_integer()) || !v)
      fail(*n, key, "expected a number");
    if (!(*v >= lo && *v <= hi))
      fail(*n, key, "must be between " + std::to_string(lo) + " and "
                      + std::to_string(hi));
    out = *v;
  }

  void dollars(const std::string& key, money& out, double lo, double hi) {
    double d = out.dollars();
    number(key, d, lo, hi);
    out = money{std::llround(d * micros_per_dollar)};
  }

  /// A share count: whole (100) or fractional (0.5), at least `lo` shares.
  void shares(const std::string& key, quantity& out, double lo) {
    double d = out.shares();
    number(key, d, lo, static_cast<double>(INT64_MAX / nanos_per_share));
    out = quantity::from_nanos(std::llround(d * nanos_per_share));
  }

  void text(const std::string& key, std::string& out) {
    auto n = get(key);
    if (!n)
      return;
    if (!n->is_string())
      fail(*n, key, "expected a string");
    out = *n->value<std::string>();
  }

  void duration(const std::string& key, int64_t& out) {
    auto n = get(key);
    if (!n)
      return;
    if (!n->is_string())
      fail(*n, key, "expected a duration string such as \"250ms\" or \"30s\"");
    auto d = parse_duration(*n->value<std::string>());
    if (!d || *d < 0)
      fail(*n, key, "not a duration: \"" + *n->value<std::string>()
                      + "\" (use a number with ns, us, ms, s, m or h)");
    out = *d;
  }

  template <class Enum>
  void choice(const std::string& key, Enum& out,
              std::initializer_list<std::pair<const char*, Enum>> options) {
    auto n = get(key);
    if (!n)
      return;
    std::string names;
    if (auto s = n->value<std::string>()) {
      for (auto& [name, value] : options)
        if (*s == name) {
          out = value;
          return;
        }
    }
    for (auto& [name, value] : options)
      names += (names.empty() ? "" : ", ") + std::string{"\""} + name + "\"";
    fail(*n, key, "expected one of " + names);
  }

  void strings(const std::string& key, std::vector<std::string>& out) {
    auto n = get(key);
    if (!n)
      return;
    auto arr = n->as_array();
    if (!arr)
      fail(*n, key, "expected an array of strings");
    std::vector<std::string> v;
    for (auto& e : *arr) {
      auto s = e.value<std::string>();
      if (!s || s->empty())
        fail(e, key, "expected a non-empty string");
      v.push_back(*s);
    }
    if (v.empty())
      fail(*n, key, "must not be empty");
    out = std::move(v);
  }

  /// Returns the sub-table `key`, or null when absent.
  const toml::table* section(const std::string& key) {
    auto n = get(key);
    if (!n)
      return nullptr;
    if (!n->is_table())
      fail(*n, key, "expected a table [" + prefix_ + key + "]");
    return n->as_table();
  }

  const std::string& file() const { return file_; }

  /// The table itself, for errors about it as a whole.
  const toml::node* table_node() const { return &table_; }

private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::set<std::string> known_;
};

void read_engine(table_reader& r, engine_config& c) {
  r.choice("clock", c.clock, {{"wall", clock_kind::wall}, {"event", clock_kind::event}});
  r.number("speed", c.speed, 0.001, 1e9);
  int64_t d = -1;
  r.duration("duration", d);
  if (d >= 0)
    c.duration_ns = d;
  uint64_t events = 0;
  r.integer("max_events", events, 1, INT64_MAX);
  if (events)
    c.max_events = events;
  r.text("journal", c.journal_path);
  r.choice("journal_fsync", c.journal_fsync,
           {{"none", fsync_policy::none},
            {"batch", fsync_policy::batch},
            {"every_message", fsync_policy::every_message}});
  r.duration("status_interval", c.status_interval_ns);
}

void read_scheduler(table_reader& r, scheduler_config& s) {
  r.integer("workers", s.workers, 0, 256);
  r.choice("profile", s.profile,
           {{"efficient", latency_profile::efficient},
            {"spin", latency_profile::spin},
            {"deterministic", latency_profile::deterministic}});
  r.choice("implementation", s.kind, {{"osprey", scheduler_kind::osprey}, {"caf", scheduler_kind::caf}});
}

void read_market(table_reader& r, synthetic_market_config& m) {
  r.strings("symbols", m.symbols);
  r.integer("seed", m.seed, 0, INT64_MAX);
  r.integer("quotes_per_bar", m.quotes_per_bar, 1, 1000);
  r.integer("trades_per_bar", m.trades_per_bar, 1, 1000);
  r.integer("bars_per_session", m.bars_per_session, 1, 1440);
}


void read_time_of_day(table_reader& r, const std::string& key, int64_t& out);
void read_flag(table_reader& r, const std::string& key, bool& out);

void read_collector(table_reader& r, collector_params& c) {
  read_time_of_day(r, "session_open", c.session_open_ns);
  read_time_of_day(r, "session_close", c.session_close_ns);
  r.duration("bar_interval", c.bar_interval_ns);
  if (c.bar_interval_ns < 0 || c.bar_interval_ns % 1'000'000'000 != 0)
    r.fail(*r.get("bar_interval"), "bar_interval", "must be a whole number of seconds (0: off)");
  r.duration("stale_after", c.stale_after_ns);
  if (c.stale_after_ns < 0)
    r.fail(*r.get("stale_after"), "stale_after", "must not be negative (0: off)");
}

void read_signal(table_reader& r, engine_config& c) {
  auto& s = c.signal;
  r.integer("sma_period", s.sma_period, 1, 10'000);
  r.integer("ema_period", s.ema_period, 1, 10'000);
  r.integer("rsi_period", s.rsi_period, 1, 10'000);
  r.integer("volume_period", s.volume_period, 1, 10'000);
  r.integer("high_period", s.high_period, 1, 10'000);
  r.integer("low_period", s.low_period, 1, 10'000);
  if (auto n = r.get("indicators")) {
    if (!n->is_string())
      r.fail(*n, "indicators", "expected a string such as \"rsi:14,macd:12:26:9\"");
    try {
      s.extra = ind::parse_indicator_list(*n->value<std::string>());
    } catch (const std::invalid_argument& e) {
      r.fail(*n, "indicators", e.what());
    }
  }
  r.duration("news_window", s.narrative.window_ns);
  r.duration("news_baseline", s.narrative.baseline_ns);
  if (s.narrative.window_ns <= 0 || s.narrative.baseline_ns <= 0)
    r.fail(*r.get(s.narrative.window_ns <= 0 ? "news_window" : "news_baseline"),
           s.narrative.window_ns <= 0 ? "news_window" : "news_baseline", "must be positive");
  r.number("trending_velocity", s.narrative.trending_velocity, 0, 1e6);
  r.integer("trending_min_mentions", s.narrative.trending_min_mentions, 0, 1'000'000);
  r.text("lexicon", c.sentiment_lexicon);
}

// [rules]: a built-in strategy with its parameters, or rules written out.
void read_rules(table_reader& r, rules_config& out) {
  r.text("strategy", out.strategy);
  r.choice("opposite", out.opposite, {{"ignore", opposite_signal::ignore},
                                      {"close", opposite_signal::close_only},
                                      {"reverse", opposite_signal::reverse}});
  read_flag(r, "long_short", out.long_short);
  r.choice("exits", out.bracket_exits, {{"strategy", false}, {"bracket", true}});
  read_flag(r, "fractional", out.fractional);
  const char* sections[] = {"entry", "exit", "short_entry", "short_exit", "size", "stop", "target"};
  std::string written;
  for (auto* key : sections) {
    std::string v;
    r.text(key, v);
    if (!v.empty()) {
      written += key;
      written += ": ";
      written += v;
      written += "\n";
    }
  }
  if (out.strategy == "rebalance") {
    // The portfolio rebalancer: its settings are [rebalance]'s, no rules.
    if (!written.empty())
      r.fail(*r.get("strategy"), "strategy",
             "the rebalancing strategy takes no rules (its settings are in [rebalance])");
    return;
  }
  if (out.strategy == "breakout") {
    if (!written.empty() && r.get("strategy"))
      r.fail(*r.get("strategy"), "strategy",
             "rules are written out: set strategy = \"custom\" (or leave it out)");
    if (written.empty())
      return;
    out.strategy = "custom"; // rules written out without naming a strategy
  }
  const rule_template* t = nullptr;
  if (out.strategy != "custom") {
    t = find_rule_template(out.strategy);
    if (!t) {
      std::string known = "breakout, custom, rebalance";
      for (auto& x : rule_templates()) {
        known += ", ";
        known += x.name;
      }
      r.fail(*r.get("strategy"), "strategy", "unknown strategy \"" + out.strategy + "\" (known: " + known + ")");
    }
  }
  std::string text = t ? t->text : "";
  if (t) {
    for (auto& [name, value] : t->defaults) {
      double v = value;
      r.number(name, v, -1e9, 1e9);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.10g", v);
      std::string placeholder = "{";
      placeholder += name;
      placeholder += "}";
      for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder))
        text.replace(at, placeholder.size(), buf);
    }
  }
  text += written; // written-out sections come after the template's (sizing, stops)
  auto compiled = rules::compile_rules(text);
  if (!compiled) {
    const char* key = r.get("entry") ? "entry" : "strategy";
    auto* n = r.get(key);
    r.fail(n ? *n : *r.table_node(), key, "the rules do not compile:\n" + compiled.error().text());
  }
  if (out.bracket_exits) {
    auto why = bracket_conflict(compiled.value(), out.opposite);
    if (!why.empty())
      r.fail(*r.get("exits"), "exits", why);
    if (out.fractional)
      r.fail(*r.get("fractional"), "fractional",
             "fractional entries cannot carry bracket exits (Alpaca takes a fraction of a "
             "share only on a simple day order); use exits = \"strategy\"");
  }
  out.text = std::move(text);
}

// [rebalance]: the portfolio rebalancer's construction and trading settings.
void read_rebalance(table_reader& r, rebalance_params& p) {
  if (auto n = r.get("method")) {
    std::string m;
    r.text("method", m);
    try {
      p.portfolio.method = parse_portfolio_method(m);
    } catch (const std::invalid_argument& e) {
      r.fail(*n, "method", e.what());
    }
  }
  r.number("cap", p.portfolio.cap, 0.0, 1.0);
  r.number("risk_aversion", p.portfolio.risk_aversion, 1e-9, 1e9);
  r.number("shrinkage", p.portfolio.shrinkage, 0.0, 1.0);
  r.number("risk_free", p.portfolio.risk_free, -1.0, 1.0);
  r.integer("lookback", p.lookback, 3, 100'000);
  r.integer("period", p.period, 1, 1'000'000);
  r.number("drift", p.drift, 0.0, 0.999999);
  r.number("cash_buffer", p.cash_buffer, 0.0, 0.999999);
  read_flag(r, "fractional", p.fractional);
}

// [universe]: SYMBOL = ["Company name", ...], one key per symbol.
void read_universe(const toml::table& t, const std::string& file,
                   std::vector<sentiment::ticker_entry>& out) {
  for (auto& [key, node] : t) {
    auto where = [&, key = std::string{key.str()}](const toml::node& n, const std::string& what) {
      std::ostringstream os;
      os << file << ':' << n.source().begin.line << ": universe." << key << ": " << what;
      throw config_error(os.str());
    };
    sentiment::ticker_entry e;
    e.symbol = std::string{key.str()};
    auto arr = node.as_array();
    if (!arr)
      where(node, "expected an array of company names, such as [\"Apple\", \"Apple Inc.\"]");
    for (auto& name : *arr) {
      auto v = name.value<std::string>();
      if (!v || v->empty())
        where(name, "expected a non-empty string");
      e.names.push_back(*v);
    }
    out.push_back(std::move(e));
  }
}

// [replay] and [replay.columns]: how CSV files are read.
void read_replay(table_reader& r, engine_config& c) {
  auto& o = c.replay;
  r.integer("batch", c.replay_batch, 1, 1'000'000);
  r.text("symbol", o.symbol);
  read_time_of_day(r, "daily_close", o.daily_close_ns);
  int64_t offset = 0;
  r.duration("utc_offset", offset);
  if (auto n = r.get("utc_offset_sign"); n) {
    auto v = n->value<std::string>();
    if (!v || (*v != "+" && *v != "-"))
      r.fail(*n, "utc_offset_sign", "expected \"+\" or \"-\"");
    if (*v == "-")
      offset = -offset;
  }
  o.utc_offset_ns = offset;
  int64_t interval = 0;
  r.duration("bar_interval", interval);
  if (interval < 0 || interval % 1'000'000'000 != 0)
    r.fail(*r.get("bar_interval"), "bar_interval", "must be a whole number of seconds (0: infer)");
  o.bar_interval_s = static_cast<uint32_t>(interval / 1'000'000'000);
  read_flag(r, "adjust_by_adj_close", o.adjust_by_adj_close);
  read_flag(r, "adjust_dividends", o.adjust_dividends);
  read_flag(r, "has_header", o.has_header);
  r.choice("splits", o.splits, {{"automatic", split_adjustment::automatic},
                                {"always", split_adjustment::always},
                                {"never", split_adjustment::never}});
  if (auto t = r.section("columns")) {
    table_reader cr{*t, "replay.columns.", r.file()};
    csv_columns c;
    cr.choice("layout", c.layout, {{"bars", csv_layout::bars}, {"quotes", csv_layout::quotes},
                                   {"trades", csv_layout::trades}, {"osprey", csv_layout::osprey}});
    // Positions are 0-based; a field left out is absent.
    for (auto [key, field] : std::initializer_list<std::pair<const char*, int*>>{
           {"date", &c.date}, {"time", &c.time}, {"symbol", &c.symbol}, {"open", &c.open},
           {"high", &c.high}, {"low", &c.low}, {"close", &c.close}, {"adj_close", &c.adj_close},
           {"volume", &c.volume}, {"dividend", &c.dividend}, {"split", &c.split},
           {"bid", &c.bid}, {"ask", &c.ask}, {"bid_size", &c.bid_size},
           {"ask_size", &c.ask_size}, {"price", &c.price}, {"size", &c.size}})
      cr.integer(key, *field, 0, 1'000);
    cr.finish();
    std::string missing = c.date < 0 ? "date" : "";
    if (missing.empty() && c.layout == csv_layout::bars && c.close < 0)
      missing = "close";
    if (missing.empty() && c.layout == csv_layout::quotes && (c.bid < 0 || c.ask < 0))
      missing = c.bid < 0 ? "bid" : "ask";
    if (missing.empty() && c.layout == csv_layout::trades && c.price < 0)
      missing = "price";
    if (!missing.empty())
      r.fail(*r.get("columns"), "columns", "the mapping needs the " + missing + " column");
    o.columns = c;
  }
}

void read_strategy(table_reader& r, breakout_params& s) {
  r.number("volume_factor", s.volume_factor, 0, 1'000);
  r.number("trailing_stop", s.trailing_stop, 0.0001, 0.99);
  r.dollars("position_notional", s.position_notional, 1, 1e9);
  read_flag(r, "fractional", s.fractional);
  r.number("min_news_sentiment", s.min_news_sentiment, -2, 1);
}

// A true/false switch of the [risk] section.
void read_flag(table_reader& r, const std::string& key, bool& out) {
  auto n = r.get(key);
  if (!n)
    return;
  if (!n->is_boolean())
    r.fail(*n, key, "expected true or false");
  out = *n->value<bool>();
}

// A UTC time of day "HH:MM" (or "HH:MM:SS") of the [risk] section, in
// nanoseconds after midnight.
void read_time_of_day(table_reader& r, const std::string& key, int64_t& out) {
  auto n = r.get(key);
  if (!n)
    return;
  auto text = n->value<std::string>();
  int h = -1, m = -1, sec = 0;
  char extra = 0;
  int got = text ? std::sscanf(text->c_str(), "%2d:%2d:%2d%c", &h, &m, &sec, &extra)
                 : 0;
  if (!n->is_string() || (got != 2 && got != 3) || h < 0 || h > 23 || m < 0
      || m > 59 || sec < 0 || sec > 59 || (got == 2 && text->size() != 5))
    r.fail(*n, key, "expected a UTC time of day such as \"14:30\"");
  out = ((h * 60 + m) * 60 + sec) * int64_t{1'000'000'000};
}

void read_broker(table_reader& r, sim_broker_config& b) {
  r.duration("latency", b.latency_ns);
  r.integer("slippage_bps", b.slippage_bps, 0, 10'000);
  r.dollars("commission_per_share", b.commission_per_share, 0, 100);
  r.dollars("min_commission", b.min_commission, 0, 1'000);
  r.dollars("commission_per_order", b.commission_per_order, 0, 1'000);
  r.integer("commission_bps", b.commission_bps, 0, 9'999);
  r.choice("bar_fills", b.bar_fills, {{"none", bar_fill::none},
                                      {"next_open", bar_fill::next_open},
                                      {"next_close", bar_fill::next_close},
                                      {"same_close", bar_fill::same_close}});
  read_time_of_day(r, "session_open", b.session_open_utc_ns);
  read_time_of_day(r, "session_close", b.day_end_utc_ns);
  r.duration("closing_auction", b.closing_auction_ns);
  // The session's keys constrain each other: name the one that breaks it.
  if (b.session_open_utc_ns >= b.day_end_utc_ns) {
    auto* n = r.get("session_open") ? r.get("session_open") : r.get("session_close");
    if (n)
      r.fail(*n, r.get("session_open") ? "session_open" : "session_close",
             "the session must open before it closes");
  }
  if (b.closing_auction_ns > b.day_end_utc_ns - b.session_open_utc_ns)
    if (auto* n = r.get("closing_auction"))
      r.fail(*n, "closing_auction", "must not be longer than the session");
}

void read_risk(table_reader& r, risk_limits& l) {
  r.shares("max_order_quantity", l.max_order_quantity, 1e-9);
  r.dollars("max_order_notional", l.max_order_notional, 0, 1e12);
  r.shares("max_position", l.max_position, 0);
  r.dollars("max_gross_exposure", l.max_gross_exposure, 0, 1e12);
  r.dollars("max_net_exposure", l.max_net_exposure, 0, 1e12);
  r.integer("price_collar_bps", l.price_collar_bps, 0, 100'000);
  r.integer("max_orders_per_window", l.max_orders_per_window, 1, 1'000'000);
  r.duration("rate_window", l.rate_window_ns);
  r.integer("max_cancels_per_window", l.max_cancels_per_window, 1, 1'000'000);
  r.duration("cancel_window", l.cancel_window_ns);
  r.duration("duplicate_window", l.duplicate_window_ns);
  read_flag(r, "allow_short_selling", l.allow_short_selling);
  read_flag(r, "trading_hours", l.trading_hours);
  read_time_of_day(r, "market_open", l.market_open_ns);
  read_time_of_day(r, "market_close", l.market_close_ns);
  r.duration("auction_window", l.auction_window_ns);
  r.integer("margin_multiplier", l.margin_multiplier, 0, 10);
  r.dollars("daily_loss_soft", l.daily_loss_soft, 0, 1e12);
  r.dollars("daily_loss_hard", l.daily_loss_hard, 0, 1e12);
  r.dollars("drawdown_soft", l.drawdown_soft, 0, 1e12);
  r.dollars("drawdown_hard", l.drawdown_hard, 0, 1e12);
  read_flag(r, "flatten_on_halt", l.flatten_on_halt);
}

void read_orders(table_reader& r, order_manager_params& o) {
  r.dollars("starting_cash", o.starting_cash, 0, 1e12);
  r.integer("first_client_order_id", o.first_client_order_id, 1, INT64_MAX);
}

// [[strategies]]: each kind's keys. A new kind adds a reader and a line in
// slot_kinds.
void read_breakout_slot(table_reader& r, strategy_slot& slot, const engine_config& c) {
  slot.breakout = c.strategy; // [strategy] gives the defaults
  read_strategy(r, slot.breakout);
}

void read_rebalance_slot(table_reader& r, strategy_slot& slot, const engine_config& c) {
  slot.rebalance = c.rebalance; // [rebalance] gives the defaults
  read_rebalance(r, slot.rebalance);
  auto symbols = slot.symbols.empty() ? c.market.symbols.size() : slot.symbols.size();
  try {
    validate(slot.rebalance, static_cast<uint32_t>(symbols));
  } catch (const std::invalid_argument& e) {
    r.fail(*r.table_node(), "kind", e.what());
  }
}

void read_rules_slot(table_reader& r, strategy_slot& slot, const engine_config&) {
  read_rules(r, slot.rules);
  if (slot.rules.text.empty())
    r.fail(r.get("strategy") ? *r.get("strategy") : *r.table_node(), "strategy",
           "no rules: name a template (strategy = \"trend\"), write entry = ..., or set "
           "kind = \"breakout\"");
}

struct slot_kind_reader {
  const char* name;
  strategy_kind kind;
  void (*read)(table_reader&, strategy_slot&, const engine_config&);
};

const slot_kind_reader slot_kinds[] = {
  {"breakout", strategy_kind::breakout, read_breakout_slot},
  {"rules", strategy_kind::rules, read_rules_slot},
  {"rebalance", strategy_kind::rebalance, read_rebalance_slot},
};

/// What is wrong with a set of slots: the slot, the position in its
/// `symbols` of the symbol at fault (-1: the slot as a whole) and why.
struct slot_problem {
  size_t slot = 0;
  int symbol = -1;
  std::string what;
};

std::string in_quotes(const std::string& s) {
  std::string out = "\"";
  out += s;
  out += "\"";
  return out;
}

std::optional<slot_problem> find_slot_problem(const std::vector<strategy_slot>& slots,
                                              const std::vector<std::string>& traded) {
  std::map<std::string, size_t> owner; // symbol -> slot
  for (size_t i = 0; i < slots.size(); ++i) {
    auto& slot = slots[i];
    if (slot.name.empty())
      return slot_problem{i, -1, "a strategy needs a name"};
    for (size_t j = 0; j < i; ++j)
      if (slots[j].name == slot.name)
        return slot_problem{i, -1, "strategy " + in_quotes(slot.name) + " is defined twice"};
    for (size_t k = 0; k < slot.symbols.size(); ++k) {
      auto& sym = slot.symbols[k];
      if (std::find(traded.begin(), traded.end(), sym) == traded.end()) {
        std::string what = "strategy " + in_quotes(slot.name) + ": " + in_quotes(sym);
        what += " is not a traded symbol (traded: ";
        for (size_t t = 0; t < traded.size(); ++t)
          what += (t ? ", " : "") + traded[t];
        what += ")";
        return slot_problem{i, static_cast<int>(k), what};
      }
      if (std::find(slot.symbols.begin(), slot.symbols.begin() + static_cast<ptrdiff_t>(k), sym)
          != slot.symbols.begin() + static_cast<ptrdiff_t>(k))
        return slot_problem{i, static_cast<int>(k),
                            "strategy " + in_quotes(slot.name) + " lists " + in_quotes(sym) + " twice"};
    }
    // A slot without symbols owns every traded one.
    auto& shard = slot.symbols.empty() ? traded : slot.symbols;
    for (size_t k = 0; k < shard.size(); ++k) {
      auto [at, fresh] = owner.emplace(shard[k], i);
      if (fresh)
        continue;
      auto& other = slots[at->second];
      std::string what = "strategies " + in_quotes(other.name) + " and " + in_quotes(slot.name);
      what += " both trade " + in_quotes(shard[k]);
      what += " (a symbol has one strategy: positions are kept per symbol";
      for (auto* s : {&other, &slot})
        if (s->symbols.empty())
          what += "; " + in_quotes(s->name) + " has no symbols, so it trades every one";
      what += ")";
      return slot_problem{i, slot.symbols.empty() ? -1 : static_cast<int>(k), what};
    }
  }
  return std::nullopt;
}

// [[strategies]]: strategies side by side, each on its own symbols.
void read_strategies(table_reader& top, engine_config& c) {
  auto n = top.get("strategies");
  if (!n)
    return;
  auto arr = n->as_array();
  if (!arr || arr->empty() || !arr->is_array_of_tables())
    top.fail(*n, "strategies", "expected [[strategies]] tables, one per strategy");
  if (auto rules = top.get("rules"))
    top.fail(*rules, "rules",
             "[rules] and [[strategies]] cannot be combined: move the rules into a "
             "[[strategies]] table");
  std::vector<const toml::table*> tables;
  for (auto& node : *arr) {
    auto& t = *node.as_table();
    tables.push_back(&t);
    strategy_slot slot;
    auto name = t.get("name");
    if (!name) {
      table_reader r{t, "strategies.", top.file()};
      r.fail(t, "name", "required: each strategy needs a unique name");
    }
    if (!name->is_string() || name->value<std::string>()->empty()) {
      table_reader r{t, "strategies.", top.file()};
      r.fail(*name, "name", "expected a non-empty string");
    }
    slot.name = *name->value<std::string>();
    table_reader r{t, "strategies." + slot.name + ".", top.file()};
    r.text("name", slot.name);
    r.strings("symbols", slot.symbols);
    const slot_kind_reader* kind = &slot_kinds[1]; // rules, unless it says otherwise
    if (auto k = r.get("kind")) {
      kind = nullptr;
      auto v = k->value<std::string>();
      std::string known;
      for (auto& option : slot_kinds) {
        if (v && *v == option.name)
          kind = &option;
        known += known.empty() ? "" : ", ";
        known += in_quotes(option.name);
      }
      if (!kind)
        r.fail(*k, "kind", "unknown kind" + (v ? " " + in_quotes(*v) : std::string{})
                             + " (known: " + known + ")");
    }
    slot.kind = kind->kind;
    kind->read(r, slot, c);
    r.finish();
    c.strategies.push_back(std::move(slot));
  }
  if (auto p = find_slot_problem(c.strategies, c.market.symbols)) {
    auto& t = *tables[p->slot];
    const toml::node* at = t.get("name") ? t.get("name") : &t;
    std::string key = "name";
    if (p->symbol >= 0) {
      at = t.get("symbols")->as_array()->get(static_cast<size_t>(p->symbol));
      key = "symbols";
    }
    table_reader r{t, "strategies." + c.strategies[p->slot].name + ".", top.file()};
    r.fail(*at, key, p->what);
  }
}

template <class F, class T>
void read_section(table_reader& top, const std::string& name, T& target, F read) {
  if (auto t = top.section(name)) {
    table_reader r{*t, name + ".", top.file()};
    read(r, target);
    r.finish();
  }
}

} // namespace

const char* to_string(strategy_kind k) noexcept {
  for (auto& option : slot_kinds)
    if (option.kind == k)
      return option.name;
  return "?";
}

std::vector<strategy_slot> strategy_slots(const engine_config& c) {
  if (!c.strategies.empty())
    return c.strategies;
  strategy_slot slot;
  slot.breakout = c.strategy;
  slot.rules = c.rules;
  slot.rebalance = c.rebalance;
  if (c.rules.strategy == "rebalance") {
    slot.name = "rebalance";
    slot.kind = strategy_kind::rebalance;
  } else if (c.rules.text.empty()) {
    slot.name = "breakout";
    slot.kind = strategy_kind::breakout;
  } else {
    slot.name = c.rules.strategy;
    slot.kind = strategy_kind::rules;
  }
  return {std::move(slot)};
}

void check_strategy_slots(const std::vector<strategy_slot>& slots,
                          const std::vector<std::string>& traded) {
  if (auto p = find_slot_problem(slots, traded))
    throw config_error(p->what);
}

engine_config default_config() {
  engine_config c;
  c.market.symbols = {"AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "AMD"};
  c.market.seed = 42;
  c.broker.latency_ns = 50'000'000; // 50 ms of event time
  c.broker.slippage_bps = 1;
  c.broker.commission_per_share = money{5'000}; // half a cent
  return c;
}

std::optional<int64_t> parse_duration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0)
    return std::nullopt;
  double value;
  try {
    value = std::stod(std::string{text.substr(0, i)});
  } catch (...) {
    return std::nullopt;
  }
  auto unit = text.substr(i);
  double scale;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s") scale = 1e9;
  else if (unit == "m") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return std::nullopt;
  return static_cast<int64_t>(std::llround(value * scale));
}

const char* to_string(latency_profile p) noexcept {
  switch (p) {
    case latency_profile::efficient: return "efficient";
    case latency_profile::spin: return "spin";
    case latency_profile::deterministic: return "deterministic";
  }
  return "?";
}

const char* to_string(scheduler_kind k) noexcept {
  switch (k) {
    case scheduler_kind::osprey: return "osprey";
    case scheduler_kind::caf: return "caf";
  }
  return "?";
}

namespace {

/// Sets `section.key = value` in `root`; the value is TOML (a number, true,
/// a quoted string) or, when it does not parse as one, a bare string.
void apply_override(toml::table& root, const std::string& setting) {
  auto eq = setting.find('=');
  auto dot = setting.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0
      || dot + 1 == eq)
    throw config_error("--set " + setting + ": expected SECTION.KEY=VALUE, e.g. "
                       "strategy.volume_factor=2");
  auto section = setting.substr(0, dot);
  auto key = setting.substr(dot + 1, eq - dot - 1);
  auto value = setting.substr(eq + 1);
  toml::table parsed;
  std::string origin = "--set ";
  origin += setting;
  try {
    parsed = toml::parse("v = " + value, origin);
  } catch (const toml::parse_error&) {
    std::string quoted = "v = \"";
    for (char c : value)
      quoted += c == '"' || c == '\\' ? std::string{"\\"} + c : std::string{c};
    quoted += "\"";
    parsed = toml::parse(quoted, origin);
  }
  auto* t = root.get(section);
  if (!t)
    t = root.insert_or_assign(section, toml::table{}).first->second.as_table();
  if (!t->is_table())
    throw config_error("--set " + setting + ": " + section + " is not a section");
  t->as_table()->insert_or_assign(key, *parsed.get("v"));
}

} // namespace

toml::table parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ':' << e.source().begin.line << ": " << e.description();
    throw config_error(os.str());
  }
}

engine_config parse_config(std::string_view text, const std::string& source,
                           const std::vector<std::string>& overrides) {
  auto root = parse_toml(text, source);
  for (auto& o : overrides)
    apply_override(root, o);
  auto c = default_config();
  c.source = source;
  {
    table_reader top{root, "", source};
    read_section(top, "engine", c, read_engine);
    read_section(top, "scheduler", c.scheduler, read_scheduler);
    read_section(top, "market", c.market, read_market);
    read_section(top, "collector", c.collector, read_collector);
    read_section(top, "broker", c.broker, read_broker);
    read_section(top, "signal", c, read_signal);
    read_section(top, "replay", c, read_replay);
    if (auto t = top.section("universe"))
      read_universe(*t, source, c.universe);
    read_section(top, "strategy", c.strategy, read_strategy);
    read_section(top, "rebalance", c.rebalance, read_rebalance);
    read_section(top, "rules", c.rules, read_rules);
    read_strategies(top, c);
    read_section(top, "risk", c.risk, read_risk);
    read_section(top, "orders", c.orders, read_orders);
    top.finish();
  }
  // One account: the risk ledger starts from the order manager's cash and
  // both count buying power with the same multiplier.
  c.risk.starting_cash = c.orders.starting_cash;
  c.orders.margin_multiplier = c.risk.margin_multiplier;
  return c;
}

engine_config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in{path};
  if (!in)
    throw config_error(path + ": cannot open the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path, overrides);
}

} // namespace osprey
