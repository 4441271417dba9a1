// NMF solvers on a sparse A (see nmf.hpp). Layout: both factors are kept "row-wise" — W as
// Wr = Wᵀ (k × m, column i = document i's k weights) and H as k × n (column j = term j's) —
// so that one half-step updates the columns of a k × M matrix Y from the other factor F (k × N)
// and X ∈ {A, Aᵀ} (M × N, CSR):
//   the W step: Y = Wr, F = H,  X = A;     the H step: Y = H, F = Wr, X = Aᵀ.
// Every half-step needs only P = X·Fᵀ (k × M, one sparse product), the Gram matrix G = F·Fᵀ
// (k × k), and, for KL, X's non-zeros. Columns of Y are independent in every update, so they
// are updated in parallel; sums are taken over fixed blocks in a fixed order, and results do
// not depend on the thread count.
#include "factopic/decomp/nmf.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <type_traits>

#include "factopic/core/error.hpp"
#include "factopic/linalg/lapack.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "finite.hpp"
#include "names.hpp"

namespace factopic::decomp {

namespace {

using detail::NameTable;

constexpr NameTable<NmfSolver> k_solvers = {
    {NmfSolver::cd, "cd"}, {NmfSolver::mu, "mu"}, {NmfSolver::pgd, "pgd"}, {NmfSolver::adam, "adam"}};
constexpr NameTable<NmfInit> k_inits = {{NmfInit::random, "random"},
                                        {NmfInit::nndsvd, "nndsvd"},
                                        {NmfInit::nndsvda, "nndsvda"},
                                        {NmfInit::nndsvdar, "nndsvdar"},
                                        {NmfInit::custom, "custom"}};
constexpr NameTable<BetaLoss> k_beta_losses = {{BetaLoss::frobenius, "frobenius"},
                                               {BetaLoss::kullback_leibler, "kullback-leibler"}};
constexpr NameTable<NmfStatus> k_statuses = {{NmfStatus::converged, "converged"},
                                             {NmfStatus::max_iter, "max_iter"},
                                             {NmfStatus::reached_target, "reached_target"},
                                             {NmfStatus::diverged, "diverged"},
                                             {NmfStatus::degenerate, "degenerate"}};

}  // namespace

std::string to_string(NmfSolver s) { return detail::name_of(k_solvers, s); }
NmfSolver parse_nmf_solver(const std::string& name) { return detail::parse_name(k_solvers, name, "NMF solver"); }
std::string to_string(NmfInit i) { return detail::name_of(k_inits, i); }
NmfInit parse_nmf_init(const std::string& name) { return detail::parse_name(k_inits, name, "NMF init"); }
std::string to_string(BetaLoss b) { return detail::name_of(k_beta_losses, b); }
BetaLoss parse_beta_loss(const std::string& name) { return detail::parse_name(k_beta_losses, name, "beta loss"); }
std::string to_string(NmfStatus s) { return detail::name_of(k_statuses, s); }

namespace {

using linalg::Matrix;
using runtime::Clock;
using runtime::since;

/// scikit-learn's EPSILON (float32 machine epsilon): the floor of denominators and of WH in KL.
constexpr double eps32 = std::numeric_limits<float>::epsilon();
constexpr double eps64 = std::numeric_limits<double>::epsilon();

/// Σ over [0, n) of part(lo, hi), cut into blocks fixed by n alone and added in order.
template <typename Part>
double fixed_sum(std::int64_t n, Part&& part) {
    constexpr std::int64_t block = 1024;
    const auto blocks = static_cast<std::size_t>((n + block - 1) / block);
    std::vector<double> partial(blocks, 0.0);
    runtime::parallel_for(
        blocks,
        [&](std::size_t b) {
            const std::int64_t lo = static_cast<std::int64_t>(b) * block;
            partial[b] = part(lo, std::min(n, lo + block));
        },
        1);
    double s = 0;
    for (const double v : partial) s += v;
    return s;
}

/// Runs body(i) for every column i of a k × n factor, in parallel (columns are independent).
template <typename Body>
void for_columns(std::int64_t n, Body&& body) {
    runtime::parallel_for(
        static_cast<std::size_t>(n), [&](std::size_t i) { body(static_cast<std::int64_t>(i)); }, 64);
}

/// ⟨X, Y⟩ of two equally shaped matrices.
double inner(const Matrix<double>& x, const Matrix<double>& y) {
    return fixed_sum(static_cast<std::int64_t>(x.data.size()), [&](std::int64_t lo, std::int64_t hi) {
        double s = 0;
        for (std::int64_t i = lo; i < hi; ++i)
            s += x.data[static_cast<std::size_t>(i)] * y.data[static_cast<std::size_t>(i)];
        return s;
    });
}

/// Row sums of a k × n factor (Σ over its columns).
std::vector<double> row_sums(const Matrix<double>& f) {
    std::vector<double> s(static_cast<std::size_t>(f.rows), 0.0);
    for (std::int64_t j = 0; j < f.cols; ++j)
        for (std::int64_t t = 0; t < f.rows; ++t) s[static_cast<std::size_t>(t)] += f(t, j);
    return s;
}

std::int64_t count_negative(const Matrix<double>& x) {
    return std::count_if(x.data.begin(), x.data.end(), [](double v) { return v < 0; });
}

/// Sets negative entries to 0; returns how many there were.
std::int64_t clip_negative(Matrix<double>& x) {
    std::int64_t n = 0;
    for (double& v : x.data)
        if (v < 0) {
            v = 0;
            ++n;
        }
    return n;
}

/// Largest eigenvalue of a symmetric k × k matrix; NaN when it has a non-finite entry (a run
/// that has diverged: the NaN step makes the iteration's error NaN, which ends the run, where
/// LAPACK would fail with an error about itself).
double largest_eigenvalue(const Matrix<double>& g) {
    if (detail::first_non_finite(g)) return std::numeric_limits<double>::quiet_NaN();
    Matrix<double> a = g;
    std::vector<double> w;
    const linalg::SerialBlas serial;
    linalg::syevd(a, w);
    return w.empty() ? 0.0 : w.back();
}

double squared_norm(double norm) { return norm * norm; }

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
void zero_columns(Matrix<double>& y, const std::vector<std::int64_t>& columns) {
    for (const std::int64_t i : columns) std::fill(y.col(i), y.col(i) + y.rows, 0.0);
}

/// scikit-learn 1.2's regularisation weights (_compute_regularization).
struct Regularization {
    double l1_w = 0, l2_w = 0, l1_h = 0, l2_h = 0;
};
Regularization regularization(const NmfOptions& o, std::int64_t m, std::int64_t n) {
    const double alpha_h = o.alpha_h < 0 ? o.alpha_w : o.alpha_h;
    Regularization r;
    r.l1_w = static_cast<double>(n) * o.alpha_w * o.l1_ratio;
    r.l2_w = static_cast<double>(n) * o.alpha_w * (1.0 - o.l1_ratio);
    r.l1_h = static_cast<double>(m) * alpha_h * o.l1_ratio;
    r.l2_h = static_cast<double>(m) * alpha_h * (1.0 - o.l1_ratio);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Half-steps: update the columns of Y (k × M) given G = F·Fᵀ and P = X·Fᵀ (k × M).

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
    switch (g.rows) {
#define FACTOPIC_K(K) \
    case K:           \
        return gradient_fixed<K>(g, y, p, shift, f);
        FACTOPIC_K(1)
        FACTOPIC_K(2)
        FACTOPIC_K(3)
        FACTOPIC_K(4) FACTOPIC_K(5) FACTOPIC_K(6) FACTOPIC_K(7) FACTOPIC_K(8) FACTOPIC_K(9) FACTOPIC_K(10)
            FACTOPIC_K(11) FACTOPIC_K(12) FACTOPIC_K(13) FACTOPIC_K(14) FACTOPIC_K(15) FACTOPIC_K(16) FACTOPIC_K(20)
#undef FACTOPIC_K
                default : {
            const std::int64_t k = g.rows;
            std::vector<double> grad(static_cast<std::size_t>(k));
            gradient_of(g, y, p, shift, grad.data());
            f(static_cast<const double*>(grad.data()), RuntimeK{k});
        }
    }
}

/// What a half-step sums over the columns: the update's own figure (cd: the violation) and
/// ⟨Y_new, P⟩, the cross term of the error ‖A − WH‖².
struct StepSums {
    double own = 0, cross = 0;
};

/// Runs update(y_i, p_i) (returning its own figure) on every column i of Y, with P = X·Fᵀ
/// computed 256 columns at a time into a buffer that stays in cache — P is never stored whole.
/// Blocks are fixed by the shape and summed in order.
template <typename T, typename Update>
StepSums fused_step(const CsrMatrix<T>& x, const Matrix<double>& f, Matrix<double>& y, Update&& update) {
    constexpr std::int64_t block = 256;
    const std::int64_t k = y.rows, n = y.cols;
    const auto blocks = static_cast<std::size_t>((n + block - 1) / block);
    std::vector<StepSums> partial(blocks);
    runtime::parallel_for(
        blocks,
        [&](std::size_t b) {
            const std::int64_t lo = static_cast<std::int64_t>(b) * block, hi = std::min(n, lo + block);
            std::vector<double> p(static_cast<std::size_t>(k * (hi - lo)));
            linalg::multiply_rows(x, f, lo, hi, p.data());
            StepSums sums;
            for (std::int64_t i = lo; i < hi; ++i) {
                double* yi = y.col(i);
                const double* pi = p.data() + (i - lo) * k;
                sums.own += update(yi, pi);
                double c = 0;
                for (std::int64_t t = 0; t < k; ++t) c += yi[t] * pi[t];
                sums.cross += c;
            }
            partial[b] = sums;
        },
        1);
    StepSums total;
    for (const auto& s : partial) {
        total.own += s.own;
        total.cross += s.cross;
    }
    return total;
}

/// The same with P given whole (transform: H, and so P, never change).
template <typename Update>
double stored_step(const Matrix<double>& p, Matrix<double>& y, Update&& update) {
    return fixed_sum(y.cols, [&](std::int64_t lo, std::int64_t hi) {
        double own = 0;
        for (std::int64_t i = lo; i < hi; ++i) own += update(y.col(i), p.col(i));
        return own;
    });
}

/// Coordinate descent on one column, scikit-learn's _update_cdnmf_fast: for each component t in
/// `order`, the gradient is (G·y)_t − p_t (+ l1; l2 is on G's diagonal), its projected value adds
/// to the violation, and y_t moves to max(y_t − grad/G_tt, 0). The gradient vector is kept up to
/// date by an axpy per change (the arithmetic of the dot product it replaces, in another order).
struct CdUpdate {
    Matrix<double> g;  // G + l2·I
    double l1;
    std::vector<std::int64_t> order;
    CdUpdate(Matrix<double> gram, double l1_, double l2, std::vector<std::int64_t> order_)
        : g(std::move(gram)), l1(l1_), order(std::move(order_)) {
        for (std::int64_t t = 0; t < g.rows; ++t) g(t, t) += l2;
    }
    double operator()(double* y, const double* p) const {
        double violation = 0;
        with_gradient(g, y, p, l1, [&](const double* grad0, auto k) {
            // The gradient changes with every coordinate moved: a copy the size of k (in registers
            // when k is a compile-time constant).
            std::array<double, capacity_of<decltype(k)>> fixed;
            std::vector<double> dynamic;
            double* grad = fixed.data();
            if constexpr (capacity_of<decltype(k)> == 0) {
                dynamic.assign(grad0, grad0 + static_cast<std::int64_t>(k));
                grad = dynamic.data();
            } else {
                for (std::int64_t t = 0; t < k; ++t) grad[t] = grad0[t];
            }
            for (const std::int64_t t : order) {
                const double gt = grad[t];
                violation += std::fabs(y[t] == 0 ? std::min(0.0, gt) : gt);
                const double hess = g(t, t);
                if (hess == 0) continue;
                const double next = std::max(y[t] - gt / hess, 0.0), delta = next - y[t];
                if (delta == 0) continue;
                y[t] = next;
                const double* gcol = g.col(t);
                for (std::int64_t r = 0; r < k; ++r) grad[r] += delta * gcol[r];
            }
        });
        return violation;
    }
};

/// Multiplicative update for the Frobenius norm (Lee & Seung): y ← y·p / (G·y + l1 + l2·y).
struct MuUpdate {
    const Matrix<double>& g;
    double l1, l2;
    double operator()(double* y, const double* p) const {
        with_gradient(g, y, nullptr, 0.0, [&](const double* gy, auto k) {  // G·y
            double ratio[256];
            std::vector<double> big;
            double* r = ratio;
            if (k > 256) {
                big.resize(static_cast<std::size_t>(static_cast<std::int64_t>(k)));
                r = big.data();
            }
            for (std::int64_t t = 0; t < k; ++t) {  // every ratio from the old y, then the update
                double d = gy[t];
                if (l1 > 0) d += l1;
                if (l2 > 0) d += l2 * y[t];
                r[t] = p[t] / (d == 0 ? eps32 : d);
            }
            for (std::int64_t t = 0; t < k; ++t) y[t] *= r[t];
        });
        return 0.0;
    }
};

/// A step on ½‖X − YᵀF‖² + (lam/2)·Σ min(y − mu, 0)²: an explicit gradient step on the first
/// term, v = y − step·(G·y − p), then the penalty's proximal step, which is v itself above mu
/// and (v + step·lam·mu)/(1 + step·lam) below — implicit, so that no lam makes it unstable.
/// project: max(v, 0) instead (projected gradient).
struct GradientUpdate {
    const Matrix<double>& g;
    double step, lam, mu;
    bool project;
    double operator()(double* y, const double* p) const {
        const double shrink = 1.0 / (1.0 + step * lam), pull = step * lam * mu;
        with_gradient(g, y, p, 0.0, [&](const double* grad, auto k) {
            for (std::int64_t t = 0; t < k; ++t) {
                const double v = y[t] - step * grad[t];
                y[t] = project ? std::max(v, 0.0) : v >= mu ? v : (v + pull) * shrink;
            }
        });
        return 0.0;
    }
};

/// Multiplicative update for the KL divergence, one pass over X's non-zeros (WH is formed only
/// there): y_t ← y_t·(Σ_j x_ij/(wh)_ij·f_tj) / (Σ_j f_tj + l1 + l2·y_t).
template <typename T>
void mu_kl_step(Matrix<double>& y, const Matrix<double>& f, const CsrMatrix<T>& x, std::vector<double> f_sum,
                bool zero_sum_is_one, double l1, double l2) {
    const std::int64_t k = y.rows;
    if (zero_sum_is_one)
        for (double& s : f_sum)
            if (s == 0) s = 1.0;
    for_columns(y.cols, [&](std::int64_t i) {
        double* yi = y.col(i);
        std::vector<double> num(static_cast<std::size_t>(k), 0.0);
        for (std::int64_t q = x.indptr[i]; q < x.indptr[i + 1]; ++q) {
            const double* fj = f.col(x.indices[q]);
            double wh = 0;
            for (std::int64_t t = 0; t < k; ++t) wh += yi[t] * fj[t];
            if (wh < eps32) wh = eps32;
            const double ratio = static_cast<double>(x.values[q]) / wh;
            for (std::int64_t t = 0; t < k; ++t) num[static_cast<std::size_t>(t)] += ratio * fj[t];
        }
        for (std::int64_t t = 0; t < k; ++t) {
            double d = f_sum[static_cast<std::size_t>(t)];
            if (l1 > 0) d += l1;
            if (l2 > 0) d += l2 * yi[t];
            if (d == 0) d = eps32;
            yi[t] *= num[static_cast<std::size_t>(t)] / d;
        }
    });
}

/// Adam's moment estimates for one factor.
struct AdamState {
    Matrix<double> m1, m2;
    explicit AdamState(const Matrix<double>& x)
        : m1(Matrix<double>::zeros(x.rows, x.cols)), m2(Matrix<double>::zeros(x.rows, x.cols)) {}
};

/// One Adam step on the lecture's objective ‖A − WH‖_F + lam·mean(min(y, 0)²) (+ the other
/// factor's term): its gradient in y is (G·y − P)/‖A − WH‖_F + 2·lam·min(y, 0)/size(y).
void adam_step(Matrix<double>& y, AdamState& s, const Matrix<double>& g, const Matrix<double>& p, double residual,
               const NmfOptions& o, double lam, double lr, int step) {
    const double inv_r = residual > 0 ? 1.0 / residual : 0.0;
    const double pen = 2.0 * lam / static_cast<double>(y.data.size());
    const double c1 = 1.0 - std::pow(o.beta1, step), c2 = 1.0 - std::pow(o.beta2, step);
    const double step_size = lr / c1, sqrt_c2 = std::sqrt(c2);
    // Locals, not o's fields: the stores below could alias them, which would stop vectorisation.
    const double beta1 = o.beta1, beta2 = o.beta2, adam_eps = o.adam_eps;
    for_columns(y.cols, [&](std::int64_t i) {
        double* yi = y.col(i);
        double* m1 = s.m1.col(i);
        double* m2 = s.m2.col(i);
        with_gradient(g, yi, p.col(i), 0.0, [&](const double* grad, auto k) {
            for (std::int64_t t = 0; t < k; ++t) {
                const double gt = grad[t] * inv_r + (yi[t] < 0 ? pen * yi[t] : 0.0);
                m1[t] = beta1 * m1[t] + (1 - beta1) * gt;
                m2[t] = beta2 * m2[t] + (1 - beta2) * gt * gt;
                yi[t] -= step_size * m1[t] / (std::sqrt(m2[t]) / sqrt_c2 + adam_eps);
            }
        });
    });
}

// ---------------------------------------------------------------------------------------------
// Losses.

/// ‖A − WH‖_F from ⟨Y, P⟩ = ⟨A, WH⟩ and the two Gram matrices.
double frobenius_from(double norm2, double cross, const Matrix<double>& gw, const Matrix<double>& gh) {
    return std::sqrt(std::max(norm2 - 2.0 * cross + inner(gw, gh), 0.0));
}

/// √(2·KL(A ‖ WH)) as scikit-learn's _beta_divergence(beta=1, square_root=True): the sum over
/// the non-zeros above EPSILON plus Σ(WH) − Σ(A) (Σ(WH) from the factors' sums).
template <typename T>
double kl_error(const CsrMatrix<T>& a, const Matrix<double>& wr, const Matrix<double>& h) {
    const std::int64_t k = wr.rows;
    const double data = fixed_sum(a.rows, [&](std::int64_t lo, std::int64_t hi) {
        double s = 0;
        for (std::int64_t i = lo; i < hi; ++i) {
            const double* wi = wr.col(i);
            for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
                const double x = static_cast<double>(a.values[q]);
                if (!(x > eps32)) continue;
                const double* hj = h.col(a.indices[q]);
                double wh = 0;
                for (std::int64_t t = 0; t < k; ++t) wh += wi[t] * hj[t];
                if (wh == 0) wh = eps32;
                s += x * std::log(x / wh) - x;
            }
        }
        return s;
    });
    const std::vector<double> ws = row_sums(wr), hs = row_sums(h);
    double sum_wh = 0;
    for (std::int64_t t = 0; t < k; ++t) sum_wh += ws[static_cast<std::size_t>(t)] * hs[static_cast<std::size_t>(t)];
    return std::sqrt(2.0 * std::max(data + sum_wh, 0.0));
}

/// ‖A − WH‖_F for row-wise factors.
template <typename T>
double frobenius_error_rw(const CsrMatrix<T>& a, double norm2, const Matrix<double>& wr, const Matrix<double>& h) {
    Matrix<double> p;
    linalg::multiply_rowwise(a, h, p);  // k × m: A·Hᵀ
    return frobenius_from(norm2, inner(wr, p), linalg::gram_wide(wr), linalg::gram_wide(h));
}

// ---------------------------------------------------------------------------------------------
// Initialisation (scikit-learn's _initialize_nmf).

template <typename T>
double matrix_mean(const CsrMatrix<T>& a) {
    double s = 0;
    for (const T v : a.values) s += static_cast<double>(v);
    return s / (static_cast<double>(a.rows) * static_cast<double>(a.cols));
}

struct Factors {
    Matrix<double> wr;  // k × m
    Matrix<double> h;   // k × n
};

/// A Fisher–Yates permutation of 0..k-1 from gen (portable: no std::shuffle).
std::vector<std::int64_t> permutation(std::int64_t k, std::mt19937_64& gen) {
    std::vector<std::int64_t> p(static_cast<std::size_t>(k));
    for (std::int64_t i = 0; i < k; ++i) p[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = k - 1; i > 0; --i) {
        const auto j = static_cast<std::int64_t>(gen() % static_cast<std::uint64_t>(i + 1));
        std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
    }
    return p;
}

template <typename T>
Factors initialize(const CsrMatrix<T>& a, const NmfOptions& o) {
    const std::int64_t m = a.rows, n = a.cols, k = o.k;
    Factors f;
    if (o.init == NmfInit::custom) {
        f.wr = linalg::transpose(*o.w_init);
        f.h = *o.h_init;
        return f;
    }
    const double mean = matrix_mean(a);
    if (o.init == NmfInit::random) {
        // √(mean(A)/k)·|N(0, 1)|, H drawn first, then W (scikit-learn's order).
        const double avg = std::sqrt(mean / static_cast<double>(k));
        const Matrix<double> z = linalg::gaussian(k, n + m, o.seed);
        f.h = Matrix<double>(k, n);
        f.wr = Matrix<double>(k, m);
        for (std::int64_t j = 0; j < n; ++j)
            for (std::int64_t t = 0; t < k; ++t) f.h(t, j) = avg * std::fabs(z(t, j));
        for (std::int64_t i = 0; i < m; ++i)
            for (std::int64_t t = 0; t < k; ++t) f.wr(t, i) = avg * std::fabs(z(t, n + i));
        return f;
    }
    // NNDSVD (Boutsidis & Gallopoulos 2008) from the k leading singular triplets. scikit-learn
    // takes them from randomized_svd; here from the Krylov method, accurate to 1e-6.
    TruncatedSvdOptions so;
    so.k = k;
    so.method = SvdMethod::krylov;
    so.seed = o.seed;
    SvdResult<T> svd = truncated_svd(a, so);
    // Component j keeps the positive or the negative parts of u_j and v_j, whichever pair has the
    // larger product of norms (component 0: |u_0|, |v_0|), scaled to √(s_j·that product). H is
    // made in place from a double Vᵀ (same k × n layout), so that no second k × n matrix is held.
    f.wr = Matrix<double>::zeros(k, m);
    if constexpr (!std::is_same_v<T, double>) f.h = Matrix<double>(k, n);
    for (std::int64_t j = 0; j < k; ++j) {
        const double sj = static_cast<double>(svd.s[static_cast<std::size_t>(j)]);
        double xp = 0, xn = 0, yp = 0, yn = 0;
        for (std::int64_t i = 0; i < m; ++i) {
            const double v = static_cast<double>(svd.u(i, j));
            (v > 0 ? xp : xn) += v * v;
        }
        for (std::int64_t c = 0; c < n; ++c) {
            const double v = static_cast<double>(svd.vt(j, c));
            (v > 0 ? yp : yn) += v * v;
        }
        xp = std::sqrt(xp), xn = std::sqrt(xn), yp = std::sqrt(yp), yn = std::sqrt(yn);
        const bool absolute = j == 0, positive = xp * yp > xn * yn;
        const double xnorm = absolute ? 1.0 : (positive ? xp : xn), ynorm = absolute ? 1.0 : (positive ? yp : yn);
        const double lbd = absolute ? std::sqrt(sj) : std::sqrt(sj * xnorm * ynorm);
        const auto part = [&](double v) {
            return absolute ? std::fabs(v) : (positive ? std::max(v, 0.0) : std::fabs(std::min(v, 0.0)));
        };
        for (std::int64_t i = 0; i < m; ++i)
            f.wr(j, i) = xnorm > 0 ? lbd * part(static_cast<double>(svd.u(i, j))) / xnorm : 0.0;
        for (std::int64_t c = 0; c < n; ++c) {
            const double hv = ynorm > 0 ? lbd * part(static_cast<double>(svd.vt(j, c))) / ynorm : 0.0;
            if constexpr (std::is_same_v<T, double>)
                svd.vt(j, c) = hv;
            else
                f.h(j, c) = hv;
        }
    }
    if constexpr (std::is_same_v<T, double>) f.h = std::move(svd.vt);
    constexpr double small = 1e-6;
    for (Matrix<double>* x : {&f.wr, &f.h})
        for (double& v : x->data)
            if (v < small) v = 0;
    if (o.init == NmfInit::nndsvda) {
        for (Matrix<double>* x : {&f.wr, &f.h})
            for (double& v : x->data)
                if (v == 0) v = mean;
    } else if (o.init == NmfInit::nndsvdar) {
        std::mt19937_64 gen(o.seed);
        std::normal_distribution<double> normal(0.0, 1.0);
        for (Matrix<double>* x : {&f.wr, &f.h})
            for (double& v : x->data)
                if (v == 0) v = std::fabs(mean * normal(gen) / 100.0);
    }
    return f;
}

// ---------------------------------------------------------------------------------------------
// Validation.

template <typename T>
void require_valid_matrix(const CsrMatrix<T>& a) {
    if (a.rows == 0 || a.cols == 0)
        throw DataError(fmt::format("NMF needs a non-empty matrix (this one is {} x {})", a.rows, a.cols));
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
            const double v = static_cast<double>(a.values[q]);
            if (!std::isfinite(v) || v < 0)
                throw DataError(
                    fmt::format("entry ({}, {}) (row, column; 1-based) is {}: NMF needs finite, non-negative entries",
                                i + 1, a.indices[q] + 1, v));
        }
    if (std::none_of(a.values.begin(), a.values.end(), [](T v) { return v != 0; }))
        throw DataError(fmt::format("the {} x {} matrix has no non-zero entry: nothing to factorise", a.rows, a.cols));
    require_workable_scale(a, "NMF");
}

