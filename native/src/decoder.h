// Best-first search from subword pieces to whole words (engine/decoder.py). A word opens with a
// '▁' piece (or a continuation piece glued to punctuation), grows with continuation pieces, and
// ends where the model puts mass on a boundary; its score is the log-probability of its pieces
// plus the log of that boundary mass. With a lexicon only paths that spell a prefix of a lexicon
// word are walked and only lexicon words are finished, in the lexicon's spelling.
#pragma once
#include <map>
#include <vector>

#include "lexicon.h"
#include "runner.h"
#include "state.h"
#include "vocab.h"
#include "walk.h"

namespace nextkey {

struct DecoderConfig {
  int children = 8;         // continuations queued per expanded path
  int max_pieces = 6;       // longest word, in pieces
  int max_expansions = 12;  // model steps per search, at most
  // Native only, a speed setting that changes no result: rows stepped in one model call, at most.
  // A search that needs a step also steps the best queued paths it may still expand (batched
  // rows cost a fraction of a call each and come out bit for bit the same; native/README.md).
  int batch = 4;
};

using Scored = std::vector<std::pair<u32, double>>;  // (word, natural-log probability)

// Expanded paths below one committed state: path -> Node. trim() drops all but the root once
// over limit; it runs between searches only.
class NodeCache {
 public:
  explicit NodeCache(NodePtr root, size_t limit = 512) : limit_(limit) { nodes_[{}] = std::move(root); }
  NodePtr get(const std::vector<int>& path) const {
    auto it = nodes_.find(path);
    return it == nodes_.end() ? nullptr : it->second;
  }
  void put(const std::vector<int>& path, NodePtr node) { nodes_[path] = std::move(node); }
  void trim() {
    if (nodes_.size() > limit_) {
      NodePtr root = nodes_[{}];
      nodes_.clear();
      nodes_[{}] = root;
    }
  }

 private:
  std::map<std::vector<int>, NodePtr> nodes_;
  size_t limit_;
};

class WordDecoder {
 public:
  WordDecoder(StepRunner& runner, const Vocab& vocab, const DecoderConfig& cfg, LexiconWalk* walk,
              const LanguagePack& pack);
  // The words found (lexicon spelling, log-prob), best first.
  Scored search(NodeCache& cache, const u32& prefix, bool needs_space, int n_words);
  // log p of a word spelled by ids from the root, with its boundary mass.
  double score_path(NodeCache& cache, const std::vector<int>& ids);
  // score_path for each of words, their missing nodes stepped level by level in batches.
  std::vector<double> score_paths(NodeCache& cache, const std::vector<std::vector<int>>& words);

 private:
  struct Item {
    double neg;
    std::vector<int> path;
    u32 text;
    bool operator>(const Item& o) const {
      if (neg != o.neg) return neg > o.neg;
      if (path != o.path) return path > o.path;
      return text > o.text;
    }
  };
  NodePtr expand(NodeCache& cache, const std::vector<int>& path);
  void step_paths(NodeCache& cache, const std::vector<const std::vector<int>*>& paths);
  void step_with_frontier(NodeCache& cache, const std::vector<int>& path, const std::vector<Item>& heap,
                          double floor, int left);
  double boundary(const Node& node) const;
  bool word(const u32& text, u32& out) const;
  static constexpr size_t MAX_CHILDREN = 64;  // push_children's one-pass top-k; more: nth_element
  void push_child(std::vector<Item>& heap, double score, const std::vector<int>& path, const u32& text, int t);
  void push_children(std::vector<Item>& heap, const float* logprobs, double score,
                     const std::vector<int>& path, const u32& text, const u32& want, bool first);
  StepRunner& runner_;
  const Vocab& vocab_;
  DecoderConfig cfg_;
  LexiconWalk* walk_;
  const LanguagePack& pack_;
};

}  // namespace nextkey
