// The LLM fallback for English phrases, against a scripted local server:
// what is sent, what is accepted (only rules that compile) and how each
// failure is reported.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "actors/rule_compiler.hpp"
#include "actors/rule_phrases.hpp"
#include "runtime/alert_command.hpp"
#include "runtime/llm_rule.hpp"
#include "runtime/screen_command.hpp"

#include "../support/local_http_server.hpp"

using namespace osprey;
using namespace std::chrono_literals;
using osprey::test::local_http_server;
using osprey::test::scripted_response;

namespace {

// A phrase the deterministic translator refuses.
constexpr const char* bollinger_phrase = "close above the upper bollinger band";

llm_env env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end())
      return std::nullopt;
    return it->second;
  };
}

llm_endpoint endpoint_at(const local_http_server& server, std::string key = "") {
  llm_endpoint e;
  e.url = server.url("/v1");
  e.model = "test-model";
  e.api_key = std::move(key);
  e.timeout = 5000ms;
  return e;
}

// An OpenAI chat-completions answer whose message content is `content`.
std::string completion(const std::string& content) {
  boost::json::object message{{"role", "assistant"}, {"content", content}};
  boost::json::object choice{{"index", 0}, {"message", message}, {"finish_reason", "stop"}};
  boost::json::object body{{"id", "chatcmpl-1"},
                           {"object", "chat.completion"},
                           {"choices", boost::json::array{choice}}};
  return boost::json::serialize(body);
}

scripted_response answer(const std::string& content) {
  return scripted_response{200, 0ms, completion(content), {{"Content-Type", "application/json"}}};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(llm_rule, the_deterministic_translator_refuses_the_test_phrase) {
  // The tests below rely on it; if the vocabulary grows, pick another phrase.
  EXPECT_FALSE(rules::translate_phrase(bollinger_phrase).ok);
}

TEST(llm_rule, sends_an_openai_chat_completion_request) {
  local_http_server server;
  server.script({answer("close > bb(20, 2).upper")});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server, "sk-test-123"));
  ASSERT_TRUE(r.ok) << r.error;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto& req = requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v1/chat/completions");
  EXPECT_EQ(req.header("authorization"), "Bearer sk-test-123");
  EXPECT_EQ(req.header("content-type"), "application/json");

  auto body = boost::json::parse(req.body).as_object();
  EXPECT_EQ(body.at("model").as_string(), "test-model");
  EXPECT_EQ(body.at("temperature").to_number<double>(), 0.0);
  auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role").as_string(), "system");
  EXPECT_EQ(messages[0].at("content").as_string(), llm_system_prompt());
  EXPECT_EQ(messages[1].at("role").as_string(), "user");
  EXPECT_EQ(messages[1].at("content").as_string(), bollinger_phrase);
}

TEST(llm_rule, sends_no_authorization_header_without_a_key) {
  local_http_server server;
  server.script({answer("close > bb(20, 2).upper")});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server));
  ASSERT_TRUE(r.ok) << r.error;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].headers.empty());
  for (auto& [name, value] : requests[0].headers)
    EXPECT_NE(name, "authorization") << value;
}

TEST(llm_rule, returns_a_rule_that_compiles_and_names_the_model) {
  local_http_server server;
  server.script({answer("  close > bb(20, 2).upper\n")});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.rule, "close > bb(20, 2).upper");
  EXPECT_EQ(r.translator, "llm test-model");
  EXPECT_TRUE(rules::compile_rules(r.rule).ok());
}

TEST(llm_rule, strips_code_fences_and_backticks_from_the_answer) {
  local_http_server server;
  server.script({answer("```\nclose > bb(20, 2).upper\n```"),
                 answer("```rules\nrsi(14) < 30\n```\n"), answer("`volume > 2 * avg(volume, 20)`")});
  auto e = endpoint_at(server);
  auto a = translate_with_llm(bollinger_phrase, e);
  auto b = translate_with_llm(bollinger_phrase, e);
  auto c = translate_with_llm(bollinger_phrase, e);
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(a.rule, "close > bb(20, 2).upper");
  EXPECT_EQ(b.rule, "rsi(14) < 30");
  EXPECT_EQ(c.rule, "volume > 2 * avg(volume, 20)");
}

