// nmf_transform: W for (new) documents with H fixed, as scikit-learn's NMF.transform (the fit's
// solver with update_H=False). P = A·Hᵀ and G = HHᵀ never change, so they are formed once.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "../finite.hpp"
#include "detail.hpp"
#include "factopic/core/error.hpp"
#include "factopic/linalg/lapack.hpp"

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
TransformRun transform_mu(const CsrMatrix<T>& a, const Matrix<double>& h, const Matrix<double>& p,
                          const Matrix<double>& g, const NmfOptions& o, const Regularization& reg, int max_iter) {
    const std::int64_t k = h.rows, m = a.rows;
    TransformRun out;
    Matrix<double>& wr = out.wr;
    const bool kl = o.beta_loss == BetaLoss::kullback_leibler;
    const double avg = std::sqrt(matrix_mean(a) / static_cast<double>(k));
    wr = Matrix<double>(k, m);
    std::fill(wr.data.begin(), wr.data.end(), avg);
    const double norm2 = squared_norm(linalg::frobenius_norm(a));
    const auto error_now = [&]() {
        return kl ? kl_error(a, wr, h) : frobenius_from(norm2, inner(wr, p), linalg::gram_wide(wr), g);
    };
    const double initial = error_now();
    DecreaseRule rule{o.tol, initial, initial};
    const std::vector<double> h_sum = row_sums(h);
    for (int it = 1; it <= max_iter; ++it) {
        if (kl)
            mu_kl_step(wr, h, a, h_sum, false, reg.l1_w, reg.l2_w);
        else
            stored_step(p, wr, MuUpdate{g, reg.l1_w, reg.l2_w});
        out.iterations = it;
        if (o.tol > 0 && it % 10 == 0 && rule.done(it, error_now())) {
            out.converged = true;
            break;
        }
    }
    return out;
}

/// Coordinate descent from W = 0, stopped by the violation rule of cd.
TransformRun transform_cd(const Matrix<double>& p, const Matrix<double>& g, const NmfOptions& o,
                          const Regularization& reg, int max_iter) {
    const std::int64_t k = g.rows, m = p.cols;
    TransformRun out;
    Matrix<double>& wr = out.wr;
    wr = Matrix<double>::zeros(k, m);
    std::mt19937_64 gen(o.seed);
    std::vector<std::int64_t> order(static_cast<std::size_t>(k));
    for (std::int64_t t = 0; t < k; ++t) order[static_cast<std::size_t>(t)] = t;
    double violation_init = 0;
    for (int it = 1; it <= max_iter; ++it) {
        const auto order_w = o.shuffle ? permutation(k, gen) : order;
        const double violation = stored_step(p, wr, CdUpdate(g, reg.l1_w, reg.l2_w, order_w));
        out.iterations = it;
        if (it == 1) violation_init = violation;
        if (violation_init == 0 || violation / violation_init <= o.tol) {
            out.converged = true;
            break;
        }
    }
    return out;
}

}  // namespace

template <typename T>
NmfTransform<T> nmf_transform(const CsrMatrix<T>& a, const Matrix<T>& h_in, const NmfOptions& options,
                              const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    require_valid_matrix(a);
    NmfOptions o = options;
    o.k = h_in.rows;
    o.init = NmfInit::random;  // no SVD init: W starts as scikit-learn's transform starts it
    if (h_in.cols != a.cols)
        throw DataError(fmt::format("H has {} columns (terms) but the matrix has {}", h_in.cols, a.cols));
    require_valid_options(o, a.rows, a.cols);
    if (o.tol < 0) o.tol = default_tol(NmfSolver::cd);
    const Matrix<double> h = h_in.template cast<double>();
    require_valid_factor(h, h.rows, h.cols, "H");
    const Regularization reg = regularization(o, a.rows, a.cols);
    const int max_iter = o.max_iter > 0 ? o.max_iter : 200;
    Matrix<double> p;
    linalg::multiply_rowwise(a, h, p);  // A·Hᵀ, fixed
    const Matrix<double> g = linalg::gram_wide(h);
    TransformRun run =
        o.solver == NmfSolver::mu ? transform_mu(a, h, p, g, o, reg, max_iter) : transform_cd(p, g, o, reg, max_iter);
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
