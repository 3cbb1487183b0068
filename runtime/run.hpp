#pragma once

#include <atomic>
#include <iosfwd>

#include "runtime/config.hpp"

namespace osprey {

/// Runs the engine on the synthetic market and simulated broker until the
/// configured duration or event count, or until `stop` becomes true. Prints
/// a status line every status interval and a summary at the end to `out`.
/// Returns the process exit code.
int run_engine(const engine_config& cfg, const std::atomic<bool>& stop,
               std::ostream& out);

} // namespace osprey
