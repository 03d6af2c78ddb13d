#include "memory.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "text.h"

namespace nextkey {

bool is_word(const u32& text, const LanguagePack& pack) {
  auto found = pack.find_words(text);
  return found.size() == 1 && found[0].first == 0 && found[0].second.size() == text.size();
}

bool learnable(const u32& word, const std::function<bool(const u32&)>& is_common) {
  if (word.size() > 32 || std::none_of(word.begin(), word.end(), is_alpha)) return false;
  if (std::none_of(word.begin(), word.end(), is_decimal)) return true;
  // _ORDINAL: \d{1,4}(?:st|nd|rd|th|s), case-insensitive
  size_t d = 0;
  while (d < word.size() && is_decimal(word[d])) ++d;
  u32 tail = lower(word.substr(d));
  if (d >= 1 && d <= 4 && (tail == U"st" || tail == U"nd" || tail == U"rd" || tail == U"th" || tail == U"s")) return true;
  return is_common && is_common(word);
}

u32 learned_form(const u32& word, const LanguagePack& pack) {
  if (word.empty() || !std::all_of(word.begin(), word.end(), is_alpha)) return word;
  u32 key = pack.fold(word);
  auto of = pack.contraction_of();
  auto it = of.find(key);
  if (it == of.end() || !pack.misspellings().count(key)) return word;
  u32 c = pack.fixed_case(it->second[0]);
  if (is_upper(word[0]) && !is_upper(word) && !c.empty()) c[0] = to_upper(c[0]);
  return c;
}

std::vector<std::pair<size_t, u32>> learnable_words(const u32& text, const LanguagePack& pack) {
  std::vector<std::pair<size_t, u32>> out;
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && is_space(text[i])) ++i;
    size_t s = i;
    while (i < n && !is_space(text[i])) ++i;
    if (i == s) break;
    u32 chunk = text.substr(s, i - s);
    if (!is_address(chunk))
      for (auto& [at, w] : pack.find_words(chunk)) out.emplace_back(s + at, w);
  }
  return out;
}

double UserMemory::decayed(const Entry* e) const {
  if (!e) return 0.0;
  return e->count * std::pow(0.5, double(clock_ - e->last) / cfg_.half_life);
}

bool UserMemory::learnable(const u32& word) const { return nextkey::learnable(word, is_common); }

void UserMemory::observe(const u32& word, const std::optional<u32>& prev, bool sentence_start) {
  if (!is_word(word, pack_) || !learnable(word)) return;
  u32 key = pack_.fold(word);
  std::optional<u32> prev_key;
  if (prev && !prev->empty() && is_word(*prev, pack_) && learnable(*prev)) prev_key = pack_.fold(*prev);
  // a capital first letter at a sentence start says nothing about the word's case
  bool by_position = !word.empty() && is_upper(word[0]) &&
                     std::none_of(word.begin() + 1, word.end(), [](char32_t c) { return is_upper(c); });
  ++clock_;
  mass_ = mass_ * std::pow(0.5, 1 / cfg_.half_life) + 1.0;
  auto found = words_.find(key);
  if (!(sentence_start && by_position)) {
    Entry& v = votes_[key][word];
    v.count = decayed(&v) + 1.0;
    v.last = clock_;
  }
  u32 spelling;  // the one voted most; with no vote, the one known so far, else typed (lowered at a start)
  double best = 0;
  auto vs = votes_.find(key);
  if (vs != votes_.end())
    for (auto& [sp, e] : vs->second)
      if (decayed(&e) > best) best = decayed(&e), spelling = sp;
  if (spelling.empty()) {
    if (found != words_.end()) spelling = found->second.spelling;
    else {
      spelling = word;
      if (by_position) spelling[0] = to_lower(spelling[0]);
    }
  }
  Entry& e = words_[key];
  e.count = decayed(found == words_.end() ? nullptr : &e) + 1.0;
  e.last = clock_;
  e.spelling = spelling;
  if (prev_key) {
    Entry& p = pairs_[*prev_key + U'\t' + key];
    p.count = decayed(&p) + 1.0;
    p.last = clock_;
  }
  evict();
  ++version_;
}