void require_valid_factor(const Matrix<double>& x, std::int64_t rows, std::int64_t cols, const char* name) {
    if (x.rows != rows || x.cols != cols)
        throw DataError(fmt::format("the custom {} is {} x {}, but this factorisation needs {} x {}", name, x.rows,
                                    x.cols, rows, cols));
    for (std::int64_t j = 0; j < x.cols; ++j)
        for (std::int64_t i = 0; i < x.rows; ++i)
            if (!std::isfinite(x(i, j)) || x(i, j) < 0)
                throw DataError(
                    fmt::format("the custom {} has entry ({}, {}) (1-based) = {}: it must be finite and non-negative",
                                name, i + 1, j + 1, x(i, j)));
}

void require_valid_options(const NmfOptions& o, std::int64_t m, std::int64_t n) {
    const std::int64_t r = std::min(m, n);
    if (o.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", o.k));
    const bool svd_init = o.init == NmfInit::nndsvd || o.init == NmfInit::nndsvda || o.init == NmfInit::nndsvdar;
    if (svd_init && o.k > r)
        throw InvalidArgument(fmt::format("k = {} is out of range for init {}: the matrix is {} x {}, so k <= {}", o.k,
                                          to_string(o.init), m, n, r));
    // scikit-learn bounds k only for the SVD inits; m·n keeps a hostile k from asking for
    // factors far larger than anything that could describe A's m·n numbers.
    if (static_cast<double>(o.k) > static_cast<double>(m) * static_cast<double>(n))
        throw InvalidArgument(
            fmt::format("k = {} is out of range: the matrix is {} x {}, so k <= {} (its entries)", o.k, m, n, m * n));
    if (o.init == NmfInit::custom) {
        if (!o.w_init || !o.h_init) throw InvalidArgument("init custom needs both W and H");
        require_valid_factor(*o.w_init, m, o.k, "W");
        require_valid_factor(*o.h_init, o.k, n, "H");
        // scikit-learn's _check_init: multiplicative updates cannot leave 0, and cd's first
        // step from a zero factor gives the other one a zero Gram matrix.
        for (const auto& [x, name] : {std::pair{&*o.w_init, "W"}, {&*o.h_init, "H"}})
            if (std::all_of(x->data.begin(), x->data.end(), [](double v) { return v == 0; }))
                throw DataError(fmt::format("the custom {} is full of zeros: NMF cannot start from it", name));
    }
    const auto check = [](bool ok, const std::string& what) {
        if (!ok) throw InvalidArgument(what);
    };
    check(o.max_iter >= 0, fmt::format("max_iter = {} must be >= 0", o.max_iter));
    check(std::isfinite(o.tol), fmt::format("tol = {} must be a number (negative: the solver's default)", o.tol));
    check(std::isfinite(o.alpha_w) && o.alpha_w >= 0, fmt::format("alpha_W = {} must be >= 0", o.alpha_w));
    check(std::isfinite(o.alpha_h), fmt::format("alpha_H = {} must be >= 0", o.alpha_h));
    check(o.l1_ratio >= 0 && o.l1_ratio <= 1, fmt::format("l1_ratio = {} must be in [0, 1]", o.l1_ratio));
    {
        // scikit-learn 1.2 multiplies alpha_W by n and alpha_H by m: that product must stay a
        // number, or every update divides by infinity and W, H become NaN.
        const Regularization reg = regularization(o, m, n);
        const double alpha_h = o.alpha_h < 0 ? o.alpha_w : o.alpha_h;
        check(std::isfinite(reg.l1_w) && std::isfinite(reg.l2_w),
              fmt::format("alpha_W = {} is too large: scaled by the {} columns (scikit-learn 1.2's scaling) it "
                          "overflows double",
                          o.alpha_w, n));
        check(std::isfinite(reg.l1_h) && std::isfinite(reg.l2_h),
              fmt::format("alpha_H = {} is too large: scaled by the {} rows (scikit-learn 1.2's scaling) it "
                          "overflows double",
                          alpha_h, m));
    }
    check(std::isfinite(o.lam), fmt::format("lam = {} must be a number", o.lam));
    check(std::isfinite(o.mu) && o.mu >= 0, fmt::format("mu = {} must be >= 0", o.mu));
    check(std::isfinite(o.lr) && o.lr >= 0, fmt::format("lr = {} must be >= 0 (0: automatic)", o.lr));
    check(o.anneal > 0 && o.anneal <= 1, fmt::format("anneal = {} must be in (0, 1]", o.anneal));
    check(o.anneal_every >= 1, fmt::format("anneal_every = {} must be >= 1", o.anneal_every));
    check(o.beta1 >= 0 && o.beta1 < 1, fmt::format("beta1 = {} must be in [0, 1)", o.beta1));
    check(o.beta2 >= 0 && o.beta2 < 1, fmt::format("beta2 = {} must be in [0, 1)", o.beta2));
    check(o.adam_eps > 0, fmt::format("adam eps = {} must be > 0", o.adam_eps));
    check(std::isfinite(o.target_error) && o.target_error >= 0,
          fmt::format("target error = {} must be >= 0", o.target_error));
    if (o.beta_loss == BetaLoss::kullback_leibler && o.solver != NmfSolver::mu)
        throw InvalidArgument(
            fmt::format("beta loss kullback-leibler needs solver mu (solver {} minimises the Frobenius norm)",
                        to_string(o.solver)));
}

int default_max_iter(NmfSolver s) { return s == NmfSolver::cd || s == NmfSolver::mu ? 200 : 1000; }

/// Adam's error falls unevenly (it is not a descent method): it stops on a finer tol.
double default_tol(NmfSolver s) { return s == NmfSolver::adam ? 1e-5 : 1e-4; }

/// The options with the solver's defaults filled in.
NmfOptions with_defaults(NmfOptions o) {
    if (o.max_iter == 0) o.max_iter = default_max_iter(o.solver);
    if (o.tol < 0) o.tol = default_tol(o.solver);
    return o;
}

// ---------------------------------------------------------------------------------------------
// The solvers' loops.

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
    std::string diagnosis;                // diverged: what went wrong
    double error = 0;                     // after the last iteration
    const NmfOptions* options = nullptr;  // for its on_iteration callback
    int max_iter = 0;

    Outcome() = default;
    Outcome(const NmfOptions& o, int limit) : options(&o), max_iter(limit) {}

    /// Records the error after iteration `it`; true when it reached a (positive) target, or
    /// when it is NaN or infinite (diverged: nothing after that iteration can mean anything).
    bool record(int it, double err, double target) {
        error = err;
        losses.push_back(err);
        iterations = it;
        reached_target = target > 0 && err <= target;
        if (options && options->on_iteration) options->on_iteration(it, max_iter);
        if (!std::isfinite(err)) {
            diverged = true;
            diagnosis = fmt::format("the error became {} at iteration {}", std::isnan(err) ? "NaN" : "infinite", it);
            return true;
        }
        return reached_target;
    }

    /// pgd and adam are not descent methods: a step too long for the data makes the error
    /// grow, and the decrease rule then reads the growth as "no more decrease" (converged).
    /// An error that ends above both its start and ‖A‖_F, the error of W = H = 0, is divergence.
    void check_rise(double initial, double norm2) {
        const double zero_error = std::sqrt(norm2);
        if (diverged || iterations == 0 || !(error > std::max(initial, zero_error))) return;
        diverged = true;
        converged = reached_target = false;
        diagnosis = fmt::format(
            "the error rose from {:.6g} to {:.6g} in {} iteration{}, above |A|_F = {:.6g} (the error of W = H = 0)",
            initial, error, iterations, iterations == 1 ? "" : "s", zero_error);
    }

    /// The same, then the decrease rule: true when the run ends (target reached or converged).
    bool record(int it, double err, double target, DecreaseRule& rule) {
        if (record(it, err, target)) return true;
        converged = rule.done(it, err);
        return converged;
    }
};

