#include "form.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace nextkey {

bool presentable(const u32& word) {
  if (word.empty() || std::none_of(word.begin(), word.end(), is_alpha)) return false;
  for (char32_t c : word)
    if (c == 0xFFFD || is_space(c) || !is_printable(c)) return false;
  return true;
}

u32 shape(const u32& word0, const u32& typed, bool sentence_start, const LanguagePack& pack, const HasForm& has_form) {
  if (typed.size() == word0.size() && pack.fold(typed) == pack.fold(word0)) return pack.fixed_case(typed);
  u32 word = pack.fixed_case(word0);
  // caps lock, unless the word is itself spelled so far as typed ("E-M" of "E-Mail")
  if (std::count_if(typed.begin(), typed.end(), is_alpha) >= 2 && is_upper(typed) &&
      word.compare(0, typed.size(), typed) != 0)
    return upper(word);
  if ((!typed.empty() && is_upper(u32(1, typed[0]))) || sentence_start) {
    if (!word.empty() && is_lower(u32(1, word[0]))) word[0] = to_upper(word[0]);
    return word;
  }
  if (has_form && !word.empty() && is_upper(word[0]) && !typed.empty() && is_alpha(typed[0]) &&
      std::none_of(typed.begin(), typed.end(), [](char32_t c) { return is_upper(c); })) {
    u32 low = word;
    low[0] = to_lower(low[0]);
    if (has_form(low)) return low;
  }
  return word;
}

std::optional<u32> shown_as(const u32& word, const u32& typed, bool sentence_start, const u32& apostrophe,
                            const LanguagePack& pack, const HasForm& has_form) {
  u32 shown = shape(word, typed, sentence_start, pack, has_form);
  for (char32_t other : pack.apostrophes)
    if (u32(1, other) != apostrophe)
      for (auto& c : shown)
        if (c == other) c = apostrophe[0];
  if (!presentable(shown)) return std::nullopt;
  return shown;
}

Scored merge_forms(const Scored& scored, const u32& typed, bool sentence_start, const u32& apostrophe,
                   const LanguagePack& pack, const Shaper& shaper) {
  u32 low = pack.fold(typed);
  std::vector<u32> order;  // folded words, first seen first
  std::unordered_map<u32, double> total;
  std::unordered_map<u32, std::pair<double, u32>> best;
  for (const auto& [word, logp] : scored) {
    auto shown = shaper ? shaper(word, typed, sentence_start, apostrophe)
                        : shown_as(word, typed, sentence_start, apostrophe, pack);
    if (!shown) continue;
    u32 key = pack.fold(*shown);
    if (key.compare(0, low.size(), low) != 0) continue;
    auto t = total.find(key);
    if (t == total.end()) {
      total[key] = logp;
      order.push_back(key);
    } else {
      double prev = t->second;
      t->second = std::max(prev, logp) + std::log1p(std::exp(-std::fabs(prev - logp)));
    }
    auto b = best.find(key);
    if (b == best.end() || logp > b->second.first) best[key] = {logp, *shown};
  }
  Scored out;
  for (const u32& k : order) out.emplace_back(best[k].second, total[k]);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

Scored merge_corrections(const Scored& scored, const u32& typed, bool sentence_start, const u32& apostrophe,
                         const LanguagePack& pack, const HasForm& has_form) {
  Scored out;
  for (const auto& [word, logp] : scored)
    if (auto shown = shown_as(word, typed, sentence_start, apostrophe, pack, has_form)) out.emplace_back(*shown, logp);
  return out;
}

}  // namespace nextkey
