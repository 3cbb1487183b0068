#include "messages/msg_json.hpp"

#include <cmath>

#include <flatbuffers/minireflect.h>

namespace osprey {

namespace {

struct json_visitor : flatbuffers::ToStringVisitor {
  json_visitor() : ToStringVisitor(" ", true, "", true) {}

  void Double(double x) override {
    if (std::isfinite(x))
      s += flatbuffers::NumToString(x);
    else
      s += "null";
  }
};

} // namespace

std::string to_json(const msg& m) {
  json_visitor v;
  flatbuffers::IterateFlatBuffer(m.data(), fb::EnvelopeTypeTable(), &v);
  return std::move(v.s);
}

} // namespace osprey
