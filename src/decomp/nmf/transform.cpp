// nmf_transform: W for (new) documents with H fixed, as scikit-learn's NMF.transform (the fit's
// solver with update_H=False). P = A·Hᵀ and G = HHᵀ never change, so they are formed once.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../finite.hpp"
#include "detail.hpp"
#include "factopic/core/error.hpp"

namespace factopic::decomp {

using namespace nmf_detail;

namespace {

/// What a transform's iterations leave: W row-wise (k × m), and how they ended.
struct TransformRun {
    Matrix<double> wr;
    int iterations = 0;
    bool converged = false;
};

/// mu from W = √(mean(A)/k), stopped by the decrease rule (every 10 iterations).
template <typename T>
TransformRun transform_mu(const backend::Backend& be, const CsrMatrix<T>& a_host, const Sparse& a, const Dense& h,
                          const Dense& p, const Matrix<double>& g, const NmfOptions& o, const Regularization& reg,
                          int max_iter) {
    const std::int64_t k = h.rows(), m = a.rows();
    TransformRun out;
    const bool kl = o.beta_loss == BetaLoss::kullback_leibler;
    const double avg = std::sqrt(matrix_mean(a_host) / static_cast<double>(k));
    Matrix<double> start(k, m);
    std::fill(start.data.begin(), start.data.end(), avg);
    Dense wr = be.upload(std::move(start));
    const double norm2 = be.squared_norm(a);
    const auto error_now = [&]() {
        return kl ? kl_error(be, a, wr, h) : frobenius_from(norm2, be.inner(wr, p), be.factor_gram(wr), g);
    };
    const double initial = error_now();
    DecreaseRule rule{*o.tol, initial, initial};
    const std::vector<double> h_sum = be.row_sums(h);
    for (int it = 1; it <= max_iter; ++it) {
        if (kl)
            be.nmf_kl_step(a, Side::a, h, wr, {h_sum, false, reg.l1_w, reg.l2_w});
        else
            be.nmf_stored_step(p, wr, backend::NmfMuRule{&g, reg.l1_w, reg.l2_w});
        out.iterations = it;
        if (*o.tol > 0 && it % 10 == 0 && rule.done(it, error_now())) {
            out.converged = true;
            break;
        }
    }
    out.wr = be.download(wr);
    return out;
}

/// Coordinate descent from W = 0, stopped by the violation rule of cd.
TransformRun transform_cd(const backend::Backend& be, const Dense& p, const Matrix<double>& g, const NmfOptions& o,
                          const Regularization& reg, int max_iter) {
    const std::int64_t k = g.rows, m = p.cols();
    TransformRun out;
    Dense wr = be.upload(Matrix<double>::zeros(k, m));
    ViolationRule rule{*o.tol};
    for (int it = 1; it <= max_iter; ++it) {
        const double violation = be.nmf_stored_step(
            p, wr,
            backend::NmfCdRule{&g, reg.l1_w, reg.l2_w, coordinate_order(k, o, static_cast<std::uint64_t>(it - 1))});
        out.iterations = it;
        if (rule.done(it, violation)) {
            out.converged = true;
            break;
        }
    }
    out.wr = be.download(wr);
    return out;
}

}  // namespace

template <typename T>
NmfTransform<T> nmf_transform(const CsrMatrix<T>& a, const Matrix<T>& h_in, const NmfOptions& options,
                              const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    const backend::Backend& be = backend::backend_for(context);
    require_valid_matrix(be, a);
    NmfOptions o = options;
    o.k = h_in.rows;
    o.init = NmfInit::random;  // no SVD init: W starts as scikit-learn's transform starts it
    if (h_in.cols != a.cols)
        throw DataError(fmt::format("H has {} columns (terms) but the matrix has {}", h_in.cols, a.cols));
    require_valid_options(o, a.rows, a.cols);
    if (!o.tol) o.tol = default_tol(NmfSolver::cd);
    Matrix<double> h = h_in.template cast<double>();
    require_valid_factor(h, h.rows, h.cols, "H");
    const Regularization reg = regularization(o, a.rows, a.cols);
    const int max_iter = o.max_iter.value_or(200);
    const Sparse x = be.upload(a, false);
    const Dense hd = be.upload(std::move(h));  // h is not read again
    Dense p;
    be.sparse_rowwise_product(x, Side::a, hd, p);  // A·Hᵀ, fixed
    const Matrix<double> g = be.factor_gram(hd);
    TransformRun run = o.solver == NmfSolver::mu ? transform_mu(be, a, x, hd, p, g, o, reg, max_iter)
                                                 : transform_cd(be, p, g, o, reg, max_iter);
    NmfTransform<T> out;
    out.iterations = run.iterations;
    out.converged = run.converged;
    out.w = linalg::transpose(run.wr).template cast<T>();
    // A guard: A's scale and H were checked, and these updates cannot leave the finite numbers.
    if (const auto at = detail::first_non_finite(out.w))
        throw DataError(
            fmt::format("the transform came out with W({}, {}) = {}: the scale of the data is beyond "
                        "what this precision carries",
                        at->first + 1, at->second + 1, out.w(at->first, at->second)));
    return out;
}

template NmfTransform<float> nmf_transform(const CsrMatrix<float>&, const Matrix<float>&, const NmfOptions&,
                                           const runtime::ExecutionContext&);
template NmfTransform<double> nmf_transform(const CsrMatrix<double>&, const Matrix<double>&, const NmfOptions&,
                                            const runtime::ExecutionContext&);

}  // namespace factopic::decomp
