"""Store the tied embedding once in a dynamic-range int8 model.

The converter quantizes the embedding matrix twice: once as the GATHER table
(per-tensor scale) for the input lookup and once as the output FULLY_CONNECTED
weights (per-row scales), although in the Keras model they are one variable.
That is 1.3 MB of the default bundle's 4 MB. This pass re-quantizes the matrix
once, per tensor, and points both ops at the same buffer. Verification
measures the accuracy it costs (docs/training.md has the figures).
"""

from __future__ import annotations

import logging

import flatbuffers
import numpy as np

try:
    from ai_edge_litert import schema_py_generated as schema
except ImportError:  # pragma: no cover - older stacks
    from tensorflow.lite.python import schema_py_generated as schema

log = logging.getLogger(__name__)


def _opcode_names(model) -> list[str]:
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    return [names.get(max(c.builtinCode, c.deprecatedBuiltinCode), "?") for c in model.operatorCodes]


def share_tied_embedding(tflite: bytes, embedding: np.ndarray) -> bytes:
    """``tflite`` with one int8 copy of ``embedding`` (V, E) shared by GATHER and the output FC.

    Returns the input unchanged (and logs why) when the pattern is not found.
    """
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(tflite, 0))
    codes = _opcode_names(model)
    graph = model.subgraphs[0]
    shape = list(embedding.shape)

    def int8_table(i):
        t = graph.tensors[i] if i >= 0 else None
        return t is not None and t.type == schema.TensorType.INT8 and list(t.shape) == shape

    gathers = [op for op in graph.operators if codes[op.opcodeIndex] == "GATHER" and int8_table(op.inputs[0])]
    fcs = [op for op in graph.operators if codes[op.opcodeIndex] == "FULLY_CONNECTED" and int8_table(op.inputs[1])]
    if len(gathers) != 1 or len(fcs) != 1:
        log.info("tied embedding not shared: found %d int8 GATHER and %d int8 FC tables of shape %s",
                 len(gathers), len(fcs), shape)
        return tflite
    g_tensor = graph.tensors[gathers[0].inputs[0]]
    f_tensor = graph.tensors[fcs[0].inputs[1]]
    gathered = graph.tensors[gathers[0].outputs[0]]

    scale = float(np.abs(embedding).max()) / 127.0
    q = np.clip(np.round(embedding / scale), -127, 127).astype(np.int8)
    for t in (f_tensor, g_tensor, gathered):
        t.quantization = schema.QuantizationParametersT()
        t.quantization.scale = [scale]
        t.quantization.zeroPoint = [0]
        t.quantization.quantizedDimension = 0
    model.buffers[f_tensor.buffer].data = q.tobytes()
    old = g_tensor.buffer
    g_tensor.buffer = f_tensor.buffer
    model.buffers[old].data = None

    builder = flatbuffers.Builder(len(tflite))
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    out = bytes(builder.Output())
    log.info("tied embedding shared: %d -> %d bytes", len(tflite), len(out))
    return out
