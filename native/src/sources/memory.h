// The user memory as a source (engine/sources/memory.py): words and word pairs the user committed.
#pragma once
#include <cmath>

#include "../memory.h"
#include "source.h"

namespace nextkey {

class MemorySource : public Source {
 public:
  MemorySource(const UserMemory& memory, int proposals, double pair_share)
      : memory_(memory), proposals_(proposals), pair_share_(pair_share) {}
  std::string name() const override { return "memory"; }
  bool active() const override { return memory_.active(); }
  std::optional<double> logprob(const u32& word, const Query& q, Position&) override {
    double p = memory_.prob(word, q.prev, pair_share_);
    return p > 0 ? std::log(p) : -INFINITY;
  }
  std::vector<u32> propose(const Query& q, Position&) override { return memory_.candidates(q.typed, size_t(proposals_)); }

 private:
  const UserMemory& memory_;
  int proposals_;
  double pair_share_;
};

}  // namespace nextkey
