// Mixing the sources' word probabilities (engine/combiner.py): linear interpolation in the
// settings' order, p <- (1 - w) p + w p_s, then the source's own proposals at w p_s.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sources/source.h"

namespace nextkey {

double log_mix(double logp, double other, double weight);

class Combiner {
 public:
  // Throws std::invalid_argument for a source without a weight in [0, 1).
  Combiner(std::vector<Source*> sources, std::map<std::string, double> weights);
  // base: the model's words in insertion order; only: mix these sources alone (empty: all).
  Scored merge(const Scored& base, const Query& q, Position& pos, const std::vector<std::string>& only = {}) const;

 private:
  std::vector<Source*> sources_;
  std::map<std::string, double> weights_;
};

}  // namespace nextkey
