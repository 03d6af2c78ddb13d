// The English pack, copied from engine/lang/en.py (keep the two in step; the conformance kit's
// context cases check the sentence rule that reads them).
#include "lang.h"

#include <algorithm>

#include <sstream>
#include <stdexcept>

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
  p.capitalized_words = {U"I"};
  const char* infl[][2] = {{"'s", ""}, {"'", ""}, {"ies", "y"}, {"es", ""}, {"s", ""}, {"ied", "y"}, {"ed", ""},
                           {"ed", "e"}, {"ing", ""}, {"ing", "e"}, {"er", ""}, {"er", "e"}, {"est", ""}, {"est", "e"}};
  for (auto& e : infl) p.inflections.emplace_back(from_utf8(e[0]), from_utf8(e[1]));
  p.hyphen_stop_words = words("the a an and or but nor of that which who whom this these those it its "
                              "they them he him she her we us you i is was");
  LanguagePack::Row numbers{U"1234567890", -0.5};
  p.layouts = {{"qwerty", {numbers, {U"qwertyuiop", 0.0}, {U"asdfghjkl", 0.25}, {U"zxcvbnm", 0.75}}},
               {"azerty", {numbers, {U"azertyuiop", 0.0}, {U"qsdfghjklm", 0.25}, {U"wxcvbn", 0.75}}},
               {"qwertz", {numbers, {U"qwertzuiop", 0.0}, {U"asdfghjkl", 0.25}, {U"yxcvbnm", 0.75}}}};
  p.alphabet = U"abcdefghijklmnopqrstuvwxyz";
  p.blocklist = "en_blocklist.txt";
  p.alnum_words = "en_alnum.txt";
  p.blocklist_endings = {U"s"};
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

u32 LanguagePack::plain_apostrophes(const u32& word) const {
  u32 out(word);
  for (auto& c : out)
    if (contains(apostrophes, c)) c = apostrophes[0];
  return out;
}

u32 LanguagePack::fixed_case(const u32& word) const {
  if (word.empty()) return word;
  u32 head = word;
  for (char32_t a : apostrophes) {
    size_t k = head.find(a);
    if (k != u32::npos) head = head.substr(0, k);
  }
  for (const u32& w : capitalized_words)
    if (lower(w) == head) return w + word.substr(head.size());
  return word;
}

u32 LanguagePack::bare(const u32& word) const {
  u32 out;
  for (char32_t c : word)
    if (!contains(apostrophes, c)) out.push_back(c);
  return out;
}

std::map<u32, std::vector<u32>> LanguagePack::contraction_of() const {
  std::map<u32, std::vector<u32>> out;
  for (const u32& c : contractions) out[bare(c)].push_back(c);  // (a std::set: sorted, as Python's)
  return out;
}

std::vector<u32> LanguagePack::base_forms(const u32& folded) const {
  std::vector<u32> out{folded};
  auto add = [&](const u32& base) {
    if (base.size() >= 2 && std::find(out.begin(), out.end(), base) == out.end()) {
      out.push_back(base);
      return true;
    }
    return false;
  };
  auto second = [](const u32& e) { return e == U"er" || e == U"ing" || e == U"ed" || e == U"est"; };
  char32_t ap = apostrophes[0];
  for (const auto& [end, repl] : inflections)
    if (contains(end, ap) && ends_with(folded, end) && folded.size() > end.size() + 1)
      add(folded.substr(0, folded.size() - end.size()) + repl);
  for (int level = 1; level <= 2; ++level) {
    std::vector<u32> now(out);
    for (const u32& w : now)
      for (const auto& [end, repl] : inflections) {
        if (contains(end, ap) || !ends_with(w, end) || (level == 2 && !second(end))) continue;
        u32 base = w.substr(0, w.size() - end.size()) + repl;
        if (add(base) && repl.empty() && second(end) && base.size() >= 3 && base.back() == base[base.size() - 2] &&
            !contains(U"aeiouy", base.back()))
          add(base.substr(0, base.size() - 1));  // stabbed -> stabb -> stab
      }
  }
  return out;
}

const std::vector<LanguagePack::Row>& LanguagePack::layout(const std::string& name) const {
  for (const auto& [known, rows] : layouts)
    if (known == name) return rows;
  std::string names;
  for (const auto& l : layouts) names += (names.empty() ? "" : ", ") + l.first;
  throw std::invalid_argument("unknown keyboard layout '" + name + "' for language '" + code + "': choose one of " + names);
}

std::vector<std::pair<size_t, u32>> LanguagePack::find_words(const u32& text) const {
  // [^\W_]+(?:[apostrophes hyphens][^\W_]+)*
  std::vector<std::pair<size_t, u32>> out;
  u32 inner = apostrophes + hyphens;
  size_t i = 0, n = text.size();
  while (i < n) {
    if (!is_alnum(text[i])) { ++i; continue; }
    size_t s = i;
    while (i < n && is_alnum(text[i])) ++i;
    while (i + 1 < n && contains(inner, text[i]) && is_alnum(text[i + 1])) {
      ++i;
      while (i < n && is_alnum(text[i])) ++i;
    }
    out.emplace_back(s, text.substr(s, i - s));
  }
  return out;
}

const LanguagePack& english() {
  static const LanguagePack pack = make_english();
  return pack;
}

const LanguagePack* get_pack(const std::string& code) { return code == "en" ? &english() : nullptr; }

}  // namespace nextkey
