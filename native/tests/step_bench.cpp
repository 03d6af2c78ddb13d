// Model steps timed (native/README.md's figures):
//   step_bench BUNDLE_DIR [STEPS]
// 1. one step from the start token's state, batch 1 (STEPS steps);
// 2. one call of each batch size 1..16 (rows stepped at once), p50 of STEPS/4 calls each, the
//    sizes interleaved so the machine's load falls on all alike;
// 3. the cost of changing the batch size between calls: calls alternating two sizes against the
//    same calls with each size kept (what the decoder's batches of varying size pay).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <map>
#include <vector>

#include "engine.h"

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); }
long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}
double p50(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: step_bench BUNDLE_DIR [STEPS]\n"), 2;
  int steps = argc > 2 ? std::atoi(argv[2]) : 2000;
  auto t0 = Clock::now();
  nextkey::Engine eng(argv[1]);
  double load = ms_since(t0);
  auto& r = eng.runner();
  const int S = r.state_size(), V = r.vocab_size(), MAX_B = 16;
  std::vector<float> st(size_t(S) * MAX_B, 0.f), lp(size_t(V) * MAX_B), out(size_t(S) * MAX_B);
  std::vector<int32_t> tok(MAX_B, eng.bundle().manifest.start_id());
  std::vector<const float*> st_rows;
  std::vector<float*> lp_rows, out_rows;
  for (int i = 0; i < MAX_B; ++i) {
    st_rows.push_back(st.data() + size_t(S) * i);
    lp_rows.push_back(lp.data() + size_t(V) * i);
    out_rows.push_back(out.data() + size_t(S) * i);
  }
  for (int i = 0; i < 50; ++i) r.step(tok.data(), st_rows.data(), 1, lp_rows.data(), out_rows.data());  // warm up
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    auto a = Clock::now();
    r.step(tok.data(), st_rows.data(), 1, lp_rows.data(), out_rows.data());
    ms.push_back(ms_since(a));
    std::copy(out.begin(), out.begin() + S, st.begin());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("load %.1f ms; step (batch 1, %d steps): p50 %.4f ms, p99 %.4f ms\n", load, steps, ms[ms.size() / 2],
              ms[ms.size() * 99 / 100]);

  auto call = [&](int b) {
    auto a = Clock::now();
    r.step(tok.data(), st_rows.data(), b, lp_rows.data(), out_rows.data());
    return ms_since(a);
  };
  int reps = std::max(20, steps / 4);
  std::map<int, std::vector<double>> by_size;
  long rss0 = rss_kb();
  for (int b = 1; b <= MAX_B; ++b) call(b), call(b);  // buffers made once per size
  std::printf("RSS %.1f MB after batch 1, %.1f MB after making batch sizes 1..%d\n", rss0 / 1024.0, rss_kb() / 1024.0, MAX_B);
  for (int i = 0; i < reps; ++i)
    for (int b = 1; b <= MAX_B; ++b) {
      call(b);  // the size is set: what follows times the step alone
      by_size[b].push_back(call(b));
    }
  std::printf("one call by batch size (p50 of %d, ms):", reps);
  for (auto& [b, v] : by_size) std::printf(" %d:%.4f", b, p50(v));
  std::printf("\n");

  const int pairs[][2] = {{1, 2}, {1, 8}, {3, 5}};
  for (const auto& p : pairs) {
    std::vector<double> a, b, switched;
    for (int i = 0; i < reps; ++i) {
      call(p[0]);
      a.push_back(call(p[0]));  // the size kept from the call before
      call(p[1]);
      b.push_back(call(p[1]));
    }
    for (int i = 0; i < reps; ++i) switched.push_back(call(p[0]) + call(p[1]));  // each call changes the size
    std::printf("batch %d then %d: %.4f ms a pair when each call changes the size, %.4f ms when kept\n", p[0], p[1],
                p50(switched), p50(a) + p50(b));
  }
}
