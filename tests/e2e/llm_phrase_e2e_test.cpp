// End to end: `osprey screen --phrase` falling back to an OpenAI-compatible
// endpoint for a phrase the deterministic translator refuses, against a
// scripted local server, on the shared daily files.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>


#include "../support/local_http_server.hpp"
#include "../support/osprey_process.hpp"

using namespace osprey::test;

namespace {

// The model: one canned chat-completions answer to every request.
struct canned_model {
  explicit canned_model(const std::string& body) {
    server.set_default(scripted_response{200, {}, body, {{"Content-Type", "application/json"}}});
  }
  std::string base_url() const { return server.url("/v1"); }
  local_http_server server;
};

// A chat-completions answer whose message is `rule` (no quotes or
// backslashes in it, so it needs no escaping).
std::string completion(const std::string& rule) {
  return R"({"id":"chatcmpl-e2e","object":"chat.completion","choices":[{"index":0,)"
         R"("message":{"role":"assistant","content":"```\n)"
         + rule + R"(\n```"},"finish_reason":"stop"}]})";
}

std::vector<std::string> screen_args(const std::vector<std::string>& files,
                                     std::vector<std::string> more) {
  std::vector<std::string> args{"screen", "--data"};
  args.insert(args.end(), files.begin(), files.end());
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Refused by the deterministic translator ("bollinger", "band").
constexpr const char* bollinger_phrase = "close above the upper bollinger band";

} // namespace

TEST(llm_phrase_e2e, screens_with_a_rule_the_model_wrote_and_says_so_first) {
  auto files = shared_daily_files();
  if (files.empty())
    FAIL() << "the shared market files are absent";
  canned_model model{completion("close > bb(20, 2).upper")};
  ::setenv("OSPREY_E2E_LLM_KEY", "sk-e2e-secret", 1);
  scratch_dir dir;
  auto r = run(screen_args(files, {"--phrase", bollinger_phrase, "--llm-url", model.base_url(),
                                   "--llm-model", "e2e-model", "--llm-key-env",
                                   "OSPREY_E2E_LLM_KEY", "--date", "2013-06-28", "--all"}),
               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The rule and its translator come before the table that used it.
  EXPECT_EQ(r.out.rfind("rule (llm e2e-model): close > bb(20, 2).upper\nsymbol  date", 0), 0u)
    << r.out;
  EXPECT_NE(r.out.find("close > bb(20, 2).upper"), std::string::npos);
  for (const char* s : {"AAPL", "IBM", "KO", "MSFT"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.err.find("sk-e2e-secret"), std::string::npos) << r.err;

  auto seen = model.server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/chat/completions");
  EXPECT_EQ(seen[0].header("authorization"), "Bearer sk-e2e-secret");
  EXPECT_NE(seen[0].body.find("\"model\":\"e2e-model\""), std::string::npos) << seen[0].body;
  EXPECT_NE(seen[0].body.find(bollinger_phrase), std::string::npos) << seen[0].body;
}

TEST(llm_phrase_e2e, refuses_a_model_rule_that_does_not_compile_and_never_asks_for_known_phrases) {
  auto files = shared_daily_files();
  if (files.empty())
    FAIL() << "the shared market files are absent";
  canned_model model{completion("close > upper_band(20)")};
  scratch_dir dir;
  auto bad = run(screen_args(files, {"--phrase", bollinger_phrase, "--llm-url",
                                     model.base_url(), "--llm-model", "e2e-model"}),
                 dir);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find("did not understand"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("the model's rule does not compile"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("unknown function \"upper_band\""), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out.find("symbol  date"), std::string::npos) << bad.out;
  EXPECT_EQ(model.server.requests().size(), 1u);

  // A phrase the deterministic translator reads never reaches the model.
  auto known = run(screen_args(files, {"--phrase", "price above 20", "--llm-url",
                                       model.base_url(), "--llm-model", "e2e-model", "--date",
                                       "2013-06-28"}),
                   dir);
  ASSERT_EQ(known.exit_code, 0) << known.err;
  EXPECT_EQ(known.out.rfind("rule (phrases): close > 20\n", 0), 0u) << known.out;
  EXPECT_EQ(model.server.requests().size(), 1u);
}
