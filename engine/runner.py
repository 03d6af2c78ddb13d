"""The LiteRT interpreter behind the bundle's ``step`` signature.

One interpreter per batch-size bucket, each allocated once: resizing a single
interpreter's inputs on every call would re-allocate tensors each time the
batch size changes (perplexity and verification step many rows at once). Rows beyond the real batch are zero padding.

Loading checks the model, since its checksum only proves it is the file the
manifest names: the file must carry the TFLite identifier, the interpreter is
built and allocated (a damaged model fails here, often only at allocation),
the step signature's names, dtypes and widths are compared with the manifest,
and one step is run from the zero state, whose outputs must hold no NaN or
+inf. Every failure is a BundleError naming the model file; it quotes at most
LiteRT's own first line (printable ASCII, cut to MAX_MESSAGE_CHARS), never
bytes of the file.
"""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import numpy as np

from .bundle import STEP_INPUTS, STEP_OUTPUTS, STEP_SIGNATURE
from .errors import BundleError

BUCKETS = (1, 2, 4, 8, 16, 32)
TFLITE_IDENTIFIER = b"TFL3"  # the flatbuffer file identifier, bytes 4 to 8 of every .tflite
MAX_MESSAGE_CHARS = 200  # of LiteRT's message in a BundleError: one line on a terminal


class Kernels(str, Enum):
    """Which CPU kernels run the model: LiteRT's default (with the XNNPACK delegate) or its
    built-in reference kernels alone, the other kernel family a port may run on (the
    conformance kit measures its tolerances against it)."""

    DEFAULT = "default"
    BUILTIN = "builtin"


@contextmanager
def _native_info_silenced():
    """Send file descriptor 2 to /dev/null for the duration.

    LiteRT's C++ prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
    straight to fd 2 when the first interpreter allocates its tensors (no
    environment variable or Python call turns it off), into every command and
    the demo's terminal. Errors still reach Python as exceptions.
    """
    try:
        fd = sys.__stderr__.fileno()
    except (AttributeError, ValueError, OSError):  # no real stderr (embedded, closed): nothing to silence
        yield
        return
    sys.__stderr__.flush()
    saved = os.dup(fd)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


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

    def __init__(self, model_path: Path, vocab_size: int, state_size: int, num_threads: int = 1,
                 kernels: Kernels = Kernels.DEFAULT):
        """Load and check the model (the module docstring lists the checks). Raises BundleError."""
        self.model_path = Path(model_path)
        self.vocab_size, self.state_size, self.num_threads = vocab_size, state_size, num_threads
        self.kernels = Kernels(kernels)
        try:
            self._model = self.model_path.read_bytes()
        except OSError as e:
            raise BundleError(f"cannot read {self.model_path}: {e.strerror}") from None
        if self._model[4:8] != TFLITE_IDENTIFIER:  # LiteRT's own message would quote the bytes found
            raise BundleError(f"{self.model_path} is not a TFLite model: it lacks the {TFLITE_IDENTIFIER.decode()} "
                              "identifier at byte 4 (a damaged or foreign file)")
        self._by_bucket: dict[int, tuple] = {}
        self._interpreter(1)  # loads and checks the model now, not on first use
        self._probe()

    def _fail(self, e: Exception) -> BundleError:
        """LiteRT's first line, printable ASCII only and cut short: it names the op or tensor that failed."""
        first = (str(e).strip().splitlines() or [""])[0]
        first = "".join(c if c.isascii() and c.isprintable() else "?" for c in first[:MAX_MESSAGE_CHARS])
        return BundleError(f"{self.model_path} is not a loadable TFLite model (damaged, or made for another "
                           f"LiteRT): {type(e).__name__}: {first}")

    def _probe(self) -> None:
        """One step from the zero state: a damaged model that allocates may still fail to run, or give NaN."""
        try:
            logprobs, state = self.step(np.zeros(1, np.int32), np.zeros((1, self.state_size), np.float32))
        except (ValueError, RuntimeError) as e:
            raise self._fail(e) from None
        # a log-probability may underflow to -inf; a state (a GRU's lies in [-1, 1]) may not
        for name, bad, what in (("logprobs", np.isnan(logprobs) | (logprobs == np.inf), "NaN or +inf"),
                                ("state", ~np.isfinite(state), "NaN or infinite")):
            if bad.any():
                raise BundleError(f"{self.model_path}: one step from the zero state gives {int(bad.sum())} of "
                                  f"{bad.size} {name} values {what}; the model is damaged")

    def _interpreter(self, bucket: int):
        entry = self._by_bucket.get(bucket)
        if entry is None:
            Interpreter = interpreter_class()
            try:  # a damaged model may fail at any of these steps, most often at allocation
                kw = {}
                if self.kernels is Kernels.BUILTIN:
                    kw["experimental_op_resolver_type"] = \
                        sys.modules[Interpreter.__module__].OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
                interp = Interpreter(model_content=self._model, num_threads=self.num_threads, **kw)
                signatures = interp.get_signature_list()
                if STEP_SIGNATURE not in signatures:
                    raise BundleError(f"{self.model_path} has no {STEP_SIGNATURE!r} signature (has {list(signatures)[:10]})")
                runner = interp.get_signature_runner(STEP_SIGNATURE)
                ins, outs = runner.get_input_details(), runner.get_output_details()
                del runner  # it holds views into the interpreter, which block resizing
                if not self._by_bucket:
                    self._check_signature(signatures[STEP_SIGNATURE], ins, outs)
                interp.resize_tensor_input(ins["tokens"]["index"], [bucket])
                interp.resize_tensor_input(ins["state"]["index"], [bucket, self.state_size])
                with _native_info_silenced():
                    interp.allocate_tensors()
            except BundleError:
                raise
            except (ValueError, RuntimeError) as e:
                raise self._fail(e) from None
            entry = (interp, ins["tokens"]["index"], ins["state"]["index"],
                     outs["logprobs"]["index"], outs["state"]["index"])
            self._by_bucket[bucket] = entry
        return entry

    def _check_signature(self, sig: dict, ins: dict, outs: dict) -> None:
        """The model's step signature against the manifest's (bundle.STEP_INPUTS, STEP_OUTPUTS): names,
        then dtypes and ranks, then widths."""
        if sorted(sig.get("inputs", [])) != sorted(STEP_INPUTS) or sorted(sig.get("outputs", [])) != sorted(STEP_OUTPUTS):
            raise BundleError(f"{self.model_path}: signature {STEP_SIGNATURE!r} is {sig}, expected inputs "
                              "[tokens, state] and outputs [logprobs, state]")
        for side, details, want in (("input", ins, STEP_INPUTS), ("output", outs, STEP_OUTPUTS)):
            for name, dtype in want.items():
                got_dtype, rank = np.dtype(details[name]["dtype"]).name, len(details[name]["shape_signature"])
                want_rank = 1 if name == "tokens" else 2
                if got_dtype != dtype or rank != want_rank:
                    raise BundleError(f"{self.model_path}: {side} {name!r} is {got_dtype} of rank {rank}; the "
                                      f"manifest's step signature says {dtype} of rank {want_rank}")
        for what, details, name, want, field in (("state width", ins, "state", self.state_size, "state size"),
                                                 ("logprobs width", outs, "logprobs", self.vocab_size, "vocab_size"),
                                                 ("output state width", outs, "state", self.state_size, "state size")):
            got = int(details[name]["shape_signature"][-1])
            if got != want:
                raise BundleError(f"{self.model_path}: {what} {got} != manifest {field} {want}")

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
