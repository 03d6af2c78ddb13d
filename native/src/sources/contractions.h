// Contractions typed without the apostrophe (engine/sources/contractions.py): "im" -> "I'm",
// "dont" -> "don't", scored by the model from the same state and mixed like any word.
#pragma once
#include <tuple>

#include "../combiner.h"
#include "../lexicon.h"
#include "model.h"

namespace nextkey {

class Contractions {
 public:
  Contractions(const LanguagePack& pack, const Lexicon& lexicon, ModelSource& model, const Combiner& combiner);
  std::vector<u32> candidates(const u32& folded) const;
  Scored propose_scored(const Query& q, Position& pos);

 private:
  const LanguagePack& pack_;
  ModelSource& model_;
  const Combiner& combiner_;
  std::vector<std::tuple<u32, u32, size_t>> entries_;  // (folded bare form, lexicon form, first apostrophe), sorted
};

}  // namespace nextkey
