#include "runtime/llm_rule.hpp"

#include <cstdlib>
#include <exception>
#include <utility>

// Boost.JSON has no compiled library here: its sources are built into this
// one translation unit (nothing else in the tree may include src.hpp).
#include <boost/json/src.hpp>

#include "actors/rule_compiler.hpp"
#include "actors/rule_phrases.hpp"
#include "adapters/http_client.hpp"

namespace osprey {

namespace {

namespace json = boost::json;

constexpr std::string_view env_url = "OSPREY_LLM_URL";
constexpr std::string_view env_model = "OSPREY_LLM_MODEL";
constexpr std::string_view env_key = "OSPREY_LLM_API_KEY";

std::optional<std::string> lookup(const llm_env& env, std::string_view name) {
  if (!env)
    return std::nullopt;
  auto v = env(std::string{name});
  if (v && v->empty())
    return std::nullopt;
  return v;
}

// "llm MODEL at URL: what".
std::string where(const llm_endpoint& e, std::string_view what) {
  std::string s = llm_translator_name(e);
  s += " at ";
  s += chat_completions_url(e.url);
  s += ": ";
  s += what;
  return s;
}

// What one documented name looks like in a rule and what it means. Names
// the compiler knows but this table lacks are still listed in the prompt
// (see llm_system_prompt), so a new function is never hidden from the model.
struct name_doc {
  std::string_view name;
  std::string_view usage;
};

constexpr name_doc documented[] = {
  {"open", "open, high, low, close, volume: this bar's prices and volume"},
  {"high", ""},
  {"low", ""},
  {"close", ""},
  {"volume", ""},
  {"pe", "pe: price/earnings ratio (may be missing)"},
  {"eps_surprise_pct", "eps_surprise_pct: last earnings surprise, in percent points"},
  {"revenue_growth_pct", "revenue_growth_pct: revenue growth, in percent points"},
  {"sentiment", "sentiment: mean news sentiment, about -0.5 (bearish) to +0.5 (bullish)"},
  {"mentions", "mentions: news mentions in the last day (0..50)"},
  {"news_velocity", "news_velocity: mentions against the 30-day baseline (1 = usual, 5 = 5x)"},
  {"gap_pct", "gap_pct: 100 * (open - previous close) / previous close, in percent points"},
  {"volume_ratio", "volume_ratio or volume_ratio(N): volume / mean volume of the N (default "
                   "20) bars before this one"},
  {"vwap", "vwap: session VWAP (written without parentheses)"},
  {"obv", "obv: on-balance volume (written without parentheses)"},
  {"sma", "sma(N) or sma(FIELD, N): mean of the last N values, this bar included (default "
          "close)"},
  {"avg", "avg(FIELD, N): mean of the last N values of FIELD, e.g. avg(volume, 20)"},
  {"ema", "ema(N), wma(N), rsi(N), stdev(N), zscore(N), roc(N): of the close only; roc is in "
          "percent"},
  {"wma", ""},
  {"rsi", ""},
  {"stdev", ""},
  {"zscore", ""},
  {"roc", ""},
  {"highest", "highest(FIELD, N), lowest(FIELD, N): extreme of the last N bars INCLUDING this "
              "one; highest(high, 20)[1] is the high of the 20 bars before this one"},
  {"lowest", ""},
  {"atr", "atr(N): average true range"},
  {"rvwap", "rvwap(N): rolling VWAP of the last N bars"},
  {"adx", "adx(N): ADX; adx(N).plus_di, adx(N).minus_di"},
  {"macd", "macd(FAST, SLOW, SIGNAL): the MACD line; .line, .signal, .hist, e.g. "
           "macd(12, 26, 9).hist"},
  {"bb", "bb(N, K): Bollinger bands, K standard deviations; a member is required: "
         "bb(20, 2).upper, .middle, .lower"},
  {"stoch", "stoch(N, SMOOTHING, D): stochastic; a member is required: stoch(14, 3, 3).k, .d"},
  {"crosses_above", "crosses_above(a, b): a > b on this bar and a <= b on the previous one"},
  {"crosses_below", "crosses_below(a, b): a < b on this bar and a >= b on the previous one"},
  {"abs", "abs(x), min(a, b), max(a, b)"},
  {"min", ""},
  {"max", ""},
};

const name_doc* find_doc(std::string_view name) {
  for (auto& d : documented)
    if (d.name == name)
      return &d;
  return nullptr;
}

constexpr std::string_view prompt_head =
  R"(You translate a stock screening condition written in English into one rule of the osprey rule language.
Answer with the rule only: one expression on one line. No prose, no explanation, no code fences, no "entry:" label.
If the condition cannot be written in this language, answer with the single word: none

The rule is a true/false expression evaluated on one bar of one symbol.

Grammar (lowest precedence first):
  expr       := or
  or         := and ('or' and)*
  and        := not ('and' not)*
  not        := 'not' not | comparison
  comparison := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?   -- no chains: write a < b and b < c
  sum        := term (('+' | '-') term)*
  term       := unary (('*' | '/') unary)*
  unary      := '-' unary | postfix
  postfix    := primary ('[' WHOLE ']' | '.' NAME)*
  primary    := NUMBER | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'

Numbers are decimal (30, 1.5, .25): no exponents, no percent signs. Values ending in _pct are already in percent points: write gap_pct > 3 for a gap of more than 3%.
Two types: number and true/false. Arithmetic and comparisons take numbers; and, or, not take true/false. The whole rule must be true/false.
x[n] is x n bars ago, for any expression: close[1] is the previous close, rsi(14)[1] yesterday's RSI.
Periods (N, FAST, SLOW, SIGNAL, SMOOTHING, D) are whole numbers from 1 to 100000; K is a positive number; FIELD is one of open high low close volume.

Names and functions:
)";

constexpr std::string_view prompt_tail =
  R"(
No other names or functions exist. Percent literals like 3% are not allowed.

Examples:
  rsi below 30 -> rsi(14) < 30
  close above the upper Bollinger band -> close > bb(20, 2).upper
  20-day breakout on twice the average volume -> close > highest(high, 20)[1] and volume > 2 * avg(volume, 20)
  macd crosses above its signal line -> crosses_above(macd(12, 26, 9).line, macd(12, 26, 9).signal)
)";

