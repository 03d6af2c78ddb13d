// One model step from the start token's state, timed (native/README.md's figure):
//   step_bench BUNDLE_DIR [STEPS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "engine.h"

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: step_bench BUNDLE_DIR [STEPS]\n"), 2;
  int steps = argc > 2 ? std::atoi(argv[2]) : 2000;
  auto t0 = std::chrono::steady_clock::now();
  nextkey::Engine eng(argv[1]);
  double load = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto& r = eng.runner();
  std::vector<float> st(r.state_size(), 0.f), lp(r.vocab_size()), out(r.state_size());
  int32_t tok = eng.bundle().manifest.start_id();
  for (int i = 0; i < 50; ++i) r.step(&tok, st.data(), 1, lp.data(), out.data());  // warm up
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    auto a = std::chrono::steady_clock::now();
    r.step(&tok, st.data(), 1, lp.data(), out.data());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    st = out;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("load %.1f ms; step (batch 1, %d steps): p50 %.4f ms, p99 %.4f ms\n", load, steps, ms[ms.size() / 2],
              ms[ms.size() * 99 / 100]);
}
