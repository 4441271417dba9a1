// The Krylov method's final Ritz step: from converged Ritz vectors V (short × k, nearly
// orthonormal, nearly right singular vectors of M) to the SVD of M restricted to span(V). The
// Gram-based route reads the long side three times; the QR-based one (CholeskyQR2, or
// Householder when that is ill-conditioned) is the fallback when the Gram-based checks fail.
#include <algorithm>
#include <cmath>

#include "detail.hpp"
#include "factopic/core/error.hpp"

namespace factopic::decomp::svd_detail {

namespace {

/// The SVD of M·v for orthonormal right vectors v (short × k), kept row-wise: (M·v)ᵀ is k × long,
/// which is A's Vᵀ layout when M = Aᵀ, so no long matrix is ever transposed. CholeskyQR2 in that
/// layout (Householder on one thread when it is ill-conditioned), then gesdd of the k × k
/// triangle. Gives U_Mᵀ (k × long), s and V_M (short × k).
void restricted_svd_rowwise(const Oriented& o, const Matrix<double>& v, Matrix<double>& ut_long, std::vector<double>& s,
                            Matrix<double>& v_short) {
    using backend::small::Threads;
    const backend::Backend& be = o.be;
    const std::int64_t k = v.cols;
    Matrix<double> xt;
    be.multiply_rowwise(o.sparse, o.m_side, linalg::transpose(v), xt);  // (M·v)ᵀ, k × long
    Matrix<double> total;
    bool ok = true;
    for (int round = 0; round < 2 && ok; ++round) {
        Matrix<double> g = be.gram_wide_general(xt);
        ok = backend::small::cholesky_upper(g, Threads::call);
        if (ok) {
            double lo = g(0, 0), hi = g(0, 0);
            for (std::int64_t i = 1; i < k; ++i) {
                lo = std::min(lo, g(i, i));
                hi = std::max(hi, g(i, i));
            }
            ok = lo > 1e-7 * hi;  // κ ≲ 1e7: CholeskyQR2 is as accurate as Householder
        }
        if (!ok) break;
        Matrix<double> inv = g;
        backend::small::invert_upper(inv, Threads::call);
        be.rotate_wide(inv, xt);  // Qᵀ = R⁻ᵀ·Xᵀ
        total = round == 0 ? std::move(g) : upper_product(g, total);
    }
    if (!ok) {
        Matrix<double> x = linalg::transpose(xt), rh;
        be.orthonormalize(x, &rh);
        total = total.rows == k ? upper_product(rh, total) : std::move(rh);
        xt = linalg::transpose(x);
    }
    Matrix<double> w, zt;
    backend::small::gesdd(total, w, s, zt);
    be.rotate_wide(w, xt);  // U_Mᵀ = Wᵀ·Qᵀ
    ut_long = std::move(xt);
    v_short = Matrix<double>(v.rows, k);  // V_M = v·Z
    be.combine(v, zt, true, v_short);
}

/// A rows × cols matrix (contents unspecified) in the memory of `storage` when it has room,
/// else a fresh one. Memory a process has already touched is cheap to reuse; touching fresh
/// memory costs a page fault per page, and on the virtual machines factopic is measured on a
/// first touch of 2 MiB took from 0.2 to 4 ms — as much as a sparse product.
Matrix<double> reuse_as(Matrix<double>&& storage, std::int64_t rows, std::int64_t cols) {
    const auto size = static_cast<std::size_t>(rows * cols);
    if (storage.data.capacity() < size) return Matrix<double>(rows, cols);
    Matrix<double> m = std::move(storage);
    m.data.resize(size);  // within capacity: no reallocation, nothing written
    m.rows = rows;
    m.cols = cols;
    return m;
}

/// The SVD of M restricted to span(v), for v (short × k) whose columns are nearly orthonormal
/// and nearly right singular vectors of M (converged Ritz vectors), with three passes over the
/// long side: X = M·v (row-wise), its Gram matrix, and one k × k rotation of X.
///  - F = R_v⁻¹ from vᵀv = R_vᵀR_v: v_o = v·F is orthonormal (one CholeskyQR round is exact to
///    working precision for a basis this close to orthonormal), and X_o = X·F = M·v_o.
///  - X_o's columns are nearly orthogonal, so with S = diag(1/‖X_o column‖) the Gram matrix of
///    X_o·S is I + E with E small. Its Cholesky factor R̃ gives X_o = Q·R, R = R̃·S⁻¹, with Q
///    orthonormal to ε·κ(X_o·S)² (CholeskyQR's error), κ² ≤ 3 when ‖E‖₂ ≤ k·max|Eᵢⱼ| ≤ 1/2.
///    The column scaling keeps large and small singular values apart: no κ(X_o)² enters.
///  - R = W·Σ·Zᵀ (gesdd, k × k): U_Mᵀ = (F·R⁻¹·W)ᵀ·Xᵀ and V_M = v·F·Z.
/// Xᵀ is made in `spare`'s memory when that is large enough (see reuse_as). Returns false, and
/// changes nothing but `spare`, when v or X_o·S is too far from orthogonal for that.
bool restricted_svd_gram(const Oriented& o, const Matrix<double>& v, Matrix<double>& ut_long, std::vector<double>& s,
                         Matrix<double>& v_short, Matrix<double>& spare) {
    using backend::small::product;
    using backend::small::Threads;
    const backend::Backend& be = o.be;
    const std::int64_t k = v.cols, n_short = v.rows;
    Matrix<double> f(k, k);  // vᵀv, then R_v, then F
    be.inner_products(v, 0, v, f);
    if (!(max_identity_error(f) * static_cast<double>(k) <= 0.5) || !backend::small::cholesky_upper(f, Threads::call))
        return false;
    backend::small::invert_upper(f, Threads::call);
    Matrix<double> xt = reuse_as(std::move(spare), k, o.long_side());
    be.multiply_rowwise(o.sparse, o.m_side, linalg::transpose(v), xt);  // Xᵀ = (M·v)ᵀ, k × long
    const Matrix<double> g = be.gram_wide(xt);
    Matrix<double> gt = product('T', f, 'N', product('N', g, 'N', f));  // X_oᵀX_o
    std::vector<double> scale(static_cast<std::size_t>(k));
    for (std::int64_t i = 0; i < k; ++i) {
        if (!(gt(i, i) > 0)) return false;
        scale[static_cast<std::size_t>(i)] = 1.0 / std::sqrt(gt(i, i));
    }
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = 0; i < k; ++i)
            gt(i, j) *= scale[static_cast<std::size_t>(i)] * scale[static_cast<std::size_t>(j)];
    if (!(max_identity_error(gt) * static_cast<double>(k) <= 0.5) || !backend::small::cholesky_upper(gt)) return false;
    Matrix<double> r = gt;  // R = R̃·S⁻¹
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = 0; i <= j; ++i) r(i, j) /= scale[static_cast<std::size_t>(j)];
    Matrix<double> w, zt;
    backend::small::gesdd(r, w, s, zt);
    backend::small::invert_upper(gt);  // R⁻¹ = S·R̃⁻¹
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = 0; i <= j; ++i) gt(i, j) *= scale[static_cast<std::size_t>(i)];
    const Matrix<double> t = product('N', f, 'N', product('N', gt, 'N', w));
    const Matrix<double> fz = product('N', f, 'T', zt);
    be.rotate_wide(t, xt);
    ut_long = std::move(xt);
    v_short = Matrix<double>(n_short, k);
    be.combine(v, fz, false, v_short);
    return true;
}

}  // namespace

