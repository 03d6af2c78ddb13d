// Candidate sources (engine/sources/__init__.py): each proposes words for the word being typed
// and gives its probability for any word; the combiner mixes them.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "../decoder.h"

namespace nextkey {

struct Position;

// What the sources are asked at one keystroke (after the tracker).
struct Query {
  u32 typed, folded;
  std::optional<u32> prev;  // the previous word of the sentence
  bool needs_space = true, sentence_start = false;
  int n = 3;
  u32 apostrophe = U"'";
  u32 stem;            // a hyphenated word's parts typed before ("role-")
  bool final = true;   // false while the prefix chain still looks for n words
  std::vector<u32> context;  // the sentence's last words before the one typed (at most 2)
};

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  virtual bool active() const = 0;
  // natural-log probability (-inf: none), or nullopt: no opinion (the word keeps its score)
  virtual std::optional<double> logprob(const u32& word, const Query& q, Position& pos) = 0;
  virtual std::vector<u32> propose(const Query& q, Position& pos) = 0;
};

}  // namespace nextkey
