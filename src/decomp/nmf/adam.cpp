// Adam on both NMF factors at once (as autograd would: both gradients at the same point), the
// fast.ai lecture's objective ‖A − WH‖_F + lam·(mean(min(W,0)²) + mean(min(H,0)²)) with its
// analytic gradient (Kingma & Ba 2015, Algorithm 1, with the lecture's betas). Its error is
// computed before each step, from the products the step needs anyway.
#include <cmath>

#include "detail.hpp"

namespace factopic::decomp::nmf_detail {

namespace {

/// Adam's moment estimates for one factor, on the backend.
struct AdamState {
    Dense m1, m2;
    AdamState(const backend::Backend& be, const Dense& x)
        : m1(be.upload(Matrix<double>::zeros(x.rows(), x.cols()))),
          m2(be.upload(Matrix<double>::zeros(x.rows(), x.cols()))) {}
};

/// One Adam step on the lecture's objective ‖A − WH‖_F + lam·mean(min(y, 0)²) (+ the other
/// factor's term): its gradient in y is (G·y − P)/‖A − WH‖_F + 2·lam·min(y, 0)/size(y).
void adam_step(const backend::Backend& be, Dense& y, AdamState& s, const Matrix<double>& g, const Dense& p,
               double residual, const NmfOptions& o, double lam, double lr, int step) {
    backend::NmfAdamRule rule;
    rule.gram = &g;
    rule.inv_residual = residual > 0 ? 1.0 / residual : 0.0;
    rule.pen = 2.0 * lam / static_cast<double>(static_cast<std::size_t>(y.rows() * y.cols()));
    const double c1 = 1.0 - std::pow(o.beta1, step), c2 = 1.0 - std::pow(o.beta2, step);
    rule.step_size = lr / c1;
    rule.sqrt_c2 = std::sqrt(c2);
    rule.beta1 = o.beta1;
    rule.beta2 = o.beta2;
    rule.eps = o.adam_eps;
    be.nmf_adam_step(y, s.m1, s.m2, p, rule);
}

}  // namespace

/// Adam on both factors at once (as autograd would: both gradients at the same point).
Outcome run_adam(const Problem& pb, DeviceFactors& f, const NmfOptions& o, int max_iter) {
    const backend::Backend& be = pb.be;
    Outcome out(o, max_iter);
    const double lam = o.lam.value_or(1e6);
    double lr = o.lr.value_or(1e-3);
    AdamState sw(be, f.wr), sh(be, f.h);
    Dense p, q;
    double initial = -1;
    DecreaseRule rule{*o.tol, 0, 0};
    for (int it = 1;; ++it) {
        const Matrix<double> gh = be.factor_gram(f.h), gw = be.factor_gram(f.wr);
        be.sparse_rowwise_product(pb.x, Side::a, f.h, p);
        be.sparse_rowwise_product(pb.x, Side::at, f.wr, q);
        const double error = frobenius_from(pb.norm2, be.inner(f.wr, p), gw, gh);
        if (initial < 0) {
            initial = error;
            rule = {*o.tol, initial, initial};
        } else {  // the error after iteration it − 1
            if (out.record(it - 1, error, o.target_error, rule)) break;
        }
        if (it > max_iter) break;
        adam_step(be, f.wr, sw, gh, p, error, o, lam, lr, it);
        adam_step(be, f.h, sh, gw, q, error, o, lam, lr, it);
        if (it % o.anneal_every == 0) lr *= o.anneal;
    }
    out.check_rise(initial, pb.norm2);
    return out;
}

}  // namespace factopic::decomp::nmf_detail
