// The hidden state after each committed unit of text: a stack of snapshots (engine/state.py).
// Snapshot 0 is the state after the start-of-text token; snapshot i+1 the state after unit i.
// sync keeps the longest shared prefix and feeds only the rest; a second stack (ahead) is fed
// the units a moving window will start with, a few steps per keystroke.
#pragma once
#include <sentencepiece_processor.h>

#include <functional>
#include <limits>
#include <deque>
#include <memory>
#include <vector>

#include "lang.h"
#include "runner.h"

namespace nextkey {

constexpr int MAX_UNIT_PIECES = 24;  // a pasted 400-character "word" costs at most this many steps

// The model after some tokens. One uninitialized block holds the logprobs and the state: a node is
// made for every row stepped (tens of thousands a typist's run), so no zero fill and one
// allocation instead of two.
struct Node {
  Node(size_t vocab_size, size_t state_size)
      : vocab(vocab_size), data(new float[vocab_size + state_size]), logprobs(data.get()), state(data.get() + vocab_size) {}
  size_t vocab;                    // logprobs' length
  std::unique_ptr<float[]> data;   // logprobs (V,), then state (S,)
  float* const logprobs;
  float* const state;
  // The decoder's log boundary mass of this node, once asked (NaN: not yet). A search pops the
  // same nodes again keystroke after keystroke; a node belongs to one session (one thread).
  mutable double log_boundary = std::numeric_limits<double>::quiet_NaN();
};
using NodePtr = std::shared_ptr<const Node>;

struct Snapshot {
  u32 unit;  // the chunk fed to reach this state ('' for the start)
  NodePtr node;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

// encode(unit)'s last MAX_UNIT_PIECES ids, then </s> when the unit ends a sentence by the pack's rule.
std::vector<int> unit_tokens(const sentencepiece::SentencePieceProcessor& sp, const u32& unit, int eos_id,
                             const LanguagePack& pack);

// One model call stepping parents[i] with tokens[i], for every i (a batch of independent rows).
std::vector<NodePtr> step_nodes(StepRunner& runner, const std::vector<const Node*>& parents,
                                const std::vector<int>& tokens);
// One model step from node with token t (batch 1).
NodePtr step_node(StepRunner& runner, const Node& node, int t);

class StateStack {
 public:
  using Lookup = std::function<NodePtr(const std::vector<int>&)>;  // path -> node of a search, or null
  StateStack(StepRunner& runner, const sentencepiece::SentencePieceProcessor& sp, int start_id, int eos_id,
             const LanguagePack& pack);
  // Make the stack hold exactly units; returns the top. searched: (a snapshot, the lookup of the
  // word search run from it): a unit committed on top of it starts from the deepest node computed.
  SnapshotPtr sync(const std::vector<u32>& units, const SnapshotPtr& searched_top = nullptr,
                   const Lookup& lookup = nullptr);
  void feed_ahead(const std::vector<u32>& units, int budget);
  // The stacks as they are, and putting them back (Session::prefetch around a guess): what the
  // guess pushed is kept as branches, so the keystroke that makes the guess takes it back.
  struct Saved {
    std::vector<SnapshotPtr> snapshots, ahead;
  };
  Saved save() const { return {snapshots_, ahead_}; }
  void restore(Saved saved);
  const std::vector<SnapshotPtr>& snapshots() const { return snapshots_; }
  long steps_run = 0;

 private:
  NodePtr feed(const NodePtr& node, const u32& unit, const Lookup& lookup);
  SnapshotPtr branch(const SnapshotPtr& parent, const u32& unit) const;  // a kept one, or null
  void keep_branches(const std::vector<SnapshotPtr>& stack, size_t from);  // stack[from + 1:] as branches
  // Snapshots popped by sync, by (parent, unit): a unit committed again on the same parent (the
  // user deletes a space and types it again; Session::prefetch's guesses) is taken back, not fed:
  // the same parent and unit give the same state. The last MAX_BRANCHES kept, oldest dropped first.
  static constexpr size_t MAX_BRANCHES = 32;
  std::deque<SnapshotPtr> branches_;  // each one's parent: the snapshot it was pushed on (parent_)
  std::deque<SnapshotPtr> branch_parents_;
  StepRunner& runner_;
  const sentencepiece::SentencePieceProcessor& sp_;
  int eos_id_;
  const LanguagePack& pack_;
  std::vector<SnapshotPtr> snapshots_, ahead_;
};

}  // namespace nextkey