/// One alternating iteration: the W step with G = HHᵀ (gh), the H step with G = WᵀW, then
/// gh = the new HHᵀ for the next one. make(G, w_step) gives a step's column update. Returns the
/// error ‖A − WH‖_F after it and the two steps' own sums (cd: the violation).
struct Alternation {
    double error = 0, own = 0;
};
/// zero_empty: set the W rows of A's empty rows back to 0 after the W step, before WᵀW is
/// formed (pgd's penalty would otherwise pull them up towards mu).
template <typename T, typename MakeUpdate>
Alternation alternate(const Problem<T>& pb, Factors& f, Matrix<double>& gh, MakeUpdate&& make,
                      bool zero_empty = false) {
    const StepSums sw = fused_step(pb.a, f.h, f.wr, make(gh, true));
    if (zero_empty) zero_columns(f.wr, pb.empty);
    const Matrix<double> gw = linalg::gram_wide(f.wr);
    const StepSums sh = fused_step(pb.at, f.wr, f.h, make(gw, false));
    gh = linalg::gram_wide(f.h);
    return {frobenius_from(pb.norm2, sh.cross, gw, gh), sw.own + sh.own};
}

template <typename T>
Outcome run_cd(const Problem<T>& pb, Factors& f, const NmfOptions& o, const Regularization& reg, int max_iter) {
    Outcome out(o, max_iter);
    const std::int64_t k = o.k;
    std::mt19937_64 gen(o.seed);
    std::vector<std::int64_t> order(static_cast<std::size_t>(k));
    for (std::int64_t t = 0; t < k; ++t) order[static_cast<std::size_t>(t)] = t;
    Matrix<double> gh = linalg::gram_wide(f.h);
    double violation_init = 0;
    for (int it = 1; it <= max_iter; ++it) {
        const Alternation a = alternate(pb, f, gh, [&](const Matrix<double>& g, bool w_step) {
            return CdUpdate(g, w_step ? reg.l1_w : reg.l1_h, w_step ? reg.l2_w : reg.l2_h,
                            o.shuffle ? permutation(k, gen) : order);
        });
        if (out.record(it, a.error, o.target_error)) break;
        const double violation = a.own;
        if (it == 1) violation_init = violation;
        if (violation_init == 0 || violation / violation_init <= o.tol) {
            out.converged = true;
            break;
        }
    }
    return out;
}

