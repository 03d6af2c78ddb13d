// The text rules (engine/text.py): the word being typed, where a sentence ends, how raw input is
// cleaned, what an e-mail or web address is. Ported so far: what the tracker and state stack use.
#pragma once
#include <optional>
#include <vector>

#include "lang.h"
#include "unicode.h"

namespace nextkey {

enum class End { NONE, NEVER, SOFT, PLAIN };

struct Gap {  // a place where a sentence may end (sentence_gaps)
  size_t a, b;  // where the whitespace after the chunk begins, where it ends
  u32 chunk;
  bool broke;
};

u32 partial_word(const u32& text_before_cursor, const LanguagePack& pack);
// The start of PARTIAL's match in a chunk (a run of non-space characters): the word being typed
// at its end, [^\W_][\w'’-]*\Z; npos when the chunk ends in punctuation.
size_t partial_match(const u32& chunk, const LanguagePack& pack);
u32 clean(const u32& text, const LanguagePack& pack);
bool is_address(const u32& chunk);  // ADDRESS.fullmatch(chunk)

End sentence_end(const u32& chunk, const LanguagePack& pack);
bool is_break(const u32& chunk, const std::optional<u32>& following, const LanguagePack& pack);
bool ends_sentence(const u32& unit, const LanguagePack& pack);
bool leads_abbreviation(const u32& chunk, const LanguagePack& pack);  // false for packs without multi-part ones
std::vector<Gap> sentence_gaps(const u32& text, const LanguagePack& pack, bool typing = true,
                               bool from_last_break = false);
size_t sentence_start(const u32& text, const LanguagePack& pack);
bool in_address(const u32& text_before_cursor);  // the cursor is inside an address or an underscore code
std::optional<u32> last_word(const u32& text, const LanguagePack& pack);  // the last whole word of the tail
// The text after accepting word: the word being typed replaced, a space before it after a word
// or symbol (not after an opening bracket or quote), one space after it.
u32 accept(const u32& before, const u32& word, const LanguagePack& pack);
// Whether chars, typed right after an accept's automatic space, take that space back.
bool takes_space(const u32& before, const u32& chars);

}  // namespace nextkey
