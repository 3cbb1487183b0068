#include "messages/msg.hpp"

#include <cstring>
#include <new>
#include <algorithm>
#include <mutex>
#include <vector>

namespace osprey {

// Message buffers are recycled: every message up to pooled_bytes gets a
// block of that capacity from a per-thread cache, and a released block goes
// back to the releasing thread's cache. Blocks travel between threads (an
// actor builds a message, the journal writer drops the last reference), so
// caches spill to and refill from one shared stack, 64 blocks at a time: one
// lock per 64 messages. In steady state building a message allocates nothing.
namespace {

constexpr uint32_t pooled_bytes = 512;
constexpr size_t cache_limit = 256; // blocks a thread keeps before spilling
constexpr size_t batch = 64;

struct spare_blocks {
  std::mutex mutex;
  std::vector<void*> blocks; // guarded by mutex
};

/// Never destroyed: messages held by static objects may be released after
/// every other static is gone.
spare_blocks& spares() {
  static auto* s = new spare_blocks;
  return *s;
}

struct block_cache {
  std::vector<void*> blocks;
  block_cache() { blocks.reserve(cache_limit + batch); }
  ~block_cache() { spill(blocks.size()); }

  /// Moves the last `n` blocks to the shared stack.
  void spill(size_t n) {
    auto& s = spares();
    std::lock_guard<std::mutex> guard{s.mutex};
    s.blocks.insert(s.blocks.end(), blocks.end() - static_cast<ptrdiff_t>(n), blocks.end());
    blocks.resize(blocks.size() - n);
  }

  /// Takes up to a batch of blocks from the shared stack.
  void refill() {
    auto& s = spares();
    std::lock_guard<std::mutex> guard{s.mutex};
    auto n = std::min(batch, s.blocks.size());
    blocks.insert(blocks.end(), s.blocks.end() - static_cast<ptrdiff_t>(n), s.blocks.end());
    s.blocks.resize(s.blocks.size() - n);
  }
};

thread_local block_cache cache;

void* take_block(size_t block_bytes) {
  auto& local = cache.blocks;
  if (local.empty())
    cache.refill();
  if (local.empty())
    return ::operator new(block_bytes);
  auto* b = local.back();
  local.pop_back();
  return b;
}

void give_block(void* b) {
  auto& local = cache.blocks;
  local.push_back(b);
  if (local.size() > cache_limit)
    cache.spill(batch);
}

} // namespace

msg::block* msg::allocate(std::span<const uint8_t> bytes) {
  void* mem = bytes.size() <= pooled_bytes
                ? take_block(sizeof(block) + pooled_bytes)
                : ::operator new(sizeof(block) + bytes.size());
  auto* b = new (mem) block{};
  b->refs.store(1, std::memory_order_relaxed);
  b->size = static_cast<uint32_t>(bytes.size());
  std::memcpy(b->bytes(), bytes.data(), bytes.size());
  return b;
}

void msg::release() noexcept {
  if (block_ && block_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    bool pooled = block_->size <= pooled_bytes;
    block_->~block();
    if (pooled)
      give_block(block_);
    else
      ::operator delete(block_);
  }
  block_ = nullptr;
}

msg msg::copy_of_trusted(std::span<const uint8_t> bytes) {
  msg m;
  m.block_ = allocate(bytes);
  return m;
}

msg msg::parse(std::span<const uint8_t> bytes, std::string& error) {
  if (bytes.size() < 8) {
    error = "message of " + std::to_string(bytes.size())
            + " bytes is too short to be an osprey envelope";
    return {};
  }
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), fb::EnvelopeIdentifier())) {
    error = "message lacks the osprey file identifier 'OSPR'";
    return {};
  }
  // The verifier reads from an aligned private copy so that the caller's
  // buffer (a file read, a socket frame) may have any alignment.
  msg m = copy_of_trusted(bytes);
  if (!m.verify(error))
    return {};
  return m;
}

bool msg::verify(std::string& error) const {
  flatbuffers::Verifier verifier{data(), size()};
  if (size() < 8 || !fb::VerifyEnvelopeBuffer(verifier)) {
    error = "message of " + std::to_string(size())
            + " bytes fails FlatBuffers verification (corrupt or not an Envelope)";
    return false;
  }
  return true;
}

msg msg::as_arrival(msg m, int64_t ts_ingress) {
  if (m.use_count() != 1)
    m = copy_of_trusted(m.bytes());
  auto* env = flatbuffers::GetMutableRoot<fb::Envelope>(m.block_->bytes());
  env->mutate_seq(0);
  env->mutate_ts_ingress(ts_ingress);
  return m;
}

msg msg::with_sequence(msg m, uint64_t seq) {
  if (m.use_count() != 1)
    m = copy_of_trusted(m.bytes());
  // Envelopes are built with ForceDefaults, so the seq field is always
  // present and mutable in place.
  auto* env = flatbuffers::GetMutableRoot<fb::Envelope>(m.block_->bytes());
  env->mutate_seq(seq);
  return m;
}

const char* payload_name(fb::Payload type) noexcept {
  return fb::EnumNamePayload(type);
}

} // namespace osprey
