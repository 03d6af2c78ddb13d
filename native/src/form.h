// How a decoded word is shown (engine/form.py): the case the user typed, capitalized sentence
// starts, the language's always-capitalized words ("I"), nothing that is not a clean word.
#pragma once
#include <functional>
#include <optional>

#include "decoder.h"
#include "lang.h"

namespace nextkey {

bool presentable(const u32& word);
using HasForm = std::function<bool(const u32&)>;  // one of the lexicon's spellings, case included
// has_form: lowercase letters typed inside a sentence keep a word lowercase where it has that
// spelling ("const" -> "constitution"; "mon" -> "Monday" stays): engine/form.py shape.
u32 shape(const u32& word, const u32& typed, bool sentence_start, const LanguagePack& pack,
          const HasForm& has_form = nullptr);
// word as the strip shows it (case, the user's apostrophe), or nullopt when it cannot be shown.
std::optional<u32> shown_as(const u32& word, const u32& typed, bool sentence_start, const u32& apostrophe,
                            const LanguagePack& pack, const HasForm& has_form = nullptr);
using Shaper = std::function<std::optional<u32>(const u32&, const u32&, bool, const u32&)>;
// Shape every word, drop what cannot be shown, show each word once (forms differing in case or
// apostrophe add up under the most probable form).
Scored merge_forms(const Scored& scored, const u32& typed, bool sentence_start, const u32& apostrophe,
                   const LanguagePack& pack, const Shaper& shaper);
Scored merge_corrections(const Scored& scored, const u32& typed, bool sentence_start, const u32& apostrophe,
                         const LanguagePack& pack, const HasForm& has_form = nullptr);

}  // namespace nextkey
