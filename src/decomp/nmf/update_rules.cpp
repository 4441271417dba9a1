// The NMF column updates (see detail.hpp for the row-wise layout): coordinate descent
// (scikit-learn's _update_cdnmf_fast; Hsieh & Dhillon 2011), multiplicative updates for the
// Frobenius norm and the KL divergence (Lee & Seung 2001), pgd's gradient step, and the fused
// half-step that feeds them P = X·Fᵀ a block at a time. The half-steps are instantiated here for
// each update, so that the update is inlined into the loop over the columns.
#include <algorithm>
#include <array>
#include <cmath>

#include "detail.hpp"

namespace factopic::decomp::nmf_detail {

// ---------------------------------------------------------------------------------------------
// Column updates.

/// Coordinate descent on one column, scikit-learn's _update_cdnmf_fast: for each component t in
/// `order`, the gradient is (G·y)_t − p_t (+ l1; l2 is on G's diagonal), its projected value adds
/// to the violation, and y_t moves to max(y_t − grad/G_tt, 0). The gradient vector is kept up to
/// date by an axpy per change (the arithmetic of the dot product it replaces, in another order).
CdUpdate::CdUpdate(Matrix<double> gram, double l1_, double l2, std::vector<std::int64_t> order_)
    : g(std::move(gram)), l1(l1_), order(std::move(order_)) {
    for (std::int64_t t = 0; t < g.rows; ++t) g(t, t) += l2;
}

inline double CdUpdate::operator()(double* y, const double* p) const {
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

inline double MuUpdate::operator()(double* y, const double* p) const {
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

/// A step on ½‖X − YᵀF‖² + (lam/2)·Σ min(y − mu, 0)²: an explicit gradient step on the first
/// term, v = y − step·(G·y − p), then the penalty's proximal step, which is v itself above mu
/// and (v + step·lam·mu)/(1 + step·lam) below — implicit, so that no lam makes it unstable.
/// project: max(v, 0) instead (projected gradient).
inline double GradientUpdate::operator()(double* y, const double* p) const {
    const double shrink = 1.0 / (1.0 + step * lam), pull = step * lam * mu;
    with_gradient(g, y, p, 0.0, [&](const double* grad, auto k) {
        for (std::int64_t t = 0; t < k; ++t) {
            const double v = y[t] - step * grad[t];
            y[t] = project ? std::max(v, 0.0) : v >= mu ? v : (v + pull) * shrink;
        }
    });
    return 0.0;
}

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

// ---------------------------------------------------------------------------------------------
// Half-steps.

/// Runs update(y_i, p_i) (returning its own figure) on every column i of Y, with P = X·Fᵀ
/// computed 256 columns at a time into a buffer that stays in cache — P is never stored whole.
/// Blocks are fixed by the shape and summed in order.
template <typename T, typename Update>
StepSums fused_step(const CsrMatrix<T>& x, const Matrix<double>& f, Matrix<double>& y, const Update& update) {
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

template <typename Update>
double stored_step(const Matrix<double>& p, Matrix<double>& y, const Update& update) {
    return fixed_sum(y.cols, [&](std::int64_t lo, std::int64_t hi) {
        double own = 0;
        for (std::int64_t i = lo; i < hi; ++i) own += update(y.col(i), p.col(i));
        return own;
    });
}

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

#define FACTOPIC_NMF_STEPS(T)                                                                                         \
    template StepSums fused_step(const CsrMatrix<T>&, const Matrix<double>&, Matrix<double>&, const CdUpdate&);       \
    template StepSums fused_step(const CsrMatrix<T>&, const Matrix<double>&, Matrix<double>&, const MuUpdate&);       \
    template StepSums fused_step(const CsrMatrix<T>&, const Matrix<double>&, Matrix<double>&, const GradientUpdate&); \
    template void mu_kl_step(Matrix<double>&, const Matrix<double>&, const CsrMatrix<T>&, std::vector<double>, bool,  \
                             double, double);
FACTOPIC_NMF_STEPS(float)
FACTOPIC_NMF_STEPS(double)
#undef FACTOPIC_NMF_STEPS
template double stored_step(const Matrix<double>&, Matrix<double>&, const CdUpdate&);
template double stored_step(const Matrix<double>&, Matrix<double>&, const MuUpdate&);

}  // namespace factopic::decomp::nmf_detail
