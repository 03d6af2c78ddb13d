#include "state.h"

#include <algorithm>
#include <cassert>

#include "text.h"

namespace nextkey {

std::vector<int> unit_tokens(const sentencepiece::SentencePieceProcessor& sp, const u32& unit, int eos_id,
                             const LanguagePack& pack) {
  std::vector<int> ids;
  sp.Encode(to_utf8(unit), &ids);
  if (ids.size() > size_t(MAX_UNIT_PIECES)) ids.erase(ids.begin(), ids.end() - MAX_UNIT_PIECES);
  if (ends_sentence(unit, pack)) ids.push_back(eos_id);
  return ids;
}

}  // namespace nextkey

namespace nextkey {

std::vector<NodePtr> step_nodes(StepRunner& runner, const std::vector<const Node*>& parents,
                                const std::vector<int>& tokens) {
  assert(parents.size() == tokens.size() && !parents.empty());
  size_t b = parents.size();
  std::vector<NodePtr> out;
  std::vector<const float*> states;
  std::vector<float*> logprobs, states_out;
  for (size_t i = 0; i < b; ++i) {
    auto node = std::make_shared<Node>(size_t(runner.vocab_size()), size_t(runner.state_size()));
    states.push_back(parents[i]->state);
    logprobs.push_back(node->logprobs);
    states_out.push_back(node->state);
    out.push_back(std::move(node));
  }
  std::vector<int32_t> ids(tokens.begin(), tokens.end());
  runner.step(ids.data(), states.data(), int(b), logprobs.data(), states_out.data());
  return out;
}

NodePtr step_node(StepRunner& runner, const Node& node, int t) { return step_nodes(runner, {&node}, {t})[0]; }

namespace {
size_t shared_units(const std::vector<SnapshotPtr>& snaps, const std::vector<u32>& units) {
  size_t common = 0;
  while (common < units.size() && common + 1 < snaps.size() && snaps[common + 1]->unit == units[common]) ++common;
  return common;
}
}  // namespace

StateStack::StateStack(StepRunner& runner, const sentencepiece::SentencePieceProcessor& sp, int start_id, int eos_id,
                       const LanguagePack& pack)
    : runner_(runner), sp_(sp), eos_id_(eos_id), pack_(pack) {
  Node zero(0, size_t(runner.state_size()));
  std::fill(zero.state, zero.state + runner.state_size(), 0.f);
  snapshots_.push_back(std::make_shared<Snapshot>(Snapshot{U"", step_node(runner, zero, start_id)}));
  ahead_ = {snapshots_[0]};
}

SnapshotPtr StateStack::sync(const std::vector<u32>& units, const SnapshotPtr& searched_top, const Lookup& lookup) {
  size_t common = shared_units(snapshots_, units);
  if (ahead_.size() > 1 && shared_units(ahead_, units) > common) {  // the window moved: the units were fed ahead
    std::swap(snapshots_, ahead_);
    ahead_.resize(1);
    ahead_[0] = snapshots_[0];
    common = shared_units(snapshots_, units);
  }
  keep_branches(snapshots_, common);
  snapshots_.resize(common + 1);
  for (size_t i = common; i < units.size(); ++i) {
    if (SnapshotPtr kept = branch(snapshots_.back(), units[i])) {
      snapshots_.push_back(kept);
      continue;
    }
    bool from_search = lookup && snapshots_.back() == searched_top;
    snapshots_.push_back(std::make_shared<Snapshot>(
        Snapshot{units[i], feed(snapshots_.back()->node, units[i], from_search ? lookup : nullptr)}));
  }
  return snapshots_.back();
}

SnapshotPtr StateStack::branch(const SnapshotPtr& parent, const u32& unit) const {
  for (size_t b = 0; b < branches_.size(); ++b)
    if (branch_parents_[b] == parent && branches_[b]->unit == unit) return branches_[b];
  return nullptr;
}

void StateStack::keep_branches(const std::vector<SnapshotPtr>& stack, size_t from) {
  for (size_t i = from + 1; i < stack.size(); ++i) {
    if (std::find(branches_.begin(), branches_.end(), stack[i]) != branches_.end()) continue;
    if (branches_.size() >= MAX_BRANCHES) branches_.pop_front(), branch_parents_.pop_front();
    branches_.push_back(stack[i]);
    branch_parents_.push_back(stack[i - 1]);
  }
}

void StateStack::restore(Saved saved) {
  // What each stack holds beyond what it shares with either saved stack (a guess that moved the
  // window swapped them) is what the guess fed: kept as branches.
  auto shared = [](const std::vector<SnapshotPtr>& a, const std::vector<SnapshotPtr>& b) {
    size_t n = 0;
    while (n + 1 < a.size() && n + 1 < b.size() && a[n + 1] == b[n + 1]) ++n;
    return n;
  };
  for (const auto* stack : {&snapshots_, &ahead_})
    keep_branches(*stack, std::max(shared(*stack, saved.snapshots), shared(*stack, saved.ahead)));
  snapshots_ = std::move(saved.snapshots);
  ahead_ = std::move(saved.ahead);
}

void StateStack::feed_ahead(const std::vector<u32>& units, int budget) {
  ahead_.resize(shared_units(ahead_, units) + 1);
  long before = steps_run;
  for (size_t i = ahead_.size() - 1; i < units.size(); ++i) {
    if (SnapshotPtr kept = branch(ahead_.back(), units[i])) {
      ahead_.push_back(kept);
      continue;
    }
    if (steps_run - before >= budget) break;
    ahead_.push_back(std::make_shared<Snapshot>(Snapshot{units[i], feed(ahead_.back()->node, units[i], nullptr)}));
  }
}

NodePtr StateStack::feed(const NodePtr& start, const u32& unit, const Lookup& lookup) {
  std::vector<int> ids = unit_tokens(sp_, unit, eos_id_, pack_);
  NodePtr node = start;
  size_t done = 0;
  if (lookup) {
    while (done < ids.size()) {
      NodePtr found = lookup(std::vector<int>(ids.begin(), ids.begin() + long(done) + 1));
      if (!found) break;
      node = found;
      ++done;
    }
  }
  for (size_t i = done; i < ids.size(); ++i) {
    node = step_node(runner_, *node, ids[i]);
    ++steps_run;
  }
  return node;
}

}  // namespace nextkey