// memory.py _evict: a table over its limit keeps its int(limit * 0.9) strongest entries (decayed
// counts), then the mass is summed again. A tie at the cut is kept by key order here, by insertion
// order in Python: rare, as each observe bumps one entry of a table at a clock of its own.
void UserMemory::evict() {
  auto strongest = [this](std::vector<std::pair<double, size_t>>& order, size_t limit) {
    std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.first > b.first; });
    order.resize(size_t(double(limit) * 0.9));
  };
  bool evicted = false;
  if (words_.size() > cfg_.max_words) {
    std::vector<std::pair<double, size_t>> order;
    std::vector<std::map<u32, Entry>::iterator> at;
    for (auto it = words_.begin(); it != words_.end(); ++it) order.emplace_back(decayed(&it->second), at.size()), at.push_back(it);
    strongest(order, cfg_.max_words);
    std::map<u32, Entry> kept;
    for (auto& [c, i] : order) kept.insert(*at[i]);
    words_.swap(kept);
    evicted = true;
  }
  if (pairs_.size() > cfg_.max_pairs) {
    std::vector<std::pair<double, size_t>> order;
    std::vector<std::unordered_map<u32, Entry>::iterator> at;
    for (auto it = pairs_.begin(); it != pairs_.end(); ++it) order.emplace_back(decayed(&it->second), at.size()), at.push_back(it);
    strongest(order, cfg_.max_pairs);
    std::unordered_map<u32, Entry> kept;
    for (auto& [c, i] : order) kept.insert(*at[i]);
    pairs_.swap(kept);
    evicted = true;
  }
  size_t votes = 0;
  for (auto& [k, v] : votes_) votes += v.size();
  if (votes > cfg_.max_pairs) {  // Python keeps the votes in one table ("key\tspelling") of this limit
    std::vector<std::pair<double, size_t>> order;
    std::vector<std::pair<u32, std::map<u32, Entry>::iterator>> at;
    for (auto& [k, v] : votes_)
      for (auto it = v.begin(); it != v.end(); ++it) order.emplace_back(decayed(&it->second), at.size()), at.emplace_back(k, it);
    strongest(order, cfg_.max_pairs);
    std::unordered_map<u32, std::map<u32, Entry>> kept;
    for (auto& [c, i] : order) kept[at[i].first].insert(*at[i].second);
    votes_.swap(kept);
    evicted = true;
  }
  if (evicted) {
    mass_ = 0;
    for (auto& [k, e] : words_) mass_ += decayed(&e);
  }
}

size_t UserMemory::learn_text(const u32& text) {
  size_t n = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(U'\n', start);
    if (end == u32::npos) end = text.size();
    u32 line = text.substr(start, end - start);
    std::vector<size_t> starts{0};
    for (const Gap& g : sentence_gaps(line, pack_, false))
      if (g.broke) starts.push_back(g.b);
    std::optional<u32> prev;
    size_t k = 0;
    for (auto& [at, w0] : learnable_words(line, pack_)) {
      bool first = false;
      while (k < starts.size() && starts[k] <= at) first = true, ++k;
      u32 w = learned_form(w0, pack_);
      observe(w, prev, first);
      prev = w;
      ++n;
    }
    start = end + 1;
  }
  return n;
}

double UserMemory::prob(const u32& word, const std::optional<u32>& prev, double pair_share) const {
  u32 key = pack_.fold(word);
  auto w = words_.find(key);
  double c = decayed(w == words_.end() ? nullptr : &w->second);
  if (c <= 0) return 0.0;
  double p_word = c / std::max(mass_, 1e-9);
  if (prev && !prev->empty()) {
    u32 pk = pack_.fold(*prev);
    auto pair = pairs_.find(pk + U'\t' + key);
    auto pw = words_.find(pk);
    double c_pair = decayed(pair == pairs_.end() ? nullptr : &pair->second);
    double c_prev = decayed(pw == words_.end() ? nullptr : &pw->second);
    if (c_pair > 0 && c_prev > 0) return pair_share * std::min(1.0, c_pair / c_prev) + (1 - pair_share) * p_word;
  }
  return (1 - pair_share) * p_word;
}

std::optional<u32> UserMemory::spelling(const u32& word) const {
  u32 key = pack_.fold(word);
  if (!votes_.count(key)) return std::nullopt;
  auto e = words_.find(key);
  if (e == words_.end() || (e->second.spelling.size() > 1 && is_upper(e->second.spelling))) return std::nullopt;
  return e->second.spelling;
}

std::vector<u32> UserMemory::candidates(const u32& prefix, size_t limit) const {
  u32 low = pack_.fold(prefix);
  std::vector<std::pair<double, u32>> found;
  for (auto it = words_.lower_bound(low); it != words_.end() && it->first.compare(0, low.size(), low) == 0; ++it) {
    double c = decayed(&it->second);
    const u32& sp = it->second.spelling;
    if (c >= cfg_.min_count && learnable(sp) && (c >= cfg_.slip_min_count || !near_slip || !near_slip(sp)))
      found.emplace_back(c, sp);
  }
  std::sort(found.begin(), found.end(), std::greater<>());
  std::vector<u32> out;
  for (size_t i = 0; i < found.size() && i < limit; ++i) out.push_back(found[i].second);
  return out;
}

void UserMemory::block(const u32& word) {
  if (!is_word(word, pack_)) throw std::invalid_argument("cannot block '" + to_utf8(word) + "': not one word");
  if (!learnable(word))
    throw std::invalid_argument("'" + to_utf8(word) + "' is never stored nor offered (numbers, codes and secret-like "
                                "strings are not learned): there is nothing to block");
  blocklist.user.insert(pack_.fold(word));
  ++version_;
}

void UserMemory::unblock(const u32& word) {
  blocklist.user.erase(pack_.fold(word));
  ++version_;
}

}  // namespace nextkey
