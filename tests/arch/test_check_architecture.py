#!/usr/bin/python3
"""tools/check_architecture.py on small trees with planted breaches: each rule must fail with the
file and line of its breach, and pass where the same code sits where the rule allows it; then the
rules CI enforces on the repository itself.

Usage: test_check_architecture.py --script tools/check_architecture.py --root REPO --workdir DIR
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Checks, finish  # noqa: E402

CLEAN = {
    "src/decomp/nmf.cpp": "#include \"factopic/linalg/dense.hpp\"\n// linalg::gemm in a comment is no call\n"
                          "int f() { return 1; }\n",
    "include/factopic/runtime/parallel.hpp": "#pragma once\n#pragma omp declare reduction\n"
                                             "#ifdef FACTOPIC_MPI\n#endif\n",
    "src/backend/cuda/gemm.cu": "#include <cublas_v2.h>\n#ifdef __CUDACC__\n#endif\n#pragma omp parallel\n",
}


def run_script(script, root, *extra):
    p = subprocess.run([sys.executable, script, "--root", root, *extra], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def make_tree(base, files):
    root = tempfile.mkdtemp(dir=base)
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return root


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--script", required=True)
    ap.add_argument("--root", required=True, help="the repository")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.makedirs(args.workdir, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="arch-", dir=os.path.abspath(args.workdir))
    checks = Checks()

    def clean_tree_passes():
        rc, out = run_script(args.script, make_tree(workdir, CLEAN), "--enforce-all")
        assert rc == 0, f"exit {rc} on a tree without breaches:\n{out}"

    checks.run("a tree without breaches passes, every rule enforced", clean_tree_passes)

    # (rule, file, text, line of the breach, enforced by default)
    planted = [
        ("omp", "src/text/vectorizer.cpp", "int a;\n  #  pragma omp parallel for\n", 2, True),
        ("omp", "tests/unit/test_x.cpp", "#pragma omp critical\n", 1, True),
        ("cuda-mpi-if", "src/decomp/svd.cpp", "int a;\nint b;\n#if defined(FACTOPIC_CUDA) && 1\n#endif\n", 3, True),
        ("cuda-mpi-if", "src/model/model.cpp", "#ifdef __CUDACC__\n#endif\n", 1, True),
        ("cuda-mpi-if", "src/cli/main.cpp", "#elif MPI_VERSION >= 3\n", 1, True),
        ("cuda-mpi-if", "include/factopic/core/csr.hpp", "#ifndef OMPI_MAJOR_VERSION\n#endif\n", 1, True),
        ("cuda-mpi-include", "src/linalg/sparse.cpp", "\n#include <mpi.h>\n", 2, True),
        ("cuda-mpi-include", "src/io/npy.cpp", "#include <cuda_runtime.h>\n", 1, True),
        ("blas-in-decomp", "src/decomp/nmf.cpp", "void f() {\n    linalg::gemm('N', 'N', 1, 1, 1);\n}\n", 2, True),
        ("blas-in-decomp", "src/decomp/svd/krylov.cpp", "x;\ny;\nz;\n    cblas_dgemm(a);\n", 4, True),
        ("blas-in-decomp", "src/decomp/topics.cpp", "#include \"factopic/linalg/lapack.hpp\"\n", 1, True),
        ("blas-in-decomp", "src/decomp/nmf.cpp", "dsyrk_(&u, &t);\n", 1, True),
        ("blas-in-decomp", "src/decomp/nmf.cpp", "const linalg::SerialBlas serial;\n", 1, True),
        ("blas-in-decomp", "src/decomp/svd.cpp", "LAPACKE_dgesdd(a);\n", 1, True),
        ("parallel-in-decomp", "src/decomp/nmf/loop.cpp", "x;\n  runtime::parallel_for(n, body, 64);\n", 2, True),
        ("parallel-in-decomp", "src/decomp/svd/api.cpp", "#include \"factopic/runtime/parallel.hpp\"\n", 1, True),
        ("parallel-in-decomp", "src/decomp/nmf/detail.hpp", "return fixed_order_sum(n, 1024, f);\n", 1, True),
        ("raw-csr-in-decomp", "src/decomp/nmf/losses.cpp",
         "for (q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {}\n", 1, True),
        ("raw-csr-in-decomp", "src/decomp/svd/check.cpp", "a;\nb;\nx = m->indptr [0];\n", 3, True),
    ]
    for rule, rel, text, line, enforced in planted:
        def caught(rule=rule, rel=rel, text=text, line=line, enforced=enforced):
            files = dict(CLEAN)
            files[rel] = text
            root = make_tree(workdir, files)
            rc, out = run_script(args.script, root, "--enforce-all")
            assert rc == 1, f"exit {rc}, expected 1:\n{out}"
            assert f"{rel}:{line}: error: [{rule}]" in out, f"no '{rel}:{line}: error: [{rule}]' in:\n{out}"
            rc, out = run_script(args.script, root)
            if enforced:
                assert rc == 1, f"exit {rc} without --enforce-all, expected 1 (rule enforced):\n{out}"
            else:
                assert rc == 0, f"exit {rc} without --enforce-all, expected 0 (rule only reported):\n{out}"
                assert f"{rel}:{line}: warning" in out and "not yet enforced" in out, f"not reported:\n{out}"
        checks.run(f"{rule}: {rel}:{line} fails", caught)

    def allowed_places():
        # The same lines where the rules allow them: runtime and backend.
        files = dict(CLEAN)
        files["src/backend/mpi/comm.cpp"] = "#include <mpi.h>\n#if MPI_VERSION >= 3\n#endif\n#pragma omp for\n"
        files["include/factopic/runtime/mpi.hpp"] = "#ifdef FACTOPIC_MPI\n#endif\n#pragma omp barrier\n"
        files["src/linalg/lapack.cpp"] = "extern \"C\" void dgemm_();\nvoid g() { dgemm_(); }\n"
        files["src/backend/cpu/nmf.cpp"] = ("#include \"factopic/runtime/parallel.hpp\"\n"
                                            "void h() { runtime::parallel_for(n, [&](auto i) { x.indptr[i]; }, 1); }\n")
        files["src/linalg/sparse.cpp"] = "for (q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {}\n"
        rc, out = run_script(args.script, make_tree(workdir, files), "--enforce-all")
        assert rc == 0, f"exit {rc}:\n{out}"

    checks.run("runtime/, backend/ and linalg/ may hold what the rules keep elsewhere", allowed_places)

    def repository_passes():
        rc, out = run_script(args.script, args.root)
        assert rc == 0, f"the repository breaks an enforced rule:\n{out}"
        return out.strip().splitlines()[-1]

    checks.run("the repository satisfies the enforced rules", repository_passes)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
