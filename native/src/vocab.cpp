#include "vocab.h"

#include <algorithm>

namespace nextkey {

bool is_word_text(const u32& s, const LanguagePack& pack) {
  for (char32_t c : s)
    if (!is_alnum(c) && !contains(pack.apostrophes, c) && !contains(pack.hyphens, c)) return false;
  return true;
}

Vocab::Vocab(const sentencepiece::SentencePieceProcessor& sp, int eos_id, const LanguagePack& pack) {
  int n = sp.GetPieceSize();
  boundary_f.assign(size_t(n), 0.f);
  const u32 space = U"\u2581";
  for (int i = 0; i < n; ++i) {
    u32 piece = from_utf8(sp.IdToPiece(i));
    bool special = sp.IsControl(i) || sp.IsUnknown(i) || sp.IsByte(i);
    bool opens = !piece.empty() && piece[0] == space[0];
    u32 body = opens ? piece.substr(1) : piece;
    text.push_back(special ? U"" : body);
    if (special) {
      boundary_f[size_t(i)] = i == eos_id ? 1.f : 0.f;
      continue;
    }
    if (opens) {
      boundary_f[size_t(i)] = 1.f;
      if (is_word_text(body, pack)) {
        start_ids.push_back(i);
        start_.pairs.emplace_back(pack.fold(body), i);
      }
    } else if (is_word_text(piece, pack)) {
      cont_ids.push_back(i);
      cont_.pairs.emplace_back(pack.fold(piece), i);
    } else {
      boundary_f[size_t(i)] = !piece.empty() && !is_alnum(piece[0]) ? 1.f : 0.f;  // punctuation closes a word
    }
  }
  std::sort(start_.pairs.begin(), start_.pairs.end());
  std::sort(cont_.pairs.begin(), cont_.pairs.end());
}

std::vector<int> Vocab::Index::consistent(const u32& rest) const {
  std::vector<int> out;
  auto lo = std::lower_bound(pairs.begin(), pairs.end(), std::make_pair(rest, -1));
  u32 end = rest + U'\U0010ffff';
  for (auto it = lo; it != pairs.end() && it->first < end; ++it) out.push_back(it->second);
  for (size_t k = 0; k < rest.size(); ++k) {
    u32 key = rest.substr(0, k);
    for (auto it = std::lower_bound(pairs.begin(), pairs.end(), std::make_pair(key, -1));
         it != pairs.end() && it->first == key; ++it)
      out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> Vocab::candidates(bool first, const u32& rest) const {
  if (rest.empty()) return first ? start_ids : cont_ids;
  return (first ? start_ : cont_).consistent(rest);
}

}  // namespace nextkey
