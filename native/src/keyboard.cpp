#include "keyboard.h"

#include <algorithm>
#include <cmath>

namespace nextkey {

SlipModel::SlipModel(const SlipConfig& c, const LanguagePack& pack, std::function<bool(const u32&)> is_prefix)
    : cfg(c), is_prefix_(std::move(is_prefix)), alphabet_(pack.alphabet) {
  std::vector<std::tuple<char32_t, double, double>> pos;
  const auto& rows = pack.layout(cfg.layout);
  for (size_t y = 0; y < rows.size(); ++y)
    for (size_t x = 0; x < rows[y].keys.size(); ++x) pos.emplace_back(rows[y].keys[x], double(x) + rows[y].offset, double(y));
  for (auto& [a, ax, ay] : pos)
    for (auto& [b, bx, by] : pos)
      if (a != b && std::hypot(ax - bx, ay - by) < cfg.reach) near_[a].push_back(b);
  best_cost = std::max({cfg.adjacent, cfg.swapped, cfg.missing, cfg.extra});
}

Meant SlipModel::meant(const u32& typed) {
  {
    std::lock_guard<std::mutex> guard(memo_lock_);
    auto it = memo_.find(typed);
    if (it != memo_.end()) return it->second;
  }
  Meant out;
  auto add = [&](const u32& q, double cost) {
    if (q == typed) return;
    auto f = std::find_if(out.begin(), out.end(), [&](auto& p) { return p.first == q; });
    if (f != out.end()) {
      if (cost > f->second && is_prefix_(q)) f->second = cost;
    } else if (is_prefix_(q)) {
      out.emplace_back(q, cost);
    }
  };
  auto near = [&](char32_t c) -> const std::vector<char32_t>& {
    static const std::vector<char32_t> none;
    auto n = near_.find(c);
    return n == near_.end() ? none : n->second;
  };
  auto is_near = [&](char32_t a, char32_t b) {
    const auto& n = near(b);
    return std::find(n.begin(), n.end(), a) != n.end();
  };
  size_t n = typed.size();
  for (size_t i = 1; i < n; ++i) {
    char32_t ch = typed[i];
    for (char32_t alt : near(ch)) add(typed.substr(0, i) + alt + typed.substr(i + 1), cfg.adjacent);
    if (i + 1 < n && typed[i + 1] != ch)
      add(typed.substr(0, i) + typed[i + 1] + ch + typed.substr(i + 2), cfg.swapped);
    if (ch == typed[i - 1] || is_near(ch, typed[i - 1]) || (i + 1 < n && is_near(ch, typed[i + 1])))
      add(typed.substr(0, i) + typed.substr(i + 1), cfg.extra);
  }
  for (size_t i = 1; i < n; ++i)
    for (char32_t alt : alphabet_) add(typed.substr(0, i) + alt + typed.substr(i), cfg.missing);
  std::lock_guard<std::mutex> guard(memo_lock_);
  if (memo_.size() >= (1u << 14)) memo_.clear();
  return memo_[typed] = std::move(out);
}

}  // namespace nextkey
