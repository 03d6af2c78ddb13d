#include "known.h"

namespace nextkey {

namespace {
std::vector<u32> split_on(const u32& s, char32_t sep) {
  std::vector<u32> out;
  size_t start = 0;
  for (size_t e; (e = s.find(sep, start)) != u32::npos; start = e + 1) out.push_back(s.substr(start, e - start));
  out.push_back(s.substr(start));
  return out;
}
}  // namespace

bool KnownWords::known(const u32& word) const {
  if (misspellings_.count(pack_.fold(word))) return false;
  return !lexicon_ || lexicon_->contains(word) || memory_.prob(word, std::nullopt) > 0;
}

bool KnownWords::knows(const u32& word) const {
  if (known(word)) return true;
  auto parts = split_on(word, U'-');
  if (parts.size() < 2) return false;
  for (const u32& p : parts)
    if (p.empty() || !known(p)) return false;
  return true;
}

bool KnownWords::keeps_whole(const u32& folded) const {
  if (!lexicon_ || lexicon_->has_prefix(folded) || !memory_.candidates(folded, 1).empty()) return true;
  auto parts = split_on(folded, U'-');
  parts.pop_back();
  for (const u32& p : parts)
    if (p.empty() || !known(p)) return true;
  return false;
}

bool KnownWords::compound_ok(const u32& stem, const u32& part, double logp, long common_rank, double min_logp) const {
  if (!lexicon_ || known(stem + part)) return true;
  if (logp < min_logp) return false;
  u32 s = stem;
  while (!s.empty() && s.back() == U'-') s.pop_back();
  u32 first = split_on(s, U'-').back();
  long a = lexicon_->index(first), b = lexicon_->index(part);
  return a >= 0 && b >= 0 && a < common_rank && b < common_rank;
}

}  // namespace nextkey
