#include "combiner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace nextkey {

double log_mix(double logp, double other, double weight) {
  double a = std::log1p(-weight) + logp, b = std::log(weight) + other;
  if (b == -INFINITY) return a;
  double hi = a >= b ? a : b, lo = a >= b ? b : a;
  return hi + std::log1p(std::exp(lo - hi));
}

Combiner::Combiner(std::vector<Source*> sources, std::map<std::string, double> weights)
    : sources_(std::move(sources)), weights_(std::move(weights)) {
  for (Source* s : sources_) {
    auto w = weights_.find(s->name());
    if (w == weights_.end() || !(w->second >= 0.0 && w->second < 1.0))
      throw std::invalid_argument("source '" + s->name() + "' needs a weight in [0, 1)");
  }
}

Scored Combiner::merge(const Scored& base, const Query& q, Position& pos, const std::vector<std::string>& only) const {
  Scored scored = base;
  for (Source* source : sources_) {
    double w = weights_.at(source->name());
    if (w <= 0 || !source->active() ||
        (!only.empty() && std::find(only.begin(), only.end(), source->name()) == only.end()))
      continue;
    Scored out;
    std::unordered_map<u32, size_t> at;
    for (const auto& [word, logp] : scored) {
      auto lp = source->logprob(word, q, pos);
      double v = lp ? log_mix(logp, *lp, w) : logp;
      auto it = at.find(word);
      if (it == at.end()) {
        at[word] = out.size();
        out.emplace_back(word, v);
      } else {
        out[it->second].second = v;
      }
    }
    double log_w = std::log(w);
    for (const u32& word : source->propose(q, pos)) {
      if (at.count(word)) continue;
      auto lp = source->logprob(word, q, pos);
      if (lp && *lp > -INFINITY) {
        at[word] = out.size();
        out.emplace_back(word, log_w + *lp);
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    scored = std::move(out);
  }
  return scored;
}

}  // namespace nextkey
