#pragma once

#include <string>

#include "messages/msg.hpp"

namespace osprey {

/// Renders a message as one line of JSON for people and debugging mirrors
/// (never for the hot path): field names from the schema, enums by name,
/// NaN indicator values (still warming up) as null.
std::string to_json(const msg& m);

} // namespace osprey
