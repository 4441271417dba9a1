#!/usr/bin/python3
"""The dependency rules of ARCHITECTURE.md that a grep can check, with file:line for each breach.

Usage: tools/check_architecture.py [--root DIR] [--enforce-all]

Rules (ARCHITECTURE.md, "Dependency rules"; issue 15, point 5):
  omp          `#pragma omp` only in include/factopic/runtime/ and src/backend/
  cuda-mpi-if  `#if`/`#ifdef`/`#elif` on CUDA or MPI (FACTOPIC_CUDA, __CUDACC__, MPI_VERSION,
               OMPI_..., any identifier with CUDA, NVCC or MPI in it) only in src/backend/ and
               include/factopic/runtime/
  cuda-mpi-include  CUDA or MPI headers (cuda*.h, cublas*, cusparse*, curand*, nccl*, mpi.h)
               only in src/backend/
  blas-in-decomp  no BLAS/LAPACK call in src/decomp/: cblas_*, LAPACKE_*, Fortran symbols
               (dgemm_, dsyrk_, ...), the wrappers of include/factopic/linalg/lapack.hpp
               (linalg::gemm, syrk, syevd, gesdd, qr, ..., SerialBlas) or including lapack.hpp,
               cblas.h or lapacke.h; the backend seam does those calls.
  parallel-in-decomp  no parallel loop in src/decomp/: runtime::parallel_for, fixed_order_sum
               or including runtime/parallel.hpp (a backend splits the work, in fixed blocks).
  raw-csr-in-decomp  no walk over a CSR matrix's arrays in src/decomp/ (`x.indptr[...]`,
               `a->indptr[...]`): the backend reads the sparse matrix it was given.

A rule is enforced (a breach exits 1) or only reported (listed, exit status unchanged) until the
tree satisfies it; --enforce-all enforces every rule (the self-test uses it). An enforced rule
may list files that still break it while another change removes the breach (KNOWN): those lines
are reported, not failed, and a KNOWN entry that no longer breaks the rule is reported as stale.
"""

import argparse
import os
import re
import sys

SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc", ".c", ".inc", ".cu", ".cuh")
SCANNED_DIRS = ("src", "include", "tests", "bench", "examples", "python")

CONDITIONAL = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|elifdef|elifndef)\b(.*)")
CUDA_MPI_NAME = re.compile(r"\b\w*(CUDA|NVCC|MPI)\w*\b")
CUDA_MPI_HEADER = re.compile(r"^\s*#\s*include\s*[<\"](cuda\w*\.h|cublas\w*|cusparse\w*|curand\w*|cusolver\w*|"
                             r"nccl\w*|thrust/|mpi\.h|mpi\w*\.h)")
OMP = re.compile(r"^\s*#\s*pragma\s+omp\b")
LAPACK_WRAPPERS = ("gemm", "gemm_fixed", "gemm_tn_split", "syrk", "syevd", "gesdd", "qr", "permuted_lower",
                   "cholesky_upper", "invert_upper", "multiply_left_inplace", "gram_wide", "SerialBlas")
BLAS_CALL = re.compile(
    r"\bcblas_\w+|\bLAPACKE_\w+|"
    r"\b[sdcz](gemm|gemv|ger|symm|syrk|syr2k|trsm|trmm|axpy|dot|nrm2|scal|copy|swap|gesdd|gesvd|syevd|syev|syevr|"
    r"geqrf|orgqr|potrf|trtri|getrf|getrs|gels)_\s*\(|"
    r"\blinalg::(" + "|".join(LAPACK_WRAPPERS) + r")\b|"
    r"^\s*#\s*include\s*[<\"]([\w/]*/)?(lapack\.hpp|cblas\.h|lapacke\.h)[>\"]")

PARALLEL_CALL = re.compile(r"\bparallel_for\b|\bfixed_order_sum\b|"
                           r"^\s*#\s*include\s*[<\"]factopic/runtime/parallel\.hpp[>\"]")
RAW_CSR = re.compile(r"(\.|->)\s*indptr\s*\[")

