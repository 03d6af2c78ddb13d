// Contractions typed without the apostrophe (engine/sources/contractions.py): "im" -> "I'm",
// "dont" -> "don't", scored by the model from the same state and mixed like any word.
#pragma once
#include <tuple>

#include "../combiner.h"
#include "../lexicon.h"
#include "model.h"

namespace nextkey {

class Contractions {
 public:
  Contractions(const LanguagePack& pack, const Lexicon& lexicon, ModelSource& model, const Combiner& combiner);
  std::vector<u32> candidates(const u32& folded) const;
  Scored propose_scored(const Query& q, Position& pos);

 private:
  const LanguagePack& pack_;
  ModelSource& model_;
  const Combiner& combiner_;
  std::vector<std::tuple<u32, u32, size_t>> entries_;  // (folded bare form, lexicon form, first apostrophe), sorted
};

class SlipModel;

// Typo corrections as a source (engine/sources/corrections.py): lexicon words a slip may have meant.
class Corrections {
 public:
  Corrections(SlipModel& slips, const Lexicon& lexicon, ModelSource& model, const Combiner& combiner,
              const LanguagePack& pack)
      : slips_(slips), lexicon_(lexicon), model_(model), combiner_(combiner), pack_(pack) {}
  bool applies(const Query& q) const;
  bool can_enter(const std::vector<double>& strip_scores, int n) const;
  Scored propose_scored(const Query& q, Position& pos);
  std::pair<u32, double> exact(const Query& q, Position& pos, const class Selector& selector);

 private:
  SlipModel& slips_;
  const Lexicon& lexicon_;
  ModelSource& model_;
  const Combiner& combiner_;
  const LanguagePack& pack_;
};

}  // namespace nextkey
