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
  for (size_t i = 0; i < lex.forms_.size(); ++i) lex.exact_[pack.plain_apostrophes(lex.forms_[i])] = long(i);
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

bool Lexicon::has_form(const u32& word) const { return exact_.count(pack_->plain_apostrophes(word)) > 0; }

long Lexicon::index(const u32& word) const {
  auto e = exact_.find(pack_->plain_apostrophes(word));
  if (e != exact_.end()) return e->second;
  u32 key = pack_->fold(word);
  auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  if (it == keys_.end() || *it != key) return -1;
  return rank_[size_t(it - keys_.begin())];
}

std::vector<long> Lexicon::completions(const u32& prefix, size_t k) const {
  auto lo = std::lower_bound(keys_.begin(), keys_.end(), prefix);
  u32 end = prefix + U'\U0010ffff';
  auto hi = std::lower_bound(lo, keys_.end(), end);
  std::vector<long> ranks(rank_.begin() + (lo - keys_.begin()), rank_.begin() + (hi - keys_.begin()));
  std::sort(ranks.begin(), ranks.end());
  if (ranks.size() > k) ranks.resize(k);
  return ranks;
}

}  // namespace nextkey
