// The state stack's token rule (engine/state.py): the tokens one unit feeds. The stack itself
// (snapshots, the ahead stack) is not ported yet.
#pragma once
#include <sentencepiece_processor.h>

#include <vector>

#include "lang.h"

namespace nextkey {

constexpr int MAX_UNIT_PIECES = 24;  // a pasted 400-character "word" costs at most this many steps

// encode(unit)'s last MAX_UNIT_PIECES ids, then </s> when the unit ends a sentence by the pack's rule.
std::vector<int> unit_tokens(const sentencepiece::SentencePieceProcessor& sp, const u32& unit, int eos_id,
                             const LanguagePack& pack);

}  // namespace nextkey
