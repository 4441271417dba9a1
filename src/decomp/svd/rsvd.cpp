// The truncated SVD by the randomized range finder (Halko, Martinsson & Tropp 2011, algorithms
// 4.3 and 5.1), step by step as scikit-learn's randomized_svd: a Gaussian start on M's short
// side, power iterations with the chosen normaliser, QR, B = QᵀM, and gesdd of B.
#include <algorithm>

#include "detail.hpp"
#include "factopic/linalg/lapack.hpp"

namespace factopic::decomp::svd_detail {

namespace {

/// Buffers reused from one sparse product to the next: the row-wise forms of the operands
/// (fresh memory costs a page fault per 4 KiB here, a sizeable part of a product's time).
struct ProductBuffers {
    Matrix<double> in, out;
};

/// Y = M·X for X given column-major (cols × l): Y is rows × l column-major.
void apply(const CsrMatrix<double>& mat, const Matrix<double>& x, Matrix<double>& y, ProductBuffers& buf) {
    linalg::transpose_into(x, buf.in);
    linalg::multiply_rowwise(mat, buf.in, buf.out);
    linalg::transpose_into(buf.out, y);
}

Matrix<double> apply(const CsrMatrix<double>& mat, const Matrix<double>& x) {
    ProductBuffers buf;
    Matrix<double> y;
    apply(mat, x, y, buf);
    return y;
}

void normalize(Matrix<double>& y, Normalizer how) {
    if (how != Normalizer::lu && how != Normalizer::qr) return;
    const linalg::SerialBlas serial;
    if (how == Normalizer::lu)
        linalg::permuted_lower(y);
    else
        linalg::qr(y);
}

}  // namespace

SvdResult<double> truncated_rsvd(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k) {
    SvdResult<double> r;
    r.method = SvdMethod::rsvd;
    PhaseTimer timer(r.phases);
    const std::int64_t short_side = o.m().cols;
    const std::int64_t l = std::min<std::int64_t>(k + std::max(opt.oversamples, 0), short_side);
    const int iters = opt.power_iters >= 0 ? opt.power_iters
                                           : (static_cast<double>(k) < 0.1 * static_cast<double>(short_side) ? 7 : 4);
    Normalizer how = opt.normalizer;
    if (how == Normalizer::automatic) how = iters <= 2 ? Normalizer::none : Normalizer::lu;
    r.iterations = iters;

    Matrix<double> q = linalg::gaussian(short_side, l, opt.seed);  // scikit-learn: Q on M's short side
    ProductBuffers long_buf, short_buf;
    Matrix<double> y;
    for (int it = 0; it < iters; ++it) {
        apply(o.m(), q, y, long_buf);
        normalize(y, how);
        apply(o.mt(), y, q, short_buf);
        normalize(q, how);
    }
    apply(o.m(), q, y, long_buf);
    {
        const linalg::SerialBlas serial;
        linalg::qr(y);
    }  // long × l, orthonormal range basis
    timer.mark("range");
    // B = Qᵀ·M (l × short), then its SVD.
    Matrix<double> b = linalg::transpose(apply(o.mt(), y));
    Matrix<double> ub, vtb;
    std::vector<double> s;
    {
        const linalg::SerialBlas serial;
        linalg::gesdd(b, ub, s, vtb);
    }
    const std::int64_t long_side = o.m().rows;
    r.u = Matrix<double>(long_side, k);
    linalg::gemm_fixed('N', 'N', long_side, k, l, 1.0, y.ptr(), long_side, ub.ptr(), l, 0.0, r.u.ptr(), long_side);
    r.vt = Matrix<double>(k, short_side);
    for (std::int64_t j = 0; j < short_side; ++j)
        for (std::int64_t i = 0; i < k; ++i) r.vt(i, j) = vtb(i, j);
    r.s.assign(s.begin(), s.begin() + k);
    timer.mark("svd");
    return r;
}

}  // namespace factopic::decomp::svd_detail
