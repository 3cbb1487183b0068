#pragma once

// The one message type actors exchange: an immutable, reference-counted
// handle to the bytes of a finished FlatBuffers Envelope. Copying a handle
// copies a pointer and bumps a counter; the bytes are never copied between
// actors, the journal or the publisher.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "osprey/fb/osprey_generated.h"

namespace osprey {

namespace fb = osprey::fb;

class msg {
public:
  msg() noexcept = default;
  msg(const msg& other) noexcept : block_(other.block_) { retain(); }
  msg(msg&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  msg& operator=(const msg& other) noexcept {
    msg tmp{other};
    std::swap(block_, tmp.block_);
    return *this;
  }
  msg& operator=(msg&& other) noexcept {
    msg tmp{std::move(other)};
    std::swap(block_, tmp.block_);
    return *this;
  }
  ~msg() { release(); }

  /// Wraps bytes this process built itself (already known to be valid).
  static msg copy_of_trusted(std::span<const uint8_t> bytes);

  /// Parses bytes that came from outside the process (a file, a socket): the
  /// FlatBuffers verifier checks them first. On failure returns an empty
  /// handle and sets `error` to what was wrong; the bytes are never read.
  static msg parse(std::span<const uint8_t> bytes, std::string& error);

  /// Runs the FlatBuffers verifier over bytes this handle already owns (for
  /// example read from a file into a handle). Returns false and sets `error`
  /// when they are not a valid Envelope.
  bool verify(std::string& error) const;

  /// Returns `m` with its sequence number set. Stamps in place when `m` is
  /// the only handle to its bytes (nobody can observe the change), otherwise
  /// stamps a private copy.
  static msg with_sequence(msg m, uint64_t seq);

  /// Returns `m` restamped as a new arrival: sequence number 0 and ingress
  /// time `ts_ingress` (a replayed event enters the process again). In
  /// place when `m` is the only handle, like with_sequence.
  static msg as_arrival(msg m, int64_t ts_ingress);

  explicit operator bool() const noexcept { return block_ != nullptr; }

  const uint8_t* data() const noexcept { return block_ ? block_->bytes() : nullptr; }
  size_t size() const noexcept { return block_ ? block_->size : 0; }
  std::span<const uint8_t> bytes() const noexcept { return {data(), size()}; }

  /// Returns how many handles share these bytes (for tests and stamping).
  uint32_t use_count() const noexcept {
    return block_ ? block_->refs.load(std::memory_order_acquire) : 0;
  }

  const fb::Envelope* envelope() const noexcept {
    return flatbuffers::GetRoot<fb::Envelope>(data());
  }
  fb::Payload type() const noexcept { return envelope()->payload_type(); }
  uint64_t seq() const noexcept { return envelope()->seq(); }
  int64_t ts_event() const noexcept { return envelope()->ts_event(); }
  int64_t ts_ingress() const noexcept { return envelope()->ts_ingress(); }

  /// Returns the payload as `T`, or nullptr when the payload is another type.
  template <class T>
  const T* as() const noexcept {
    auto env = envelope();
    if (env->payload_type() != fb::PayloadTraits<T>::enum_value)
      return nullptr;
    return static_cast<const T*>(env->payload());
  }

  friend bool operator==(const msg& a, const msg& b) noexcept {
    return a.block_ == b.block_;
  }

private:
  struct block {
    std::atomic<uint32_t> refs;
    uint32_t size;
    // The bytes follow the header; 8-byte alignment keeps the verifier happy.
    uint8_t* bytes() noexcept { return reinterpret_cast<uint8_t*>(this + 1); }
    const uint8_t* bytes() const noexcept {
      return reinterpret_cast<const uint8_t*>(this + 1);
    }
  };
  static_assert(sizeof(block) == 8);

  static block* allocate(std::span<const uint8_t> bytes);

  void retain() noexcept {
    if (block_)
      block_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() noexcept;

  block* block_ = nullptr;
};

/// Returns the name of a payload type ("Trade", "OrderFilled", ...).
const char* payload_name(fb::Payload type) noexcept;

} // namespace osprey
