// Built with -ffast-math (CMakeLists.txt) so that GCC calls glibc's vector expf (libmvec) on 4 or 8
// values at once; elsewhere it is the plain loop. The sum is float32, as numpy's dot of the
// Python reference; the order of the additions differs (a few ulp: far inside the kit's tolerance).
#include "boundary_mass.h"

#include <cmath>

namespace nextkey {

double boundary_mass(const float* logprobs, const float* weights, size_t n) {
  float mass = 0.f;
  for (size_t i = 0; i < n; ++i) mass += std::exp(logprobs[i]) * weights[i];
  return double(mass);
}

}  // namespace nextkey
