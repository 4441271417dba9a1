// The losses of the NMF solvers, from the factors and A's non-zeros alone (nothing m × n is
// formed): ‖A − WH‖_F = √(‖A‖² − 2⟨A, WH⟩ + ⟨WᵀW, HHᵀ⟩), and scikit-learn's √(2·KL(A ‖ WH)).
#include <algorithm>
#include <cmath>

#include "detail.hpp"

namespace factopic::decomp::nmf_detail {

/// ⟨X, Y⟩ of two equally shaped host matrices, over blocks of 1024 entries added in order.
double inner(const Matrix<double>& x, const Matrix<double>& y) {
    constexpr std::size_t block = 1024;
    double total = 0;
    for (std::size_t lo = 0; lo < x.data.size(); lo += block) {
        const std::size_t hi = std::min(x.data.size(), lo + block);
        double s = 0;
        for (std::size_t i = lo; i < hi; ++i) s += x.data[i] * y.data[i];
        total += s;
    }
    return total;
}

/// ‖A − WH‖_F from ⟨Y, P⟩ = ⟨A, WH⟩ and the two Gram matrices.
double frobenius_from(double norm2, double cross, const Matrix<double>& gw, const Matrix<double>& gh) {
    return std::sqrt(std::max(norm2 - 2.0 * cross + inner(gw, gh), 0.0));
}

/// √(2·KL(A ‖ WH)) as scikit-learn's _beta_divergence(beta=1, square_root=True): the sum over
/// the non-zeros above EPSILON plus Σ(WH) − Σ(A) (Σ(WH) from the factors' sums).
double kl_error(const backend::Backend& be, const Sparse& a, const Dense& wr, const Dense& h) {
    const std::int64_t k = wr.rows();
    const double data = be.nmf_kl_terms(a, wr, h);
    const std::vector<double> ws = be.row_sums(wr), hs = be.row_sums(h);
    double sum_wh = 0;
    for (std::int64_t t = 0; t < k; ++t) sum_wh += ws[static_cast<std::size_t>(t)] * hs[static_cast<std::size_t>(t)];
    return std::sqrt(2.0 * std::max(data + sum_wh, 0.0));
}

/// ‖A − WH‖_F for row-wise factors.
double frobenius_error_rw(const backend::Backend& be, const Sparse& a, double norm2, const Dense& wr, const Dense& h) {
    Dense p;
    be.sparse_rowwise_product(a, Side::a, h, p);  // k × m: A·Hᵀ
    return frobenius_from(norm2, be.inner(wr, p), be.factor_gram(wr), be.factor_gram(h));
}

}  // namespace factopic::decomp::nmf_detail
