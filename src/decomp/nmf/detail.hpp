// What the files of the NMF solvers (see nmf.hpp) share; private to src/decomp/nmf/.
//
// Layout: both factors are kept "row-wise" — W as Wr = Wᵀ (k × m, column i = document i's k
// weights) and H as k × n (column j = term j's) — so that one half-step updates the columns of
// a k × M matrix Y from the other factor F (k × N) and X ∈ {A, Aᵀ} (M × N, CSR):
//   the W step: Y = Wr, F = H,  X = A;     the H step: Y = H, F = Wr, X = Aᵀ.
// Every half-step needs only P = X·Fᵀ (k × M, one sparse product), the Gram matrix G = F·Fᵀ
// (k × k), and, for KL, X's non-zeros. The numerics run on a backend (src/backend/backend.hpp):
// A and Aᵀ are uploaded once, the factors are uploaded after the init and downloaded at the
// end, and the loops here call only its operations; the Gram matrices come back to the host.
//
// The files:
//   api.cpp           names of the modes, nmf() step by step, frobenius_error
//   validate.cpp      the rules of the inputs and options, the solvers' defaults, regularisation
//   init.cpp          random, NNDSVD (nndsvd, nndsvda, nndsvdar) and custom starts
//   update_rules.cpp  the coordinate order of cd (the column updates run on the backend)
//   loop.cpp          the alternating loop of cd, mu and pgd, and the stopping rules
//   adam.cpp          Adam on both factors at once
//   losses.cpp        ‖A − WH‖_F and √(2·KL) from the factors
//   transform.cpp     nmf_transform (W for new documents, H fixed)
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../../backend/backend.hpp"
#include "factopic/core/csr.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/runtime/random.hpp"

