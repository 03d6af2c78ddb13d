"""The LiteRT interpreter behind the bundle's ``step`` signature.

One interpreter per batch-size bucket, each allocated once: resizing a single
interpreter's inputs on every call would re-allocate tensors each time the
batch size changes (perplexity and verification step many rows at once). Rows beyond the real batch are zero padding.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from .bundle import STEP_SIGNATURE
from .errors import BundleError

BUCKETS = (1, 2, 4, 8, 16, 32)


def interpreter_class():
    """ai_edge_litert, else tflite_runtime, else tf.lite (the last only where TF is installed anyway)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            try:  # last resort, where TensorFlow is installed anyway (never a runtime dependency)
                Interpreter = importlib.import_module("tensorflow").lite.Interpreter
            except ImportError:
                raise BundleError("no TFLite interpreter: pip install ai-edge-litert") from None
    return Interpreter


class StepRunner:
    """step(tokens (B,), state (B, S)) -> (logprobs (B, V), state (B, S))."""

    def __init__(self, model_path: Path, vocab_size: int, state_size: int, num_threads: int = 1):
        self.model_path = Path(model_path)
        self.vocab_size, self.state_size, self.num_threads = vocab_size, state_size, num_threads
        self._model = self.model_path.read_bytes()
        self._by_bucket: dict[int, tuple] = {}
        self._interpreter(1)  # loads and checks the model now, not on first use

    def _interpreter(self, bucket: int):
        entry = self._by_bucket.get(bucket)
        if entry is None:
            Interpreter = interpreter_class()
            try:
                interp = Interpreter(model_content=self._model, num_threads=self.num_threads)
            except (ValueError, RuntimeError) as e:
                raise BundleError(f"{self.model_path} is not a loadable TFLite model: {e}") from None
            if STEP_SIGNATURE not in interp.get_signature_list():
                raise BundleError(f"{self.model_path} has no {STEP_SIGNATURE!r} signature (has {list(interp.get_signature_list())})")
            runner = interp.get_signature_runner(STEP_SIGNATURE)
            ins, outs = runner.get_input_details(), runner.get_output_details()
            del runner  # it holds views into the interpreter, which block resizing
            if not self._by_bucket:
                self._check_signature(interp, ins, outs)
            interp.resize_tensor_input(ins["tokens"]["index"], [bucket])
            interp.resize_tensor_input(ins["state"]["index"], [bucket, self.state_size])
            interp.allocate_tensors()
            entry = (interp, ins["tokens"]["index"], ins["state"]["index"],
                     outs["logprobs"]["index"], outs["state"]["index"])
            self._by_bucket[bucket] = entry
        return entry

    def _check_signature(self, interp, ins: dict, outs: dict) -> None:
        sig = interp.get_signature_list().get(STEP_SIGNATURE, {})
        if sorted(sig.get("inputs", [])) != ["state", "tokens"] or sorted(sig.get("outputs", [])) != ["logprobs", "state"]:
            raise BundleError(f"{self.model_path}: signature {STEP_SIGNATURE!r} is {sig}, expected inputs "
                              "[tokens, state] and outputs [logprobs, state]")
        s_width = int(ins["state"]["shape_signature"][-1])
        v_width = int(outs["logprobs"]["shape_signature"][-1])
        if s_width != self.state_size:
            raise BundleError(f"{self.model_path}: state width {s_width} != manifest state size {self.state_size}")
        if v_width != self.vocab_size:
            raise BundleError(f"{self.model_path}: logprobs width {v_width} != manifest vocab_size {self.vocab_size}")

    def step(self, tokens: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        b = len(tokens)
        assert state.shape == (b, self.state_size), (state.shape, b)
        if b > BUCKETS[-1]:
            parts = [self.step(tokens[i:i + BUCKETS[-1]], state[i:i + BUCKETS[-1]]) for i in range(0, b, BUCKETS[-1])]
            return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        bucket = next(x for x in BUCKETS if x >= b)
        interp, tok_i, st_i, lp_i, out_st_i = self._interpreter(bucket)
        if bucket != b:
            tokens = np.concatenate([tokens, np.zeros(bucket - b, np.int32)])
            state = np.concatenate([state, np.zeros((bucket - b, self.state_size), np.float32)])
        interp.set_tensor(tok_i, np.ascontiguousarray(tokens, dtype=np.int32))
        interp.set_tensor(st_i, np.ascontiguousarray(state, dtype=np.float32))
        interp.invoke()
        return interp.get_tensor(lp_i)[:b], interp.get_tensor(out_st_i)[:b]
