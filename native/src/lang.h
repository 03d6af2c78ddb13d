// A language pack's text facts (engine/lang/): plain data that the rules in text.cpp read.
// Ported so far: the English pack (engine/lang/en.py), the facts the tracker and the text rules use.
// German's multi-part abbreviations and ordinals (engine/lang/de.py) are not ported: a bundle
// whose language is not "en" is refused (bundle.cpp).
#pragma once
#include <set>
#include <string>

#include "unicode.h"

namespace nextkey {

struct LanguagePack {
  std::string code;
  u32 apostrophes, hyphens;            // join a word's parts; the first apostrophe is the folded one
  std::u32string control;              // pairs of (first, last): characters dropped from all text
  u32 sentence_enders, closing_quotes, opening_quotes;
  std::set<u32> abbreviations, soft_abbreviations;
  u32 ellipses[2];
  bool capital_after_end;
  std::set<u32> contractions, bare_words;

  bool is_control(char32_t c) const;
  u32 fold(const u32& word) const;  // lowercase, one apostrophe
  std::set<u32> misspellings() const;  // folded bare spellings of contractions that are no word
};

const LanguagePack& english();
// The pack for a manifest's language code; nullptr when this port has none.
const LanguagePack* get_pack(const std::string& code);

}  // namespace nextkey
