// Checks of a decomposition against A, without forming A or U·diag(s)·Vᵀ densely whole: the
// Gram matrices UᵀU, VᵀV and UᵀAV give the orthogonality errors and, through
// ‖A − USVᵀ‖² = ‖A‖² − 2·tr(S·UᵀAV) + ‖USVᵀ‖², the reconstruction error; when that identity
// cancels to rounding, the residual is summed exactly over blocks of rows.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "detail.hpp"
#include "factopic/core/error.hpp"
#include "factopic/linalg/lapack.hpp"
#include "factopic/runtime/parallel.hpp"

namespace factopic::decomp {

namespace {

using namespace svd_detail;

struct Gramians {
    Matrix<double> utu, vtv, utav;  // k × k each
};

Gramians gramians(const CsrMatrix<double>& a, const Matrix<double>& u, const Matrix<double>& vt) {
    const std::int64_t k = u.cols, m = u.rows, n = vt.cols;
    Gramians g{Matrix<double>(k, k), Matrix<double>(k, k), Matrix<double>(k, k)};
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

/// ‖A − U_k S_k V_kᵀ‖_F² from the identity, for the first kk triplets.
double residual2_identity(double norm2, const Gramians& g, const std::vector<double>& s, std::int64_t kk) {
    double cross = 0, model = 0;
    for (std::int64_t i = 0; i < kk; ++i) {
        cross += s[static_cast<std::size_t>(i)] * g.utav(i, i);
        for (std::int64_t j = 0; j < kk; ++j)
            model += s[static_cast<std::size_t>(i)] * s[static_cast<std::size_t>(j)] * g.utu(i, j) * g.vtv(i, j);
    }
    return norm2 - 2 * cross + model;
}

/// Σ d[e]² over e in [0, count), in chunks of a fixed size whose partial sums are added in
/// chunk order: the same sum on any number of threads.
double sum_of_squares(const double* d, std::int64_t count) {
    return runtime::fixed_order_sum(count, 4096, [&](std::int64_t lo, std::int64_t hi) {
        double s = 0;
        for (std::int64_t e = lo; e < hi; ++e) s += d[e] * d[e];
        return s;
    });
}

/// ‖A − U·diag(s)·Vᵀ‖_F² accumulated exactly over blocks of 256 rows.
double residual2_blocked(const CsrMatrix<double>& a, const Matrix<double>& u, const std::vector<double>& s,
                         const Matrix<double>& vt) {
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

}  // namespace

template <typename T>
SvdCheck check_svd(const CsrMatrix<T>& a, const SvdResult<T>& r) {
    const auto start = Clock::now();
    const Widened<CsrMatrix, T> ad(a);
    const Widened<Matrix, T> u(r.u), vt(r.vt);
    std::vector<double> s(r.s.begin(), r.s.end());
    const Gramians g = gramians(*ad, *u, *vt);
    SvdCheck c;
    c.u_orthogonality_error = max_identity_error(g.utu);
    c.v_orthogonality_error = max_identity_error(g.vtv);
    const double norm = linalg::frobenius_norm(*ad);
    const double norm2 = norm * norm;
    double res2 = residual2_identity(norm2, g, s, static_cast<std::int64_t>(s.size()));
    // The identity cancels to rounding noise when the residual is small: then sum it exactly.
    if (!(res2 > 1e-6 * norm2)) res2 = residual2_blocked(*ad, *u, s, *vt);
    c.reconstruction_error = norm > 0 ? std::sqrt(std::max(res2, 0.0)) / norm : std::sqrt(std::max(res2, 0.0));
    c.seconds = since(start);
    return c;
}

template <typename T>
std::vector<double> truncation_errors(const CsrMatrix<T>& a, const SvdResult<T>& r,
                                      const std::vector<std::int64_t>& ks) {
    const Widened<CsrMatrix, T> ad(a);
    const Widened<Matrix, T> u(r.u), vt(r.vt);
    std::vector<double> s(r.s.begin(), r.s.end());
    const Gramians g = gramians(*ad, *u, *vt);
    const double norm = linalg::frobenius_norm(*ad);
    std::vector<double> out;
    for (const auto kk : ks) {
        if (kk < 0 || kk > static_cast<std::int64_t>(s.size()))
            throw InvalidArgument(fmt::format("k = {} exceeds the {} computed triplets", kk, s.size()));
        const double res2 = residual2_identity(norm * norm, g, s, kk);
        out.push_back(norm > 0 ? std::sqrt(std::max(res2, 0.0)) / norm : 0.0);
    }
    return out;
}

#define FACTOPIC_SVD_CHECK(T)                                                                \
    template SvdCheck check_svd(const CsrMatrix<T>&, const SvdResult<T>&);                   \
    template std::vector<double> truncation_errors(const CsrMatrix<T>&, const SvdResult<T>&, \
                                                   const std::vector<std::int64_t>&);
FACTOPIC_SVD_CHECK(float)
FACTOPIC_SVD_CHECK(double)
#undef FACTOPIC_SVD_CHECK

}  // namespace factopic::decomp
