#pragma once

#include <mutex>
#include <vector>

#include "messages/msg_sink.hpp"

namespace osprey::test {

/// Collects every message pushed to it; safe to push from several threads.
class vector_sink final : public msg_sink {
public:
  void push(const msg& m) override {
    std::lock_guard<std::mutex> guard{mtx_};
    items_.push_back(m);
  }
  std::vector<msg> items() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return items_;
  }
  size_t count(fb::Payload type) const {
    std::lock_guard<std::mutex> guard{mtx_};
    size_t n = 0;
    for (auto& m : items_)
      n += m.type() == type;
    return n;
  }

private:
  mutable std::mutex mtx_;
  std::vector<msg> items_;
};

} // namespace osprey::test
