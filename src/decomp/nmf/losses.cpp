// The losses of the NMF solvers, from the factors and A's non-zeros alone (nothing m × n is
// formed): ‖A − WH‖_F = √(‖A‖² − 2⟨A, WH⟩ + ⟨WᵀW, HHᵀ⟩), and scikit-learn's √(2·KL(A ‖ WH)).
#include <algorithm>
#include <cmath>

#include "detail.hpp"
#include "factopic/linalg/lapack.hpp"

namespace factopic::decomp::nmf_detail {

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

#define FACTOPIC_NMF_LOSSES(T)                                                                   \
    template double kl_error(const CsrMatrix<T>&, const Matrix<double>&, const Matrix<double>&); \
    template double frobenius_error_rw(const CsrMatrix<T>&, double, const Matrix<double>&, const Matrix<double>&);
FACTOPIC_NMF_LOSSES(float)
FACTOPIC_NMF_LOSSES(double)
#undef FACTOPIC_NMF_LOSSES

}  // namespace factopic::decomp::nmf_detail
