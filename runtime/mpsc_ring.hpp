#pragma once

// A bounded queue that many threads push to and one thread pops from, on a
// power-of-two ring of cells that each carry a sequence number (Dmitry
// Vyukov's bounded queue, with the consumer side simplified for a single
// reader). A push claims a cell with one compare-and-swap on the tail and
// publishes it with one release store; a pop reads the cell's sequence, takes
// the value and hands the cell back to the producers. Nothing is allocated
// after construction, and an empty queue costs its reader one shared word.

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

namespace osprey {

template <class T>
class mpsc_ring {
public:
  /// Builds a ring of `capacity` cells, a power of two of at least 2.
  explicit mpsc_ring(size_t capacity)
    : mask_(capacity - 1), cells_(std::make_unique<cell[]>(capacity)) {
    if (capacity < 2 || (capacity & mask_) != 0)
      throw std::invalid_argument("mpsc_ring: capacity must be a power of two >= 2");
    for (size_t i = 0; i < capacity; ++i)
      cells_[i].seq.store(i, std::memory_order_relaxed);
  }

  mpsc_ring(const mpsc_ring&) = delete;
  mpsc_ring& operator=(const mpsc_ring&) = delete;

  size_t capacity() const noexcept { return mask_ + 1; }

  /// Appends `value` unless the ring is full (then returns false and leaves
  /// `value` untouched). Any thread.
  bool try_push(T& value) {
    auto pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      auto& c = cells_[pos & mask_];
      auto seq = c.seq.load(std::memory_order_acquire);
      auto lag = static_cast<std::ptrdiff_t>(seq - pos);
      if (lag == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed))
          break;
      } else if (lag < 0) {
        return false; // the cell still holds a value from one lap ago
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
    auto& c = cells_[pos & mask_];
    c.value = std::move(value);
    c.seq.store(pos + 1, std::memory_order_release);
    return true;
  }

  /// Returns whether a value is ready for the reader. The reader's thread only.
  bool ready() const noexcept {
    return cells_[head_ & mask_].seq.load(std::memory_order_acquire) == head_ + 1;
  }

  /// Moves the oldest value into `out`, or returns false when there is none
  /// ready. The reader's thread only.
  bool try_pop(T& out) {
    auto& c = cells_[head_ & mask_];
    if (c.seq.load(std::memory_order_acquire) != head_ + 1)
      return false;
    out = std::move(c.value);
    c.value = T{};
    c.seq.store(head_ + mask_ + 1, std::memory_order_release);
    ++head_;
    return true;
  }

private:
  struct cell {
    std::atomic<size_t> seq{0};
    T value{};
  };

  // The reader's index and the writers' shared tail on lines of their own.
  alignas(64) size_t head_ = 0;
  alignas(64) std::atomic<size_t> tail_{0};
  alignas(64) const size_t mask_;
  std::unique_ptr<cell[]> cells_;
};

} // namespace osprey
