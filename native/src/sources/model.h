// The GRU language model as a source, the base of the mix (engine/sources/model.py): the
// decoder's search from the position's state, memoized per (folded prefix, needs_space, n).
#pragma once
#include <functional>

#include "../position.h"
#include "source.h"

namespace nextkey {

class ModelSource {
 public:
  using Encode = std::function<std::vector<int>(const u32&)>;
  ModelSource(WordDecoder& decoder, Encode encode, const LanguagePack& pack)
      : decoder_(decoder), encode_(std::move(encode)), pack_(pack) {}
  const Scored& search(Position& pos, const u32& prefix, bool needs_space, int n) {
    auto key = std::make_tuple(pack_.fold(prefix), needs_space, n);
    auto it = pos.searches.find(key);
    if (it == pos.searches.end()) it = pos.searches.emplace(key, decoder_.search(pos.nodes, prefix, needs_space, n)).first;
    return it->second;
  }
  double score(Position& pos, const u32& word) { return decoder_.score_path(pos.nodes, encode_(word)); }
  // score for each of words (their model steps batched: the same numbers as one by one)
  std::vector<double> scores(Position& pos, const std::vector<u32>& words) {
    std::vector<std::vector<int>> ids;
    for (const u32& w : words) ids.push_back(encode_(w));
    return decoder_.score_paths(pos.nodes, ids);
  }
  const LanguagePack& pack() const { return pack_; }

 private:
  WordDecoder& decoder_;
  Encode encode_;
  const LanguagePack& pack_;
};

}  // namespace nextkey
