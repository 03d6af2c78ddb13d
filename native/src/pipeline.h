// One keystroke's prediction (engine/pipeline.py): the model's words over the prefix chain,
// the combiner, the selector, then bare contractions and typo corrections.
#pragma once
#include <functional>

#include "combiner.h"
#include "position.h"
#include "selector.h"
#include "sources/contractions.h"
#include "sources/corrections.h"
#include "sources/model.h"

namespace nextkey {

class Pipeline {
 public:
  Pipeline(ModelSource& model, Combiner& combiner, Selector& selector, Corrections* corrections,
           std::function<bool(const u32&)> knows, Contractions* contractions)
      : model_(model), combiner_(combiner), selector_(selector), corrections_(corrections), knows_(std::move(knows)),
        contractions_(contractions) {}
  std::vector<Suggestion> predict(const Query& q, Position& pos);

 private:
  ModelSource& model_;
  Combiner& combiner_;
  Selector& selector_;
  Corrections* corrections_;
  std::function<bool(const u32&)> knows_;
  Contractions* contractions_;
};

}  // namespace nextkey
