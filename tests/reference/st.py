# SPDX-License-Identifier: MIT
"""A tiny safetensors reader and writer for the parity tests.

The format: an 8-byte little-endian header length, a JSON header naming each
tensor's dtype, shape and byte range (plus "__metadata__", strings only), then
the raw little-endian data. Debian 12 has no python3-safetensors, and the
tests need only float32, int64 and uint8.
"""

import json
import struct

import torch

_DTYPES = {
    torch.float32: ("F32", 4),
    torch.int64: ("I64", 8),
    torch.uint8: ("U8", 1),
}
_FROM_NAME = {"F32": torch.float32, "I64": torch.int64, "U8": torch.uint8}


def write(path, tensors, metadata=None):
    """Writes a dict of name -> tensor (float32, int64 or uint8) and string metadata."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in _DTYPES:
            t = t.to(torch.float32) if t.is_floating_point() else t.to(torch.int64)
        code, size = _DTYPES[t.dtype]
        data = t.numpy().tobytes() if t.numel() else b""
        assert len(data) == t.numel() * size
        header[name] = {"dtype": code, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header).encode("utf-8")
    # Pad the header so the data starts 8-byte aligned, as the format suggests
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def read(path):
    """Returns (dict of name -> tensor, metadata dict)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = _FROM_NAME[info["dtype"]]
        raw = bytearray(blob[base + begin:base + end])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata
