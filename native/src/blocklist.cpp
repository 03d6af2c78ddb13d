#include "blocklist.h"

#include <fstream>

#include "errors.h"

namespace nextkey {

Blocklist Blocklist::shipped_with(const std::string& path, const LanguagePack& pack) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw EngineError("cannot read the shipped blocklist " + path);
  std::set<u32> words;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    u32 w = strip(from_utf8(line), U" \t\r\n\v\f", true, true);
    if (!w.empty()) words.insert(pack.fold(w));
  }
  return Blocklist(std::move(words), pack);
}

bool Blocklist::shipped(const u32& key) const {
  if (shipped_.count(key)) return true;
  for (const u32& e : pack_->blocklist_endings)
    if (ends_with(key, e) && shipped_.count(key.substr(0, key.size() - e.size()))) return true;
  return false;
}

bool Blocklist::is_blocked(const u32& word) const {
  u32 key = pack_->fold(word);
  if (shipped(key)) return true;
  for (const u32& end : {u32(U"'s"), u32(U"'")})
    if (ends_with(key, end) && key.size() > end.size() + 1) {
      if (shipped(key.substr(0, key.size() - end.size()))) return true;
      break;
    }
  if (user.empty()) return false;
  for (const u32& k : pack_->base_forms(key))
    if (user.count(k)) return true;
  return false;
}

}  // namespace nextkey
