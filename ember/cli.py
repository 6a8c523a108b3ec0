"""The ``ember`` command: run an unmodified PyTorch script on ember, and report the setup.

    ember run script.py [args...]     run script.py with ``torch`` resolved to ember
    ember --version                   print the version
    ember info                        version, NumPy and BLAS build and threads, GPU availability
"""
import argparse
import os
import runpy
import sys


def _run(script, args):
    from ._torch_alias import install
    install()
    # Child interpreters (DataLoader workers started with spawn/forkserver) re-import the
    # script: make them alias torch too, through a sitecustomize that runs at their startup.
    boot = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_alias_boot")
    os.environ["EMBER_TORCH_ALIAS"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (boot, os.environ.get("PYTHONPATH")) if p)
    sys.argv = [script, *args]
    script_dir = os.path.dirname(os.path.abspath(script))
    sys.path.insert(0, script_dir)
    runpy.run_path(script, run_name="__main__")
    return 0


def _info():
    import numpy

    import ember
    from ._backend import cuda_available, cuda_unavailable_reason
    lines = [f"ember {ember.__version__}", f"python {sys.version.split()[0]}", f"numpy {numpy.__version__}"]
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            lines.append(f"  {pool.get('user_api')}: {pool.get('internal_api')} {pool.get('version')}, "
                         f"{pool.get('num_threads')} threads ({pool.get('filepath')})")
    except ImportError:
        cfg = numpy.show_config(mode="dicts") if "mode" in numpy.show_config.__code__.co_varnames else {}
        blas = (cfg.get("Build Dependencies", {}) or {}).get("blas", {})
        lines.append(f"  BLAS: {blas.get('name', 'unknown')} {blas.get('version', '')} "
                     f"(install threadpoolctl for thread counts)")
    lines.append(f"cpu cores: {os.cpu_count()}")
    from . import _threads
    blas = _threads.blas_num_threads()
    lines.append(f"ember threads: {ember.get_num_threads()} (ember.set_num_threads; default OMP_NUM_THREADS or "
                 f"cores), BLAS threads: {'unknown (no OpenBLAS found)' if blas is None else blas}")
    from . import _allocator
    lines.append(f"glibc allocator tuning: {'on' if _allocator.applied else 'off'} (EMBER_MALLOC_TUNING=0 disables)")
    if cuda_available():
        from ._backend import cupy
        lines.append(f"CUDA: available through CuPy {cupy.__version__}, "
                     f"{cupy.cuda.runtime.getDeviceCount()} device(s)")
    else:
        lines.append(f"CUDA: unavailable: {cuda_unavailable_reason()}")
    print("\n".join(lines))
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="ember", description="PyTorch's programming model on NumPy.")
    parser.add_argument("--version", action="store_true", help="print ember's version and exit")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run a PyTorch script with `torch` resolved to ember")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("info", help="show version, BLAS and GPU information")
    if argv and argv[0] == "run" and len(argv) >= 2 and argv[1] not in ("-h", "--help"):
        return _run(argv[1], argv[2:])  # everything after the script belongs to the script
    ns = parser.parse_args(argv)
    if ns.version:
        import ember
        print(f"ember {ember.__version__}")
        return 0
    if ns.command == "info":
        return _info()
    if ns.command == "run":
        return _run(ns.script, ns.args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
