#include "decoder.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "boundary_mass.h"

namespace nextkey {

WordDecoder::WordDecoder(StepRunner& runner, const Vocab& vocab, const DecoderConfig& cfg, LexiconWalk* walk,
                         const LanguagePack& pack)
    : runner_(runner), vocab_(vocab), cfg_(cfg), walk_(walk), pack_(pack) {}

NodePtr WordDecoder::expand(NodeCache& cache, const std::vector<int>& path) {
  NodePtr node = cache.get(path);
  if (!node) {
    NodePtr parent = cache.get(std::vector<int>(path.begin(), path.end() - 1));
    if (!parent) throw std::logic_error("decoder: a path's parent is not expanded");
    node = step_node(runner_, *parent, path.back());
    cache.put(path, node);
  }
  return node;
}

// The nodes after paths (not cached; their parents are), in one model call.
void WordDecoder::step_paths(NodeCache& cache, const std::vector<const std::vector<int>*>& paths) {
  std::vector<NodePtr> parents;
  std::vector<const Node*> rows;
  std::vector<int> tokens;
  for (const std::vector<int>* p : paths) {
    NodePtr parent = cache.get(std::vector<int>(p->begin(), p->end() - 1));
    if (!parent) throw std::logic_error("decoder: a path's parent is not expanded");
    rows.push_back(parent.get());
    parents.push_back(std::move(parent));
    tokens.push_back(p->back());
  }
  std::vector<NodePtr> nodes = step_nodes(runner_, rows, tokens);
  for (size_t i = 0; i < paths.size(); ++i) cache.put(*paths[i], nodes[i]);
}

// Steps path (popped, not cached) and, in the same call, the best queued paths that need a step
// and that the search may still pop: among the next `left` in pop order (the expansions left
// after this one; paths queued later only push them back) and above floor (the search stops
// before a path at or below the n-th word's score, which only rises). Which paths the search
// pops, and what they hold, does not depend on this: it only fills the cache sooner.
void WordDecoder::step_with_frontier(NodeCache& cache, const std::vector<int>& path, const std::vector<Item>& heap,
                                     double floor, int left) {
  std::vector<const std::vector<int>*> paths{&path};
  size_t cap = size_t(std::max(cfg_.batch, 1));
  if (cap > 1 && left > 0 && !heap.empty()) {
    std::vector<const Item*> order;
    for (const Item& h : heap) order.push_back(&h);
    size_t k = std::min(order.size(), size_t(left));
    std::partial_sort(order.begin(), order.begin() + long(k), order.end(),
                      [](const Item* a, const Item* b) { return *b > *a; });  // pop order
    for (size_t i = 0; i < k && paths.size() < cap; ++i) {
      if (-order[i]->neg <= floor) break;
      if (!cache.get(order[i]->path)) paths.push_back(&order[i]->path);
    }
  }
  step_paths(cache, paths);
}

double WordDecoder::boundary(const Node& node) const {
  if (std::isnan(node.log_boundary)) {
    double mass = boundary_mass(node.logprobs, vocab_.boundary_f.data(), node.vocab);
    node.log_boundary = std::log(std::max(mass, 1e-30));
  }
  return node.log_boundary;
}

bool WordDecoder::word(const u32& text, u32& out) const {
  if (!walk_) {
    out = text;
    return true;
  }
  long i = walk_->lexicon.index(text);
  if (i < 0) return false;
  out = walk_->lexicon.forms()[size_t(i)];
  return true;
}

Scored WordDecoder::search(NodeCache& cache, const u32& prefix, bool needs_space, int n_words) {
  cache.trim();
  u32 want = pack_.fold(prefix);
  Scored finished;  // insertion order, as Python's dict
  std::vector<Item> heap;
  auto cmp = std::greater<Item>();
  NodePtr root = cache.get({});
  push_children(heap, root->logprobs, 0.0, {}, U"", want, needs_space);
  int expanded = 0;
  double floor = -INFINITY;  // the n_words-th word's score, once there are n_words
  while (!heap.empty() && expanded < cfg_.max_expansions) {
    if (finished.size() >= size_t(n_words)) {
      std::vector<double> v;
      for (auto& f : finished) v.push_back(f.second);
      std::sort(v.begin(), v.end(), std::greater<double>());
      floor = v[size_t(n_words) - 1];
      if (-heap.front().neg <= floor) break;
    }
    std::pop_heap(heap.begin(), heap.end(), cmp);
    Item it = std::move(heap.back());
    heap.pop_back();
    if (!cache.get(it.path)) step_with_frontier(cache, it.path, heap, floor, cfg_.max_expansions - expanded - 1);
    NodePtr node = expand(cache, it.path);
    ++expanded;
    double score = -it.neg;
    u32 w;
    if (!it.text.empty() && pack_.fold(it.text).size() >= want.size() && word(it.text, w)) {
      double total = score + boundary(*node);
      auto f = std::find_if(finished.begin(), finished.end(), [&](auto& p) { return p.first == w; });
      if (f == finished.end()) {
        finished.emplace_back(w, total);
      } else {
        double a = f->second, b = total, hi = std::max(a, b);  // np.logaddexp
        f->second = hi + std::log1p(std::exp(-std::fabs(a - b)));
      }
    }
    if (it.path.size() < size_t(cfg_.max_pieces)) push_children(heap, node->logprobs, score, it.path, it.text, want, false);
  }
  std::stable_sort(finished.begin(), finished.end(), [](auto& a, auto& b) { return a.second > b.second; });
  return finished;
}

double WordDecoder::score_path(NodeCache& cache, const std::vector<int>& ids) { return score_paths(cache, {ids})[0]; }

std::vector<double> WordDecoder::score_paths(NodeCache& cache, const std::vector<std::vector<int>>& words) {
  cache.trim();
  size_t cap = size_t(std::max(cfg_.batch, 1));
  // The nodes the words pass through, depth by depth (a node's parent is one depth up), each
  // missing one once, cap rows a call.
  for (size_t depth = 1; depth <= size_t(cfg_.max_pieces); ++depth) {
    std::vector<std::vector<int>> need;
    for (const auto& ids : words) {
      if (ids.size() < depth) continue;
      std::vector<int> path(ids.begin(), ids.begin() + long(depth));
      if (!cache.get(path) && std::find(need.begin(), need.end(), path) == need.end()) need.push_back(std::move(path));
    }
    for (size_t from = 0; from < need.size(); from += cap) {
      std::vector<const std::vector<int>*> paths;
      for (size_t i = from; i < need.size() && i < from + cap; ++i) paths.push_back(&need[i]);
      step_paths(cache, paths);
    }
  }
  std::vector<double> out;
  for (const auto& ids : words) {
    double total = 0;
    std::vector<int> path;
    NodePtr node = cache.get({});
    for (size_t k = 0; k < ids.size() && k < size_t(cfg_.max_pieces); ++k) {
      total += double(node->logprobs[size_t(ids[k])]);
      path.push_back(ids[k]);
      node = expand(cache, path);
    }
    out.push_back(total + boundary(*node));
  }
  return out;
}

void WordDecoder::push_children(std::vector<Item>& heap, const float* logprobs, double score,
                                const std::vector<int>& path, const u32& text, const u32& want, bool first) {
  u32 spelled = pack_.fold(text);
  u32 rest = spelled.size() < want.size() ? want.substr(spelled.size()) : U"";
  std::shared_ptr<const std::vector<int>> walked;  // held while ids is read
  std::vector<int> found;
  const std::vector<int>& ids = walk_ ? *(walked = walk_->pieces(first, spelled, rest))
                                      : (found = vocab_.candidates(first, rest));
  // The best `children` of ids by logprob, in one pass without copying ids (a word's first piece
  // has thousands of candidates; copying them for nth_element was most of this function's time).
  // Equal logprobs at the cut: the smaller id stays (ids are sorted). The heap orders the queued
  // paths totally, so the order they are pushed in does not matter.
  const size_t k = size_t(std::max(cfg_.children, 0));
  if (ids.empty() || k == 0) return;
  if (k > MAX_CHILDREN) {  // the settings allow it; the shipped ones queue 8
    std::vector<int> all(ids);
    if (all.size() > k) {
      std::nth_element(all.begin(), all.begin() + long(k) - 1, all.end(),
                       [&](int a, int b) { return logprobs[size_t(a)] > logprobs[size_t(b)]; });
      all.resize(k);
    }
    for (int t : all) push_child(heap, score + double(logprobs[size_t(t)]), path, text, t);
    return;
  }
  int best[MAX_CHILDREN];
  float val[MAX_CHILDREN];
  size_t n = 0, low = 0;  // low: the slot of the smallest value kept, once n == k
  for (int t : ids) {
    float v = logprobs[size_t(t)];
    if (n < k) {
      best[n] = t, val[n] = v;
      if (++n == k)
        for (size_t i = 1; i < k; ++i)
          if (val[i] < val[low] || (val[i] == val[low] && best[i] > best[low])) low = i;
    } else if (v > val[low]) {
      best[low] = t, val[low] = v;
      for (size_t i = 0; i < k; ++i)
        if (val[i] < val[low] || (val[i] == val[low] && best[i] > best[low])) low = i;
    }
  }
  for (size_t i = 0; i < n; ++i) push_child(heap, score + double(val[i]), path, text, best[i]);
}

void WordDecoder::push_child(std::vector<Item>& heap, double score, const std::vector<int>& path, const u32& text,
                             int t) {
  Item item{-score, path, text + vocab_.text[size_t(t)]};
  item.path.push_back(t);
  heap.push_back(std::move(item));
  std::push_heap(heap.begin(), heap.end(), std::greater<Item>());
}

}  // namespace nextkey
