// The NMF column kernels of the CPU backend (moved from src/decomp/nmf/): G·y − p for one
// column with k a compile-time constant where it can be, and the cd, mu and pgd column updates
// built on it. Private to src/backend/cpu/nmf.cpp, which inlines them into its loops.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::backend::cpu::nmf_kernels {

using linalg::Matrix;

/// scikit-learn's EPSILON (float32 machine epsilon): the floor of denominators and of WH in KL.
constexpr double eps32 = std::numeric_limits<float>::epsilon();

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
// Column updates: each maps (y, p) of one column to its own figure (cd: the violation).

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
    inline double operator()(double* y, const double* p) const {
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
    inline double operator()(double* y, const double* p) const {
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
    inline double operator()(double* y, const double* p) const {
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

}  // namespace factopic::backend::cpu::nmf_kernels
