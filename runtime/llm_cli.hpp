#pragma once

// The --llm-url / --llm-model / --llm-key-env flags that `osprey screen` and
// `osprey alert` share (runtime/llm_rule.hpp). Off by default; the key is
// only ever named, never typed, so it stays out of shell history and
// process listings.

#include <CLI/CLI.hpp>

#include "runtime/llm_rule.hpp"

namespace osprey {

/// Adds the flags to `command`; each needs `phrase` (the --phrase option).
void add_llm_flags(CLI::App& command, llm_flags& llm, CLI::Option* phrase);

} // namespace osprey