void ritz_triplets(const Oriented& o, Matrix<double>& basis, std::int64_t b, const Matrix<double>& y, bool qr_ritz,
                   SvdResult<double>& r, PhaseTimer& timer) {
    const std::int64_t n = o.short_side(), k = y.cols;
    if (y.rows != b) throw InvalidArgument("ritz_triplets: Y's rows are not the basis size");
    Matrix<double> v(n, k);  // Ritz vectors Q·Y
    o.be.combine(basis, y, false, v);
    Matrix<double> ut_long, v_short;
    // The basis's memory, touched block by block, holds the long k × n matrix of the Ritz step.
    const bool gram = !qr_ritz && restricted_svd_gram(o, v, ut_long, r.s, v_short, basis);
    basis = Matrix<double>();  // freed before the QR-based step makes its long matrices
    if (!gram) {
        o.be.orthonormalize(v, nullptr);
        restricted_svd_rowwise(o, v, ut_long, r.s, v_short);
    }
    if (o.transposed) {  // A = Mᵀ: A's U is V_M, A's Vᵀ is U_Mᵀ
        r.u = std::move(v_short);
        r.vt = std::move(ut_long);
    } else {
        r.u = linalg::transpose(ut_long);
        r.vt = linalg::transpose(v_short);
    }
    timer.mark(gram ? "ritz" : "ritz_qr");
}

}  // namespace factopic::decomp::svd_detail