RULES = {
    # name: (enforced, description)
    "omp": (True, "#pragma omp outside include/factopic/runtime/ and src/backend/"),
    "cuda-mpi-if": (True, "#if on CUDA or MPI outside src/backend/ and include/factopic/runtime/"),
    "cuda-mpi-include": (True, "CUDA or MPI header outside src/backend/"),
    "blas-in-decomp": (True, "BLAS/LAPACK call in src/decomp/"),
    "parallel-in-decomp": (True, "parallel loop in src/decomp/"),
    "raw-csr-in-decomp": (True, "raw CSR walk in src/decomp/"),
}
# Not yet enforced, and why (printed with the list).
REPORT_ONLY_WHY: dict = {}
# Breaches another change is removing: reported while they last, stale once gone.
KNOWN: dict = {}


def under(path, *prefixes):
    return any(path == p.rstrip("/") or path.startswith(p) for p in prefixes)


def strip_comment(line):
    # Enough for these rules: a // comment to the end of the line, and a /* ... */ on one line.
    line = re.sub(r"/\*.*?\*/", " ", line)
    cut = line.find("//")
    return line if cut < 0 else line[:cut]


def breaches(rel, lines):
    in_block_comment = False
    for number, raw in enumerate(lines, 1):
        line = raw
        if in_block_comment:
            end = line.find("*/")
            if end < 0:
                continue
            line = line[end + 2:]
            in_block_comment = False
        code = strip_comment(line)
        start = code.find("/*")
        if start >= 0:
            code = code[:start]
            in_block_comment = True
        if OMP.search(code) and not under(rel, "include/factopic/runtime/", "src/backend/"):
            yield "omp", number, raw
        cond = CONDITIONAL.match(code)
        if cond and CUDA_MPI_NAME.search(cond.group(2)) and not under(rel, "src/backend/",
                                                                         "include/factopic/runtime/"):
            yield "cuda-mpi-if", number, raw
        if CUDA_MPI_HEADER.search(code) and not under(rel, "src/backend/"):
            yield "cuda-mpi-include", number, raw
        if under(rel, "src/decomp/") and BLAS_CALL.search(code):
            yield "blas-in-decomp", number, raw
        if under(rel, "src/decomp/") and PARALLEL_CALL.search(code):
            yield "parallel-in-decomp", number, raw
        if under(rel, "src/decomp/") and RAW_CSR.search(code):
            yield "raw-csr-in-decomp", number, raw


def source_files(root):
    for top in SCANNED_DIRS:
        base = os.path.join(root, top)
        for folder, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES):
                    path = os.path.join(folder, name)
                    yield os.path.relpath(path, root).replace(os.sep, "/"), path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--enforce-all", action="store_true", help="enforce the rules that are only reported")
    args = parser.parse_args()
    root = os.path.abspath(args.root)

    found = {rule: [] for rule in RULES}
    for rel, path in source_files(root):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        for rule, number, text in breaches(rel, lines):
            found[rule].append((rel, number, text.strip()))

    failed = False
    for rule, (enforced, description) in RULES.items():
        enforced = enforced or args.enforce_all
        known = () if args.enforce_all else KNOWN.get(rule, ())
        hard = [b for b in found[rule] if b[0] not in known]
        soft = [b for b in found[rule] if b[0] in known]
        if enforced:
            for rel, number, text in hard:
                print(f"{rel}:{number}: error: [{rule}] {description}: {text}")
            failed = failed or bool(hard)
            for rel, number, text in soft:
                print(f"{rel}:{number}: warning: [{rule}] known, being removed by another change: {text}")
            for rel in known:
                if not any(b[0] == rel for b in found[rule]):
                    print(f"note: [{rule}] {rel} no longer breaks the rule: remove it from KNOWN")
        elif found[rule]:
            why = REPORT_ONLY_WHY.get(rule, "not yet enforced")
            print(f"[{rule}] {description}: {len(found[rule])} line(s), {why}:")
            for rel, number, text in found[rule]:
                print(f"  {rel}:{number}: warning: {text}")
    enforced_rules = [r for r, (e, _) in RULES.items() if e or args.enforce_all]
    print(("FAILED" if failed else "passed") + ": architecture rules enforced: " + ", ".join(enforced_rules))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
