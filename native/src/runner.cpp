// See runner.h. Mirrors engine/runner.py: the same checks, in the same order.
#include "runner.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "errors.h"
#include "litert/c/litert_common.h"
#include "litert/c/litert_compiled_model.h"
#include "litert/c/litert_environment.h"
#include "litert/c/litert_model.h"
#include "litert/c/litert_options.h"
#include "litert/c/litert_tensor_buffer.h"

namespace nextkey {

namespace {
const char kSignature[] = "step";
const char kIdentifier[] = "TFL3";  // the flatbuffer file identifier, bytes 4 to 8 of every .tflite

struct Aligned {  // host memory LiteRT accepts (LITERT_HOST_MEMORY_BUFFER_ALIGNMENT)
  void* p = nullptr;
  size_t bytes = 0;
  explicit Aligned(size_t n) : bytes((n + 63) / 64 * 64) {
    p = std::aligned_alloc(LITERT_HOST_MEMORY_BUFFER_ALIGNMENT, bytes ? bytes : 64);
    std::memset(p, 0, bytes);
  }
  ~Aligned() { std::free(p); }
};

LiteRtRankedTensorType ranked(LiteRtElementType type, std::initializer_list<int32_t> dims) {
  LiteRtRankedTensorType t{};
  t.element_type = type;
  t.layout.rank = static_cast<unsigned>(dims.size());
  int i = 0;
  for (int32_t d : dims) t.layout.dimensions[i++] = d;
  return t;
}
}  // namespace

struct StepRunner::Batch {
  int size;
  Aligned tokens, state, logprobs, state_out;
  LiteRtTensorBuffer in[2] = {nullptr, nullptr}, out[2] = {nullptr, nullptr};  // signature order
  Batch(int b, int v, int s)
      : size(b), tokens(sizeof(int32_t) * b), state(sizeof(float) * b * s),
        logprobs(sizeof(float) * b * v), state_out(sizeof(float) * b * s) {}
  ~Batch() {
    for (auto* t : in) if (t) LiteRtDestroyTensorBuffer(t);
    for (auto* t : out) if (t) LiteRtDestroyTensorBuffer(t);
  }
};

void StepRunner::fail(const std::string& what) const {
  throw BundleError(path_ + " is not a loadable TFLite model (damaged, or made for another LiteRT): " + what);
}

StepRunner::StepRunner(const std::string& model_path, int vocab_size, int state_size, int num_threads)
    : path_(model_path), vocab_size_(vocab_size), state_size_(state_size) {
  (void)num_threads;  // LiteRT's CPU options default to one thread per compiled model here
  {
    std::ifstream f(model_path, std::ios::binary);
    char head[8] = {};
    if (!f) throw BundleError("cannot read " + model_path);
    f.read(head, 8);
    if (f.gcount() < 8 || std::memcmp(head + 4, kIdentifier, 4) != 0)
      throw BundleError(model_path + " is not a TFLite model: it lacks the TFL3 identifier at byte 4 (a damaged or foreign file)");
  }
  LiteRtEnvironment env;
  if (LiteRtCreateEnvironment(0, nullptr, &env) != kLiteRtStatusOk) fail("LiteRtCreateEnvironment failed");
  env_ = env;
  LiteRtModel model;
  if (LiteRtCreateModelFromFile(env, model_path.c_str(), &model) != kLiteRtStatusOk) fail("LiteRtCreateModelFromFile failed");
  model_ = model;

  // The step signature: its names against the manifest's (bundle.STEP_INPUTS, STEP_OUTPUTS).
  LiteRtParamIndex n = 0;
  LiteRtGetNumModelSignatures(model, &n);
  LiteRtSignature sig = nullptr;
  std::string names;
  for (LiteRtParamIndex i = 0; i < n; ++i) {
    LiteRtSignature s;
    const char* key = nullptr;
    LiteRtGetModelSignature(model, i, &s);
    LiteRtGetSignatureKey(s, &key);
    names += std::string(names.empty() ? "" : ", ") + key;
    if (std::strcmp(key, kSignature) == 0) sig = s, signature_ = i;
  }
  if (!sig) throw BundleError(model_path + " has no 'step' signature (has [" + names + "])");
  LiteRtParamIndex nin = 0, nout = 0;
  LiteRtGetNumSignatureInputs(sig, &nin);
  LiteRtGetNumSignatureOutputs(sig, &nout);
  for (LiteRtParamIndex i = 0; i < nin; ++i) {
    const char* name;
    LiteRtGetSignatureInputName(sig, i, &name);
    if (!std::strcmp(name, "tokens")) in_tokens_ = int(i);
    if (!std::strcmp(name, "state")) in_state_ = int(i);
  }
  for (LiteRtParamIndex i = 0; i < nout; ++i) {
    const char* name;
    LiteRtGetSignatureOutputName(sig, i, &name);
    if (!std::strcmp(name, "logprobs")) out_logprobs_ = int(i);
    if (!std::strcmp(name, "state")) out_state_ = int(i);
  }
  if (nin != 2 || nout != 2 || in_tokens_ < 0 || in_state_ < 0 || out_logprobs_ < 0 || out_state_ < 0)
    throw BundleError(model_path + ": signature 'step' does not have inputs [tokens, state] and outputs [logprobs, state]");
  // dtypes, ranks and widths
  struct Want { bool input; int index; const char* name; LiteRtElementType type; unsigned rank; int width; const char* field; };
  const Want wants[] = {{true, in_tokens_, "tokens", kLiteRtElementTypeInt32, 1, 0, ""},
                        {true, in_state_, "state", kLiteRtElementTypeFloat32, 2, state_size, "state size"},
                        {false, out_logprobs_, "logprobs", kLiteRtElementTypeFloat32, 2, vocab_size, "vocab_size"},
                        {false, out_state_, "state", kLiteRtElementTypeFloat32, 2, state_size, "state size"}};
  for (const Want& w : wants) {
    LiteRtTensor t;
    if (w.input) LiteRtGetSignatureInputTensorByIndex(sig, w.index, &t);
    else LiteRtGetSignatureOutputTensorByIndex(sig, w.index, &t);
    LiteRtRankedTensorType type;
    if (LiteRtGetRankedTensorType(t, &type) != kLiteRtStatusOk) fail(std::string("tensor ") + w.name + " is not ranked");
    const char* side = w.input ? "input" : "output";
    if (type.element_type != w.type || type.layout.rank != w.rank)
      throw BundleError(model_path + ": " + side + " '" + w.name + "' has element type " + std::to_string(type.element_type) +
                        " and rank " + std::to_string(type.layout.rank) + "; the manifest's step signature says " +
                        (w.type == kLiteRtElementTypeInt32 ? "int32" : "float32") + " of rank " + std::to_string(w.rank));
    if (w.rank == 2 && type.layout.dimensions[1] != w.width)
      throw BundleError(model_path + ": " + side + " " + w.name + " width " + std::to_string(type.layout.dimensions[1]) +
                        " != manifest " + w.field + " " + std::to_string(w.width));
  }

  LiteRtOptions options;
  LiteRtCreateOptions(&options);
  LiteRtSetOptionsHardwareAccelerators(options, kLiteRtHwAcceleratorCpu);
  LiteRtCompiledModel compiled;
  LiteRtStatus st = LiteRtCreateCompiledModel(env, model, options, &compiled);
  LiteRtDestroyOptions(options);
  if (st != kLiteRtStatusOk) fail("LiteRtCreateCompiledModel failed (status " + std::to_string(st) + ")");
  compiled_ = compiled;

  // One step from the zero state: a damaged model that compiles may still fail to run, or give NaN.
  std::vector<float> zero(state_size, 0.f), lp(vocab_size), out(state_size);
  int32_t tok = 0;
  const float* in_row = zero.data();
  float *lp_row = lp.data(), *out_row = out.data();
  step(&tok, &in_row, 1, &lp_row, &out_row);
  calls = rows = 0;
  size_t bad_lp = 0, bad_st = 0;
  for (float x : lp) bad_lp += std::isnan(x) || x == INFINITY;
  for (float x : out) bad_st += !std::isfinite(x);
  if (bad_lp) throw BundleError(model_path + ": one step from the zero state gives " + std::to_string(bad_lp) + " of " +
                                std::to_string(lp.size()) + " logprobs values NaN or +inf; the model is damaged");
  if (bad_st) throw BundleError(model_path + ": one step from the zero state gives " + std::to_string(bad_st) + " of " +
                                std::to_string(out.size()) + " state values NaN or infinite; the model is damaged");
}

StepRunner::~StepRunner() {
  batches_.clear();
  if (compiled_) LiteRtDestroyCompiledModel(static_cast<LiteRtCompiledModel>(compiled_));
  if (model_) LiteRtDestroyModel(static_cast<LiteRtModel>(model_));
  if (env_) LiteRtDestroyEnvironment(static_cast<LiteRtEnvironment>(env_));
}

StepRunner::Batch& StepRunner::batch(int b) {
  auto cm = static_cast<LiteRtCompiledModel>(compiled_);
  auto found = batches_.find(b);
  Batch* entry = found == batches_.end() ? nullptr : found->second.get();
  if (entry && current_ == b) return *entry;
  // Resize the dynamic batch dimension to b: tokens [b], state [b, S]; the outputs follow.
  const int tok_dims[1] = {b}, st_dims[2] = {b, state_size_};
  if (LiteRtCompiledModelResizeInputTensor(cm, signature_, in_tokens_, tok_dims, 1) != kLiteRtStatusOk ||
      LiteRtCompiledModelResizeInputTensor(cm, signature_, in_state_, st_dims, 2) != kLiteRtStatusOk)
    fail("resizing the step inputs to batch " + std::to_string(b) + " failed");
  LiteRtLayout layouts[2];
  if (LiteRtGetCompiledModelOutputTensorLayouts(cm, signature_, 2, layouts, true) != kLiteRtStatusOk)
    fail("the output layouts after resizing to batch " + std::to_string(b) + " are unknown");
  current_ = b;
  if (entry) return *entry;
  auto made = std::make_unique<Batch>(b, vocab_size_, state_size_);
  auto wrap = [&](LiteRtRankedTensorType type, Aligned& mem, LiteRtTensorBuffer* into) {
    if (LiteRtCreateTensorBufferFromHostMemory(&type, mem.p, mem.bytes, nullptr, into) != kLiteRtStatusOk)
      fail("a tensor buffer of batch " + std::to_string(b) + " cannot be made");
  };
  wrap(ranked(kLiteRtElementTypeInt32, {b}), made->tokens, &made->in[in_tokens_]);
  wrap(ranked(kLiteRtElementTypeFloat32, {b, state_size_}), made->state, &made->in[in_state_]);
  wrap(ranked(kLiteRtElementTypeFloat32, {b, vocab_size_}), made->logprobs, &made->out[out_logprobs_]);
  wrap(ranked(kLiteRtElementTypeFloat32, {b, state_size_}), made->state_out, &made->out[out_state_]);
  Batch& ref = *made;
  batches_[b] = std::move(made);
  return ref;
}

void StepRunner::step(const int32_t* tokens, const float* const* states, int b, float* const* logprobs,
                      float* const* states_out) {
  Batch& e = batch(b);
  const size_t row_s = sizeof(float) * size_t(state_size_), row_v = sizeof(float) * size_t(vocab_size_);
  std::memcpy(e.tokens.p, tokens, sizeof(int32_t) * size_t(b));
  for (int i = 0; i < b; ++i) std::memcpy(static_cast<char*>(e.state.p) + row_s * size_t(i), states[i], row_s);
  LiteRtStatus st = LiteRtRunCompiledModel(static_cast<LiteRtCompiledModel>(compiled_), signature_, 2, e.in, 2, e.out);
  if (st != kLiteRtStatusOk) fail("running the step signature failed (status " + std::to_string(st) + ")");
  for (int i = 0; i < b; ++i) {
    std::memcpy(logprobs[i], static_cast<const char*>(e.logprobs.p) + row_v * size_t(i), row_v);
    std::memcpy(states_out[i], static_cast<const char*>(e.state_out.p) + row_s * size_t(i), row_s);
  }
  ++calls;
  rows += b;
}

}  // namespace nextkey
