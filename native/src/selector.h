// What the strip shows, from the combined words (engine/selector.py): the user's spelling,
// shaped as typed, one form per word, only words starting with what was typed, no blocked word
// unless typed in full, no contraction's bare misspelling, the compound rule after a stem, and
// corrections merged by score under the exact-word rule.
#pragma once
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "form.h"
#include "sources/source.h"

namespace nextkey {

struct Found {  // one strip entry
  u32 word;
  double score;
  bool corrected;
  bool operator==(const Found& o) const { return word == o.word && score == o.score && corrected == o.corrected; }
};

class Selector {
 public:
  using IsBlocked = std::function<bool(const u32&)>;
  using CompoundOk = std::function<bool(const u32&, const u32&, double)>;
  using Spelling = std::function<std::optional<u32>(const u32&)>;
  Selector(const LanguagePack& pack, IsBlocked is_blocked, CompoundOk compound_ok, Spelling spelling,
           HasForm has_form = nullptr);
  Scored pick(const Scored& scored, const Query& q);
  std::vector<Found> with_respellings(const std::vector<Found>& found, const Scored& respelled, const Query& q) const;
  std::vector<Found> with_corrections(const std::vector<Found>& found, const Scored& corrected, const Query& q,
                                      bool typed_is_word, const std::function<std::pair<u32, double>()>& exact) const;
  u32 shape_exact(const u32& form, const Query& q) const;

 private:
  const LanguagePack& pack_;
  IsBlocked is_blocked_;
  CompoundOk compound_ok_;
  Spelling spelling_;
  HasForm has_form_;
  std::set<u32> misspellings_;
  std::map<u32, std::vector<u32>> contraction_of_;
  std::map<std::tuple<u32, u32, bool, u32>, std::optional<u32>> shown_;  // memo, bounded
};

}  // namespace nextkey
