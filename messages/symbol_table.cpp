#include "messages/symbol_table.hpp"

namespace osprey {

symbol_id symbol_table::intern(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end())
    return symbol_id{it->second};
  auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string{name}, id);
  return symbol_id{id};
}

std::optional<symbol_id> symbol_table::find(std::string_view name) const {
  if (auto it = ids_.find(name); it != ids_.end())
    return symbol_id{it->second};
  return std::nullopt;
}

const std::string& symbol_table::name(symbol_id id) const {
  static const std::string unknown = "?";
  return id.value < names_.size() ? names_[id.value] : unknown;
}

} // namespace osprey
