#include "messages/msg.hpp"

#include <cstring>
#include <new>

namespace osprey {

msg::block* msg::allocate(std::span<const uint8_t> bytes) {
  void* mem = ::operator new(sizeof(block) + bytes.size());
  auto* b = new (mem) block{};
  b->refs.store(1, std::memory_order_relaxed);
  b->size = static_cast<uint32_t>(bytes.size());
  std::memcpy(b->bytes(), bytes.data(), bytes.size());
  return b;
}

void msg::release() noexcept {
  if (block_ && block_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    block_->~block();
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