TEST(llm_rule, strip_rule_answer_leaves_a_plain_rule_alone) {
  EXPECT_EQ(strip_rule_answer("close > 1"), "close > 1");
  EXPECT_EQ(strip_rule_answer("\n\t``` \nclose > 1```  "), "close > 1");
  EXPECT_EQ(strip_rule_answer("``close > 1``"), "close > 1");
  EXPECT_EQ(strip_rule_answer("```"), "");
}

TEST(llm_rule, refuses_an_answer_that_does_not_compile_with_the_compilers_message) {
  local_http_server server;
  server.script({answer("close > bollinger_upper(20)")});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.rule.empty());
  std::string at = "llm test-model at ";
  at += server.url("/v1/chat/completions");
  EXPECT_TRUE(contains(r.error, at))
    << r.error;
  EXPECT_TRUE(contains(r.error, "does not compile")) << r.error;
  EXPECT_TRUE(contains(r.error, "1:9: unknown function \"bollinger_upper\"")) << r.error;
  EXPECT_TRUE(contains(r.error, "the model answered: close > bollinger_upper(20)")) << r.error;
}

TEST(llm_rule, refuses_prose_and_an_answer_of_none) {
  local_http_server server;
  server.script({answer("Sure! Here is the rule: close > 1"), answer("none")});
  auto e = endpoint_at(server);
  auto prose = translate_with_llm(bollinger_phrase, e);
  EXPECT_FALSE(prose.ok);
  EXPECT_TRUE(contains(prose.error, "does not compile")) << prose.error;
  auto none = translate_with_llm(bollinger_phrase, e);
  EXPECT_FALSE(none.ok);
  EXPECT_TRUE(contains(none.error, "found no rule")) << none.error;
}

TEST(llm_rule, reports_an_unauthorized_answer_with_the_servers_message) {
  local_http_server server;
  server.script({scripted_response{
    401, 0ms, R"({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})",
    {{"Content-Type", "application/json"}}}});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server, "sk-wrong-secret"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.error, "HTTP 401 Unauthorized: Incorrect API key provided")) << r.error;
  EXPECT_TRUE(contains(r.error, server.url("/v1/chat/completions"))) << r.error;
  EXPECT_FALSE(contains(r.error, "sk-wrong-secret")) << r.error;
}

TEST(llm_rule, reports_a_server_error_with_its_body) {
  local_http_server server;
  server.script({scripted_response{500, 0ms, "upstream model crashed"}});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.error, "HTTP 500 Internal Server Error: upstream model crashed"))
    << r.error;
  EXPECT_EQ(server.requests().size(), 1u); // not retried
}

TEST(llm_rule, reports_malformed_json) {
  local_http_server server;
  server.script({scripted_response{200, 0ms, "{\"choices\": [", {}}});
  auto r = translate_with_llm(bollinger_phrase, endpoint_at(server));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.error, "the answer is not JSON")) << r.error;
  EXPECT_TRUE(contains(r.error, "{\"choices\": [")) << r.error;
}

TEST(llm_rule, reports_each_missing_field_of_the_answer) {
  llm_endpoint e;
  e.url = "http://127.0.0.1:1/v1";
  e.model = "m";
  struct row {
    const char* body;
    const char* error;
  };
  for (auto [body, error] : {
         row{R"({"id": 1})", "no \"choices\" array"},
         row{R"([1, 2])", "no \"choices\" array"},
         row{R"({"choices": []})", "\"choices\" array is empty"},
         row{R"({"choices": [{"text": "close > 1"}]})", "no choices[0].message object"},
         row{R"({"choices": [{"message": {"role": "assistant"}}]})",
             "no text in choices[0].message.content"},
         row{R"({"choices": [{"message": {"content": null}}]})",
             "no text in choices[0].message.content"},
         row{R"({"choices": [{"message": {"content": "  ``` ```  "}}]})", "empty rule"},
       }) {
    auto r = read_llm_answer(e, body);
    EXPECT_FALSE(r.ok) << body;
    EXPECT_TRUE(contains(r.error, error)) << body << " -> " << r.error;
    EXPECT_TRUE(contains(r.error, "llm m at http://127.0.0.1:1/v1/chat/completions: "))
      << r.error;
  }
}

