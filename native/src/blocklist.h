// Words the strip never offers unless typed in full (engine/blocklist.py): the language pack's
// shipped list and the user's "never suggest" entries, which block every form leading back to
// them (the pack's base_forms).
#pragma once
#include <set>
#include <string>

#include "lang.h"

namespace nextkey {

class Blocklist {
 public:
  Blocklist(std::set<u32> shipped, const LanguagePack& pack) : shipped_(std::move(shipped)), pack_(&pack) {}
  // The list in path (one word a line, # comments). Throws EngineError when it cannot be read.
  static Blocklist shipped_with(const std::string& path, const LanguagePack& pack);
  bool is_blocked(const u32& word) const;
  std::set<u32> user;  // folded never-suggest entries

 private:
  bool shipped(const u32& key) const;
  std::set<u32> shipped_;
  const LanguagePack* pack_;
};

}  // namespace nextkey
