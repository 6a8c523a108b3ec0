"""ember.save / ember.load in PyTorch's own checkpoint format.

A checkpoint is a zip archive: ``<name>/data.pkl`` (a protocol-2 pickle of the object,
where each tensor is a call to ``torch._utils._rebuild_tensor_v2`` on a storage named by
a persistent id) plus one ``<name>/data/<key>`` record of raw little-endian bytes per
storage, and small version records. Files written here load in PyTorch with
``torch.load(path, weights_only=True)`` and files PyTorch writes load here.

Loading is safe by default: an allow-listed unpickler that refuses every global
outside the tensor-rebuilding set, so a malicious file executes nothing. Saving to a
path is atomic: a temporary file in the same folder, fsync, then rename.
"""
import collections
import io
import os
import pickle
import sys
import tempfile
import zipfile

from . import _dtype as dt
from ._backend import np, to_host
from ._device import device as _device_cls
from ._size import Size
from ._tensor import Tensor

# storage class name <-> numpy dtype
_STORAGE_OF = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
    "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage", "uint16": "UInt16Storage", "uint32": "UInt32Storage",
    "uint64": "UInt64Storage",
}
_DTYPE_OF_STORAGE = {v: getattr(dt, k) for k, v in _STORAGE_OF.items()}


class _Global:
    """A name in PyTorch's namespace, written into the pickle as a GLOBAL opcode."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle requires reduce functions to be callable; never called
        raise TypeError(f"{self.module}.{self.name} is a name for PyTorch's unpickler, not a function")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = collections.OrderedDict


class _StorageRef:
    __slots__ = ("key", "dtype", "numel")

    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel = key, dtype, numel


class _Writer(pickle._Pickler):
    """A pickler that writes tensors the way PyTorch does and collects their storages."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = {}      # id(owner array) -> (key, flat storage, owner kept alive)
        self._refs = {}

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", _Global("torch", _STORAGE_OF[obj.dtype.name]), obj.key, "cpu", obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def save_global(self, obj, name=None):
        if isinstance(obj, _Global):
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            self.memoize(obj)
            return
        super().save_global(obj, name)

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, _Global):
            memo = self.memo.get(id(obj))
            if memo is not None:
                self.write(self.get(memo[0]))
                return
            return self.save_global(obj)
        if isinstance(obj, dt.dtype):
            return self.save(_dtype_global(obj))
        if isinstance(obj, Size):
            return self.save_reduce(_Global("torch", "Size"), (tuple(obj),), obj=obj)
        if isinstance(obj, _device_cls):
            return self.save_reduce(_Global("torch", "device"), (str(obj),), obj=obj)
        return super().save(obj, save_persistent_id)

    def _reduce_tensor(self, t):
        arr = to_host(t._data)
        owner, root = _root_array(arr)
        entry = self.storages.get(id(owner))
        if entry is None:
            key = str(len(self.storages))
            self.storages[id(owner)] = (key, root, owner)
        else:
            key, root = entry[0], entry[1]
        item = arr.itemsize
        offset = (_address(arr) - _address(root)) // item
        stride = tuple(s // item for s in arr.strides)
        ref = self._refs.get(key)
        if ref is None:
            ref = self._refs[key] = _StorageRef(key, dt.from_numpy_dtype(root.dtype), root.size)
        args = (ref, offset, tuple(arr.shape), stride, bool(t._requires_grad) and type(t) is Tensor,
                _ORDERED_DICT())
        if type(t) is not Tensor:  # nn.Parameter
            plain = Tensor._make(t._data)
            return (_REBUILD_PARAMETER, (plain, bool(t._requires_grad), _ORDERED_DICT()))
        return (_REBUILD_TENSOR, args)


_DTYPE_GLOBALS = {}


def _dtype_global(d):
    g = _DTYPE_GLOBALS.get(d.name)
    if g is None:
        g = _DTYPE_GLOBALS[d.name] = _Global("torch", d.name)
    return g


def _address(arr):
    return arr.__array_interface__["data"][0]


def _root_array(arr):
    """(owner, flat): the array owning ``arr``'s memory and its bytes as a flat storage.

    Views of one owner share one storage, as in PyTorch; an array whose owner is not a
    contiguous NumPy array (a foreign buffer) gets a contiguous copy of its own.
    """
    owner = arr
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if owner.flags.c_contiguous and owner.dtype == arr.dtype:
        return owner, owner.reshape(-1)
    return arr, np.ascontiguousarray(arr).reshape(-1)


def _archive_name(f):
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return stem or "archive"
    return "archive"


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write ``obj`` (tensors, state dicts, nested containers of them) in PyTorch's format."""
    if not _use_new_zipfile_serialization:
        raise RuntimeError("ember only writes PyTorch's zip checkpoint format "
                           "(_use_new_zipfile_serialization=False is not supported)")
    buffer = io.BytesIO()
    writer = _Writer(buffer)
    writer.dump(obj)
    name = _archive_name(f)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".ember-save-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                _write_zip(out, name, buffer.getvalue(), writer.storages.values())
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    else:
        _write_zip(f, name, buffer.getvalue(), writer.storages.values())


def _write_zip(out, name, pickled, storages):
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(f"{name}/data.pkl", pickled)
        z.writestr(f"{name}/.format_version", "1")
        z.writestr(f"{name}/.storage_alignment", "64")
        z.writestr(f"{name}/byteorder", sys.byteorder)
        for key, root, _owner in storages:
            data = root if root.dtype.byteorder in "=|<" else root.astype(root.dtype.newbyteorder("<"))
            z.writestr(f"{name}/data/{key}", np.ascontiguousarray(data).tobytes())
        z.writestr(f"{name}/version", "3\n")
        z.writestr(f"{name}/.data/serialization_id", "0" * 40)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

def _check_view_bounds(storage, offset, size, stride):
    """Refuse a view reaching outside its storage: as_strided would read foreign memory."""
    if not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError(f"expected a tensor storage, got {type(storage).__name__}")
    ints = (offset, *size, *stride)
    if not all(type(v) is int and v >= 0 for v in ints) or len(size) != len(stride):
        raise RuntimeError(f"ember.load: invalid tensor view: sizes {list(size)}, strides {list(stride)}, "
                           f"storage offset {offset}")
    if 0 not in size:
        needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if needed > storage.size:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and itemsize "
                f"{storage.itemsize} requiring a storage size of {needed * storage.itemsize} are out of bounds "
                f"for storage of size {storage.size * storage.itemsize}")


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    _check_view_bounds(storage, storage_offset, tuple(size), tuple(stride))
    arr = storage
    item = arr.itemsize
    if len(size) == 0:
        view = arr[storage_offset:storage_offset + 1].reshape(())
    else:
        view = np.lib.stride_tricks.as_strided(arr[storage_offset:], shape=tuple(size),
                                               strides=tuple(s * item for s in stride))
    t = Tensor._make(view)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *state):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    return func(*args)


