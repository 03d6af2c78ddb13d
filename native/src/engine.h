// The facade (engine/engine.py): the one place that wires the parts of the runtime. Opens and
// checks the bundle, loads the model once, and builds what every session shares: the vocabulary,
// the lexicon walk, the user memory (in RAM), the known words, the slip model and the sources.
#pragma once
#include <memory>
#include <shared_mutex>
#include <set>
#include <string>

#include "bundle.h"
#include "keyboard.h"
#include "known.h"
#include "memory.h"
#include "runner.h"
#include "session.h"
#include "settings.h"
#include "sources/memory.h"
#include "sources/prior.h"
#include "tracker.h"
#include "vocab.h"
#include "walk.h"

namespace nextkey {

constexpr long FREQUENT_WORDS = 20000;  // a learned word one slip from one of these is a likely typo
constexpr long SLIP_RANK_RATIO = 10;

class Engine {
 public:
  // lang_dir: the language pack's files (the shipped blocklist, the common letter-digit words);
  // empty: the bundle's own lang/ folder (nextkey export writes it), else the folder compiled in
  // (NEXTKEY_LANG_DIR: the source tree's engine/lang). settings: null for the bundle's own.
  // Throws BundleError (also for a language file that cannot be read), EngineError.
  explicit Engine(const std::string& bundle_path, const EngineSettings* settings = nullptr,
                  const std::string& lang_dir = "");
  Context context(const std::string& text_before_cursor) const;  // UTF-8 in
  Context context(const u32& text) const;
  std::vector<int> encode(const std::string& text) const;
  std::vector<int> encode(const u32& text) const { return encode(to_utf8(text)); }
  std::vector<int> unit_tokens(const u32& unit) const;
  const Bundle& bundle() const { return bundle_; }
  const LanguagePack& pack() const { return *bundle_.pack; }
  StepRunner& runner() { return *runner_; }
  std::unique_ptr<StepRunner> new_runner() const;
  std::unique_ptr<Session> session(bool learn = false) { return std::make_unique<Session>(*this, learn); }
  size_t learn_text(const u32& text) {
    std::unique_lock<std::shared_mutex> w(memory_lock);
    return memory->learn_text(text);
  }
  void block(const u32& word) {
    std::unique_lock<std::shared_mutex> w(memory_lock);
    memory->block(word);
  }
  void unblock(const u32& word) {
    std::unique_lock<std::shared_mutex> w(memory_lock);
    memory->unblock(word);
  }
  bool forget(const u32& word) {
    std::unique_lock<std::shared_mutex> w(memory_lock);
    return memory->forget(word);
  }
  void wipe_memory() {
    std::unique_lock<std::shared_mutex> w(memory_lock);
    memory->wipe();
  }
  // The memory as JSON (UserMemory::export_json), written to path atomically: a file beside it,
  // flushed to disk, renamed over it (a crash leaves the old file or the new one). Throws
  // std::runtime_error naming the file and the system's reason.
  void export_memory(const std::string& path);
  // Merge a personal dictionary file (read_dictionary: nothing of a bad file is merged).
  ImportCounts import_memory(const std::string& path);
  // Sessions on several threads share the engine: what changes the user memory (learn, block, a
  // session's observe) holds this exclusively; a session's suggestions and context hold it shared.
  std::shared_mutex memory_lock;
  std::optional<u32> user_spelling(const u32& word) const;
  double load_ms = 0;

  EngineSettings settings;
  std::unique_ptr<UserMemory> memory;
  std::unique_ptr<KnownWords> known;
  std::unique_ptr<Vocab> vocab;
  std::unique_ptr<LexiconWalk> walk;
  std::unique_ptr<SlipModel> slips;
  std::vector<std::unique_ptr<Source>> sources;  // mixed into the model's words, in order

 private:
  Bundle bundle_;
  std::unique_ptr<StepRunner> runner_;
  std::set<u32> alnum_;
};

}  // namespace nextkey
