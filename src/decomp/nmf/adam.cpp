// Adam on both NMF factors at once (as autograd would: both gradients at the same point), the
// fast.ai lecture's objective ‖A − WH‖_F + lam·(mean(min(W,0)²) + mean(min(H,0)²)) with its
// analytic gradient (Kingma & Ba 2015, Algorithm 1, with the lecture's betas). Its error is
// computed before each step, from the products the step needs anyway.
#include <cmath>

#include "detail.hpp"
#include "factopic/linalg/lapack.hpp"

namespace factopic::decomp::nmf_detail {

namespace {

/// Adam's moment estimates for one factor.
struct AdamState {
    Matrix<double> m1, m2;
    explicit AdamState(const Matrix<double>& x)
        : m1(Matrix<double>::zeros(x.rows, x.cols)), m2(Matrix<double>::zeros(x.rows, x.cols)) {}
};

/// One Adam step on the lecture's objective ‖A − WH‖_F + lam·mean(min(y, 0)²) (+ the other
/// factor's term): its gradient in y is (G·y − P)/‖A − WH‖_F + 2·lam·min(y, 0)/size(y).
void adam_step(Matrix<double>& y, AdamState& s, const Matrix<double>& g, const Matrix<double>& p, double residual,
               const NmfOptions& o, double lam, double lr, int step) {
    const double inv_r = residual > 0 ? 1.0 / residual : 0.0;
    const double pen = 2.0 * lam / static_cast<double>(y.data.size());
    const double c1 = 1.0 - std::pow(o.beta1, step), c2 = 1.0 - std::pow(o.beta2, step);
    const double step_size = lr / c1, sqrt_c2 = std::sqrt(c2);
    // Locals, not o's fields: the stores below could alias them, which would stop vectorisation.
    const double beta1 = o.beta1, beta2 = o.beta2, adam_eps = o.adam_eps;
    for_columns(y.cols, [&](std::int64_t i) {
        double* yi = y.col(i);
        double* m1 = s.m1.col(i);
        double* m2 = s.m2.col(i);
        with_gradient(g, yi, p.col(i), 0.0, [&](const double* grad, auto k) {
            for (std::int64_t t = 0; t < k; ++t) {
                const double gt = grad[t] * inv_r + (yi[t] < 0 ? pen * yi[t] : 0.0);
                m1[t] = beta1 * m1[t] + (1 - beta1) * gt;
                m2[t] = beta2 * m2[t] + (1 - beta2) * gt * gt;
                yi[t] -= step_size * m1[t] / (std::sqrt(m2[t]) / sqrt_c2 + adam_eps);
            }
        });
    });
}

}  // namespace

/// Adam on both factors at once (as autograd would: both gradients at the same point).
template <typename T>
Outcome run_adam(const Problem<T>& pb, Factors& f, const NmfOptions& o, int max_iter) {
    Outcome out(o, max_iter);
    const double lam = o.lam < 0 ? 1e6 : o.lam;
    double lr = o.lr > 0 ? o.lr : 1e-3;
    AdamState sw(f.wr), sh(f.h);
    Matrix<double> p, q;
    double initial = -1;
    DecreaseRule rule{o.tol, 0, 0};
    for (int it = 1;; ++it) {
        const Matrix<double> gh = linalg::gram_wide(f.h), gw = linalg::gram_wide(f.wr);
        linalg::multiply_rowwise(pb.a, f.h, p);
        linalg::multiply_rowwise(pb.at, f.wr, q);
        const double error = frobenius_from(pb.norm2, inner(f.wr, p), gw, gh);
        if (initial < 0) {
            initial = error;
            rule = {o.tol, initial, initial};
        } else {  // the error after iteration it − 1
            if (out.record(it - 1, error, o.target_error, rule)) break;
        }
        if (it > max_iter) break;
        adam_step(f.wr, sw, gh, p, error, o, lam, lr, it);
        adam_step(f.h, sh, gw, q, error, o, lam, lr, it);
        if (it % o.anneal_every == 0) lr *= o.anneal;
    }
    out.check_rise(initial, pb.norm2);
    return out;
}

template Outcome run_adam(const Problem<float>&, Factors&, const NmfOptions&, int);
template Outcome run_adam(const Problem<double>&, Factors&, const NmfOptions&, int);

}  // namespace factopic::decomp::nmf_detail
