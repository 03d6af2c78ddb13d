// The words the engine may offer (engine/lexicon.py), looked up folded. Ported so far: reading
// and checking lexicon.tsv, membership and prefix tests (what the tracker's hyphen rule needs);
// the completions the decoder walks are not ported yet.
#pragma once
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

 private:
  const LanguagePack* pack_ = nullptr;
  std::vector<u32> forms_;
  std::vector<double> counts_;
  std::vector<u32> keys_;  // folded words, sorted
};

}  // namespace nextkey
