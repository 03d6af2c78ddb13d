// The pieces a word may continue with, given the typed prefix and the lexicon (engine/walk.py):
// a character trie of the pieces walked alongside the lexicon's sorted keys, memoized.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "lexicon.h"
#include "vocab.h"

namespace nextkey {

class LexiconWalk {
 public:
  LexiconWalk(const Vocab& vocab, const Lexicon& lexicon);
  // Sorted ids of the pieces that may follow a path spelling text (all folded): opening the word
  // (first, text '') or continuing it, such that text + piece begins a lexicon word and agrees
  // with rest, the typed part not yet spelled. Thread-safe: the walk is shared by every session
  // of an engine (one session per thread), so the memo is guarded and its answers are shared
  // pointers that a later clear() of the memo cannot free under a caller.
  std::shared_ptr<const std::vector<int>> pieces(bool first, const u32& text, const u32& rest);
  const Vocab& vocab;
  const Lexicon& lexicon;

 private:
  struct Trie {
    std::map<char32_t, std::unique_ptr<Trie>> children;
    std::vector<int> ids;  // the pieces that end here
  };
  static std::unique_ptr<Trie> build(const Vocab& vocab, const std::vector<int>& ids, const LanguagePack& pack);
  std::vector<int> walk(const Trie& root, const u32& text, const u32& rest) const;
  std::unique_ptr<Trie> cont_;
  std::shared_ptr<const std::vector<int>> starts_;
  std::unordered_map<u32, std::shared_ptr<const std::vector<int>>> memo_;  // key: first, text, U+1, rest
  std::mutex lock_;
};

}  // namespace nextkey
