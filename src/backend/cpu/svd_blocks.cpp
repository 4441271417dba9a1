// The CPU backend's products and factorisations of the SVD's tall blocks: OpenBLAS through
// linalg, in fixed blocks (gemm_fixed, gemm_tn_split, gram_wide, multiply_left_inplace) or on
// one thread (SerialBlas), so that results do not depend on the thread count.
#include <fmt/core.h>

#include "factopic/linalg/lapack.hpp"
#include "svd.hpp"

namespace factopic::backend::cpu {

void CpuBackend::inner_products(const Matrix<double>& q, std::int64_t lo, const Matrix<double>& x,
                                Matrix<double>& c) const {
    const std::int64_t n = x.rows;
    if (q.rows != n || lo < 0 || lo + c.rows > q.cols || c.cols != x.cols)
        throw InvalidArgument(fmt::format("inner_products: Q is {} x {}, X {} x {}, C {} x {} from column {}", q.rows,
                                          q.cols, x.rows, x.cols, c.rows, c.cols, lo));
    linalg::gemm_tn_split(c.rows, c.cols, n, 1.0, q.col(lo), n, x.ptr(), n, c.ptr(), c.rows);
}

void CpuBackend::subtract_combination(const Matrix<double>& q, std::int64_t lo, const Matrix<double>& c,
                                      Matrix<double>& x) const {
    const std::int64_t n = x.rows;
    if (q.rows != n || lo < 0 || lo + c.rows > q.cols || c.cols != x.cols)
        throw InvalidArgument(fmt::format("subtract_combination: Q is {} x {}, X {} x {}, C {} x {} from column {}",
                                          q.rows, q.cols, x.rows, x.cols, c.rows, c.cols, lo));
    linalg::gemm_fixed('N', 'N', n, x.cols, c.rows, -1.0, q.col(lo), n, c.ptr(), c.rows, 1.0, x.ptr(), n);
}

void CpuBackend::combine(const Matrix<double>& q, const Matrix<double>& y, bool y_transposed, Matrix<double>& v) const {
    const std::int64_t n = q.rows, p = y_transposed ? y.cols : y.rows;
    const std::int64_t y_out = y_transposed ? y.rows : y.cols;
    if (v.rows != n || p > q.cols || v.cols > y_out)
        throw InvalidArgument(fmt::format("combine: Q is {} x {}, Y {} x {}{}, V {} x {}", q.rows, q.cols, y.rows,
                                          y.cols, y_transposed ? " (transposed)" : "", v.rows, v.cols));
    linalg::gemm_fixed('N', y_transposed ? 'T' : 'N', n, v.cols, p, 1.0, q.ptr(), n, y.ptr(), y.rows, 0.0, v.ptr(), n);
}

std::vector<double> CpuBackend::column_norms2(const Matrix<double>& x) const {
    std::vector<double> out(static_cast<std::size_t>(x.cols));
    for (std::int64_t j = 0; j < x.cols; ++j) {
        double norm2 = 0;
        for (std::int64_t i = 0; i < x.rows; ++i) norm2 += x(i, j) * x(i, j);
        out[static_cast<std::size_t>(j)] = norm2;
    }
    return out;
}

void CpuBackend::orthonormalize(Matrix<double>& x, Matrix<double>* r) const {
    const linalg::SerialBlas serial;
    linalg::qr(x, r);
}

void CpuBackend::lu_normalize(Matrix<double>& x) const {
    const linalg::SerialBlas serial;
    linalg::permuted_lower(x);
}

Matrix<double> CpuBackend::gram_wide(const Matrix<double>& x) const { return linalg::gram_wide(x); }

Matrix<double> CpuBackend::gram_wide_general(const Matrix<double>& x) const {
    const std::int64_t k = x.rows;
    Matrix<double> g(k, k);
    linalg::gemm_fixed('N', 'T', k, k, x.cols, 1.0, x.ptr(), k, x.ptr(), k, 0.0, g.ptr(), k);
    return g;
}

void CpuBackend::rotate_wide(const Matrix<double>& t, Matrix<double>& x) const {
    linalg::multiply_left_inplace('T', t, x);
}

}  // namespace factopic::backend::cpu
