#include "engine.h"

#include <chrono>

#include "state.h"

namespace nextkey {

Engine::Engine(const std::string& bundle_path, const WindowConfig& window) : window_(window) {
  auto t0 = std::chrono::steady_clock::now();
  bundle_ = Bundle::open(bundle_path);
  const Manifest& m = bundle_.manifest;
  runner_ = std::make_unique<StepRunner>(m.file("model"), m.vocab_size(), m.state_size());
  misspellings_ = bundle_.pack->misspellings();
  load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

bool Engine::known(const u32& word) const {
  if (misspellings_.count(bundle_.pack->fold(word))) return false;
  return !bundle_.lexicon || bundle_.lexicon->contains(word);
}

bool Engine::keeps_whole(const u32& folded) const {
  const Lexicon* lex = bundle_.lexicon.get();
  if (!lex || lex->has_prefix(folded)) return true;
  // (the user memory's candidates: empty until memory.py is ported)
  size_t start = 0;  // not every part before the last hyphen a known word: kept whole
  for (size_t e; (e = folded.find(U'-', start)) != u32::npos; start = e + 1) {
    u32 part = folded.substr(start, e - start);
    if (part.empty() || !known(part)) return true;
  }
  return false;
}

Context Engine::context(const std::string& text) const {
  return parse(from_utf8(text), window_, [this](const u32& f) { return keeps_whole(f); }, *bundle_.pack);
}

std::vector<int> Engine::encode(const std::string& text) const {
  std::vector<int> ids;
  bundle_.sp->Encode(text, &ids);
  return ids;
}

std::vector<int> Engine::unit_tokens(const u32& unit) const {
  return nextkey::unit_tokens(*bundle_.sp, unit, bundle_.manifest.eos_id(), *bundle_.pack);
}

}  // namespace nextkey
