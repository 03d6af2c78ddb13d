// What each subword piece means to a word-level keyboard (engine/vocab.py): pieces that open a
// word, continue one, or may follow a finished word (the boundary). Prefix lookup is folded.
#pragma once
#include <sentencepiece_processor.h>

#include <unordered_map>
#include <vector>

#include "lang.h"

namespace nextkey {

class Vocab {
 public:
  Vocab(const sentencepiece::SentencePieceProcessor& sp, int eos_id, const LanguagePack& pack);
  // Sorted ids that may come next in a word, opening it (first) or continuing it, consistent
  // with rest, the still untyped-over part of the prefix (folded).
  std::vector<int> candidates(bool first, const u32& rest) const;
  std::vector<u32> text;          // piece text without the leading ▁, original case ('' for specials)
  std::vector<int> start_ids, cont_ids;
  std::vector<float> boundary_f;  // 1 for a boundary piece

 private:
  struct Index {
    std::vector<std::pair<u32, int>> pairs;  // sorted (folded key, id)
    std::vector<int> consistent(const u32& rest) const;
  };
  Index start_, cont_;
};

bool is_word_text(const u32& s, const LanguagePack& pack);

}  // namespace nextkey
