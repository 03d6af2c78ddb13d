// The LiteRT model behind the bundle's `step` signature (engine/runner.py), through LiteRT's C API.
//
// step(tokens (B,), state (B, S)) -> (logprobs (B, V), state (B, S)). The shipped model's signature
// has a dynamic batch dimension ([-1, 384]): tensor buffers cannot be made for it as it is
// ("Failed to get num packed bytes"), so the inputs are resized to a fixed batch once per batch size
// (LiteRtCompiledModelResizeInputTensor, then the output layouts with update_allocation), and the
// buffers wrap this runner's own 64-byte aligned host memory, so a step copies no tensor.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nextkey {

class StepRunner {
 public:
  // Loads and checks the model (its identifier, the step signature against vocab_size and
  // state_size, one step from the zero state). Throws BundleError naming the file.
  StepRunner(const std::string& model_path, int vocab_size, int state_size, int num_threads = 1);
  ~StepRunner();
  StepRunner(const StepRunner&) = delete;
  StepRunner& operator=(const StepRunner&) = delete;

  // One call for batch rows: row i steps states[i] (state_size floats) with tokens[i] into
  // logprobs[i] (vocab_size floats) and states_out[i] (state_size floats). The rows are
  // independent: a row's output is the same, bit for bit, in any batch (tests/test_native.py).
  void step(const int32_t* tokens, const float* const* states, int batch, float* const* logprobs,
            float* const* states_out);
  int vocab_size() const { return vocab_size_; }
  int state_size() const { return state_size_; }
  // Model calls run and rows stepped (tokens fed) since the probe step: what batching saves.
  long calls = 0, rows = 0;

 private:
  struct Batch;
  Batch& batch(int b);
  void fail(const std::string& what) const;

  std::string path_;
  int vocab_size_, state_size_;
  void* env_ = nullptr;       // LiteRtEnvironment
  void* model_ = nullptr;     // LiteRtModel
  void* compiled_ = nullptr;  // LiteRtCompiledModel
  size_t signature_ = 0;
  int in_tokens_ = -1, in_state_ = -1, out_logprobs_ = -1, out_state_ = -1;  // signature positions
  std::map<int, std::unique_ptr<Batch>> batches_;
  int current_ = 0;  // the batch size the compiled model is resized to now
};

}  // namespace nextkey
