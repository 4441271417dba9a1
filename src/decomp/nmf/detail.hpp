// What the files of the NMF solvers (see nmf.hpp) share; private to src/decomp/nmf/.
//
// Layout: both factors are kept "row-wise" — W as Wr = Wᵀ (k × m, column i = document i's k
// weights) and H as k × n (column j = term j's) — so that one half-step updates the columns of
// a k × M matrix Y from the other factor F (k × N) and X ∈ {A, Aᵀ} (M × N, CSR):
//   the W step: Y = Wr, F = H,  X = A;     the H step: Y = H, F = Wr, X = Aᵀ.
// Every half-step needs only P = X·Fᵀ (k × M, one sparse product), the Gram matrix G = F·Fᵀ
// (k × k), and, for KL, X's non-zeros. Columns of Y are independent in every update, so they
// are updated in parallel; sums are taken over fixed blocks in a fixed order, and results do
// not depend on the thread count.
//
// The files:
//   api.cpp           names of the modes, nmf() step by step, frobenius_error
//   validate.cpp      the rules of the inputs and options, the solvers' defaults, regularisation
//   init.cpp          random, NNDSVD (nndsvd, nndsvda, nndsvdar) and custom starts
//   update_rules.cpp  the column updates (cd, mu, pgd; mu for KL) and the fused half-step
//   loop.cpp          the alternating loop of cd, mu and pgd, and the stopping rules
//   adam.cpp          Adam on both factors at once
//   losses.cpp        ‖A − WH‖_F and √(2·KL) from the factors
//   transform.cpp     nmf_transform (W for new documents, H fixed)
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/parallel.hpp"

namespace factopic::decomp::nmf_detail {

using linalg::Matrix;

/// scikit-learn's EPSILON (float32 machine epsilon): the floor of denominators and of WH in KL.
constexpr double eps32 = std::numeric_limits<float>::epsilon();
constexpr double eps64 = std::numeric_limits<double>::epsilon();

/// Σ over [0, n) of part(lo, hi), cut into blocks fixed by n alone and added in order.
template <typename Part>
double fixed_sum(std::int64_t n, Part&& part) {
    return runtime::fixed_order_sum(n, 1024, std::forward<Part>(part));
}

/// Runs body(i) for every column i of a k × n factor, in parallel (columns are independent).
template <typename Body>
void for_columns(std::int64_t n, Body&& body) {
    runtime::parallel_for(
        static_cast<std::size_t>(n), [&](std::size_t i) { body(static_cast<std::int64_t>(i)); }, 64);
}

inline double squared_norm(double norm) { return norm * norm; }

/// The rows of A without a non-zero entry (empty documents), ascending.
template <typename T>
std::vector<std::int64_t> empty_rows(const CsrMatrix<T>& a) {
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < a.rows; ++i)
        if (std::all_of(a.values.begin() + a.indptr[i], a.values.begin() + a.indptr[i + 1], [](T v) { return v == 0; }))
            out.push_back(i);
    return out;
}

/// A and Aᵀ in CSR form, with ‖A‖²_F and A's empty rows.
template <typename T>
struct Problem {
    const CsrMatrix<T>& a;
    CsrMatrix<T> at;
    double norm2 = 0;
    std::vector<std::int64_t> empty;
    explicit Problem(const CsrMatrix<T>& a_)
        : a(a_), at(linalg::transpose(a_)), norm2(squared_norm(linalg::frobenius_norm(a_))), empty(empty_rows(a_)) {}
};

/// Sets the given columns of a k × m factor to 0.
inline void zero_columns(Matrix<double>& y, const std::vector<std::int64_t>& columns) {
    for (const std::int64_t i : columns) std::fill(y.col(i), y.col(i) + y.rows, 0.0);
}

