// Non-negative matrix factorisation of a sparse document–term matrix A (m × n): A ≈ W·H with
// W (m × k, documents) and H (k × n, terms) both ≥ 0, minimising ½‖A − WH‖²_F (or, for `mu`,
// the generalised Kullback–Leibler divergence) plus scikit-learn's regularisation.
//
// Solvers:
//  - cd:   coordinate descent (Hsieh & Dhillon 2011; Cichocki's HALS), scikit-learn's
//          solver='cd' step for step (same update order, violation and stopping rule);
//  - mu:   multiplicative updates (Lee & Seung 2001) for the Frobenius norm or the KL
//          divergence, scikit-learn's solver='mu' (KL evaluated on the non-zeros only);
//  - pgd:  gradient descent with a penalty on entries below mu (the fast.ai lecture), step 1/L
//          per block unless lr is given, annealing; `project` clips to ≥ 0 after each step;
//  - adam: the lecture's Adam on ‖A − WH‖_F + lam·(mean(min(W,0)²) + mean(min(H,0)²)), with
//          its analytic gradient.
// Every solver works from A·Hᵀ, Aᵀ·W (sparse × thin dense) and k × k Gram matrices; nothing
// m × n is ever formed. Results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/decomp/status.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/runtime/context.hpp"

namespace factopic::decomp {

enum class NmfSolver { cd, mu, pgd, adam };
std::string to_string(NmfSolver s);
NmfSolver parse_nmf_solver(const std::string& name);
std::vector<std::string> nmf_solver_names();  ///< the names parse_nmf_solver reads, in order

enum class NmfInit { random, nndsvd, nndsvda, nndsvdar, custom };
std::string to_string(NmfInit i);
NmfInit parse_nmf_init(const std::string& name);
std::vector<std::string> nmf_init_names();

enum class BetaLoss { frobenius, kullback_leibler };
std::string to_string(BetaLoss b);
BetaLoss parse_beta_loss(const std::string& name);
std::vector<std::string> beta_loss_names();

struct NmfOptions {
    std::int64_t k = 10;
    NmfSolver solver = NmfSolver::cd;
    NmfInit init = NmfInit::nndsvda;
    BetaLoss beta_loss = BetaLoss::frobenius;  ///< mu only; the other solvers minimise the Frobenius norm
    /// Most iterations, at least 1; unset: the solver's default (cd, mu: 200; pgd, adam: 1000).
    std::optional<int> max_iter;
    /// ≥ 0; unset: the solver's default (adam 1e-5, the others 1e-4). cd: stop when the
    /// projected-gradient violation falls to tol × the first one; mu, pgd, adam: when the error fell
    /// by less than tol × the initial error over the last 10 iterations (checked every 10); 0: run
    /// max_iter iterations.
    std::optional<double> tol;
    std::uint64_t seed = 0;         ///< random init, nndsvdar, cd --shuffle
    double alpha_w = 0;             ///< regularisation of W (scikit-learn 1.2: scaled by n_features)
    std::optional<double> alpha_h;  ///< of H (scaled by n_samples), ≥ 0; unset: the same as alpha_w
    double l1_ratio = 0;            ///< 0: L2 only; 1: L1 only
    bool shuffle = false;           ///< cd: random order of the components in each sweep
    // pgd and adam (the lecture's names)
    std::optional<double> lam;  ///< penalty weight, ≥ 0; unset: the solver's default (pgd 100, adam 1e6)
    double mu = 1e-6;           ///< pgd: entries below mu are penalised
    /// step, > 0; unset: pgd 1/L per block (L = largest eigenvalue of its Gram matrix), adam 1e-3
    std::optional<double> lr;
    double anneal = 0.9;  ///< lr ← lr·anneal every anneal_every iterations
    int anneal_every = 100;
    bool project = false;                              ///< pgd: clip W, H to ≥ 0 after every step
    double beta1 = 0.9, beta2 = 0.9, adam_eps = 1e-8;  ///< adam (the lecture's betas)
    double target_error = 0;  ///< > 0: stop once reconstruction_error ≤ this (for benchmarks)
    std::optional<linalg::Matrix<double>> w_init, h_init;  ///< custom init: m × k and k × n
    /// Called after every iteration with (iteration, max_iter), on the calling thread (progress,
    /// cancellation); it must not throw. It returns true to go on; false stops the fit there
    /// (Ctrl-C, a time budget) with status cancelled and the factors after that iteration, the
    /// errors computed for them: the result of max_iter = that iteration but for the status
    /// (diverged or reached_target when that iteration diverged or reached target_error).
    std::function<bool(int, int)> on_iteration;
};

template <typename T>
struct NmfResult {
    linalg::Matrix<T> w;  ///< m × k
    linalg::Matrix<T> h;  ///< k × n
    NmfSolver solver = NmfSolver::cd;
    NmfInit init = NmfInit::nndsvda;
    BetaLoss beta_loss = BetaLoss::frobenius;
    double reconstruction_error = 0;  ///< scikit-learn's reconstruction_err_: ‖A − WH‖_F, or √(2·KL)
    double relative_error = 0;        ///< ‖A − WH‖_F / ‖A‖_F
    int iterations = 0;
    int max_iter = 0;  ///< the limit it ran under (the solver's default filled in)
    double tol = 0;    ///< the tol it ran under
    /// converged, max_iterations, target_reached, cancelled, diverged or degenerate (status.hpp).
    Status status = Status::max_iterations;
    std::string diagnosis;       ///< diverged, degenerate: what went wrong, in words ("the error rose from ... to ...")
    std::vector<double> losses;  ///< reconstruction_error after each iteration
    std::int64_t negative_entries = 0;  ///< entries of W and H below 0 at the end
    std::int64_t clipped = 0;           ///< pgd (penalty), adam: negatives set to 0 at the end
    std::vector<Phase> phases;
    double seconds = 0;
};

/// Factorises A. DataError for a negative, NaN or infinite entry (the first one is named), an
/// empty or all-zero A, an A whose scale the double-precision arithmetic cannot carry (see
/// require_workable_scale in svd.hpp), a custom init of the wrong shape, with a negative or
/// non-finite entry or full of zeros (as scikit-learn's _check_init); InvalidArgument for k out
/// of range (nndsvd*: k ≤ min(m, n); random and custom: k ≤ m·n, scikit-learn sets no bound) or
/// options out of their domain (among them regularisation weights that overflow once scaled by
/// m or n). A run that diverges is not an error here: its status says so, with a diagnosis.
/// Rows of A without an entry (empty documents) get W rows of exactly 0 with every solver.
template <typename T>
NmfResult<T> nmf(const CsrMatrix<T>& a, const NmfOptions& options, const runtime::ExecutionContext& context = {});

/// The rules of nmf's options that hold whatever the matrix (k >= 1, every option in its
/// domain; not k's upper bound nor the custom factors): InvalidArgument naming the field, value
/// and rule. For options that come from a file (a saved model), checked before they are used.
void validate_nmf_options(const NmfOptions& options);

/// The same for a dense matrix (made sparse first: the solvers' products are sparse ones).
template <typename T>
NmfResult<T> nmf(const linalg::Matrix<T>& a, const NmfOptions& options, const runtime::ExecutionContext& context = {});

template <typename T>
struct NmfTransform {
    linalg::Matrix<T> w;  ///< m × k
    int iterations = 0;
    bool converged = false;
};

/// W for (new) documents with H fixed, as scikit-learn's NMF.transform: the fit's solver with
/// update_H=False (cd for cd, pgd and adam: non-negative least squares per document by
/// coordinate descent from W = 0; mu from W = √(mean(A)/k)), with options' tol, max_iter and
/// regularisation of W.
template <typename T>
NmfTransform<T> nmf_transform(const CsrMatrix<T>& a, const linalg::Matrix<T>& h, const NmfOptions& options,
                              const runtime::ExecutionContext& context = {});

/// ‖A − WH‖_F without forming WH: √(‖A‖² − 2⟨A, WH⟩ + ⟨WᵀW, HHᵀ⟩).
template <typename T>
double frobenius_error(const CsrMatrix<T>& a, const linalg::Matrix<T>& w, const linalg::Matrix<T>& h);

}  // namespace factopic::decomp
