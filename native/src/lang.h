// A language pack's text facts (engine/lang/): plain data that the rules in text.cpp read.
// Ported so far: the English pack (engine/lang/en.py), the facts the tracker and the text rules use.
// German's multi-part abbreviations and ordinals (engine/lang/de.py) are not ported: a bundle
// whose language is not "en" is refused (bundle.cpp).
#pragma once
#include <map>
#include <set>
#include <vector>
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
  std::set<u32> capitalized_words;     // shown capitalized, alone or before an apostrophe ("I")
  std::vector<std::pair<u32, u32>> inflections;  // (ending, replacement), base_forms' order
  std::set<u32> hyphen_stop_words;     // never the first or last part of a hyphenated word (folded)
  struct Row { u32 keys; double offset; };
  std::vector<std::pair<std::string, std::vector<Row>>> layouts;  // the first the default
  u32 alphabet;                        // letters the typo model may insert
  std::string blocklist, alnum_words;  // file names in the pack's folder (engine/lang/)
  std::vector<u32> blocklist_endings;

  u32 plain_apostrophes(const u32& word) const;  // every apostrophe as the first; case kept
  u32 fixed_case(const u32& word) const;         // "i" -> "I", "i'm" -> "I'm"
  u32 bare(const u32& word) const;               // without apostrophes
  std::map<u32, std::vector<u32>> contraction_of() const;  // folded bare spelling -> its contractions
  std::vector<u32> base_forms(const u32& folded) const;
  const std::vector<Row>& layout(const std::string& name) const;  // std::invalid_argument naming the layouts
  std::vector<std::pair<size_t, u32>> find_words(const u32& text) const;  // word_re.finditer: (start, word)

  bool is_control(char32_t c) const;
  u32 fold(const u32& word) const;  // lowercase, one apostrophe
  std::set<u32> misspellings() const;  // folded bare spellings of contractions that are no word
};

const LanguagePack& english();
// The pack for a manifest's language code; nullptr when this port has none.
const LanguagePack* get_pack(const std::string& code);

}  // namespace nextkey
