// The context tracker (engine/tracker.py): text before the cursor -> the committed units fed to
// the model, and the word being typed. A pure function of the text, as in Python.
#pragma once
#include <functional>
#include <vector>

#include "lang.h"
#include "unicode.h"

namespace nextkey {

struct Context {
  std::vector<u32> units;    // committed chunks fed to the model, oldest first
  u32 partial;               // the word being typed ('' right after a space or punctuation)
  bool needs_space = true;   // the word being typed opens a new chunk
  bool sentence_start = true;  // the next word starts a sentence
  std::vector<u32> ahead;    // the committed units the window will start with after its next move
  u32 stem;                  // the word's parts before its last hyphen ("role-" in "role-pl")
};

struct WindowConfig {
  int window_chars = 480;
  int block_chars = 160;
  bool sentence_scope = true;
};

// keep_whole(folded partial word): whether a hyphenated word being typed is completed whole;
// empty: always whole.
using KeepWhole = std::function<bool(const u32&)>;

Context parse(const u32& text, const WindowConfig& cfg, const KeepWhole& keep_whole, const LanguagePack& pack);
size_t window_start(const u32& text, const WindowConfig& cfg, const LanguagePack& pack);

}  // namespace nextkey
