// The loops of the alternating solvers cd, mu and pgd (adam's in adam.cpp) and their stopping
// rules: cd stops on the projected-gradient violation (scikit-learn's solver='cd'), mu and pgd
// on the decrease of the error (scikit-learn's solver='mu'). cd, Frobenius mu and pgd share one
// alternating iteration, the W step then the H step (see detail.hpp for the layout).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../finite.hpp"
#include "detail.hpp"

namespace factopic::decomp::nmf_detail {

bool Outcome::record(int it, double err, double target) {
    error = err;
    losses.push_back(err);
    iterations = it;
    reached_target = target > 0 && err <= target;
    if (options && options->on_iteration && !options->on_iteration(it, max_iter)) cancelled = true;
    if (!std::isfinite(err)) {
        diverged = true;
        diagnosis = fmt::format("the error became {} at iteration {}", std::isnan(err) ? "NaN" : "infinite", it);
        return true;
    }
    return reached_target || cancelled;
}

/// pgd and adam are not descent methods: a step too long for the data makes the error grow,
/// and the decrease rule then reads the growth as "no more decrease" (converged).
void Outcome::check_rise(double initial, double norm2) {
    const double zero_error = std::sqrt(norm2);
    if (diverged || iterations == 0 || !(error > std::max(initial, zero_error))) return;
    diverged = true;
    converged = reached_target = false;
    diagnosis = fmt::format(
        "the error rose from {:.6g} to {:.6g} in {} iteration{}, above |A|_F = {:.6g} (the error of W = H = 0)",
        initial, error, iterations, iterations == 1 ? "" : "s", zero_error);
}

bool Outcome::record(int it, double err, double target, DecreaseRule& rule) {
    if (record(it, err, target)) return true;
    converged = rule.done(it, err);
    return converged;
}

namespace {

/// Largest eigenvalue of a symmetric k × k matrix; NaN when it has a non-finite entry (a run
/// that has diverged: the NaN step makes the iteration's error NaN, which ends the run, where
/// LAPACK would fail with an error about itself).
double largest_eigenvalue(const backend::Backend& be, const Matrix<double>& g) {
    if (detail::first_non_finite(g)) return std::numeric_limits<double>::quiet_NaN();
    return be.largest_eigenvalue(g);
}

/// One alternating iteration: the W step with G = HHᵀ (gh), the H step with G = WᵀW, then
/// gh = the new HHᵀ for the next one. make(G, w_step) gives a step's update rule (which points
/// to G). Returns the error ‖A − WH‖_F after it and the two steps' own sums (cd: the violation).
struct Alternation {
    double error = 0, own = 0;
};
/// zero_empty: set the W rows of A's empty rows back to 0 after the W step, before WᵀW is
/// formed (pgd's penalty would otherwise pull them up towards mu).
template <typename MakeRule>
Alternation alternate(const Problem& pb, DeviceFactors& f, Matrix<double>& gh, MakeRule&& make,
                      bool zero_empty = false) {
    const backend::Backend& be = pb.be;
    const backend::NmfStepSums sw = be.nmf_half_step(pb.x, Side::a, f.h, f.wr, make(gh, true));
    if (zero_empty) be.zero_columns(f.wr, pb.empty);
    const Matrix<double> gw = be.factor_gram(f.wr);
    const backend::NmfStepSums sh = be.nmf_half_step(pb.x, Side::at, f.wr, f.h, make(gw, false));
    gh = be.factor_gram(f.h);
    return {frobenius_from(pb.norm2, sh.cross, gw, gh), sw.own + sh.own};
}

}  // namespace

Outcome run_cd(const Problem& pb, DeviceFactors& f, const NmfOptions& o, const Regularization& reg, int max_iter) {
    Outcome out(o, max_iter);
    Matrix<double> gh = pb.be.factor_gram(f.h);
    ViolationRule rule{*o.tol};
    for (int it = 1; it <= max_iter; ++it) {
        const Alternation a = alternate(pb, f, gh, [&](const Matrix<double>& g, bool w_step) {
            const auto draw = 2 * static_cast<std::uint64_t>(it - 1) + (w_step ? 0 : 1);
            return backend::NmfRule(backend::NmfCdRule{&g, w_step ? reg.l1_w : reg.l1_h, w_step ? reg.l2_w : reg.l2_h,
                                                       coordinate_order(o.k, o, draw)});
        });
        if (out.record(it, a.error, o.target_error)) break;
        if (rule.done(it, a.own)) {  // a.own: the two half-steps' violation
            out.converged = true;
            break;
        }
    }
    return out;
}

Outcome run_mu(const Problem& pb, DeviceFactors& f, const NmfOptions& o, const Regularization& reg, int max_iter) {
    Outcome out(o, max_iter);
    const bool kl = o.beta_loss == BetaLoss::kullback_leibler;
    const backend::Backend& be = pb.be;
    const auto error_now = [&]() {
        return kl ? kl_error(be, pb.x, f.wr, f.h) : frobenius_error_rw(be, pb.x, pb.norm2, f.wr, f.h);
    };
    const double initial = error_now();
    DecreaseRule rule{*o.tol, initial, initial};
    Matrix<double> gh = kl ? Matrix<double>() : be.factor_gram(f.h);
    for (int it = 1; it <= max_iter; ++it) {
        double error = 0;
        if (kl) {
            be.nmf_kl_step(pb.x, Side::a, f.h, f.wr, {be.row_sums(f.h), false, reg.l1_w, reg.l2_w});
            be.nmf_kl_step(pb.x, Side::at, f.wr, f.h, {be.row_sums(f.wr), true, reg.l1_h, reg.l2_h});
            be.clamp_below(f.h, eps64);
            error = kl_error(be, pb.x, f.wr, f.h);
        } else {
            error = alternate(pb, f, gh, [&](const Matrix<double>& g, bool w_step) {
                        return backend::NmfRule(
                            backend::NmfMuRule{&g, w_step ? reg.l1_w : reg.l1_h, w_step ? reg.l2_w : reg.l2_h});
                    }).error;
        }
        if (out.record(it, error, o.target_error, rule)) break;
    }
    return out;
}

/// Alternating gradient steps (W, then H with A·... of the new W), each with step lr, or
/// 1/L for the block's Gram matrix G when lr is 0; annealed every anneal_every iterations.
Outcome run_pgd(const Problem& pb, DeviceFactors& f, const NmfOptions& o, int max_iter) {
    Outcome out(o, max_iter);
    const double lam = o.lam.value_or(100.0);
    const double initial = frobenius_error_rw(pb.be, pb.x, pb.norm2, f.wr, f.h);
    DecreaseRule rule{*o.tol, initial, initial};
    Matrix<double> gh = pb.be.factor_gram(f.h);
    double scale = 1.0;
    for (int it = 1; it <= max_iter; ++it) {
        const auto step_for = [&](const Matrix<double>& g) {
            if (o.lr) return *o.lr * scale;
            const double l = largest_eigenvalue(pb.be, g);
            return l > 0 ? scale / l : 0.0;
        };
        const double error =
            alternate(
                pb, f, gh,
                [&](const Matrix<double>& g, bool) {
                    return backend::NmfRule(backend::NmfGradientRule{&g, step_for(g), lam, o.mu, o.project});
                },
                true)
                .error;
        if (it % o.anneal_every == 0) scale *= o.anneal;
        if (out.record(it, error, o.target_error, rule)) break;
    }
    out.check_rise(initial, pb.norm2);
    return out;
}

}  // namespace factopic::decomp::nmf_detail
