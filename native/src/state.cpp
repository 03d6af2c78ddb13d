#include "state.h"

#include "text.h"

namespace nextkey {

std::vector<int> unit_tokens(const sentencepiece::SentencePieceProcessor& sp, const u32& unit, int eos_id,
                             const LanguagePack& pack) {
  std::vector<int> ids;
  sp.Encode(to_utf8(unit), &ids);
  if (ids.size() > size_t(MAX_UNIT_PIECES)) ids.erase(ids.begin(), ids.end() - MAX_UNIT_PIECES);
  if (ends_sentence(unit, pack)) ids.push_back(eos_id);
  return ids;
}

}  // namespace nextkey
