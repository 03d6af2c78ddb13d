// Typo tolerance (engine/keyboard.py): the prefixes a slip of the finger may have meant
// (a neighbouring key, two letters swapped, one left out, one extra), with the slip's
// log-likelihood; only prefixes some lexicon word starts with; the first letter is trusted.
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "lang.h"

namespace nextkey {

struct SlipConfig {
  std::string layout = "qwerty";
  double reach = 1.3;
  double adjacent = -6.0, swapped = -6.0, missing = -6.0, extra = -6.0;
  int min_typed = 3;
  int max_candidates = 4;
  bool enabled = true;
};

using Meant = std::vector<std::pair<u32, double>>;  // insertion order, as Python's dict

class SlipModel {
 public:
  SlipModel(const SlipConfig& cfg, const LanguagePack& pack, std::function<bool(const u32&)> is_prefix);
  // What a typed prefix may have meant, memoized (bounded); safe to call from several threads
  // (sessions of one engine): a copy is returned, the memo is locked.
  Meant meant(const u32& typed);
  SlipConfig cfg;
  double best_cost;

 private:
  std::function<bool(const u32&)> is_prefix_;
  std::map<char32_t, std::vector<char32_t>> near_;  // neighbours, in layout order
  u32 alphabet_;
  std::unordered_map<u32, Meant> memo_;
  std::mutex memo_lock_;
};

}  // namespace nextkey