namespace factopic::decomp::nmf_detail {

using linalg::Matrix;

/// Double machine epsilon: KL's mu sets H's entries below it to 0 (scikit-learn's solver='mu').
constexpr double eps64 = std::numeric_limits<double>::epsilon();

using backend::Dense;
using backend::Side;
using backend::Sparse;

inline double squared_norm(double norm) { return norm * norm; }

/// A and Aᵀ uploaded to the backend, with ‖A‖²_F and A's empty rows.
struct Problem {
    const backend::Backend& be;
    Sparse x;
    double norm2 = 0;
    std::vector<std::int64_t> empty;
    template <typename T>
    Problem(const backend::Backend& be_, const CsrMatrix<T>& a)
        : be(be_), x(be_.upload(a, true)), norm2(be_.squared_norm(x)), empty(be_.empty_rows(x)) {}
};

/// The factors on the host (the inits make them there).
struct Factors {
    Matrix<double> wr;  // k × m
    Matrix<double> h;   // k × n
};

/// The factors on the backend (the loops update them there).
struct DeviceFactors {
    Dense wr;  // k × m
    Dense h;   // k × n
};

// ---------------------------------------------------------------------------------------------
// validate.cpp

/// scikit-learn 1.2's regularisation weights (_compute_regularization).
struct Regularization {
    double l1_w = 0, l2_w = 0, l1_h = 0, l2_h = 0;
};
Regularization regularization(const NmfOptions& o, std::int64_t m, std::int64_t n);

/// DataError for an empty or all-zero A, a negative or non-finite entry, or a scale the
/// arithmetic cannot carry.
template <typename T>
void require_valid_matrix(const backend::Backend& be, const CsrMatrix<T>& a);
/// DataError for a custom factor of the wrong shape or with a negative or non-finite entry.
void require_valid_factor(const Matrix<double>& x, std::int64_t rows, std::int64_t cols, const char* name);
/// InvalidArgument for k out of range for an m × n A, or an option out of its domain.
void require_valid_options(const NmfOptions& o, std::int64_t m, std::int64_t n);

int default_max_iter(NmfSolver s);
double default_tol(NmfSolver s);
/// The options with the solver's defaults filled in.
NmfOptions with_defaults(NmfOptions o);

// ---------------------------------------------------------------------------------------------
// init.cpp (scikit-learn's _initialize_nmf)

template <typename T>
double matrix_mean(const CsrMatrix<T>& a);

template <typename T>
Factors initialize(const CsrMatrix<T>& a, const NmfOptions& o);

// ---------------------------------------------------------------------------------------------
// update_rules.cpp (the column updates themselves are the backend's: backend::NmfRule)

/// The draw-th Fisher–Yates permutation of 0..k-1 under the seed (cd --shuffle: one draw per
/// half-step; portable, no std::shuffle): swap i with the integer below i + 1 at position
/// draw·k + i of the nmf_shuffle stream.
std::vector<std::int64_t> permutation(std::int64_t k, std::uint64_t seed, std::uint64_t draw);
/// cd's coordinate order for a half-step: the draw-th permutation under o.seed when o.shuffle,
/// else 0..k-1.
std::vector<std::int64_t> coordinate_order(std::int64_t k, const NmfOptions& o, std::uint64_t draw);

// ---------------------------------------------------------------------------------------------
// losses.cpp

/// ⟨X, Y⟩ of two equally shaped host matrices (the k × k Gram matrices), over blocks of 1024
/// entries added in order (the backend's inner product's blocks).
double inner(const Matrix<double>& x, const Matrix<double>& y);
/// ‖A − WH‖_F from ‖A‖², ⟨Y, P⟩ = ⟨A, WH⟩ and the two Gram matrices.
double frobenius_from(double norm2, double cross, const Matrix<double>& gw, const Matrix<double>& gh);
/// √(2·KL(A ‖ WH)) as scikit-learn's _beta_divergence(beta=1, square_root=True).
double kl_error(const backend::Backend& be, const Sparse& a, const Dense& wr, const Dense& h);
/// ‖A − WH‖_F for row-wise factors.
double frobenius_error_rw(const backend::Backend& be, const Sparse& a, double norm2, const Dense& wr, const Dense& h);

// ---------------------------------------------------------------------------------------------
// loop.cpp: the solvers' loops and stopping rules (adam's loop in adam.cpp).

/// The stopping rule of scikit-learn's mu, used for mu, pgd and adam: every 10 iterations, stop
/// when the error fell by less than tol × the initial error since the last check.
struct DecreaseRule {
    double tol, initial, previous;
    bool done(int iteration, double error) {
        if (tol <= 0 || iteration % 10 != 0) return false;
        if ((previous - error) / initial < tol) return true;
        previous = error;
        return false;
    }
};

/// The stopping rule of scikit-learn's cd, for the fit and the transform: stop when an
/// iteration's projected-gradient violation is at most tol × the first iteration's (at once
/// when the first is 0: the start is already stationary).
struct ViolationRule {
    double tol, initial = 0;
    bool done(int iteration, double violation) {
        if (iteration == 1) initial = violation;
        return initial == 0 || violation / initial <= tol;
    }
};

struct Outcome {
    std::vector<double> losses;
    int iterations = 0;
    bool converged = false, reached_target = false, diverged = false;
    bool cancelled = false;               // on_iteration returned false
    std::string diagnosis;                // diverged: what went wrong
    double error = 0;                     // after the last iteration
    const NmfOptions* options = nullptr;  // for its on_iteration callback
    int max_iter = 0;

    Outcome() = default;
    Outcome(const NmfOptions& o, int limit) : options(&o), max_iter(limit) {}

    /// Records the error after iteration `it`; true when it reached a (positive) target, when
    /// on_iteration asked to stop (cancelled), or when it is NaN or infinite (diverged: nothing
    /// after that iteration can mean anything).
    bool record(int it, double err, double target);
    /// The same, then the decrease rule: true when the run ends (target reached, cancelled or
    /// converged).
    bool record(int it, double err, double target, DecreaseRule& rule);
    /// pgd and adam are not descent methods: an error that ends above both its start and
    /// ‖A‖_F, the error of W = H = 0, is divergence.
    void check_rise(double initial, double norm2);
};

Outcome run_cd(const Problem& pb, DeviceFactors& f, const NmfOptions& o, const Regularization& reg, int max_iter);
Outcome run_mu(const Problem& pb, DeviceFactors& f, const NmfOptions& o, const Regularization& reg, int max_iter);
Outcome run_pgd(const Problem& pb, DeviceFactors& f, const NmfOptions& o, int max_iter);
Outcome run_adam(const Problem& pb, DeviceFactors& f, const NmfOptions& o, int max_iter);

}  // namespace factopic::decomp::nmf_detail