template <typename T>
Outcome run_mu(const Problem<T>& pb, Factors& f, const NmfOptions& o, const Regularization& reg, int max_iter) {
    Outcome out(o, max_iter);
    const bool kl = o.beta_loss == BetaLoss::kullback_leibler;
    const auto error_now = [&]() {
        return kl ? kl_error(pb.a, f.wr, f.h) : frobenius_error_rw(pb.a, pb.norm2, f.wr, f.h);
    };
    const double initial = error_now();
    DecreaseRule rule{o.tol, initial, initial};
    Matrix<double> gh = kl ? Matrix<double>() : linalg::gram_wide(f.h);
    for (int it = 1; it <= max_iter; ++it) {
        double error = 0;
        if (kl) {
            mu_kl_step(f.wr, f.h, pb.a, row_sums(f.h), false, reg.l1_w, reg.l2_w);
            mu_kl_step(f.h, f.wr, pb.at, row_sums(f.wr), true, reg.l1_h, reg.l2_h);
            for (double& v : f.h.data)
                if (v < eps64) v = 0;
            error = kl_error(pb.a, f.wr, f.h);
        } else {
            error = alternate(pb, f, gh, [&](const Matrix<double>& g, bool w_step) {
                        return MuUpdate{g, w_step ? reg.l1_w : reg.l1_h, w_step ? reg.l2_w : reg.l2_h};
                    }).error;
        }
        if (out.record(it, error, o.target_error, rule)) break;
    }
    return out;
}

