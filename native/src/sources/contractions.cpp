#include "contractions.h"

#include <algorithm>
#include <cmath>


namespace nextkey {

Contractions::Contractions(const LanguagePack& pack, const Lexicon& lexicon, ModelSource& model,
                           const Combiner& combiner)
    : pack_(pack), model_(model), combiner_(combiner) {
  for (const u32& c : pack.contractions) {
    long i = lexicon.index(c);
    if (i < 0) continue;
    size_t cut = u32::npos;
    for (char32_t a : pack.apostrophes) cut = std::min(cut, c.find(a));
    entries_.emplace_back(pack.bare(c), lexicon.forms()[size_t(i)], cut);
  }
  std::sort(entries_.begin(), entries_.end());
}

std::vector<u32> Contractions::candidates(const u32& folded) const {
  std::vector<u32> out;
  if (folded.empty()) return out;
  for (char32_t a : pack_.apostrophes)
    if (contains(folded, a)) return out;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), folded,
                             [](const auto& e, const u32& f) { return std::get<0>(e) < f; });
  for (; it != entries_.end() && std::get<0>(*it).compare(0, folded.size(), folded) == 0; ++it)
    if (folded.size() > std::get<2>(*it)) out.push_back(std::get<1>(*it));
  return out;
}

Scored Contractions::propose_scored(const Query& q, Position& pos) {
  std::vector<u32> found = candidates(q.folded);
  if (found.empty()) return {};
  std::vector<u32> words = found;  // then, at a sentence start, the capitalized forms
  if (q.sentence_start)
    for (u32 cap : found) {
      cap[0] = to_upper(cap[0]);
      words.push_back(cap);
    }
  std::vector<double> s = model_.scores(pos, words);
  Scored model;
  for (size_t i = 0; i < found.size(); ++i)
    model.emplace_back(found[i], q.sentence_start ? std::max(s[i], s[i + found.size()]) : s[i]);
  Query chain = q;
  chain.final = false;
  Scored out;
  for (auto& [w, sc] : combiner_.merge(model, chain, pos))
    if (std::find(found.begin(), found.end(), w) != found.end()) out.emplace_back(w, sc);
  return out;
}

}  // namespace nextkey
