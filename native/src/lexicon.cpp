#include "lexicon.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "errors.h"

namespace nextkey {

Lexicon Lexicon::read(const std::string& path, long entries, const LanguagePack& pack) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw BundleError("cannot read lexicon " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  // (UTF-8 validity: from_utf8 replaces bad bytes; the sha256 already proved the file is the one exported)
  std::string norm;
  norm.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) norm.push_back(text[i]);
  while (!norm.empty() && norm.back() == '\n') norm.pop_back();
  if (norm.empty()) throw BundleError("lexicon " + path + " is empty");
  long n_lines = long(std::count(norm.begin(), norm.end(), '\n')) + 1;
  if (entries >= 0 && n_lines != entries)
    throw BundleError(path + ": lexicon has " + std::to_string(n_lines) + " entries but manifest lexicon.entries is " +
                      std::to_string(entries));
  Lexicon lex;
  lex.pack_ = &pack;
  std::istringstream in(norm);
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto fault = [&](const std::string& what) {
      return BundleError("lexicon " + path + " line " + std::to_string(n) + " is not 'word<TAB>count' with count >= 1: " + what);
    };
    size_t tab = line.find('\t');
    if (tab == std::string::npos) throw fault("it has no tab");
    if (line.find('\t', tab + 1) != std::string::npos) throw fault("it has more than one tab");
    if (tab == 0) throw fault("the word is empty");
    std::string count = line.substr(tab + 1);
    if (count.empty() || count.size() > 18 || count.find_first_not_of("0123456789") != std::string::npos)
      throw fault("the count is not a whole number of 1 to 18 digits");
    double c = std::stod(count);
    if (c < 1) throw fault("the count is below 1");
    lex.forms_.push_back(from_utf8(line.substr(0, tab)));
    lex.counts_.push_back(c);
  }
  double total = 0;
  for (double c : lex.counts_) total += c;
  for (double c : lex.counts_) lex.logprior_.push_back(std::log(c / total));
  std::vector<u32> folded;
  for (const u32& w : lex.forms_) folded.push_back(pack.fold(w));
  std::vector<long> order(folded.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = long(i);
  std::stable_sort(order.begin(), order.end(), [&](long a, long b) { return folded[a] < folded[b]; });
  for (long i : order)
    if (lex.keys_.empty() || folded[i] != lex.keys_.back()) {
      lex.keys_.push_back(folded[i]);
      lex.rank_.push_back(i);
    }
  // The min tree over rank_ (iterative, leaves at n..2n-1): completions' top-k walk.
  const size_t n_keys = lex.keys_.size();
  lex.min_tree_.assign(2 * n_keys, 0);
  for (size_t i = 0; i < n_keys; ++i) lex.min_tree_[n_keys + i] = int32_t(lex.rank_[i]);
  for (size_t i = n_keys - 1; i >= 1; --i) lex.min_tree_[i] = std::min(lex.min_tree_[2 * i], lex.min_tree_[2 * i + 1]);
  // The exact forms: entry indices sorted by plain-apostrophe form, one per form (the last listed,
  // as Python's dict). Not a hash map of copied strings: that held 8 MB of the 40 MB RSS target.
  lex.has_alt_.assign(lex.forms_.size(), false);
  for (size_t i = 0; i < lex.forms_.size(); ++i) {
    u32 plain = pack.plain_apostrophes(lex.forms_[i]);
    if (plain != lex.forms_[i]) lex.plain_alt_.emplace(long(i), std::move(plain)), lex.has_alt_[i] = true;
  }
  size_t slots = 1;
  while (slots < 2 * lex.forms_.size()) slots <<= 1;
  lex.exact_.assign(slots, -1);
  for (size_t i = 0; i < lex.forms_.size(); ++i) {
    const u32& key = lex.plain(long(i));
    for (size_t at = lex.slot(key);; at = (at + 1) & (slots - 1)) {
      int32_t& e = lex.exact_[at];
      if (e < 0 || lex.plain(e) == key) {
        e = int32_t(i);  // a later entry of the same form replaces the earlier one
        break;
      }
    }
  }
  return lex;
}

bool Lexicon::contains(const u32& word) const {
  return std::binary_search(keys_.begin(), keys_.end(), pack_->fold(word));
}

bool Lexicon::has_prefix(const u32& folded) const {
  auto it = std::lower_bound(keys_.begin(), keys_.end(), folded);
  return it != keys_.end() && it->compare(0, folded.size(), folded) == 0;
}

}  // namespace nextkey

namespace nextkey {

const u32& Lexicon::plain(long i) const {
  if (!has_alt_[size_t(i)]) return forms_[size_t(i)];
  auto alt = plain_alt_.find(i);
  return alt == plain_alt_.end() ? forms_[size_t(i)] : alt->second;
}

size_t Lexicon::slot(const u32& plain_form) const { return std::hash<u32>{}(plain_form) & (exact_.size() - 1); }

long Lexicon::exact(const u32& word) const {
  u32 key = pack_->plain_apostrophes(word);
  for (size_t at = slot(key);; at = (at + 1) & (exact_.size() - 1)) {
    int32_t e = exact_[at];
    if (e < 0) return -1;
    if (plain(e) == key) return e;
  }
}

bool Lexicon::has_form(const u32& word) const { return exact(word) >= 0; }

long Lexicon::index(const u32& word) const {
  long e = exact(word);
  if (e >= 0) return e;
  u32 key = pack_->fold(word);
  auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  if (it == keys_.end() || *it != key) return -1;
  return rank_[size_t(it - keys_.begin())];
}

std::vector<long> Lexicon::completions(const u32& prefix, size_t k) const {
  // The k smallest entry indices (the most frequent words) among the keys starting with the
  // prefix, best first: Python's argpartition, without looking at every key of the range. A
  // best-first walk of the min tree: the range's canonical nodes go into a heap by their
  // minimum; a popped leaf is the next answer, a popped inner node pushes its two children.
  // O(k log n) instead of O(range): the corrections ask this for every slip of a short prefix.
  const long n = long(keys_.size());
  long lo = long(std::lower_bound(keys_.begin(), keys_.end(), prefix) - keys_.begin());
  long hi = long(std::lower_bound(keys_.begin() + lo, keys_.end(), prefix + U'\U0010ffff') - keys_.begin());
  std::vector<long> out;
  if (lo >= hi || k == 0) return out;
  using Item = std::pair<int32_t, long>;  // (the smallest index under the node, node)
  std::vector<Item> heap;
  auto more = [](const Item& a, const Item& b) { return a.first > b.first; };
  for (long l = lo + n, r = hi + n; l < r; l >>= 1, r >>= 1) {
    if (l & 1) heap.emplace_back(min_tree_[size_t(l)], l), ++l;
    if (r & 1) --r, heap.emplace_back(min_tree_[size_t(r)], r);
  }
  std::make_heap(heap.begin(), heap.end(), more);
  while (!heap.empty() && out.size() < k) {
    std::pop_heap(heap.begin(), heap.end(), more);
    auto [value, node] = heap.back();
    heap.pop_back();
    if (node >= n) {
      out.push_back(value);
      continue;
    }
    for (long child : {2 * node, 2 * node + 1}) {
      heap.emplace_back(min_tree_[size_t(child)], child);
      std::push_heap(heap.begin(), heap.end(), more);
    }
  }
  return out;
}

}  // namespace nextkey