/// Alternating gradient steps (W, then H with A·... of the new W), each with step lr, or
/// 1/L for the block's Gram matrix G when lr is 0; annealed every anneal_every iterations.
template <typename T>
Outcome run_pgd(const Problem<T>& pb, Factors& f, const NmfOptions& o, int max_iter) {
    Outcome out(o, max_iter);
    const double lam = o.lam < 0 ? 100.0 : o.lam;
    const double initial = frobenius_error_rw(pb.a, pb.norm2, f.wr, f.h);
    DecreaseRule rule{o.tol, initial, initial};
    Matrix<double> gh = linalg::gram_wide(f.h);
    double scale = 1.0;
    for (int it = 1; it <= max_iter; ++it) {
        const auto step_for = [&](const Matrix<double>& g) {
            if (o.lr > 0) return o.lr * scale;
            const double l = largest_eigenvalue(g);
            return l > 0 ? scale / l : 0.0;
        };
        const double error = alternate(
                                 pb, f, gh,
                                 [&](const Matrix<double>& g, bool) {
                                     return GradientUpdate{g, step_for(g), lam, o.mu, o.project};
                                 },
                                 true)
                                 .error;
        if (it % o.anneal_every == 0) scale *= o.anneal;
        if (out.record(it, error, o.target_error, rule)) break;
    }
    out.check_rise(initial, pb.norm2);
    return out;
}

