// The words the engine may offer (engine/lexicon.py), looked up folded: reading and checking
// lexicon.tsv, membership, prefixes, an entry's index and prior, and the most frequent completions.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "lang.h"

namespace nextkey {

class Lexicon {
 public:
  // entries: the line count the manifest declares (-1: not checked). Throws BundleError.
  static Lexicon read(const std::string& path, long entries, const LanguagePack& pack);
  bool contains(const u32& word) const;        // fold(word) is a key
  bool has_prefix(const u32& folded) const;    // some key starts with folded
  size_t size() const { return forms_.size(); }
  bool has_form(const u32& word) const;        // one of the lexicon's own spellings, case included
  long index(const u32& word) const;           // its own cased form if listed, else its key's most frequent; -1: none
  // Entry indices of the k most frequent words starting with the (folded) prefix, best first.
  std::vector<long> completions(const u32& folded_prefix, size_t k) const;
  const std::vector<u32>& forms() const { return forms_; }
  const std::vector<u32>& keys() const { return keys_; }
  double logprior(long i) const { return logprior_[size_t(i)]; }
  const LanguagePack& pack() const { return *pack_; }

 private:
  const LanguagePack* pack_ = nullptr;
  std::vector<u32> forms_;
  std::vector<double> counts_;
  std::vector<u32> keys_;  // folded words, sorted
  std::vector<long> rank_;  // per key: the index of its most frequent form
  std::vector<int32_t> min_tree_;  // 2 x keys: [n + i] = rank_[i], [i] = min of [2i], [2i + 1]
  std::vector<double> logprior_;
  // A hash table (open addressing, linear probing, -1 empty) of entry indices by plain-apostrophe
  // form, one per form (the last listed, as Python's dict): the search and the prior ask for a
  // word's entry many times a keystroke, and a binary search over 68k scattered strings missed the
  // cache at every step. Indices, not copied strings: a map of strings held 8 MB of the RSS.
  std::vector<int32_t> exact_;
  size_t slot(const u32& plain_form) const;  // the first slot to probe
  std::unordered_map<long, u32> plain_alt_;  // the few forms whose plain-apostrophe form differs
  std::vector<bool> has_alt_;                 // per form: in plain_alt_ (exact's binary search asks plain() ~17 times)
  const u32& plain(long i) const;
  long exact(const u32& word) const;  // the index of the form, apostrophes aside; -1: none
};

}  // namespace nextkey
