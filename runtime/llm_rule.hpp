#pragma once

// Plain English to rule text through an OpenAI-compatible chat-completions
// endpoint, as a fallback for phrases the deterministic translator
// (actors/rule_phrases) refuses. Off unless an endpoint URL is configured.
//
// The model's answer is never trusted: it is stripped of code fences and
// compiled with the same compile_rules() a typed --rule goes through, and
// only a rule that compiles is returned. The language can only read bar
// data, indicators and fundamentals (no I/O, no loops), so the worst a bad
// answer can do is screen or alert on the wrong condition; the CLI prints
// the rule and which translator produced it before using it.
//
//   phrase ──translate_phrase──ok──► rule (translator "phrases")
//     │ refused
//     ├──no endpoint──► refused (the deterministic message, unchanged)
//     └──POST {url}/chat/completions──► answer ──strip──► compile_rules
//            │ failure: connect / timeout /          │ ok ──► rule ("llm MODEL")
//            │ HTTP status / bad JSON / no content   └ error ──► refused, with the
//            └──► refused, naming what and where        compiler's message and the answer
//
// The request is a blocking call bounded by llm_endpoint::timeout; it
// belongs to command start-up, never to an actor handler.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace osprey {

/// Where the model is and how to reach it.
struct llm_endpoint {
  /// Base URL of the API, e.g. http://127.0.0.1:8080/v1 or
  /// https://api.openai.com/v1 ("/chat/completions" is appended).
  std::string url;
  std::string model;
  /// Sent as "Authorization: Bearer KEY" when not empty; never printed.
  std::string api_key;
  /// Bounds the whole exchange: DNS, connect, TLS, request and answer.
  std::chrono::milliseconds timeout{20000};
};

/// Looks an environment variable up (nullopt when unset); an empty function
/// stands for an empty environment.
using llm_env = std::function<std::optional<std::string>(const std::string&)>;

/// Returns the process environment as an llm_env.
llm_env llm_process_environment();

/// The LLM settings as typed on a command line (empty: not given).
struct llm_flags {
  std::string url;     ///< --llm-url, over OSPREY_LLM_URL.
  std::string model;   ///< --llm-model, over OSPREY_LLM_MODEL.
  std::string key_env; ///< --llm-key-env NAME: the variable holding the key, over OSPREY_LLM_API_KEY.
};

/// An endpoint (nullopt: off), or why the settings are unusable.
struct llm_settings {
  std::optional<llm_endpoint> endpoint;
  std::string error; ///< Names the flag or variable at fault; empty when usable.
  bool ok() const { return error.empty(); }
};

/// Returns the endpoint from `flags` over OSPREY_LLM_URL, OSPREY_LLM_MODEL
/// and OSPREY_LLM_API_KEY in `env`; off when no URL is given anywhere.
llm_settings resolve_llm_endpoint(const llm_flags& flags, const llm_env& env);

/// Returns the endpoint from the environment alone.
llm_settings llm_endpoint_from_environment(const llm_env& env);

/// Returns "llm MODEL": how a rule from `e` is labelled.
std::string llm_translator_name(const llm_endpoint& e);

/// Returns the URL the request goes to: `base` + "/chat/completions"
/// (kept as is when `base` already ends with it).
std::string chat_completions_url(std::string_view base);

/// Returns the system prompt: the language's grammar, names, functions
/// (every name compile_rules() knows) and the answer format.
std::string llm_system_prompt();

/// Returns the chat-completions request body for `phrase` (model,
/// temperature 0, the system prompt and the phrase as the user message).
std::string llm_request_body(const llm_endpoint& e, std::string_view phrase);

/// Returns `answer` without surrounding whitespace, ``` fences (with or
/// without a language tag) and enclosing backticks.
std::string strip_rule_answer(std::string_view answer);

/// What the model was asked and what came of it.
struct llm_rule_result {
  bool ok = false;
  std::string rule;       ///< The stripped rule text; compiles (when ok).
  std::string translator; ///< "llm MODEL".
  std::string answer;     ///< The model's raw message content, when one arrived.
  std::string error;      ///< What failed and where (when not ok).
};

/// Reads a chat-completions response body (a 2xx answer): takes
/// choices[0].message.content, strips it and compiles it.
llm_rule_result read_llm_answer(const llm_endpoint& e, std::string_view body);

/// Asks the model at `e` for a rule meaning `phrase`; only a rule that
/// compiles is returned. Blocks for at most about `e.timeout`.
llm_rule_result translate_with_llm(std::string_view phrase, const llm_endpoint& e);

/// A rule from either translator, or why there is none.
struct rule_translation {
  bool ok = false;
  std::string rule;       ///< Compiles (when ok).
  std::string translator; ///< "phrases" or "llm MODEL" (when ok).
  std::string message;    ///< Why there is no rule (when not ok).
};

/// Translates `phrase` with translate_phrase(); only when it refuses and
/// `llm` is set, asks the model. Without `llm` the refusal is the
/// deterministic one, word for word.
rule_translation translate_phrase_or_ask_llm(std::string_view phrase,
                                             const std::optional<llm_endpoint>& llm);

/// Returns the line that shows a translated rule before it is used:
/// "rule: TEXT" when no LLM is configured (as before the LLM existed),
/// else "rule (TRANSLATOR): TEXT".
std::string shown_rule(const rule_translation& t, bool llm_configured);

} // namespace osprey