/// Adam on both factors at once (as autograd would: both gradients at the same point).
template <typename T>
Outcome run_adam(const Problem<T>& pb, Factors& f, const NmfOptions& o, int max_iter) {
    Outcome out(o, max_iter);
    const double lam = o.lam < 0 ? 1e6 : o.lam;
    double lr = o.lr > 0 ? o.lr : 1e-3;
    AdamState sw(f.wr), sh(f.h);
    Matrix<double> p, q;
    double initial = -1;
    DecreaseRule rule{o.tol, 0, 0};
    for (int it = 1;; ++it) {
        const Matrix<double> gh = linalg::gram_wide(f.h), gw = linalg::gram_wide(f.wr);
        linalg::multiply_rowwise(pb.a, f.h, p);
        linalg::multiply_rowwise(pb.at, f.wr, q);
        const double error = frobenius_from(pb.norm2, inner(f.wr, p), gw, gh);
        if (initial < 0) {
            initial = error;
            rule = {o.tol, initial, initial};
        } else {  // the error after iteration it − 1
            if (out.record(it - 1, error, o.target_error, rule)) break;
        }
        if (it > max_iter) break;
        adam_step(f.wr, sw, gh, p, error, o, lam, lr, it);
        adam_step(f.h, sh, gw, q, error, o, lam, lr, it);
        if (it % o.anneal_every == 0) lr *= o.anneal;
    }
    out.check_rise(initial, pb.norm2);
    return out;
}

