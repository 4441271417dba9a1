// The truncated SVD by the randomized range finder (Halko, Martinsson & Tropp 2011, algorithms
// 4.3 and 5.1), step by step as scikit-learn's randomized_svd: a Gaussian start on M's short
// side, power iterations with the chosen normaliser, QR, B = QᵀM, and gesdd of B.
#include <algorithm>

#include "detail.hpp"

namespace factopic::decomp::svd_detail {

namespace {

/// Y = M·X or Mᵀ·X on the backend, with the backend's buffers for that side.
struct SideProduct {
    const Oriented& o;
    backend::Side side;
    backend::Backend::Scratch scratch;
    void operator()(const Matrix<double>& x, Matrix<double>& y) { o.be.multiply(o.sparse, side, x, y, scratch); }
    Matrix<double> operator()(const Matrix<double>& x) {
        backend::Backend::Scratch fresh;
        Matrix<double> y;
        o.be.multiply(o.sparse, side, x, y, fresh);
        return y;
    }
};

void normalize(const backend::Backend& be, Matrix<double>& y, Normalizer how) {
    if (how == Normalizer::lu)
        be.lu_normalize(y);
    else if (how == Normalizer::qr)
        be.orthonormalize(y, nullptr);
}

}  // namespace

SvdResult<double> truncated_rsvd(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k) {
    SvdResult<double> r;
    r.method = SvdMethod::rsvd;
    PhaseTimer timer(r.phases);
    const backend::Backend& be = o.be;
    const std::int64_t short_side = o.short_side();
    const std::int64_t l = std::min<std::int64_t>(k + std::max(opt.oversamples, 0), short_side);
    const int iters = opt.power_iters.value_or(static_cast<double>(k) < 0.1 * static_cast<double>(short_side) ? 7 : 4);
    Normalizer how = opt.normalizer;
    if (how == Normalizer::automatic) how = iters <= 2 ? Normalizer::none : Normalizer::lu;
    r.iterations = iters;

    Matrix<double> q = linalg::gaussian(short_side, l, opt.seed,
                                        runtime::RandomStream::svd_start);  // scikit-learn: Q on M's short side
    SideProduct m_times{o, o.m_side, nullptr}, mt_times{o, o.mt_side, nullptr};
    Matrix<double> y;
    for (int it = 0; it < iters; ++it) {
        m_times(q, y);
        normalize(be, y, how);
        mt_times(y, q);
        normalize(be, q, how);
    }
    m_times(q, y);
    be.orthonormalize(y, nullptr);  // long × l, orthonormal range basis
    timer.mark("range");
    // B = Qᵀ·M (l × short), then its SVD.
    Matrix<double> b = linalg::transpose(mt_times(y));
    Matrix<double> ub, vtb;
    std::vector<double> s;
    backend::small::gesdd(b, ub, s, vtb);
    const std::int64_t long_side = o.long_side();
    r.u = Matrix<double>(long_side, k);
    be.combine(y, ub, false, r.u);
    r.vt = Matrix<double>(k, short_side);
    for (std::int64_t j = 0; j < short_side; ++j)
        for (std::int64_t i = 0; i < k; ++i) r.vt(i, j) = vtb(i, j);
    r.s.assign(s.begin(), s.begin() + k);
    timer.mark("svd");
    return r;
}

}  // namespace factopic::decomp::svd_detail