TEST(llm_rule, gives_up_on_a_server_that_stalls_past_the_timeout) {
  local_http_server server;
  server.script({scripted_response{200, 3000ms, completion("close > 1")}});
  auto e = endpoint_at(server);
  e.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  auto r = translate_with_llm(bollinger_phrase, e);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.error, "no complete response within 300 ms")) << r.error;
  EXPECT_LT(took, 2500ms);
}

TEST(llm_rule, reports_a_refused_connection) {
  unsigned short port = 0;
  {
    local_http_server gone;
    port = gone.port();
  }
  llm_endpoint e;
  std::string peer = "127.0.0.1:";
  peer += std::to_string(port);
  e.url = "http://" + peer + "/v1";
  e.model = "m";
  e.timeout = 2000ms;
  auto r = translate_with_llm(bollinger_phrase, e);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.error, "connecting to " + peer + " failed"))
    << r.error;
}

TEST(llm_rule, an_unset_endpoint_is_off_and_asks_no_one) {
  auto s = llm_endpoint_from_environment(env_of({}));
  EXPECT_TRUE(s.ok()) << s.error;
  EXPECT_FALSE(s.endpoint);
  auto empty = llm_endpoint_from_environment(env_of({{"OSPREY_LLM_URL", ""}}));
  EXPECT_TRUE(empty.ok());
  EXPECT_FALSE(empty.endpoint);
  EXPECT_FALSE(llm_endpoint_from_environment({}).endpoint);

  // Off: the refusal is the deterministic one, word for word.
  auto t = translate_phrase_or_ask_llm(bollinger_phrase, std::nullopt);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.message, rules::translate_phrase(bollinger_phrase).message);
}

TEST(llm_rule, deterministic_phrases_never_reach_the_server) {
  local_http_server server;
  server.set_default(answer("close > 999"));
  auto t = translate_phrase_or_ask_llm("rsi below 30 and volume spike", endpoint_at(server));
  ASSERT_TRUE(t.ok) << t.message;
  EXPECT_EQ(t.translator, "phrases");
  EXPECT_EQ(t.rule, rules::translate_phrase("rsi below 30 and volume spike").rule);
  EXPECT_TRUE(server.requests().empty());
}

TEST(llm_rule, asks_the_model_only_when_the_phrases_are_refused) {
  local_http_server server;
  server.script({answer("close > bb(20, 2).upper")});
  auto t = translate_phrase_or_ask_llm(bollinger_phrase, endpoint_at(server));
  ASSERT_TRUE(t.ok) << t.message;
  EXPECT_EQ(t.translator, "llm test-model");
  EXPECT_EQ(t.rule, "close > bb(20, 2).upper");
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(shown_rule(t, true), "rule (llm test-model): close > bb(20, 2).upper");
}

TEST(llm_rule, a_failed_model_keeps_the_deterministic_refusal_and_adds_why) {
  local_http_server server;
  server.script({answer("close > upper_band")});
  auto t = translate_phrase_or_ask_llm(bollinger_phrase, endpoint_at(server));
  EXPECT_FALSE(t.ok);
  EXPECT_TRUE(contains(t.message, rules::translate_phrase(bollinger_phrase).message)) << t.message;
  EXPECT_TRUE(contains(t.message, "; asked llm test-model at ")) << t.message;
  EXPECT_TRUE(contains(t.message, "unknown name \"upper_band\"")) << t.message;
}

TEST(llm_rule, shows_the_rule_as_before_when_no_model_is_configured) {
  rule_translation t;
  t.ok = true;
  t.rule = "close > 20";
  t.translator = "phrases";
  EXPECT_EQ(shown_rule(t, false), "rule: close > 20");
  EXPECT_EQ(shown_rule(t, true), "rule (phrases): close > 20");
}

TEST(llm_rule, reads_the_endpoint_from_the_environment) {
  auto s = llm_endpoint_from_environment(env_of({{"OSPREY_LLM_URL", "https://api.openai.com/v1"},
                                                 {"OSPREY_LLM_MODEL", "gpt-4o-mini"},
                                                 {"OSPREY_LLM_API_KEY", "sk-env"}}));
  ASSERT_TRUE(s.ok()) << s.error;
  ASSERT_TRUE(s.endpoint);
  EXPECT_EQ(s.endpoint->url, "https://api.openai.com/v1");
  EXPECT_EQ(s.endpoint->model, "gpt-4o-mini");
  EXPECT_EQ(s.endpoint->api_key, "sk-env");
  EXPECT_EQ(s.endpoint->timeout, 20000ms);
}