template <typename T>
NmfResult<T> to_result(Factors f, const NmfOptions& o) {
    NmfResult<T> r;
    if constexpr (std::is_same_v<T, double>) {
        r.w = linalg::transpose(f.wr);
        f.wr = Matrix<double>();
        r.h = std::move(f.h);
    } else {
        r.w = linalg::transpose(f.wr).template cast<T>();
        f.wr = Matrix<double>();
        r.h = f.h.template cast<T>();
    }
    r.solver = o.solver;
    r.init = o.init;
    r.beta_loss = o.beta_loss;
    return r;
}

}  // namespace

template <typename T>
NmfResult<T> nmf(const CsrMatrix<T>& a, const NmfOptions& given) {
    const auto start = Clock::now();
    require_valid_matrix(a);
    require_valid_options(given, a.rows, a.cols);
    const NmfOptions options = with_defaults(given);
    std::vector<Phase> phases;
    auto t = Clock::now();
    Factors f = initialize(a, options);
    phases.emplace_back("init", since(t));
    t = Clock::now();
    const Regularization reg = regularization(options, a.rows, a.cols);
    const int max_iter = options.max_iter;
    Outcome out;
    std::int64_t clipped = 0, negative = 0;
    double norm2 = 0, frob = 0;
    {
        // After the init, so that Aᵀ and the SVD's workspace are never held together, and
        // released before the result's copies of the factors are made.
        const Problem<T> pb(a);
        norm2 = pb.norm2;
        // cd and mu set an empty document's weights to exactly 0 in their first W step (its
        // gradient is G·w, its numerator 0); adam keeps a 0 it starts from (a zero gradient
        // there), pgd only with the reset after each W step.
        if (options.solver == NmfSolver::pgd || options.solver == NmfSolver::adam) zero_columns(f.wr, pb.empty);
        switch (options.solver) {
            case NmfSolver::cd:
                out = run_cd(pb, f, options, reg, max_iter);
                break;
            case NmfSolver::mu:
                out = run_mu(pb, f, options, reg, max_iter);
                break;
            case NmfSolver::pgd:
                out = run_pgd(pb, f, options, max_iter);
                break;
            case NmfSolver::adam:
                out = run_adam(pb, f, options, max_iter);
                break;
        }
        phases.emplace_back("iterations", since(t));
        t = Clock::now();
        if (options.solver == NmfSolver::pgd || options.solver == NmfSolver::adam) {
            // The penalty keeps negatives small, not absent: the returned factors are projected.
            clipped = clip_negative(f.wr) + clip_negative(f.h);
            if (clipped > 0 || out.iterations == 0) out.error = frobenius_error_rw(pb.a, pb.norm2, f.wr, f.h);
        }
        if (out.iterations == 0 && options.solver != NmfSolver::pgd && options.solver != NmfSolver::adam)
            out.error = options.beta_loss == BetaLoss::kullback_leibler ? kl_error(a, f.wr, f.h)
                                                                        : frobenius_error_rw(pb.a, pb.norm2, f.wr, f.h);
        frob =
            options.beta_loss == BetaLoss::kullback_leibler ? frobenius_error_rw(pb.a, pb.norm2, f.wr, f.h) : out.error;
        negative = count_negative(f.wr) + count_negative(f.h);
    }
    phases.emplace_back("finish", since(t));
    NmfResult<T> r = to_result<T>(std::move(f), options);
    r.reconstruction_error = out.error;
    r.relative_error = norm2 > 0 ? frob / std::sqrt(norm2) : 0.0;
    r.iterations = out.iterations;
    r.max_iter = options.max_iter;
    r.tol = options.tol;
    r.status = out.diverged         ? NmfStatus::diverged
               : out.reached_target ? NmfStatus::reached_target
               : out.converged      ? NmfStatus::converged
                                    : NmfStatus::max_iter;
    r.diagnosis = std::move(out.diagnosis);
    if (r.status != NmfStatus::diverged) {
        // A read-only pass over the factors as returned (after the rounding to T), so that no
        // NaN or infinity is ever handed back as a result.
        const auto flag = [&](const std::string& what) {
            r.status = NmfStatus::diverged;
            r.diagnosis = what;
        };
        if (const auto at = detail::first_non_finite(r.w))
            flag(fmt::format("W({}, {}) is {}", at->first + 1, at->second + 1, r.w(at->first, at->second)));
        else if (const auto bt = detail::first_non_finite(r.h))
            flag(fmt::format("H({}, {}) is {}", bt->first + 1, bt->second + 1, r.h(bt->first, bt->second)));
        else if (!std::isfinite(r.reconstruction_error) || !std::isfinite(r.relative_error))
            flag(fmt::format("the final error is {}", r.reconstruction_error));
    }
    // Any non-negative A ≠ 0 has a rank-1 NMF better than 0 (its leading singular pair); only
    // regularisation can make W·H = 0 the optimum. 1e-12: k = 1 on m orthogonal documents
    // explains 1/m of ‖A‖², a relative error of 1 − 1/(2m), below this for m < 5e11.
    const bool regularised = options.alpha_w > 0 || options.alpha_h > 0;
    if (r.status != NmfStatus::diverged && !regularised && r.relative_error >= 1 - 1e-12) {
        r.status = NmfStatus::degenerate;
        r.diagnosis = fmt::format("W·H explains nothing of A (relative error {:.15g}, as for W = H = 0{})",
                                  r.relative_error, r.relative_error == 1 ? ": W·H is 0" : "");
    }
    r.losses = std::move(out.losses);
    r.negative_entries = negative;
    r.clipped = clipped;
    r.phases = std::move(phases);
    r.seconds = since(start);
    return r;
}