// Takes the message out of an error body: OpenAI's {"error": {"message":
// ...}}, {"error": "..."} or {"message": ...}; else the body's start.
std::string error_text_of(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    auto& o = v.as_object();
    if (auto* e = o.if_contains("error")) {
      if (e->is_string())
        return std::string{e->as_string()};
      if (e->is_object())
        if (auto* m = e->as_object().if_contains("message"); m && m->is_string())
          return std::string{m->as_string()};
    }
    if (auto* m = o.if_contains("message"); m && m->is_string())
      return std::string{m->as_string()};
  }
  std::string s{body.substr(0, 200)};
  if (body.size() > 200)
    s += "…";
  return s;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

} // namespace

llm_env llm_process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str()))
      return std::string{v};
    return std::nullopt;
  };
}

llm_settings resolve_llm_endpoint(const llm_flags& flags, const llm_env& env) {
  auto fail = [](std::string what) {
    llm_settings bad;
    bad.error = std::move(what);
    return bad;
  };
  std::string url_from = "--llm-url";
  std::string url = flags.url;
  if (url.empty()) {
    url = lookup(env, env_url).value_or("");
    url_from = env_url;
  }
  if (url.empty()) {
    if (!flags.model.empty() || !flags.key_env.empty())
      return fail(std::string{flags.model.empty() ? "--llm-key-env" : "--llm-model"}
                  + " is given but no endpoint: set --llm-url or OSPREY_LLM_URL");
    return llm_settings{}; // off
  }
  std::string why;
  if (!parse_url(url, why))
    return fail(url_from + " \"" + url + "\": " + why);

  llm_endpoint e;
  e.url = url;
  e.model = flags.model.empty() ? lookup(env, env_model).value_or("") : flags.model;
  if (e.model.empty())
    return fail(url_from + " is set but no model is: set --llm-model or OSPREY_LLM_MODEL");
  if (!flags.key_env.empty()) {
    auto key = lookup(env, flags.key_env);
    if (!key)
      return fail("--llm-key-env " + flags.key_env + ": the environment variable "
                  + flags.key_env + " is not set or empty");
    e.api_key = *key;
  } else {
    e.api_key = lookup(env, env_key).value_or("");
  }
  llm_settings out;
  out.endpoint = std::move(e);
  return out;
}

llm_settings llm_endpoint_from_environment(const llm_env& env) {
  return resolve_llm_endpoint({}, env);
}

std::string llm_translator_name(const llm_endpoint& e) {
  std::string s = "llm ";
  s += e.model;
  return s;
}

std::string chat_completions_url(std::string_view base) {
  constexpr std::string_view suffix = "/chat/completions";
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  std::string s{base};
  if (!base.ends_with(suffix))
    s += suffix;
  return s;
}

std::string llm_system_prompt() {
  std::string s{prompt_head};
  std::string unlisted;
  for (auto& name : rules::known_names()) {
    auto* d = find_doc(name);
    if (!d) {
      unlisted += unlisted.empty() ? "" : " ";
      unlisted += name;
    } else if (!d->usage.empty()) {
      s += "  ";
      s += d->usage;
      s += '\n';
    }
  }
  if (!unlisted.empty()) {
    s += "  also: ";
    s += unlisted;
    s += '\n';
  }
  s += prompt_tail;
  return s;
}

