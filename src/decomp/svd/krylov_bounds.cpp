// The Krylov method's convergence test and the schedule of its Rayleigh–Ritz checks. A Ritz
// pair's residual costs no extra product: the residual MᵀM·Qy − θ·Qy is (I − QQᵀ)·MᵀM·Qy, and
// only the last block's image reaches outside span(Q) (each earlier image made the next block),
// so its norm is ‖R_next · (the last block's rows of y)‖ with R_next the triangle of the next
// block's orthonormalisation. A Ritz value is proven within tol of an eigenvalue of MᵀM by its
// residual or by the Kato–Temple bound (Temple 1928, Kato 1949).
#include <algorithm>
#include <cmath>
#include <limits>

#include "detail.hpp"

namespace factopic::decomp::svd_detail {

namespace {

/// The tracked largest Ritz values θ (descending) and their residual norms, from H's
/// eigenvectors (ascending in h) and the triangle of the next block.
struct RitzResiduals {
    std::vector<double> theta, res;
};

RitzResiduals ritz_residuals(const Matrix<double>& h, const std::vector<double>& lambda, const Matrix<double>& r_next,
                             std::int64_t width, std::int64_t tracked) {
    const std::int64_t b = h.rows;
    RitzResiduals out{std::vector<double>(static_cast<std::size_t>(tracked)),
                      std::vector<double>(static_cast<std::size_t>(tracked))};
    for (std::int64_t c = 0; c < tracked; ++c) {
        const double* yc = h.col(b - 1 - c);
        out.theta[static_cast<std::size_t>(c)] = lambda[static_cast<std::size_t>(b - 1 - c)];
        double norm2 = 0;
        for (std::int64_t i = 0; i < width; ++i) {
            double e = 0;
            for (std::int64_t j = i; j < width; ++j) e += r_next(i, j) * yc[b - width + j];
            norm2 += e * e;
        }
        out.res[static_cast<std::size_t>(c)] = std::sqrt(norm2);
    }
    return out;
}

}  // namespace

KrylovConvergence krylov_convergence(const Matrix<double>& h, const std::vector<double>& lambda,
                                     const Matrix<double>& r_next, std::int64_t width, std::int64_t k, std::int64_t n,
                                     double tol) {
    // Pair k + 1 (when the space holds it) gives the gap below pair k.
    const std::int64_t tracked = std::min(k + 1, h.rows);
    const RitzResiduals rr = ritz_residuals(h, lambda, r_next, width, tracked);
    const std::vector<double>&theta = rr.theta, &res = rr.res;
    // Converged when |θ − λ| ≤ tol·θ is proven: by the residual itself (there is an eigenvalue
    // within ‖r‖ of θ), or by Kato–Temple, |θ − λ| ≤ ‖r‖²/δ, where δ is the distance from θ to
    // the neighbouring Ritz values, each widened by its own residual so that it bounds the
    // distance to the other eigenvalues.
    const double noise = 10.0 * static_cast<double>(n) * eps * std::max(theta[0], 0.0);
    KrylovConvergence out;
    for (std::int64_t c = 0; c < k; ++c) {
        const auto i = static_cast<std::size_t>(c);
        const double th = std::max(theta[i], 0.0), r2 = res[i] * res[i];
        double gap = std::numeric_limits<double>::infinity();
        if (c > 0) gap = std::min(gap, theta[i - 1] - res[i - 1] - theta[i]);
        gap = c + 1 < tracked ? std::min(gap, theta[i] - theta[i + 1] - res[i + 1]) : 0.0;
        const double bound = gap > 0 ? std::min(res[i], r2 / gap) : res[i];
        const double target = tol * th + noise;
        const double ratio = target > 0 ? bound / target : (bound > 0 ? HUGE_VAL : 0.0);
        out.shortfall = std::max(out.shortfall, ratio);
        if (ratio > 1) ++out.unconverged;  // as std::max, passing over a NaN
    }
    return out;
}

void CheckSchedule::observed(std::int64_t b, double shortfall) {
    // The bounds fall about geometrically with the basis size: from the last two checks, the
    // next one goes to about 70% of the way to where the trend reaches the target (at least a
    // block on, at most a sixth of the basis), not after every block.
    if (!(shortfall <= 1) && m_last_shortfall > shortfall && shortfall < HUGE_VAL && b > m_last_b) {
        const double per_column = std::log(m_last_shortfall / shortfall) / static_cast<double>(b - m_last_b);
        const double ahead = 0.7 * std::log(shortfall) / per_column;
        m_next = b + std::clamp<std::int64_t>(static_cast<std::int64_t>(ahead), m_block, std::max(m_block, b / 6));
    }
    m_last_shortfall = shortfall;
    m_last_b = b;
}

}  // namespace factopic::decomp::svd_detail
