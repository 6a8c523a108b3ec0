"""ember.save / ember.load: PyTorch's checkpoint format in both directions, safe loading,
atomic saving, clear errors for damaged files, and safetensors interop."""
import collections
import io
import os
import pathlib
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch

import ember

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _values(name, shape=(2, 3)):
    rng = np.random.default_rng(0)
    if name == "bool":
        return rng.random(shape) > 0.5
    if name.startswith("float") or name == "bfloat16":
        return rng.standard_normal(shape).astype(np.float32)
    return rng.integers(0, 100, shape).astype(name)


def _torch_of(name, values):
    return torch.tensor(values).to(getattr(torch, name))


def _ember_of(name, values):
    return ember.tensor(values).to(getattr(ember, name))


def _same(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_array_equal(e.float().numpy() if e.dtype.name == "bfloat16" else e.numpy(),
                                  t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy())


@pytest.mark.parametrize("name", DTYPES)
def test_ember_save_loads_in_torch_with_weights_only(tmp_path, name):
    values = _values(name)
    path = tmp_path / "x.pt"
    ember.save({"t": _ember_of(name, values), "n": 3, "f": 2.5}, path)
    loaded = torch.load(path, weights_only=True)
    _same(_ember_of(name, values), loaded["t"])
    assert loaded["n"] == 3 and loaded["f"] == 2.5


@pytest.mark.parametrize("name", DTYPES)
def test_torch_save_loads_in_ember(tmp_path, name):
    values = _values(name)
    path = tmp_path / "x.pt"
    torch.save({"t": _torch_of(name, values)}, path)
    _same(ember.load(path)["t"], _torch_of(name, values))


def test_views_keep_sharing_storage_across_the_round_trip(tmp_path):
    base = ember.arange(12.0).reshape(3, 4)
    obj = {"base": base, "col": base[:, 1], "t": base.t()}
    ember.save(obj, tmp_path / "v.pt")
    t = torch.load(tmp_path / "v.pt", weights_only=True)
    assert t["col"].untyped_storage().data_ptr() == t["base"].untyped_storage().data_ptr()
    assert t["col"].stride() == (4,) and t["col"].storage_offset() == 1
    e = ember.load(tmp_path / "v.pt")
    e["base"][0, 1] = 100.0
    assert e["col"][0].item() == 100.0 and e["t"][1, 0].item() == 100.0


def test_torch_views_load_as_views(tmp_path):
    base = torch.arange(12.0).reshape(3, 4)
    torch.save({"base": base, "row": base[1], "tr": base.t()}, tmp_path / "v.pt")
    e = ember.load(tmp_path / "v.pt")
    np.testing.assert_array_equal(e["tr"].numpy(), base.t().numpy())
    e["base"][1, 0] = -1.0
    assert e["row"][0].item() == -1.0


def test_nested_containers_round_trip_through_torch(tmp_path):
    obj = collections.OrderedDict(a=[ember.ones(2), (ember.zeros(1), 7)], b={"c": ember.tensor([1, 2])},
                                  s="text", none=None)
    ember.save(obj, tmp_path / "n.pt")
    t = torch.load(tmp_path / "n.pt", weights_only=True)
    assert isinstance(t, collections.OrderedDict)
    assert t["s"] == "text" and t["none"] is None and t["a"][1][1] == 7
    torch.save(t, tmp_path / "back.pt")
    e = ember.load(tmp_path / "back.pt")
    np.testing.assert_array_equal(e["b"]["c"].numpy(), [1, 2])


def test_size_dtype_and_device_objects_cross_both_ways(tmp_path):
    torch.save({"size": torch.Size([2, 3]), "dtype": torch.float16, "dev": torch.device("cpu")}, tmp_path / "m.pt")
    e = ember.load(tmp_path / "m.pt")
    assert e["size"] == ember.Size([2, 3]) and e["dtype"] is ember.float16 and e["dev"] == ember.device("cpu")
    ember.save(e, tmp_path / "m2.pt")
    t = torch.load(tmp_path / "m2.pt", weights_only=True)
    assert t == {"size": torch.Size([2, 3]), "dtype": torch.float16, "dev": torch.device("cpu")}


def test_file_like_objects_and_pathlib(tmp_path):
    buf = io.BytesIO()
    ember.save({"x": ember.arange(3)}, buf)
    buf.seek(0)
    assert torch.load(buf, weights_only=True)["x"].tolist() == [0, 1, 2]
    buf = io.BytesIO()
    torch.save({"y": torch.ones(2)}, buf)
    buf.seek(0)
    assert ember.load(buf)["y"].tolist() == [1.0, 1.0]
    ember.save(ember.ones(1), pathlib.Path(tmp_path) / "p.pt")
    assert ember.load(str(tmp_path / "p.pt")).tolist() == [1.0]


def test_map_location_is_accepted(tmp_path):
    ember.save({"x": ember.ones(2)}, tmp_path / "m.pt")
    assert ember.load(tmp_path / "m.pt", map_location="cpu")["x"].tolist() == [1.0, 1.0]


def _malicious_checkpoint(path, payload_command):
    class Evil:
        def __reduce__(self):
            return (os.system, (payload_command,))
    buf = io.BytesIO()
    pickle.dump({"x": Evil()}, buf, protocol=2)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/version", "3\n")


def test_malicious_pickle_is_refused_and_executes_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    _malicious_checkpoint(path, f"touch {marker}")
    with pytest.raises(pickle.UnpicklingError, match="os.system|posix.system"):
        ember.load(path)
    assert not marker.exists()


def test_malicious_pickle_is_refused_by_torch_too(tmp_path):
    path = tmp_path / "evil.pt"
    _malicious_checkpoint(path, "true")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


def test_weights_only_false_is_an_explicit_opt_in(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pt"
    _malicious_checkpoint(path, f"touch {marker}")
    ember.load(path, weights_only=False)
    assert marker.exists()


def test_truncated_file_raises_clear_error_naming_the_file(tmp_path):
    path = tmp_path / "ok.pt"
    ember.save({"x": ember.ones(1000)}, path)
    data = path.read_bytes()
    bad = tmp_path / "truncated.pt"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="truncated.pt"):
        ember.load(bad)


def test_garbage_file_raises_clear_error(tmp_path):
    bad = tmp_path / "garbage.pt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(RuntimeError, match="not a PyTorch/ember checkpoint"):
        ember.load(bad)


def test_missing_storage_record_is_reported(tmp_path):
    path = tmp_path / "ok.pt"
    ember.save({"x": ember.ones(3)}, path)
    damaged = tmp_path / "damaged.pt"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            if "/data/" not in item.filename:
                dst.writestr(item, src.read(item))
    with pytest.raises(RuntimeError, match="storage record"):
        ember.load(damaged)


def test_failed_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"v": ember.ones(3)}, path)
    before = path.read_bytes()
    import ember.serialization as ser

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")
    monkeypatch.setattr(ser, "_write_zip", crash)
    with pytest.raises(OSError):
        ember.save({"v": ember.zeros(3)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]  # no temporary file left behind


def test_killed_save_leaves_previous_file_intact(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"v": ember.ones(3)}, path)
    before = path.read_bytes()
    # A child process starts a large save and is SIGKILLed while writing.
    code = (
        "import sys, ember, ember.serialization as s\n"
        "orig = s._write_zip\n"
        "def slow(out, *a):\n"
        "    out.write(b'partial'); out.flush(); print('writing', flush=True); import time; time.sleep(30)\n"
        "s._write_zip = slow\n"
        f"ember.save({{'v': ember.zeros(1000)}}, {str(path)!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.wait(timeout=10)
    assert path.read_bytes() == before
    assert ember.load(path)["v"].tolist() == [1.0, 1.0, 1.0]


def test_safetensors_cross_both_ways(tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from ember.utils import safetensors as est
    est.save_file({"a": ember.arange(6.0).reshape(2, 3), "b": ember.ones(2, dtype=ember.bfloat16),
                   "c": ember.tensor([True, False])}, tmp_path / "e.safetensors")
    t = safetensors_torch.load_file(tmp_path / "e.safetensors")
    assert t["a"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and t["b"].dtype == torch.bfloat16
    assert t["c"].tolist() == [True, False]
    safetensors_torch.save_file({"z": torch.arange(4.0), "i": torch.arange(3)}, tmp_path / "t.safetensors")
    e = est.load_file(tmp_path / "t.safetensors")
    assert e["z"].tolist() == [0.0, 1.0, 2.0, 3.0] and e["i"].dtype is ember.int64


def test_truncated_safetensors_raises(tmp_path):
    from ember.utils import safetensors as est
    est.save_file({"a": ember.ones(100)}, tmp_path / "a.safetensors")
    data = (tmp_path / "a.safetensors").read_bytes()
    (tmp_path / "b.safetensors").write_bytes(data[:-50])
    with pytest.raises(RuntimeError, match="truncated"):
        est.load_file(tmp_path / "b.safetensors")



def _rewrite_pickle(buf, change):
    """A copy of checkpoint ``buf`` whose data.pkl is ``change(old_pickle)``."""
    buf.seek(0)
    src = zipfile.ZipFile(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            raw = src.read(n)
            z.writestr(n, change(raw) if n.endswith("/data.pkl") else raw)
    out.seek(0)
    return out


def test_weights_only_refuses_to_set_state_on_a_shared_dtype():
    # GLOBAL torch.float32, then BUILD with {"itemsize": 99}: would rewrite the process-wide dtype
    poison = b"\x80\x02ctorch\nfloat32\nN}X\x08\x00\x00\x00itemsizeK\x63s\x86b."
    buf = io.BytesIO()
    torch.save(torch.zeros(1), buf)
    with pytest.raises(pickle.UnpicklingError, match="Weights only"):
        ember.load(_rewrite_pickle(buf, lambda _: poison))
    assert ember.float32.itemsize == 4
    with pytest.raises(pickle.UnpicklingError):
        torch.load(_rewrite_pickle(buf, lambda _: poison), weights_only=True)


def test_view_reaching_outside_its_storage_is_refused():
    # the size tuple (4,) of a 4-float tensor becomes (10**8,): as_strided would read foreign memory
    buf = io.BytesIO()
    torch.save(torch.arange(4.0), buf)
    old = pickle.BININT1 + b"\x04" + pickle.TUPLE1
    new = pickle.BININT + (10 ** 8).to_bytes(4, "little") + pickle.TUPLE1

    def grow(raw):
        assert raw.count(old) == 1
        return raw.replace(old, new)

    with pytest.raises(RuntimeError, match="out of bounds"):
        ember.load(_rewrite_pickle(buf, grow))
    with pytest.raises(RuntimeError, match="storage"):
        torch.load(_rewrite_pickle(buf, grow), weights_only=True)
