// Typo corrections as a source (engine/sources/corrections.py): lexicon words a slip of the finger
// may have meant (keyboard.cpp's slip model), scored by the model, mixed with the prior, plus the
// slip's cost.
#pragma once
#include "../combiner.h"
#include "../lexicon.h"
#include "model.h"

namespace nextkey {

class SlipModel;

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
