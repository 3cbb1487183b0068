#include "runtime/llm_cli.hpp"

namespace osprey {

void add_llm_flags(CLI::App& command, llm_flags& llm, CLI::Option* phrase) {
  command.add_option("--llm-url", llm.url,
                     "OpenAI-compatible API base URL (e.g. http://127.0.0.1:8080/v1), asked when "
                     "--phrase is not understood (default: OSPREY_LLM_URL; unset: off)")
    ->option_text("URL")
    ->needs(phrase);
  command.add_option("--llm-model", llm.model, "The model to ask (default: OSPREY_LLM_MODEL)")
    ->option_text("NAME")
    ->needs(phrase);
  command.add_option("--llm-key-env", llm.key_env,
                     "Name of the environment variable holding the API key (default: "
                     "OSPREY_LLM_API_KEY)")
    ->option_text("VAR")
    ->needs(phrase);
}

} // namespace osprey
