// A message crosses CAF's serialization (what the network layer uses) as its
// FlatBuffers bytes, and bytes that arrive corrupt are refused on load.

#include <gtest/gtest.h>

#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "actors/caf_types.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

std::vector<char> serialize(msg& m) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  auto err = sink(m);
  EXPECT_FALSE(err);
  return buf;
}

} // namespace

TEST(caf_types, a_message_round_trips_through_caf_serialization) {
  msg_builder b;
  auto m = b.trade({9, 10, 20}, symbol_id{2}, price{123'450'000}, quantity{300});
  auto buf = serialize(m);
  msg back;
  caf::binary_deserializer source{nullptr, buf};
  ASSERT_FALSE(source(back));
  ASSERT_TRUE(back);
  EXPECT_NE(back.data(), m.data());
  EXPECT_TRUE(std::equal(back.bytes().begin(), back.bytes().end(), m.bytes().begin(),
                         m.bytes().end()));
  EXPECT_EQ(back.seq(), 9u);
  EXPECT_EQ(back.as<fb::Trade>()->price(), 123'450'000);
}

TEST(caf_types, corrupt_bytes_from_the_network_are_refused_on_load) {
  msg_builder b;
  auto m = b.trade({}, symbol_id{2}, price{1}, quantity{1});
  auto buf = serialize(m);
  // The serialized form is a length followed by the FlatBuffers bytes; break
  // the envelope's root offset, just past the length.
  ASSERT_GT(buf.size(), 16u);
  for (size_t i = buf.size() - m.size(); i < buf.size() - m.size() + 4; ++i)
    buf[i] = '\x7f';
  msg back;
  caf::binary_deserializer source{nullptr, buf};
  auto err = source(back);
  EXPECT_TRUE(err);
  EXPECT_FALSE(back);
}
