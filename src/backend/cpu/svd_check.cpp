// The CPU backend's products for the SVD's checks (src/decomp/svd/check.cpp): the Gram matrices
// UᵀU, VᵀV and UᵀAV, and the residual ‖A − U·diag(s)·Vᵀ‖² summed exactly over blocks of rows.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <type_traits>

#include "factopic/linalg/lapack.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/parallel.hpp"
#include "svd.hpp"

namespace factopic::backend::cpu {

namespace {

/// Σ d[e]² over e in [0, count), in chunks of a fixed size whose partial sums are added in
/// chunk order: the same sum on any number of threads.
double sum_of_squares(const double* d, std::int64_t count) {
    return runtime::fixed_order_sum(count, 4096, [&](std::int64_t lo, std::int64_t hi) {
        double s = 0;
        for (std::int64_t e = lo; e < hi; ++e) s += d[e] * d[e];
        return s;
    });
}

}  // namespace

Backend::SvdGramians CpuBackend::svd_gramians(const Sparse& sparse, const Matrix<double>& u,
                                              const Matrix<double>& vt) const {
    const CsrMatrix<double>& a = double_side(sparse, Side::a);
    const std::int64_t k = u.cols, m = u.rows, n = vt.cols;
    SvdGramians g{Matrix<double>(k, k), Matrix<double>(k, k), Matrix<double>(k, k)};
    // Symmetric products (half the work of gemm), mirrored; a check need not be thread-exact.
    linalg::syrk('U', 'T', k, m, 1.0, u.ptr(), m, 0.0, g.utu.ptr(), k);
    linalg::syrk('U', 'N', k, n, 1.0, vt.ptr(), k, 0.0, g.vtv.ptr(), k);
    for (Matrix<double>* sym : {&g.utu, &g.vtv})
        for (std::int64_t j = 0; j < k; ++j)
            for (std::int64_t i = j + 1; i < k; ++i) (*sym)(i, j) = (*sym)(j, i);
    Matrix<double> av;  // (A·V)ᵀ, k × m
    linalg::multiply_rowwise(a, vt, av);
    linalg::gemm_fixed('N', 'N', k, k, m, 1.0, av.ptr(), k, u.ptr(), m, 0.0, g.utav.ptr(), k);  // (AV)ᵀU = (UᵀAV)ᵀ
    return g;
}

/// ‖A − U·diag(s)·Vᵀ‖_F² accumulated exactly over blocks of 256 rows.
double CpuBackend::svd_residual2(const Sparse& sparse, const Matrix<double>& u, const std::vector<double>& s,
                                 const Matrix<double>& vt) const {
    const CsrMatrix<double>& a = double_side(sparse, Side::a);
    const std::int64_t m = a.rows, n = a.cols, k = u.cols;
    constexpr std::int64_t rows_per_block = 256;
    double total = 0;
    Matrix<double> us(std::min(rows_per_block, m), k), block(std::min(rows_per_block, m), n);
    for (std::int64_t i0 = 0; i0 < m; i0 += rows_per_block) {
        const std::int64_t br = std::min(rows_per_block, m - i0);
        for (std::int64_t c = 0; c < k; ++c)
            for (std::int64_t i = 0; i < br; ++i) us.ptr()[i + c * br] = u(i0 + i, c) * s[static_cast<std::size_t>(c)];
        linalg::gemm('N', 'N', br, n, k, 1.0, us.ptr(), br, vt.ptr(), k, 0.0, block.ptr(), br);
        for (std::int64_t i = 0; i < br; ++i)
            for (std::int64_t p = a.indptr[i0 + i]; p < a.indptr[i0 + i + 1]; ++p)
                block.ptr()[i + static_cast<std::int64_t>(a.indices[p]) * br] -= a.values[p];
        total += sum_of_squares(block.ptr(), br * n);
    }
    return total;
}

Backend::EntryScale CpuBackend::entry_scale(const Sparse& sparse) const {
    return visit_side(sparse, Side::a, [](const auto& a) {
        using T = typename std::decay_t<decltype(a)>::Scalar;
        EntryScale out;
        for (std::int64_t i = 0; i < a.rows; ++i)
            for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
                const double v = std::fabs(static_cast<double>(a.values[q]));
                if (!std::isfinite(v)) {
                    out.finite = false;
                    out.row = i;
                    out.col = a.indices[q];
                    out.value = static_cast<double>(a.values[q]);
                    return out;
                }
                if (v > out.largest) {
                    out.largest = v;
                    out.row = i;
                    out.col = a.indices[q];
                }
            }
        if (out.largest == 0) return out;
        // ‖A‖_F = largest·‖A/largest‖_F: no square in the sum can overflow or underflow.
        double scaled = 0;
        for (const T v : a.values) {
            const double x = static_cast<double>(v) / out.largest;
            scaled += x * x;
        }
        out.norm = out.largest * std::sqrt(scaled);
        return out;
    });
}

}  // namespace factopic::backend::cpu
