// sum(exp(logprobs) * weights) over a row (numpy: exp(row) @ boundary_f): the decoder asks it for
// every node it expands, so it is its own file, compiled so the compiler can vectorize exp.
#pragma once
#include <cstddef>

namespace nextkey {
double boundary_mass(const float* logprobs, const float* weights, size_t n);
}
