#include "corrections.h"

#include <algorithm>
#include <cmath>

#include "../keyboard.h"
#include "../selector.h"

namespace nextkey {

bool Corrections::applies(const Query& q) const { return q.needs_space && q.folded.size() >= size_t(slips_.cfg.min_typed); }

bool Corrections::can_enter(const std::vector<double>& s, int n) const {
  return s.size() < size_t(n) || s[size_t(n) - 1] < slips_.best_cost;
}

Scored Corrections::propose_scored(const Query& q, Position& pos) {
  const u32& low = q.folded;
  std::vector<std::pair<long, double>> best;  // insertion order
  for (const auto& [meant, cost] : slips_.meant(low))
    for (long i : lexicon_.completions(meant, 2)) {
      if (pack_.fold(lexicon_.forms()[size_t(i)]).compare(0, low.size(), low) == 0) continue;
      double v = cost + lexicon_.logprior(i);
      auto f = std::find_if(best.begin(), best.end(), [&](auto& p) { return p.first == i; });
      if (f == best.end()) best.emplace_back(i, v);
      else f->second = std::max(f->second, v);
    }
  if (best.empty()) return {};
  std::stable_sort(best.begin(), best.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (best.size() > size_t(slips_.cfg.max_candidates)) best.resize(size_t(slips_.cfg.max_candidates));
  Scored model;
  std::vector<std::pair<u32, double>> slip;
  for (auto& [i, v] : best) {
    const u32& w = lexicon_.forms()[size_t(i)];
    auto s = std::find_if(slip.begin(), slip.end(), [&](auto& p) { return p.first == w; });
    if (s == slip.end()) slip.emplace_back(w, v - lexicon_.logprior(i));
    else s->second = v - lexicon_.logprior(i);
  }
  std::vector<u32> words;
  for (auto& [w, c] : slip) words.push_back(w);
  std::vector<double> scores = model_.scores(pos, words);
  for (size_t i = 0; i < words.size(); ++i) model.emplace_back(words[i], scores[i]);
  Query chain = q;
  chain.final = false;
  Scored out;
  for (auto& [w, sc] : combiner_.merge(model, chain, pos, {"prior"})) {
    auto s = std::find_if(slip.begin(), slip.end(), [&](auto& p) { return p.first == w; });
    out.emplace_back(w, sc + s->second);
  }
  return out;
}

std::pair<u32, double> Corrections::exact(const Query& q, Position& pos, const Selector& selector) {
  long i = lexicon_.index(q.typed);
  u32 form = i >= 0 ? lexicon_.forms()[size_t(i)] : q.typed;
  return {selector.shape_exact(form, q), model_.score(pos, form)};
}

}  // namespace nextkey