TEST(llm_rule, flags_override_the_environment_and_name_the_key_variable) {
  auto env = env_of({{"OSPREY_LLM_URL", "http://env-host/v1"},
                     {"OSPREY_LLM_MODEL", "env-model"},
                     {"OSPREY_LLM_API_KEY", "sk-env"},
                     {"MY_KEY", "sk-mine"}});
  llm_flags f;
  f.url = "http://127.0.0.1:8080/v1";
  f.model = "flag-model";
  f.key_env = "MY_KEY";
  auto s = resolve_llm_endpoint(f, env);
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(s.endpoint->url, "http://127.0.0.1:8080/v1");
  EXPECT_EQ(s.endpoint->model, "flag-model");
  EXPECT_EQ(s.endpoint->api_key, "sk-mine");

  llm_flags only_url;
  only_url.url = "http://127.0.0.1:8080/v1";
  auto mixed = resolve_llm_endpoint(only_url, env);
  ASSERT_TRUE(mixed.ok()) << mixed.error;
  EXPECT_EQ(mixed.endpoint->model, "env-model");
  EXPECT_EQ(mixed.endpoint->api_key, "sk-env");
}

TEST(llm_rule, refuses_unusable_settings_naming_the_flag_or_variable) {
  struct row {
    llm_flags flags;
    std::map<std::string, std::string> env;
    const char* error;
  };
  for (auto& [flags, env, error] : {
         row{{"http://h/v1", "", ""}, {}, "--llm-url is set but no model is"},
         row{{}, {{"OSPREY_LLM_URL", "http://h/v1"}}, "OSPREY_LLM_URL is set but no model is"},
         row{{"ftp://h/v1", "m", ""}, {}, "--llm-url \"ftp://h/v1\": URL must start with http"},
         row{{"http://h/v1", "m", "NOT_SET"}, {}, "--llm-key-env NOT_SET: the environment "
                                                  "variable NOT_SET is not set"},
         row{{"", "m", ""}, {}, "--llm-model is given but no endpoint"},
         row{{"", "", "K"}, {{"K", "x"}}, "--llm-key-env is given but no endpoint"},
       }) {
    auto s = resolve_llm_endpoint(flags, env_of(env));
    EXPECT_FALSE(s.ok()) << error;
    EXPECT_FALSE(s.endpoint) << error;
    EXPECT_TRUE(contains(s.error, error)) << s.error;
  }
}

