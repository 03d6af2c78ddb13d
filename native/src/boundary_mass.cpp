// Built with -ffast-math (CMakeLists.txt) so that GCC calls glibc's vector expf (libmvec) on 4, 8 or
// 16 values at once; elsewhere it is the plain loop. On x86-64 Linux with GCC the function is built
// three times (AVX-512, AVX2, baseline SSE) and the loader picks the widest the CPU has: the
// baseline build's 4-wide expf took 28-38 us for a row of 8,000 here, the AVX-512 one 3.7-4.5 us.
// The sum is float32, as numpy's dot of the Python reference; the order of the additions differs
// with the width (a few ulp: far inside the kit's tolerance).
#include "boundary_mass.h"

#include <cmath>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && !defined(__ANDROID__)
#define NEXTKEY_WIDEST __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NEXTKEY_WIDEST
#endif

namespace nextkey {

NEXTKEY_WIDEST double boundary_mass(const float* logprobs, const float* weights, size_t n) {
  float mass = 0.f;
  for (size_t i = 0; i < n; ++i) mass += std::exp(logprobs[i]) * weights[i];
  return double(mass);
}

}  // namespace nextkey