def _torch_size(*args):
    return Size(*args)


def _rebuild_tensor_for_pickle(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True
    return t


_SAFE_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch", "Size"): _torch_size,
    ("torch", "device"): _device_cls,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
    ("builtins", "complex"): complex,
    ("builtins", "bytearray"): bytearray,
    ("_codecs", "encode"): lambda s, enc="latin1": s.encode(enc),
    ("ember.serialization", "_rebuild_tensor_for_pickle"): _rebuild_tensor_for_pickle,
}
for _name in _STORAGE_OF.values():
    _SAFE_GLOBALS[("torch", _name)] = _DTYPE_OF_STORAGE[_name]
for _d in dt.ALL:
    _SAFE_GLOBALS[("torch", _d.name)] = _d


class _SafeUnpickler(pickle._Unpickler):
    """The pure-Python unpickler: unlike the C one it lets BUILD be checked, so a file cannot set
    attributes on the shared objects find_class hands out (dtypes, classes, functions)."""
    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, storage_loader, weights_only):
        super().__init__(file)
        self._load_storage = storage_loader
        self._weights_only = weights_only

    def _load_build(self):
        target = self.stack[-2]
        if self._weights_only and not (isinstance(target, (collections.OrderedDict, Tensor))
                                       and not isinstance(target, type)):
            raise pickle.UnpicklingError(
                f"Weights only load failed. ember.load refused to set the state of a {type(target).__name__}: "
                "only tensors and OrderedDicts may carry state. If you trust the source of this file, pass "
                "weights_only=False.")
        pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = _load_build

    def find_class(self, module, name):
        hit = _SAFE_GLOBALS.get((module, name))
        if hit is not None:
            return hit
        if self._weights_only:
            raise pickle.UnpicklingError(
                f"Weights only load failed. ember.load refused the global '{module}.{name}': only tensors, "
                "containers and numbers are loaded by default, and nothing in the file was executed. If you "
                "trust the source of this file, pass weights_only=False.")
        if module == "torch" or module.startswith("torch."):
            module = "ember" + module[len("torch"):]
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, storage_dtype, key, _location, _numel = pid
        if not isinstance(storage_dtype, dt.dtype):
            raise pickle.UnpicklingError(f"unsupported storage type {storage_dtype!r}")
        return self._load_storage(key, storage_dtype)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Read a checkpoint written by ember.save or torch.save (zip format)."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file-like object>")
    try:
        if isinstance(f, (str, os.PathLike)):
            with open(f, "rb") as fh:
                return _load_zip(fh, name, weights_only)
        return _load_zip(f, name, weights_only)
    except FileNotFoundError:
        raise
    except zipfile.BadZipFile as exc:
        raise RuntimeError(f"ember.load: {name} is not a valid checkpoint: the zip archive is truncated or "
                           f"corrupted ({exc})") from None


