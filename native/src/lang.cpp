// The English pack, copied from engine/lang/en.py (keep the two in step; the conformance kit's
// context cases check the sentence rule that reads them).
#include "lang.h"

#include <sstream>

namespace nextkey {

namespace {
std::set<u32> words(const char* list) {
  std::set<u32> out;
  std::istringstream in(list);
  std::string w;
  while (in >> w) out.insert(from_utf8(w));
  return out;
}

LanguagePack make_english() {
  LanguagePack p;
  p.code = "en";
  p.apostrophes = U"'\u2019";
  p.hyphens = U"-";
  // [\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff], as (first, last) pairs
  p.control = {0x00, 0x08, 0x0e, 0x1f, 0x7f, 0x9f, 0x200b, 0x200f, 0x2028, 0x2029, 0xfeff, 0xfeff};
  p.sentence_enders = U".!?\u2026";
  p.closing_quotes = U"\"')]\u201d\u2019";
  p.opening_quotes = U"\"'\u201c\u2018([";
  p.abbreviations = words(
      "Mr Mrs Ms Dr St Mt Jr Sr Gen Gov Sen Rep Col Capt Lt Prof Rev Hon Messrs vs "
      "e.g i.e cf approx viz Sgt Cpl Maj Adm Lieut Supt Mme Mlle Fig Figs Vol");
  p.soft_abbreviations = words("etc Inc Ltd Co Corp Bros No Nos");
  p.ellipses[0] = U"...";
  p.ellipses[1] = U"\u2026";
  p.capital_after_end = true;
  p.contractions = words(
      "don't doesn't didn't can't couldn't won't wouldn't shouldn't isn't aren't wasn't weren't "
      "hasn't haven't hadn't mustn't needn't mightn't shan't ain't "
      "i'm i've i'll i'd you're you've you'll you'd he's he'll he'd she's she'll she'd "
      "it's it'll it'd we're we've we'll we'd they're they've they'll they'd "
      "that's that'll that'd there's there'll there'd here's what's what'll where's where'd "
      "who's who'll who'd who've how's how'd when's why's let's "
      "could've would've should've might've must've y'all ma'am o'clock");
  p.bare_words = words("cant wont were well hell shell ill id its wed shed lets");
  return p;
}
}  // namespace

bool LanguagePack::is_control(char32_t c) const {
  for (size_t i = 0; i + 1 < control.size(); i += 2)
    if (c >= control[i] && c <= control[i + 1]) return true;
  return false;
}

u32 LanguagePack::fold(const u32& word) const {
  u32 out;
  out.reserve(word.size());
  for (char32_t c : word) {
    char32_t l = to_lower(c);
    out.push_back(apostrophes.find(l) != u32::npos ? apostrophes[0] : l);
  }
  return out;
}

std::set<u32> LanguagePack::misspellings() const {
  std::set<u32> out;
  for (const u32& c : contractions) {
    u32 bare;
    for (char32_t ch : c) if (!contains(apostrophes, ch)) bare.push_back(ch);
    if (!bare_words.count(bare)) out.insert(bare);
  }
  return out;
}

const LanguagePack& english() {
  static const LanguagePack pack = make_english();
  return pack;
}

const LanguagePack* get_pack(const std::string& code) { return code == "en" ? &english() : nullptr; }

}  // namespace nextkey