template <typename T>
NmfResult<T> nmf(const Matrix<T>& a, const NmfOptions& options) {
    CsrMatrix<T> s;
    s.rows = a.rows;
    s.cols = a.cols;
    s.indptr.assign(static_cast<std::size_t>(a.rows + 1), 0);
    for (std::int64_t i = 0; i < a.rows; ++i) {
        for (std::int64_t j = 0; j < a.cols; ++j)
            if (a(i, j) != 0) {  // NaN too: the check names it
                s.indices.push_back(static_cast<std::int32_t>(j));
                s.values.push_back(a(i, j));
            }
        s.indptr[static_cast<std::size_t>(i + 1)] = static_cast<std::int64_t>(s.values.size());
    }
    return nmf(s, options);
}

template <typename T>
NmfTransform<T> nmf_transform(const CsrMatrix<T>& a, const Matrix<T>& h_in, const NmfOptions& options) {
    require_valid_matrix(a);
    NmfOptions o = options;
    o.k = h_in.rows;
    o.init = NmfInit::random;  // no SVD init: W starts as scikit-learn's transform starts it
    if (h_in.cols != a.cols)
        throw DataError(fmt::format("H has {} columns (terms) but the matrix has {}", h_in.cols, a.cols));
    require_valid_options(o, a.rows, a.cols);
    if (o.tol < 0) o.tol = default_tol(NmfSolver::cd);
    const Matrix<double> h = h_in.template cast<double>();
    require_valid_factor(h, h.rows, h.cols, "H");
    const std::int64_t k = h.rows, m = a.rows;
    const Regularization reg = regularization(o, a.rows, a.cols);
    const int max_iter = o.max_iter > 0 ? o.max_iter : 200;
    Matrix<double> p;
    linalg::multiply_rowwise(a, h, p);  // A·Hᵀ, fixed
    const Matrix<double> g = linalg::gram_wide(h);
    NmfTransform<T> out;
    Matrix<double> wr;
    if (o.solver == NmfSolver::mu) {
        const bool kl = o.beta_loss == BetaLoss::kullback_leibler;
        const double avg = std::sqrt(matrix_mean(a) / static_cast<double>(k));
        wr = Matrix<double>(k, m);
        std::fill(wr.data.begin(), wr.data.end(), avg);
        const double norm2 = squared_norm(linalg::frobenius_norm(a));
        const auto error_now = [&]() {
            return kl ? kl_error(a, wr, h) : frobenius_from(norm2, inner(wr, p), linalg::gram_wide(wr), g);
        };
        const double initial = error_now();
        DecreaseRule rule{o.tol, initial, initial};
        const std::vector<double> h_sum = row_sums(h);
        for (int it = 1; it <= max_iter; ++it) {
            if (kl)
                mu_kl_step(wr, h, a, h_sum, false, reg.l1_w, reg.l2_w);
            else
                stored_step(p, wr, MuUpdate{g, reg.l1_w, reg.l2_w});
            out.iterations = it;
            if (o.tol > 0 && it % 10 == 0 && rule.done(it, error_now())) {
                out.converged = true;
                break;
            }
        }
    } else {
        wr = Matrix<double>::zeros(k, m);
        std::mt19937_64 gen(o.seed);
        std::vector<std::int64_t> order(static_cast<std::size_t>(k));
        for (std::int64_t t = 0; t < k; ++t) order[static_cast<std::size_t>(t)] = t;
        double violation_init = 0;
        for (int it = 1; it <= max_iter; ++it) {
            const auto order_w = o.shuffle ? permutation(k, gen) : order;
            const double violation = stored_step(p, wr, CdUpdate(g, reg.l1_w, reg.l2_w, order_w));
            out.iterations = it;
            if (it == 1) violation_init = violation;
            if (violation_init == 0 || violation / violation_init <= o.tol) {
                out.converged = true;
                break;
            }
        }
    }
    out.w = linalg::transpose(wr).template cast<T>();
    // A guard: A's scale and H were checked, and these updates cannot leave the finite numbers.
    if (const auto at = detail::first_non_finite(out.w))
        throw DataError(
            fmt::format("the transform came out with W({}, {}) = {}: the scale of the data is beyond "
                        "what this precision carries",
                        at->first + 1, at->second + 1, out.w(at->first, at->second)));
    return out;
}

template <typename T>
double frobenius_error(const CsrMatrix<T>& a, const Matrix<T>& w, const Matrix<T>& h) {
    if (w.rows != a.rows || h.cols != a.cols || w.cols != h.rows)
        throw InvalidArgument(fmt::format("shapes do not fit: A {} x {}, W {} x {}, H {} x {}", a.rows, a.cols, w.rows,
                                          w.cols, h.rows, h.cols));
    return frobenius_error_rw(a, squared_norm(linalg::frobenius_norm(a)), linalg::transpose(w).template cast<double>(),
                              h.template cast<double>());
}

void validate_nmf_options(const NmfOptions& options) {
    NmfOptions o = options;
    o.init = NmfInit::random;  // the rules that need the matrix or the custom factors are left out
    o.w_init.reset();
    o.h_init.reset();
    const auto any = std::numeric_limits<std::int64_t>::max();
    require_valid_options(o, any, any);
}

#define FACTOPIC_NMF(T)                                                                               \
    template NmfResult<T> nmf(const CsrMatrix<T>&, const NmfOptions&);                                \
    template NmfResult<T> nmf(const Matrix<T>&, const NmfOptions&);                                   \
    template NmfTransform<T> nmf_transform(const CsrMatrix<T>&, const Matrix<T>&, const NmfOptions&); \
    template double frobenius_error(const CsrMatrix<T>&, const Matrix<T>&, const Matrix<T>&);
FACTOPIC_NMF(float)
FACTOPIC_NMF(double)
#undef FACTOPIC_NMF

}  // namespace factopic::decomp
