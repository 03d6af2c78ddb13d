// The lexicon's prior as a source (engine/sources/prior.py): a word's share of the lexicon's
// counts, and the prefix's most frequent words proposed in the final pass only.
#pragma once
#include "../lexicon.h"
#include "source.h"

namespace nextkey {

class LexiconPrior : public Source {
 public:
  LexiconPrior(const Lexicon& lexicon, int proposals) : lexicon_(lexicon), proposals_(proposals) {}
  std::string name() const override { return "prior"; }
  bool active() const override { return true; }
  std::optional<double> logprob(const u32& word, const Query&, Position&) override {
    long i = lexicon_.index(word);
    if (i < 0) return std::nullopt;
    return lexicon_.logprior(i);
  }
  std::vector<u32> propose(const Query& q, Position&) override {
    std::vector<u32> out;
    if (!q.final || proposals_ <= 0) return out;
    for (long i : lexicon_.completions(q.folded, size_t(proposals_))) out.push_back(lexicon_.forms()[size_t(i)]);
    return out;
  }

 private:
  const Lexicon& lexicon_;
  int proposals_;
};

}  // namespace nextkey
