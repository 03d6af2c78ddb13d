// Which words the engine may offer (engine/known.py): the lexicon's and the user's learned words.
#pragma once
#include <set>

#include "lexicon.h"
#include "memory.h"

namespace nextkey {

class KnownWords {
 public:
  KnownWords(const Lexicon* lexicon, const UserMemory& memory, const LanguagePack& pack)
      : lexicon_(lexicon), memory_(memory), pack_(pack), misspellings_(pack.misspellings()) {}
  bool known(const u32& word) const;      // in the lexicon or learned, and not a misspelling
  bool knows(const u32& word) const;      // known, or known words joined by hyphens
  bool keeps_whole(const u32& folded) const;
  bool compound_ok(const u32& stem, const u32& part, double logp, long common_rank, double min_logp) const;

 private:
  const Lexicon* lexicon_;
  const UserMemory& memory_;
  const LanguagePack& pack_;
  std::set<u32> misspellings_;
};

}  // namespace nextkey
