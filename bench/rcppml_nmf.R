# RcppML NMF peer for bench/bench.py (issue 4), one measurement per process.
#
#   Rscript bench/rcppml_nmf.R X.mtx K [--tol 1e-4] [--maxit 200] [--seed 1]
#                                      [--threads N] [--orient terms-docs|docs-terms]
#
# X.mtx: the documents x terms matrix (Matrix Market, written by `peers.py mtx`
# from scikit-learn's vectorizer output). Reading it (Matrix::readMM) and the
# conversion to dgCMatrix are untimed; only the RcppML::nmf() call is timed
# (proc.time() elapsed). RcppML 0.3.7:
#   nmf(A, k, tol = 1e-4, maxit = 100, verbose = TRUE, L1 = c(0, 0), seed = NULL,
#       mask_zeros = FALSE, diag = TRUE, nonneg = TRUE)
# A is "features x samples"; by default (--orient terms-docs) it gets t(X), i.e.
# terms x documents, so w = terms x k and h = k x documents. The loss is the same
# either way. tol is RcppML's own criterion: 1 - cor(w_i, w_{i-1}) between
# consecutive iterations. Threads: setRcppMLthreads(N) (0 = all cores). seed must
# be > 0: RcppML 0.3.7 calls set.seed(seed) only when seed > 0 (seed = 0 or NULL
# gives an unseeded, run-to-run different random start), hence the default 1.
#
# Loss, computed afterwards without densifying A (A ~ w diag(d) h):
#   ||A - w D h||_F^2 = ||A||^2 - 2 <A, w D h> + <w'w, (Dh)(Dh)'>
# with <A, w D h> = sum((t(w) %*% A) * (D h)). Prints one JSON line.

suppressPackageStartupMessages({
  library(Matrix)
  library(RcppML)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: rcppml_nmf.R X.mtx K [--tol T] [--maxit N] [--seed S] [--threads N] [--orient terms-docs|docs-terms]")
path <- args[1]
k <- as.integer(args[2])
opt <- list(tol = "1e-4", maxit = "200", seed = "1", threads = "0", orient = "terms-docs")
rest <- args[-(1:2)]
while (length(rest) >= 2) {
  name <- sub("^--", "", rest[1])
  if (!(name %in% names(opt))) stop("unknown option ", rest[1])
  opt[[name]] <- rest[2]
  rest <- rest[-(1:2)]
}
if (length(rest)) stop("option without value: ", rest[1])
if (as.integer(opt$seed) <= 0) stop("--seed must be > 0 (RcppML 0.3.7 does not seed its random start otherwise)")
tol <- as.numeric(opt$tol)
maxit <- as.integer(opt$maxit)
seed <- as.integer(opt$seed)
threads <- as.integer(opt$threads)
if (!(opt$orient %in% c("terms-docs", "docs-terms"))) stop("--orient: terms-docs or docs-terms")

t0 <- proc.time()[["elapsed"]]
X <- as(readMM(path), "CsparseMatrix")  # documents x terms
X <- as(X, "dgCMatrix")
A <- if (opt$orient == "terms-docs") as(t(X), "dgCMatrix") else X
rm(X)
t_load <- proc.time()[["elapsed"]] - t0
setRcppMLthreads(threads)

t1 <- proc.time()[["elapsed"]]
model <- RcppML::nmf(A, k, tol = tol, maxit = maxit, verbose = FALSE, L1 = c(0, 0),
                     seed = seed, mask_zeros = FALSE, diag = TRUE, nonneg = TRUE)
seconds <- proc.time()[["elapsed"]] - t1

w <- model$w
dh <- model$d * model$h                      # D h, k x samples
xx <- sum(A@x^2)
cross <- sum(as.matrix(crossprod(w, A)) * dh)  # <A, w D h>
gram <- sum(crossprod(w) * tcrossprod(dh))   # <w'w, (Dh)(Dh)'>
loss <- sqrt(max(xx - 2 * cross + gram, 0))

num <- function(x) trimws(formatC(x, digits = 17, format = "g"))
cat(sprintf(paste0('{"task": "rcppml", "seconds": %s, "loss": %s, "iterations": %d, "final_tol": %s, ',
                   '"k": %d, "rows": %d, "cols": %d, "nnz": %d, "orient": "%s", "threads": %d, ',
                   '"threads_env": "%s", "tol": %s, "maxit": %d, "seed": %d, "load_seconds": %s, ',
                   '"norm_A": %s, "versions": {"R": "%s", "RcppML": "%s", "Matrix": "%s"}}\n'),
            num(seconds), num(loss), as.integer(model$iter), num(model$tol),
            k, nrow(A), ncol(A), length(A@x), opt$orient, threads,
            Sys.getenv("RcppMLthreads"), num(tol), maxit, seed, num(t_load),
            num(sqrt(xx)), paste(R.version$major, R.version$minor, sep = "."),
            as.character(packageVersion("RcppML")), as.character(packageVersion("Matrix"))))
