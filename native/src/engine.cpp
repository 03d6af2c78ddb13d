#include "engine.h"

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <unistd.h>

#include "errors.h"
#include "state.h"

namespace nextkey {

namespace {
// Whether word is one slip from one of the lexicon's FREQUENT_WORDS most frequent words and not
// itself a word of comparable frequency (engine.py near_slip).
bool near_slip(const u32& word, const Lexicon& lexicon, SlipModel& slips, const LanguagePack& pack) {
  long own = lexicon.index(word);
  u32 low = pack.fold(word);
  for (const auto& [meant, cost] : slips.meant(low)) {
    if (meant.size() + 1 < low.size()) continue;
    long i = lexicon.index(meant);
    if (i >= 0 && i < FREQUENT_WORDS && pack.fold(lexicon.forms()[size_t(i)]) == meant &&
        (own < 0 || own > SLIP_RANK_RATIO * std::max(i, 1L)))
      return true;
  }
  return false;
}
}  // namespace

#ifndef NEXTKEY_LANG_DIR
#define NEXTKEY_LANG_DIR "engine/lang"
#endif

namespace {
// The folder with the pack's files: the caller's, else the bundle's lang/, else the compiled-in one.
std::string lang_folder(const std::string& given, const std::string& bundle_path, const LanguagePack& pk) {
  if (!given.empty()) return given;
  std::string own = bundle_path + "/lang";
  if (std::ifstream(own + "/" + pk.blocklist).good()) return own;
  return NEXTKEY_LANG_DIR;
}
}  // namespace

Engine::Engine(const std::string& bundle_path, const EngineSettings* given, const std::string& given_lang_dir) {
  auto t0 = std::chrono::steady_clock::now();
  bundle_ = Bundle::open(bundle_path);
  const Manifest& m = bundle_.manifest;
  if (given) {
    settings = *given;
  } else if (m.data.contains("settings")) {
    try {
      settings = EngineSettings::from_json(m.data["settings"]);
    } catch (const std::exception& e) {
      throw BundleError("bundle " + m.path + ": manifest.json " + e.what());
    }
  }
  const LanguagePack& pk = *bundle_.pack;
  const std::string lang_dir = lang_folder(given_lang_dir, bundle_path, pk);
  const Lexicon* lex = bundle_.lexicon.get();
  if (settings.slips.enabled && lex)
    slips = std::make_unique<SlipModel>(settings.slips, pk, [lex](const u32& f) { return lex->has_prefix(f); });
  memory = std::make_unique<UserMemory>(pk, Blocklist::shipped_with(lang_dir + "/" + pk.blocklist, pk));
  if (!pk.alnum_words.empty()) {
    std::ifstream f(lang_dir + "/" + pk.alnum_words);
    if (!f) throw BundleError("cannot read the language pack's file " + lang_dir + "/" + pk.alnum_words +
                              " (a bundle carries its pack's files in lang/: nextkey export writes them)");
    std::string line;
    while (std::getline(f, line)) {
      u32 w = strip(from_utf8(line), U" \t\r\n", true, true);
      if (!w.empty() && w[0] != U'#') alnum_.insert(w);
    }
  }
  vocab = std::make_unique<Vocab>(*bundle_.sp, m.eos_id(), pk);
  if (lex) walk = std::make_unique<LexiconWalk>(*vocab, *lex);
  known = std::make_unique<KnownWords>(lex, *memory, pk);
  memory->is_common = [this, lex](const u32& w) { return alnum_.count(lower(w)) || (lex && lex->contains(w)); };
  if (lex && slips) {
    SlipModel* s = slips.get();
    const LanguagePack* p = &pk;
    memory->near_slip = [lex, s, p](const u32& w) { return near_slip(w, *lex, *s, *p); };
  }
  if (lex) sources.push_back(std::make_unique<LexiconPrior>(*lex, settings.prior_words));
  sources.push_back(std::make_unique<MemorySource>(*memory, settings.memory_words, settings.memory_pair_share));
  runner_ = new_runner();
  load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::unique_ptr<StepRunner> Engine::new_runner() const {
  const Manifest& m = bundle_.manifest;
  return std::make_unique<StepRunner>(m.file("model"), m.vocab_size(), m.state_size());
}

void Engine::export_memory(const std::string& path) {
  std::string text;
  {
    std::shared_lock<std::shared_mutex> r(memory_lock);
    text = memory->export_json();
  }
  // A new file beside the old one (same folder: the rename cannot cross file systems), made
  // exclusively so no one else's file is written, flushed to disk before it replaces the old.
  std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}());
  auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write the user memory to " + path + ": " + what + ": " + std::strerror(err));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write the user memory to " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t k = ::write(fd, text.data() + done, text.size() - done);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      int err = errno;
      ::close(fd);
      fail("write", err);
    }
    done += size_t(k);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    fail("fsync", err);
  }
  if (::close(fd) != 0) fail("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", errno);
}

ImportCounts Engine::import_memory(const std::string& path) {
  Dictionary d = read_dictionary(path, pack());  // read and checked whole before anything changes
  std::unique_lock<std::shared_mutex> w(memory_lock);
  return memory->import_words(d);
}

std::optional<u32> Engine::user_spelling(const u32& word) const {
  auto spelling = memory->spelling(word);
  const Lexicon* lex = bundle_.lexicon.get();
  if (!spelling || !lex) return spelling;
  if (lex->has_form(*spelling)) return std::nullopt;
  const u32& s = *spelling;
  if (!s.empty() && is_upper(u32(1, s[0])) && is_lower(s.substr(1))) {  // "Great" (Britain): the model decides
    long i = lex->index(s);
    if (i >= 0 && i < FREQUENT_WORDS && lex->has_form(lower(s))) return std::nullopt;
  }
  return spelling;
}

Context Engine::context(const u32& text) const {
  return parse(text, settings.window, [this](const u32& f) { return known->keeps_whole(f); }, *bundle_.pack);
}

Context Engine::context(const std::string& text) const { return context(from_utf8(text)); }

std::vector<int> Engine::encode(const std::string& text) const {
  std::vector<int> ids;
  bundle_.sp->Encode(text, &ids);
  return ids;
}

std::vector<int> Engine::unit_tokens(const u32& unit) const {
  return nextkey::unit_tokens(*bundle_.sp, unit, bundle_.manifest.eos_id(), *bundle_.pack);
}

}  // namespace nextkey
