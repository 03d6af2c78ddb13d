// What the engine learns from its user (engine/memory.py), kept in RAM for the engine's life:
// decayed counts of committed words and word pairs, the user's spelling of each word, and the
// blocklist; forget, wipe, export (memory.py's JSON) and import (a personal dictionary), so an app
// saves it in a file of its own and restores it. Not ported: the persistent store (store.py: SQLite,
// shared between processes).
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "blocklist.h"

namespace nextkey {

constexpr int MEMORY_FORMAT_VERSION = 2;  // memory.py FORMAT_VERSION: what export writes
constexpr double MAX_IMPORT_COUNT = 1e6;  // a count an imported word may bring

// A personal dictionary (memory.py read_dictionary): words {spelling: count}, pairs
// {"prev\tword": count} and never-suggest words, in the file's order.
struct Dictionary {
  std::vector<std::pair<u32, double>> words, pairs;
  std::vector<u32> blocked;
};
struct ImportCounts {
  size_t words = 0, pairs = 0, blocked = 0, skipped = 0, no_room = 0;  // no_room: left out, memory full
};

struct MemoryConfig {
  double half_life = 5000.0;   // in committed words
  size_t max_words = 20000, max_pairs = 50000;  // past these, the weakest are dropped (to 90%)
  double min_count = 1.5;      // a word must be typed about twice before it is offered
  double slip_min_count = 3.5; // ... four times when it is one slip from a frequent word
};

class UserMemory {
 public:
  UserMemory(const LanguagePack& pack, Blocklist blocklist, MemoryConfig cfg = MemoryConfig())
      : blocklist(std::move(blocklist)), pack_(pack), cfg_(cfg) {}
  // Learn one committed word (and the pair it makes with the previous one); the secrets rule
  // (text.learnable) refuses numbers and letter-digit mixes that are not common words.
  void observe(const u32& word, const std::optional<u32>& prev, bool sentence_start);
  size_t learn_text(const u32& text);  // every word of a text; returns the word count
  bool active() const { return !words_.empty(); }
  double prob(const u32& word, const std::optional<u32>& prev, double pair_share = 0.7) const;
  std::optional<u32> spelling(const u32& word) const;
  std::vector<u32> candidates(const u32& prefix, size_t limit) const;
  // Throws std::invalid_argument for what is not one word or is never learned.
  void block(const u32& word);
  void unblock(const u32& word);
  // Drop a learned word, every pair it is in and its spelling votes; true if there was any.
  bool forget(const u32& word);
  // Forget everything learned and blocked by the user (the clock starts again at 0).
  void wipe();
  // memory.py export() as JSON text: format_version, store (null), clock, words {spelling:
  // decayed count}, pairs {"prev\tword": decayed count}, blocked (sorted folded words); counts
  // rounded to 4 decimals.
  std::string export_json() const;
  // memory.py import_words: counts add to what is there (each spelling a vote of its count),
  // pairs add, blocked words are blocked; words the secrets rule refuses are skipped and counted.
  ImportCounts import_words(const Dictionary& d);
  long version() const { return version_; }
  Blocklist blocklist;
  std::function<bool(const u32&)> is_common, near_slip;  // set by the engine from its lexicon

 private:
  struct Entry {
    double count = 0;
    long last = 0;
    u32 spelling;
  };
  double decayed(const Entry* e) const;
  // The spelling with the most decayed votes (a tie: the first in code-point order, as memory.py's
  // _spelling), or empty.
  u32 voted_spelling(const u32& key) const;
  void evict();
  bool learnable(const u32& word) const;
  const LanguagePack& pack_;
  MemoryConfig cfg_;
  long clock_ = 0, version_ = 0;
  double mass_ = 0;
  std::map<u32, Entry> words_;  // folded key -> entry (sorted: prefix ranges)
  std::unordered_map<u32, Entry> pairs_;  // "prev\tword"
  std::unordered_map<u32, std::map<u32, Entry>> votes_;  // key -> spelling -> votes
};

bool is_word(const u32& text, const LanguagePack& pack);
bool learnable(const u32& word, const std::function<bool(const u32&)>& is_common);
u32 learned_form(const u32& word, const LanguagePack& pack);
std::vector<std::pair<size_t, u32>> learnable_words(const u32& text, const LanguagePack& pack);
// Read a personal dictionary: export's JSON or a plain word list (UTF-8, one word a line,
// optionally a count > 0 after it; blank lines and # lines skipped; a word without a count counts
// 2). Throws std::invalid_argument naming the file and the line or field at the first fault
// (memory.py's messages), std::runtime_error when the file cannot be read.
Dictionary read_dictionary(const std::string& path, const LanguagePack& pack);

}  // namespace nextkey