std::string llm_request_body(const llm_endpoint& e, std::string_view phrase) {
  json::object body;
  body["model"] = e.model;
  body["temperature"] = 0;
  json::array messages;
  messages.push_back(json::object{{"role", "system"}, {"content", llm_system_prompt()}});
  messages.push_back(json::object{{"role", "user"}, {"content", phrase}});
  body["messages"] = std::move(messages);
  return json::serialize(body);
}

std::string strip_rule_answer(std::string_view answer) {
  auto s = trim(answer);
  if (s.starts_with("```")) {
    // Drop the opening fence and its language tag ("```rules"), and the
    // closing fence when there is one.
    auto eol = s.find('\n');
    s = eol == std::string_view::npos ? s.substr(3) : s.substr(eol + 1);
    s = trim(s);
    if (s.ends_with("```"))
      s.remove_suffix(3);
    s = trim(s);
  }
  while (s.size() >= 2 && s.front() == '`' && s.back() == '`')
    s = trim(s.substr(1, s.size() - 2));
  return std::string{s};
}

llm_rule_result read_llm_answer(const llm_endpoint& e, std::string_view body) {
  llm_rule_result r;
  r.translator = llm_translator_name(e);
  auto bad = [&](std::string what) {
    r.error = where(e, what);
    return r;
  };
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) {
    std::string what = "the answer is not JSON (";
    what += ec.message();
    what += "): ";
    what += body.substr(0, 200);
    return bad(std::move(what));
  }
  auto* top = v.if_object();
  auto* choices = top ? top->if_contains("choices") : nullptr;
  if (!choices || !choices->is_array())
    return bad("the answer has no \"choices\" array");
  if (choices->as_array().empty())
    return bad("the answer's \"choices\" array is empty");
  auto* first = choices->as_array()[0].if_object();
  auto* message = first ? first->if_contains("message") : nullptr;
  if (!message || !message->is_object())
    return bad("the answer has no choices[0].message object");
  auto* content = message->as_object().if_contains("content");
  if (!content || !content->is_string())
    return bad("the answer has no text in choices[0].message.content");
  r.answer = std::string{content->as_string()};
  auto rule = strip_rule_answer(r.answer);
  if (rule.empty())
    return bad("the model answered with an empty rule");
  if (rule == "none" || rule == "none.")
    return bad("the model found no rule for the phrase (it answered \"none\")");
  auto compiled = rules::compile_rules(rule);
  if (!compiled) {
    std::string what = "the model's rule does not compile:\n";
    what += compiled.error().text();
    what += "\nthe model answered: ";
    what += r.answer;
    return bad(std::move(what));
  }
  r.ok = true;
  r.rule = std::move(rule);
  return r;
}

llm_rule_result translate_with_llm(std::string_view phrase, const llm_endpoint& e) {
  llm_rule_result r;
  r.translator = llm_translator_name(e);
  // One attempt: a model's answer is slow and not free, so a failure is
  // reported rather than retried.
  http_settings s;
  s.connect_timeout = e.timeout;
  s.read_timeout = e.timeout;
  s.retries = 0;
  s.headers.emplace_back("Accept", "application/json");
  if (!e.api_key.empty())
    s.headers.emplace_back("Authorization", "Bearer " + e.api_key);
  auto x = http_post_once(chat_completions_url(e.url), llm_request_body(e, phrase),
                          "application/json", s);
  if (x.failure == http_failure::http_status) {
    std::string what = "HTTP ";
    what += std::to_string(x.response.status);
    if (!x.response.reason.empty()) {
      what += ' ';
      what += x.response.reason;
    }
    if (!x.response.body.empty()) {
      what += ": ";
      what += error_text_of(x.response.body);
    }
    r.error = where(e, what);
    return r;
  }
  if (!x.ok()) {
    r.error = where(e, x.detail);
    return r;
  }
  return read_llm_answer(e, x.response.body);
}

rule_translation translate_phrase_or_ask_llm(std::string_view phrase,
                                             const std::optional<llm_endpoint>& llm) {
  rule_translation out;
  auto t = rules::translate_phrase(phrase);
  if (t.ok) {
    out.ok = true;
    out.rule = std::move(t.rule);
    out.translator = "phrases";
    return out;
  }
  out.message = std::move(t.message);
  if (!llm)
    return out;
  auto asked = translate_with_llm(phrase, *llm);
  if (!asked.ok) {
    out.message += "; asked ";
    out.message += asked.error;
    return out;
  }
  out.ok = true;
  out.rule = std::move(asked.rule);
  out.translator = std::move(asked.translator);
  out.message.clear();
  return out;
}

std::string shown_rule(const rule_translation& t, bool llm_configured) {
  std::string s = "rule";
  if (llm_configured) {
    s += " (";
    s += t.translator;
    s += ')';
  }
  s += ": ";
  s += t.rule;
  return s;
}

} // namespace osprey
