// What was computed below one committed model state (engine/position.py): the decoder's node
// cache, the model source's searches and the strips shown (for one memory version).
#pragma once
#include <map>
#include <tuple>

#include "decoder.h"

namespace nextkey {

// pipeline.py's Suggestion (here: Position keeps the strips shown)
enum class Kind { NEXT, COMPLETION };

struct Suggestion {
  u32 word;      // the whole word, ready to replace the partial word
  double score;  // natural-log probability (the combined mix)
  Kind kind;
  bool corrected = false;
};


struct Position {
  static constexpr size_t MAX_SEARCHES = 1024, MAX_ANSWERS = 1024;
  explicit Position(SnapshotPtr t) : top(t), nodes(t->node) {}
  SnapshotPtr top;
  NodeCache nodes;
  std::map<std::tuple<u32, bool, int>, Scored> searches;  // (folded prefix, needs_space, n) -> words
  using AnswerKey = std::tuple<u32, u32, bool, bool, int, u32>;  // stem, partial, needs_space, sentence_start, n, apostrophe
  std::map<AnswerKey, std::vector<Suggestion>> answers;
  long version = -1;
  std::map<AnswerKey, std::vector<Suggestion>>& answers_for(long v) {
    if (v != version || answers.size() >= MAX_ANSWERS) {
      answers.clear();
      version = v;
    }
    return answers;
  }
  void bound() {
    if (searches.size() >= MAX_SEARCHES) searches.clear();
  }
};

}  // namespace nextkey
