#include "runtime/journal_command.hpp"

#include <ostream>
#include <stdexcept>

#include "messages/msg_json.hpp"
#include "runtime/journal_reader.hpp"

namespace osprey {

replayed_positions replay_positions(const std::vector<msg>& messages) {
  replayed_positions out;
  std::vector<std::string> names;
  for (auto& m : messages) {
    if (auto dir = m.as<fb::SymbolDirectory>()) {
      names.clear();
      for (auto n : *dir->names())
        names.push_back(n->str());
    } else if (auto f = m.as<fb::OrderFilled>()) {
      // Without a directory, a symbol is named by its id ("#3").
      std::string name = f->symbol() < names.size() ? names[f->symbol()] : "#";
      if (f->symbol() >= names.size())
        name.append(std::to_string(f->symbol()));
      apply_fill(out.by_symbol[name], f->side(), quantity::from_nanos(f->fill_quantity()),
                 price{f->fill_price()}, money{f->commission()});
      ++out.fills;
    }
  }
  return out;
}

int print_journal(const std::string& path, std::ostream& out, std::ostream& err) {
  journal_read_result r;
  try {
    r = read_journal(path);
  } catch (const std::exception& e) {
    err << "osprey journal: " << e.what() << '\n';
    return 1;
  }
  for (auto& m : r.messages)
    out << to_json(m) << '\n';
  auto positions = replay_positions(r.messages);
  out << "final positions (" << r.messages.size() << " records, "
      << positions.fills << " fills)\n";
  for (auto& [name, p] : positions.by_symbol) {
    if (p.qty.nanos == 0 && p.realized.micros == 0)
      continue;
    out << "  " << name << " qty " << to_string(p.qty) << " avg "
        << to_string(p.average_price()) << " realized " << to_string(p.realized)
        << '\n';
  }
  if (r.torn_tail)
    err << "osprey journal: " << path << ": torn last record ignored: " << r.error
        << '\n';
  else if (!r.error.empty()) {
    err << "osprey journal: " << path << ": " << r.error << '\n';
    return 1;
  }
  return 0;
}

} // namespace osprey