TEST(llm_rule, appends_chat_completions_to_the_base_url) {
  EXPECT_EQ(chat_completions_url("http://h:1/v1"), "http://h:1/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("http://h:1/v1/"), "http://h:1/v1/chat/completions");
  EXPECT_EQ(chat_completions_url("http://h/v1/chat/completions"), "http://h/v1/chat/completions");
}

TEST(llm_rule, the_prompt_documents_every_name_the_compiler_knows) {
  auto prompt = llm_system_prompt();
  EXPECT_TRUE(contains(prompt, "or         := and ('or' and)*")) << prompt;
  EXPECT_TRUE(contains(prompt, "Answer with the rule only")) << prompt;
  EXPECT_FALSE(contains(prompt, "also: ")) << "names without a usage line:\n" << prompt;
  for (auto& name : rules::known_names())
    EXPECT_TRUE(contains(prompt, name + "(") || contains(prompt, name + ":")
                || contains(prompt, name + ","))
      << name;
}

TEST(llm_rule, the_prompts_examples_compile) {
  auto prompt = llm_system_prompt();
  auto at = prompt.find("Examples:\n");
  ASSERT_NE(at, std::string::npos);
  int seen = 0;
  for (auto line_start = prompt.find('\n', at) + 1; line_start < prompt.size();) {
    auto end = prompt.find('\n', line_start);
    auto line = prompt.substr(line_start, end - line_start);
    line_start = end == std::string::npos ? prompt.size() : end + 1;
    auto arrow = line.find(" -> ");
    if (arrow == std::string::npos)
      continue;
    auto rule = line.substr(arrow + 4);
    auto compiled = rules::compile_rules(rule);
    EXPECT_TRUE(compiled.ok()) << rule << "\n" << (compiled ? "" : compiled.error().text());
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

// ---- the commands ------------------------------------------------------------

namespace {

// A daily file of one symbol whose closes are all 10.
std::string ten_dollar_days(const std::string& test_name) {
  auto dir = std::filesystem::temp_directory_path() / ("osprey-llm-" + test_name);
  std::filesystem::create_directories(dir);
  auto path = (dir / "TEN_daily.csv").string();
  std::ofstream f{path};
  f << "date,open,high,low,close,volume\n";
  for (const char* day : {"2022-01-03", "2022-01-04", "2022-01-05"})
    f << day << ",10,10,10,10,1000\n";
  return path;
}

} // namespace

TEST(llm_rule_commands, screen_shows_the_model_rule_and_its_translator_before_the_table) {
  local_http_server server;
  server.script({answer("close > 5")});
  screen_command_options o;
  o.data = {ten_dollar_days("screen")};
  o.phrase = bollinger_phrase;
  o.llm.url = server.url("/v1");
  o.llm.model = "test-model";
  std::ostringstream out, err;
  ASSERT_EQ(screen_command(o, out, err), 0) << err.str();
  EXPECT_EQ(out.str().rfind("rule (llm test-model): close > 5\nsymbol", 0), 0u) << out.str();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(llm_rule_commands, screen_reads_the_environment_and_refuses_unusable_settings) {
  local_http_server server;
  server.script({answer("close > 5")});
  screen_command_options o;
  o.data = {ten_dollar_days("screen-env")};
  o.phrase = bollinger_phrase;
  std::ostringstream out, err;
  EXPECT_EQ(screen_command(o, out, err, env_of({{"OSPREY_LLM_URL", server.url("/v1")}})), 2);
  EXPECT_NE(err.str().find("osprey screen: OSPREY_LLM_URL is set but no model is"),
            std::string::npos)
    << err.str();
  EXPECT_TRUE(server.requests().empty());

  out.str({});
  err.str({});
  ASSERT_EQ(screen_command(o, out, err,
                           env_of({{"OSPREY_LLM_URL", server.url("/v1")},
                                   {"OSPREY_LLM_MODEL", "env-model"}})),
            0)
    << err.str();
  EXPECT_EQ(out.str().rfind("rule (llm env-model): close > 5\n", 0), 0u) << out.str();
}

TEST(llm_rule_commands, screen_output_is_unchanged_without_an_endpoint) {
  screen_command_options o;
  o.data = {ten_dollar_days("screen-off")};
  o.phrase = "price above 5";
  std::ostringstream out, err;
  ASSERT_EQ(screen_command(o, out, err, env_of({})), 0) << err.str();
  EXPECT_EQ(out.str().rfind("rule: close > 5\nsymbol", 0), 0u) << out.str();

  o.phrase = bollinger_phrase;
  out.str({});
  EXPECT_EQ(screen_command(o, out, err, env_of({})), 2);
  EXPECT_NE(err.str().find("osprey screen: could not translate the phrase: did not understand "
                           "\"upper\", \"bollinger\", \"band\"\n"),
            std::string::npos)
    << err.str();
}

TEST(llm_rule_commands, alert_says_which_translator_made_the_rule_only_with_an_endpoint) {
  local_http_server server;
  server.script({answer("close > bb(20, 2).upper")});
  alert_options o;
  o.phrase = bollinger_phrase;
  std::atomic<bool> stop{true}; // the rule is all this test needs
  std::ostringstream out, err;
  ASSERT_EQ(alert_command(o, stop, out, err,
                          env_of({{"OSPREY_LLM_URL", server.url("/v1")},
                                  {"OSPREY_LLM_MODEL", "test-model"}})),
            0)
    << err.str();
  EXPECT_NE(err.str().find("osprey alert: rule (llm test-model): close > bb(20, 2).upper\n"),
            std::string::npos)
    << err.str();

  o.phrase = "rsi below 30";
  std::ostringstream out2, err2;
  ASSERT_EQ(alert_command(o, stop, out2, err2, env_of({})), 0) << err2.str();
  EXPECT_EQ(err2.str().find("osprey alert: rule"), std::string::npos) << err2.str();

  o.phrase = bollinger_phrase;
  std::ostringstream out3, err3;
  EXPECT_EQ(alert_command(o, stop, out3, err3, env_of({})), 2);
  EXPECT_NE(err3.str().find("osprey alert: --phrase: did not understand"), std::string::npos)
    << err3.str();
}