def _load_zip(fh, name, weights_only):
    if not zipfile.is_zipfile(fh):
        fh.seek(0)
        head = fh.read(2)
        hint = " It looks like PyTorch's legacy (pre-1.6) format, which ember does not read." if head[:1] == \
            b"\x80" else ""
        raise RuntimeError(f"ember.load: {name} is not a PyTorch/ember checkpoint (no zip archive found; "
                           f"the file may be truncated or corrupted).{hint}")
    fh.seek(0)
    with zipfile.ZipFile(fh) as z:
        names = z.namelist()
        pkl = next((n for n in names if n.endswith("data.pkl") and n.count("/") == 1), None)
        if pkl is None:
            raise RuntimeError(f"ember.load: {name} has no data.pkl record: not a checkpoint")
        prefix = pkl[: -len("data.pkl")]
        cache = {}

        def load_storage(key, storage_dtype):
            arr = cache.get(key)
            if arr is None:
                record = f"{prefix}data/{key}"
                try:
                    raw = z.read(record)
                except KeyError:
                    raise RuntimeError(f"ember.load: {name} is corrupted: storage record '{record}' is "
                                       "missing") from None
                except zipfile.BadZipFile as exc:
                    raise RuntimeError(f"ember.load: {name} is corrupted: {exc}") from None
                np_dtype = storage_dtype.np_dtype.newbyteorder("<") if storage_dtype.itemsize > 1 \
                    else storage_dtype.np_dtype
                arr = np.frombuffer(raw, dtype=np_dtype).astype(storage_dtype.np_dtype, copy=True)
                cache[key] = arr
            return arr

        try:
            data = z.read(pkl)
        except zipfile.BadZipFile as exc:
            raise RuntimeError(f"ember.load: {name} is corrupted: {exc}") from None
        try:
            return _SafeUnpickler(io.BytesIO(data), load_storage, weights_only).load()
        except pickle.UnpicklingError:
            raise
        except (EOFError, ValueError) as exc:
            raise RuntimeError(f"ember.load: {name} is corrupted: the pickled object record is unreadable "
                               f"({type(exc).__name__}: {exc})") from None


__all__ = ["save", "load"]
