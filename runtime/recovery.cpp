#include "runtime/recovery.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

#include "runtime/journal_reader.hpp"

namespace osprey {

namespace {

// What the feed gave and the collector sequenced: one feed event each.
bool is_market_event(const msg& m) {
  auto t = m.type();
  return m.seq() != 0
         && (t == fb::Payload::Trade || t == fb::Payload::Quote || t == fb::Payload::Bar
             || t == fb::Payload::BarBatch || t == fb::Payload::NewsItem);
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (auto& n : names) {
    if (!s.empty())
      s += ",";
    s += n;
  }
  return s;
}

} // namespace

recovery_plan plan_recovery(const std::string& path,
                            const std::vector<std::string>& symbols,
                            bool whole_events, bool bars_are_built) {
  auto read = read_journal(path);
  if (read.corrupt()) {
    std::string e = "journal " + path;
    e += ": cannot resume: ";
    e += read.error;
    e += " (move the file away, or run with --fresh to start over)";
    throw std::runtime_error(e);
  }
  auto& all = read.messages;
  recovery_plan plan;
  plan.dropped_records = read.torn_tail ? 1 : 0;
  if (all.empty())
    return plan;
  auto dir = all.front().as<fb::SymbolDirectory>();
  if (!dir)
    throw std::runtime_error("journal " + path
                             + ": cannot resume: the first record is not a SymbolDirectory");
  std::vector<std::string> journaled;
  for (auto n : *dir->names())
    journaled.push_back(n->str());
  if (journaled != symbols)
    throw std::runtime_error("journal " + path + ": cannot resume: it was written for symbols "
                             + joined(journaled) + " but the configuration has "
                             + joined(symbols));
  size_t keep = all.size();
  if (whole_events) {
    // Back to the start of the last market event: its work may be unfinished.
    size_t i = all.size();
    while (i > 1 && !is_market_event(all[i - 1]))
      --i;
    if (i > 1)
      keep = i - 1;
  }
  plan.dropped_records += all.size() - keep;
  auto records = std::make_shared<std::vector<msg>>();
  records->reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    auto& m = all[i];
    plan.keep_bytes += 4 + m.size();
    if (is_market_event(m)) {
      auto seq = m.seq();
      if (auto batch = m.as<fb::BarBatch>())
        seq = batch->bars()->Get(batch->bars()->size() - 1)->seq();
      plan.last_seq = std::max(plan.last_seq, seq);
      plan.source_events += !(bars_are_built && m.type() == fb::Payload::Bar);
    }
    plan.orders += m.type() == fb::Payload::SubmitOrder;
    plan.fills += m.type() == fb::Payload::OrderFilled;
    records->push_back(std::move(m));
  }
  plan.records = std::move(records);
  return plan;
}

void cut_journal(const std::string& path, uint64_t bytes) {
  if (::truncate(path.c_str(), static_cast<off_t>(bytes)) != 0) {
    std::string e = "journal " + path;
    e += ": cannot cut to ";
    e += std::to_string(bytes);
    e += " bytes: ";
    e += std::strerror(errno);
    throw std::runtime_error(e);
  }
}

namespace {

/// A sink whose target can change: nowhere while the broker replays the
/// journal, then the actor's real sink.
class switchable_sink final : public msg_sink {
public:
  void push(const msg& m) override {
    if (target_)
      target_->push(m);
  }
  void point_to(msg_sink* target) { target_ = target; }

private:
  msg_sink* target_ = nullptr;
};

/// A broker rebuilt from the journal; owns the sink it reports through.
class recovered_broker final : public broker {
public:
  recovered_broker(const broker_factory& make, msg_sink& reports,
                   const std::vector<msg>& records) {
    inner_ = make(sink_);
    for (auto& m : records) {
      switch (m.type()) {
        case fb::Payload::SubmitOrder:
        case fb::Payload::CancelOrder:
        case fb::Payload::ReplaceOrder:
          inner_->on_command(m);
          break;
        default:
          if (is_market_event(m))
            inner_->on_market(m);
      }
    }
    sink_.point_to(&reports);
  }
  void on_command(const msg& command) override { inner_->on_command(command); }
  void on_market(const msg& event) override { inner_->on_market(event); }

private:
  switchable_sink sink_;
  std::unique_ptr<broker> inner_;
};

} // namespace

broker_factory recovering(broker_factory make,
                          std::shared_ptr<const std::vector<msg>> records) {
  if (!records)
    return make;
  return [make = std::move(make), records](msg_sink& reports) -> std::unique_ptr<broker> {
    return std::make_unique<recovered_broker>(make, reports, *records);
  };
}

} // namespace osprey
