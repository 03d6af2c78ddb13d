#include "settings.h"

#include <stdexcept>

namespace nextkey {

namespace {
template <class T>
void take(const nlohmann::json& obj, const char* section, const char* key, T& into) {
  if (!obj.contains(key)) return;
  try {
    into = obj.at(key).get<T>();
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string("settings.") + section + key + " has the wrong type: " + obj.at(key).dump());
  }
}
}  // namespace

EngineSettings EngineSettings::from_json(const nlohmann::json& d) {
  EngineSettings s;
  if (!d.is_object()) throw std::invalid_argument("settings must be an object, got " + d.dump());
  if (d.contains("decoder")) {
    const auto& o = d["decoder"];
    take(o, "decoder.", "children", s.decoder.children);
    take(o, "decoder.", "max_pieces", s.decoder.max_pieces);
    take(o, "decoder.", "max_expansions", s.decoder.max_expansions);
  }
  if (d.contains("window")) {
    const auto& o = d["window"];
    take(o, "window.", "window_chars", s.window.window_chars);
    take(o, "window.", "block_chars", s.window.block_chars);
    take(o, "window.", "sentence_scope", s.window.sentence_scope);
  }
  if (d.contains("slips")) {
    const auto& o = d["slips"];
    take(o, "slips.", "layout", s.slips.layout);
    take(o, "slips.", "reach", s.slips.reach);
    take(o, "slips.", "adjacent", s.slips.adjacent);
    take(o, "slips.", "swapped", s.slips.swapped);
    take(o, "slips.", "missing", s.slips.missing);
    take(o, "slips.", "extra", s.slips.extra);
    take(o, "slips.", "min_typed", s.slips.min_typed);
    take(o, "slips.", "max_candidates", s.slips.max_candidates);
    take(o, "slips.", "enabled", s.slips.enabled);
  }
  if (d.contains("weights")) {
    s.weights.clear();
    for (auto it = d["weights"].begin(); it != d["weights"].end(); ++it) {
      double w = it.value().get<double>();
      if (!(w >= 0 && w < 1)) throw std::invalid_argument("settings.weights." + it.key() + " must be in [0, 1), got " + it.value().dump());
      s.weights[it.key()] = w;
    }
  }
  take(d, "", "prior_words", s.prior_words);
  take(d, "", "memory_words", s.memory_words);
  take(d, "", "memory_pair_share", s.memory_pair_share);
  take(d, "", "max_partial", s.max_partial);
  take(d, "", "ahead_steps", s.ahead_steps);
  take(d, "", "compound_rank", s.compound_rank);
  take(d, "", "compound_logprob", s.compound_logprob);
  return s;
}

}  // namespace nextkey
