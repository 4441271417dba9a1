// The rules of NMF's inputs and options (checked before any work, each error naming the field,
// value and rule), the solvers' defaults, and scikit-learn 1.2's regularisation weights.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "detail.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/svd.hpp"

namespace factopic::decomp {
namespace nmf_detail {

Regularization regularization(const NmfOptions& o, std::int64_t m, std::int64_t n) {
    const double alpha_h = o.alpha_h.value_or(o.alpha_w);
    Regularization r;
    r.l1_w = static_cast<double>(n) * o.alpha_w * o.l1_ratio;
    r.l2_w = static_cast<double>(n) * o.alpha_w * (1.0 - o.l1_ratio);
    r.l1_h = static_cast<double>(m) * alpha_h * o.l1_ratio;
    r.l2_h = static_cast<double>(m) * alpha_h * (1.0 - o.l1_ratio);
    return r;
}

template <typename T>
void require_valid_matrix(const backend::Backend& be, const CsrMatrix<T>& a) {
    if (a.rows == 0 || a.cols == 0)
        throw DataError(fmt::format("NMF needs a non-empty matrix (this one is {} x {})", a.rows, a.cols));
    if (const auto bad = be.first_negative_or_non_finite(be.upload(a, false)))
        throw DataError(
            fmt::format("entry ({}, {}) (row, column; 1-based) is {}: NMF needs finite, non-negative entries",
                        bad->row + 1, bad->col + 1, bad->value));
    if (std::none_of(a.values.begin(), a.values.end(), [](T v) { return v != 0; }))
        throw DataError(fmt::format("the {} x {} matrix has no non-zero entry: nothing to factorise", a.rows, a.cols));
    require_workable_scale(a, "NMF");
}

void require_valid_factor(const Matrix<double>& x, std::int64_t rows, std::int64_t cols, const char* name) {
    if (x.rows != rows || x.cols != cols)
        throw DataError(fmt::format("the custom {} is {} x {}, but this factorisation needs {} x {}", name, x.rows,
                                    x.cols, rows, cols));
    for (std::int64_t j = 0; j < x.cols; ++j)
        for (std::int64_t i = 0; i < x.rows; ++i)
            if (!std::isfinite(x(i, j)) || x(i, j) < 0)
                throw DataError(
                    fmt::format("the custom {} has entry ({}, {}) (1-based) = {}: it must be finite and non-negative",
                                name, i + 1, j + 1, x(i, j)));
}

namespace {

/// k against A's shape: at least 1, at most min(m, n) for the SVD inits, at most m·n.
void require_valid_k(const NmfOptions& o, std::int64_t m, std::int64_t n) {
    const std::int64_t r = std::min(m, n);
    if (o.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", o.k));
    const bool svd_init = o.init == NmfInit::nndsvd || o.init == NmfInit::nndsvda || o.init == NmfInit::nndsvdar;
    if (svd_init && o.k > r)
        throw InvalidArgument(fmt::format("k = {} is out of range for init {}: the matrix is {} x {}, so k <= {}", o.k,
                                          to_string(o.init), m, n, r));
    // scikit-learn bounds k only for the SVD inits; m·n keeps a hostile k from asking for
    // factors far larger than anything that could describe A's m·n numbers.
    if (static_cast<double>(o.k) > static_cast<double>(m) * static_cast<double>(n))
        throw InvalidArgument(
            fmt::format("k = {} is out of range: the matrix is {} x {}, so k <= {} (its entries)", o.k, m, n, m * n));
}

/// The custom factors: both given, of the right shapes, finite, non-negative, not all zero.
void require_valid_custom(const NmfOptions& o, std::int64_t m, std::int64_t n) {
    if (!o.w_init || !o.h_init) throw InvalidArgument("init custom needs both W and H");
    require_valid_factor(*o.w_init, m, o.k, "W");
    require_valid_factor(*o.h_init, o.k, n, "H");
    // scikit-learn's _check_init: multiplicative updates cannot leave 0, and cd's first
    // step from a zero factor gives the other one a zero Gram matrix.
    for (const auto& [x, name] : {std::pair{&*o.w_init, "W"}, {&*o.h_init, "H"}})
        if (std::all_of(x->data.begin(), x->data.end(), [](double v) { return v == 0; }))
            throw DataError(fmt::format("the custom {} is full of zeros: NMF cannot start from it", name));
}

}  // namespace

void require_valid_options(const NmfOptions& o, std::int64_t m, std::int64_t n) {
    require_valid_k(o, m, n);
    if (o.init == NmfInit::custom) require_valid_custom(o, m, n);
    const auto check = [](bool ok, const std::string& what) {
        if (!ok) throw InvalidArgument(what);
    };
    if (o.max_iter) check(*o.max_iter >= 1, fmt::format("max_iter = {} must be >= 1", *o.max_iter));
    if (o.tol) check(std::isfinite(*o.tol) && *o.tol >= 0, fmt::format("tol = {} must be >= 0", *o.tol));
    check(std::isfinite(o.alpha_w) && o.alpha_w >= 0, fmt::format("alpha_W = {} must be >= 0", o.alpha_w));
    if (o.alpha_h)
        check(std::isfinite(*o.alpha_h) && *o.alpha_h >= 0, fmt::format("alpha_H = {} must be >= 0", *o.alpha_h));
    check(o.l1_ratio >= 0 && o.l1_ratio <= 1, fmt::format("l1_ratio = {} must be in [0, 1]", o.l1_ratio));
    {
        // scikit-learn 1.2 multiplies alpha_W by n and alpha_H by m: that product must stay a
        // number, or every update divides by infinity and W, H become NaN.
        const Regularization reg = regularization(o, m, n);
        const double alpha_h = o.alpha_h.value_or(o.alpha_w);
        check(std::isfinite(reg.l1_w) && std::isfinite(reg.l2_w),
              fmt::format("alpha_W = {} is too large: scaled by the {} columns (scikit-learn 1.2's scaling) it "
                          "overflows double",
                          o.alpha_w, n));
        check(std::isfinite(reg.l1_h) && std::isfinite(reg.l2_h),
              fmt::format("alpha_H = {} is too large: scaled by the {} rows (scikit-learn 1.2's scaling) it "
                          "overflows double",
                          alpha_h, m));
    }
    if (o.lam) check(std::isfinite(*o.lam) && *o.lam >= 0, fmt::format("lam = {} must be >= 0", *o.lam));
    check(std::isfinite(o.mu) && o.mu >= 0, fmt::format("mu = {} must be >= 0", o.mu));
    if (o.lr) check(std::isfinite(*o.lr) && *o.lr > 0, fmt::format("lr = {} must be > 0", *o.lr));
    check(o.anneal > 0 && o.anneal <= 1, fmt::format("anneal = {} must be in (0, 1]", o.anneal));
    check(o.anneal_every >= 1, fmt::format("anneal_every = {} must be >= 1", o.anneal_every));
    check(o.beta1 >= 0 && o.beta1 < 1, fmt::format("beta1 = {} must be in [0, 1)", o.beta1));
    check(o.beta2 >= 0 && o.beta2 < 1, fmt::format("beta2 = {} must be in [0, 1)", o.beta2));
    check(o.adam_eps > 0, fmt::format("adam eps = {} must be > 0", o.adam_eps));
    check(std::isfinite(o.target_error) && o.target_error >= 0,
          fmt::format("target error = {} must be >= 0", o.target_error));
    if (o.beta_loss == BetaLoss::kullback_leibler && o.solver != NmfSolver::mu)
        throw InvalidArgument(
            fmt::format("beta loss kullback-leibler needs solver mu (solver {} minimises the Frobenius norm)",
                        to_string(o.solver)));
}

template void require_valid_matrix(const backend::Backend&, const CsrMatrix<float>&);
template void require_valid_matrix(const backend::Backend&, const CsrMatrix<double>&);

int default_max_iter(NmfSolver s) { return s == NmfSolver::cd || s == NmfSolver::mu ? 200 : 1000; }

/// Adam's error falls unevenly (it is not a descent method): it stops on a finer tol.
double default_tol(NmfSolver s) { return s == NmfSolver::adam ? 1e-5 : 1e-4; }

NmfOptions with_defaults(NmfOptions o) {
    if (!o.max_iter) o.max_iter = default_max_iter(o.solver);
    if (!o.tol) o.tol = default_tol(o.solver);
    return o;
}

}  // namespace nmf_detail

void validate_nmf_options(const NmfOptions& options) {
    NmfOptions o = options;
    o.init = NmfInit::random;  // the rules that need the matrix or the custom factors are left out
    o.w_init.reset();
    o.h_init.reset();
    const auto any = std::numeric_limits<std::int64_t>::max();
    nmf_detail::require_valid_options(o, any, any);
}

}  // namespace factopic::decomp
