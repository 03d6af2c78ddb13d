#include "pipeline.h"

#include <algorithm>

namespace nextkey {

std::vector<Suggestion> Pipeline::predict(const Query& q, Position& pos) {
  const LanguagePack& pack = model_.pack();
  const u32& typed = q.typed;
  int n = q.n;
  Scored raw;  // insertion order, as Python's dict
  Query chain = q;
  chain.final = false;
  for (size_t k = 0; k <= typed.size(); ++k) {
    for (const auto& [w, sc] : model_.search(pos, typed.substr(0, k), q.needs_space, n)) {
      if (pack.fold(w).compare(0, q.folded.size(), q.folded) != 0) continue;
      auto f = std::find_if(raw.begin(), raw.end(), [&](auto& p) { return p.first == w; });
      if (f == raw.end()) raw.emplace_back(w, sc);
      else f->second = std::max(sc, f->second);
    }
    if (selector_.pick(combiner_.merge(raw, chain, pos), chain).size() >= size_t(n)) break;
  }
  std::vector<Found> found;
  for (auto& [w, sc] : selector_.pick(combiner_.merge(raw, q, pos), q)) found.push_back({w, sc, false});
  if (contractions_ && q.stem.empty()) {
    Scored bare = contractions_->propose_scored(q, pos);
    if (!bare.empty()) found = selector_.with_respellings(found, bare, q);
  }
  Corrections* c = corrections_;
  if (c && c->applies(q)) {
    std::vector<double> scores;
    for (auto& f : found) scores.push_back(f.score);
    if (c->can_enter(scores, n))
      found = selector_.with_corrections(found, c->propose_scored(q, pos), q, knows_(typed),
                                         [&] { return c->exact(q, pos, selector_); });
  }
  Kind kind = !typed.empty() || !q.stem.empty() ? Kind::COMPLETION : Kind::NEXT;
  std::vector<Suggestion> out;
  for (size_t i = 0; i < found.size() && i < size_t(n); ++i)
    out.push_back({q.stem + found[i].word, found[i].score, kind, found[i].corrected});
  return out;
}

}  // namespace nextkey