struct Factors {
    Matrix<double> wr;  // k × m
    Matrix<double> h;   // k × n
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
void require_valid_matrix(const CsrMatrix<T>& a);
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
// The column kernels: G·y − p for one column, with k a compile-time constant where it can be.

/// out = G·y − p (+ shift) for one column (p null: G·y + shift): axpy over y's non-zeros (NMF factors are sparse), so
/// the loops vectorise and skip what is zero.
inline void gradient_of(const Matrix<double>& g, const double* y, const double* p, double shift, double* out) {
    const std::int64_t k = g.rows;
    for (std::int64_t t = 0; t < k; ++t) out[t] = p ? shift - p[t] : shift;
    for (std::int64_t r = 0; r < k; ++r) {
        const double yr = y[r];
        if (k >= 16 && yr == 0) continue;  // for small k the branch costs more than the axpy it saves
        const double* gr = g.col(r);
        for (std::int64_t t = 0; t < k; ++t) out[t] += yr * gr[t];
    }
}

/// The run-time k, for kernels instantiated with a compile-time one too (std::integral_constant).
struct RuntimeK {
    std::int64_t value;
    constexpr operator std::int64_t() const { return value; }
};

/// Calls f(grad, k) with grad = G·y − p (+ shift) for one column. For k ≤ 16 and a few common
/// larger k, k is a compile-time constant: the loops unroll and grad stays in registers (a
/// gradient written to memory by vector stores and read back entry by entry stalls on
/// store-to-load forwarding). Otherwise grad is computed into scratch memory.
template <std::int64_t K, typename F>
inline void gradient_fixed(const Matrix<double>& g, const double* y, const double* p, double shift, F&& f) {
    double acc[K];
    for (std::int64_t t = 0; t < K; ++t) acc[t] = p ? shift - p[t] : shift;
    const double* gp = g.ptr();
    for (std::int64_t r = 0; r < K; ++r) {
        const double yr = y[r];
        for (std::int64_t t = 0; t < K; ++t) acc[t] += yr * gp[r * K + t];
    }
    f(static_cast<const double*>(acc), std::integral_constant<std::int64_t, K>{});
}

/// How many entries a kernel's fixed-size buffer needs: K for a compile-time k, 0 otherwise.
template <typename K>
constexpr std::size_t capacity_of = 0;
template <std::int64_t K>
constexpr std::size_t capacity_of<std::integral_constant<std::int64_t, K>> = static_cast<std::size_t>(K);

template <typename F>
inline void with_gradient(const Matrix<double>& g, const double* y, const double* p, double shift, F&& f) {
    // clang-format 14 runs macro cases together and breaks the default label: the table keeps its lines.
    // clang-format off
    switch (g.rows) {
#define FACTOPIC_K(K) case K: return gradient_fixed<K>(g, y, p, shift, f);
        FACTOPIC_K(1) FACTOPIC_K(2) FACTOPIC_K(3) FACTOPIC_K(4) FACTOPIC_K(5) FACTOPIC_K(6) FACTOPIC_K(7)
        FACTOPIC_K(8) FACTOPIC_K(9) FACTOPIC_K(10) FACTOPIC_K(11) FACTOPIC_K(12) FACTOPIC_K(13) FACTOPIC_K(14)
        FACTOPIC_K(15) FACTOPIC_K(16) FACTOPIC_K(20)
#undef FACTOPIC_K
        default: {
            const std::int64_t k = g.rows;
            std::vector<double> grad(static_cast<std::size_t>(k));
            gradient_of(g, y, p, shift, grad.data());
            f(static_cast<const double*>(grad.data()), RuntimeK{k});
        }
    }
    // clang-format on
}

// ---------------------------------------------------------------------------------------------
// update_rules.cpp: half-steps that update the columns of Y (k × M) given G = F·Fᵀ and
// P = X·Fᵀ (k × M). Each update maps (y, p) of one column to its own figure (cd: the violation).
// Their operator() is declared inline and defined in update_rules.cpp, the only file that calls
// it (through fused_step and stored_step): it is the body of the hot loop there.

/// Coordinate descent on one column, scikit-learn's _update_cdnmf_fast.
struct CdUpdate {
    Matrix<double> g;  // G + l2·I
    double l1;
    std::vector<std::int64_t> order;
    CdUpdate(Matrix<double> gram, double l1_, double l2, std::vector<std::int64_t> order_);
    inline double operator()(double* y, const double* p) const;
};

/// Multiplicative update for the Frobenius norm (Lee & Seung): y ← y·p / (G·y + l1 + l2·y).
struct MuUpdate {
    const Matrix<double>& g;
    double l1, l2;
    inline double operator()(double* y, const double* p) const;
};

/// A gradient step on ½‖X − YᵀF‖² with pgd's penalty below mu, or a projection (project).
struct GradientUpdate {
    const Matrix<double>& g;
    double step, lam, mu;
    bool project;
    inline double operator()(double* y, const double* p) const;
};

/// What a half-step sums over the columns: the update's own figure (cd: the violation) and
/// ⟨Y_new, P⟩, the cross term of the error ‖A − WH‖².
struct StepSums {
    double own = 0, cross = 0;
};

/// Runs update on every column of Y with P = X·Fᵀ computed a block at a time (P is never
/// stored whole). For Update = CdUpdate, MuUpdate, GradientUpdate.
template <typename T, typename Update>
StepSums fused_step(const CsrMatrix<T>& x, const Matrix<double>& f, Matrix<double>& y, const Update& update);

/// The same with P given whole (transform: H, and so P, never change); returns the own sum. For
/// Update = CdUpdate, MuUpdate.
template <typename Update>
double stored_step(const Matrix<double>& p, Matrix<double>& y, const Update& update);

/// Multiplicative update of Y for the KL divergence, one pass over X's non-zeros.
template <typename T>
void mu_kl_step(Matrix<double>& y, const Matrix<double>& f, const CsrMatrix<T>& x, std::vector<double> f_sum,
                bool zero_sum_is_one, double l1, double l2);

/// A Fisher–Yates permutation of 0..k-1 from gen (portable: no std::shuffle).
std::vector<std::int64_t> permutation(std::int64_t k, std::mt19937_64& gen);

// ---------------------------------------------------------------------------------------------
// losses.cpp

/// ⟨X, Y⟩ of two equally shaped matrices.
double inner(const Matrix<double>& x, const Matrix<double>& y);
/// Row sums of a k × n factor (Σ over its columns).
std::vector<double> row_sums(const Matrix<double>& f);
/// ‖A − WH‖_F from ‖A‖², ⟨Y, P⟩ = ⟨A, WH⟩ and the two Gram matrices.
double frobenius_from(double norm2, double cross, const Matrix<double>& gw, const Matrix<double>& gh);
/// √(2·KL(A ‖ WH)) as scikit-learn's _beta_divergence(beta=1, square_root=True).
template <typename T>
double kl_error(const CsrMatrix<T>& a, const Matrix<double>& wr, const Matrix<double>& h);
/// ‖A − WH‖_F for row-wise factors.
template <typename T>
double frobenius_error_rw(const CsrMatrix<T>& a, double norm2, const Matrix<double>& wr, const Matrix<double>& h);

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

template <typename T>
Outcome run_cd(const Problem<T>& pb, Factors& f, const NmfOptions& o, const Regularization& reg, int max_iter);
template <typename T>
Outcome run_mu(const Problem<T>& pb, Factors& f, const NmfOptions& o, const Regularization& reg, int max_iter);
template <typename T>
Outcome run_pgd(const Problem<T>& pb, Factors& f, const NmfOptions& o, int max_iter);
template <typename T>
Outcome run_adam(const Problem<T>& pb, Factors& f, const NmfOptions& o, int max_iter);

}  // namespace factopic::decomp::nmf_detail
