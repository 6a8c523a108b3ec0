"""safetensors files (save_file / load_file), interoperable with PyTorch's and NumPy's.

The format is simple enough to write directly: an 8-byte little-endian header length, a
JSON header mapping each name to its dtype, shape and byte range, then the raw
little-endian bytes. No code is ever executed on load.
"""
import json
import os
import struct
import tempfile

from .. import _dtype as dt
from .._backend import np, to_host
from .._tensor import Tensor

_CODE_OF = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16", "int64": "I64",
            "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL", "uint16": "U16",
            "uint32": "U32", "uint64": "U64", "complex64": "C64"}
_DTYPE_OF = {code: getattr(dt, name) for name, code in _CODE_OF.items()}


def save(tensors, metadata=None):
    """The bytes of a safetensors file holding ``tensors`` (a dict name -> Tensor)."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name]
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected a Tensor but received {type(t).__name__}")
        arr = np.ascontiguousarray(to_host(t._data))
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        raw = arr.tobytes()
        header[name] = {"dtype": _CODE_OF[t.dtype.name], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # keep the data 8-byte aligned, as the reference writer does
    return struct.pack("<Q", len(blob)) + blob + b"".join(chunks)


def save_file(tensors, filename, metadata=None):
    """Write ``tensors`` to ``filename`` atomically (temporary file, fsync, rename)."""
    data = save(tensors, metadata)
    folder = os.path.dirname(os.path.abspath(os.fspath(filename)))
    fd, tmp = tempfile.mkstemp(prefix=".ember-st-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, filename)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(data):
    """dict name -> Tensor from the bytes of a safetensors file."""
    name = "<bytes>"
    return _parse(memoryview(data), name)


def load_file(filename, device="cpu"):
    with open(filename, "rb") as fh:
        data = fh.read()
    return _parse(memoryview(data), os.fspath(filename))


def _parse(buf, name):
    if len(buf) < 8:
        raise RuntimeError(f"{name}: not a safetensors file (too short for its header length)")
    (n,) = struct.unpack("<Q", buf[:8])
    if 8 + n > len(buf):
        raise RuntimeError(f"{name}: truncated safetensors file (header claims {n} bytes, file has "
                           f"{len(buf) - 8})")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode())
    except ValueError as exc:
        raise RuntimeError(f"{name}: corrupted safetensors header ({exc})") from None
    body = buf[8 + n:]
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            d = _DTYPE_OF[info["dtype"]]
        except KeyError:
            raise RuntimeError(f"{name}: tensor '{key}' has unsupported dtype {info.get('dtype')}") from None
        start, end = info["data_offsets"]
        if end > len(body) or not 0 <= start <= end:
            raise RuntimeError(f"{name}: truncated safetensors file (tensor '{key}' needs bytes {start}..{end}, "
                               f"only {len(body)} present)")
        np_dtype = d.np_dtype.newbyteorder("<") if d.itemsize > 1 else d.np_dtype
        try:
            arr = np.frombuffer(bytes(body[start:end]), dtype=np_dtype).astype(d.np_dtype).reshape(info["shape"])
        except (TypeError, ValueError) as exc:
            raise RuntimeError(f"{name}: corrupted safetensors file (tensor '{key}': {exc})") from None
        out[key] = Tensor._make(arr)
    return out


__all__ = ["save", "save_file", "load", "load_file"]
