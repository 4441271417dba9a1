// The CPU backend's NMF operations (moved from src/decomp/nmf/): the fused half-step that feeds
// the column updates of nmf_kernels.hpp with P = X·Fᵀ a block at a time, the stored half-step,
// the KL update and KL's data term (one pass over X's non-zeros each), Adam's column step, and
// the small reads and writes of the factors. Columns of Y are independent in every update, so
// they are updated in parallel; sums are taken over fixed blocks in a fixed order, and results
// do not depend on the thread count.
#include <algorithm>
#include <cmath>

#include "cpu.hpp"
#include "factopic/linalg/lapack.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/parallel.hpp"
#include "nmf_kernels.hpp"

namespace factopic::backend::cpu {

using namespace nmf_kernels;

namespace {

/// Σ over [0, n) of part(lo, hi), cut into blocks fixed by n alone and added in order.
template <typename Part>
double fixed_sum(std::int64_t n, Part&& part) {
    return runtime::fixed_order_sum(n, 1024, std::forward<Part>(part));
}

/// Runs body(i) for every column i of a k × n factor, in parallel (columns are independent).
template <typename Body>
void for_columns(std::int64_t n, Body&& body) {
    runtime::parallel_for(
        static_cast<std::size_t>(n), [&](std::size_t i) { body(static_cast<std::int64_t>(i)); }, 64);
}

/// Runs update(y_i, p_i) (returning its own figure) on every column i of Y, with P = X·Fᵀ
/// computed 256 columns at a time into a buffer that stays in cache — P is never stored whole.
/// Blocks are fixed by the shape and summed in order.
template <typename T, typename Update>
NmfStepSums fused_step(const CsrMatrix<T>& x, const Matrix<double>& f, Matrix<double>& y, const Update& update) {
    constexpr std::int64_t block = 256;
    const std::int64_t k = y.rows, n = y.cols;
    const auto blocks = static_cast<std::size_t>((n + block - 1) / block);
    std::vector<NmfStepSums> partial(blocks);
    runtime::parallel_for(
        blocks,
        [&](std::size_t b) {
            const std::int64_t lo = static_cast<std::int64_t>(b) * block, hi = std::min(n, lo + block);
            std::vector<double> p(static_cast<std::size_t>(k * (hi - lo)));
            linalg::multiply_rows(x, f, lo, hi, p.data());
            NmfStepSums sums;
            for (std::int64_t i = lo; i < hi; ++i) {
                double* yi = y.col(i);
                const double* pi = p.data() + (i - lo) * k;
                sums.own += update(yi, pi);
                double c = 0;
                for (std::int64_t t = 0; t < k; ++t) c += yi[t] * pi[t];
                sums.cross += c;
            }
            partial[b] = sums;
        },
        1);
    NmfStepSums total;
    for (const auto& s : partial) {
        total.own += s.own;
        total.cross += s.cross;
    }
    return total;
}

/// The same with P given whole (transform: H, and so P, never change); returns the own sum.
template <typename Update>
double stored_step(const Matrix<double>& p, Matrix<double>& y, const Update& update) {
    return fixed_sum(y.cols, [&](std::int64_t lo, std::int64_t hi) {
        double own = 0;
        for (std::int64_t i = lo; i < hi; ++i) own += update(y.col(i), p.col(i));
        return own;
    });
}

/// Multiplicative update for the KL divergence, one pass over X's non-zeros (WH is formed only
/// there): y_t ← y_t·(Σ_j x_ij/(wh)_ij·f_tj) / (Σ_j f_tj + l1 + l2·y_t).
template <typename T>
void mu_kl_step(Matrix<double>& y, const Matrix<double>& f, const CsrMatrix<T>& x, std::vector<double> f_sum,
                bool zero_sum_is_one, double l1, double l2) {
    const std::int64_t k = y.rows;
    if (zero_sum_is_one)
        for (double& s : f_sum)
            if (s == 0) s = 1.0;
    for_columns(y.cols, [&](std::int64_t i) {
        double* yi = y.col(i);
        std::vector<double> num(static_cast<std::size_t>(k), 0.0);
        for (std::int64_t q = x.indptr[i]; q < x.indptr[i + 1]; ++q) {
            const double* fj = f.col(x.indices[q]);
            double wh = 0;
            for (std::int64_t t = 0; t < k; ++t) wh += yi[t] * fj[t];
            if (wh < eps32) wh = eps32;
            const double ratio = static_cast<double>(x.values[q]) / wh;
            for (std::int64_t t = 0; t < k; ++t) num[static_cast<std::size_t>(t)] += ratio * fj[t];
        }
        for (std::int64_t t = 0; t < k; ++t) {
            double d = f_sum[static_cast<std::size_t>(t)];
            if (l1 > 0) d += l1;
            if (l2 > 0) d += l2 * yi[t];
            if (d == 0) d = eps32;
            yi[t] *= num[static_cast<std::size_t>(t)] / d;
        }
    });
}

/// The data term of scikit-learn's _beta_divergence(beta=1): the sum over the non-zeros above
/// EPSILON of x·log(x/wh) − x.
template <typename T>
double kl_terms(const CsrMatrix<T>& a, const Matrix<double>& wr, const Matrix<double>& h) {
    const std::int64_t k = wr.rows;
    return fixed_sum(a.rows, [&](std::int64_t lo, std::int64_t hi) {
        double s = 0;
        for (std::int64_t i = lo; i < hi; ++i) {
            const double* wi = wr.col(i);
            for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
                const double x = static_cast<double>(a.values[q]);
                if (!(x > eps32)) continue;
                const double* hj = h.col(a.indices[q]);
                double wh = 0;
                for (std::int64_t t = 0; t < k; ++t) wh += wi[t] * hj[t];
                if (wh == 0) wh = eps32;
                s += x * std::log(x / wh) - x;
            }
        }
        return s;
    });
}

/// Calls f with the column update of a rule (cd's with its own copy of G + l2·I).
template <typename F>
decltype(auto) with_update(const NmfRule& rule, F&& f) {
    return std::visit(
        [&](const auto& r) -> decltype(auto) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, NmfCdRule>)
                return f(CdUpdate(*r.gram, r.l1, r.l2, r.order));
            else if constexpr (std::is_same_v<R, NmfMuRule>)
                return f(MuUpdate{*r.gram, r.l1, r.l2});
            else
                return f(GradientUpdate{*r.gram, r.step, r.lam, r.mu, r.project});
        },
        rule);
}

}  // namespace

Matrix<double> CpuBackend::factor_gram(const Dense& f) const { return linalg::gram_wide(host(f)); }

void CpuBackend::sparse_rowwise_product(const Sparse& x, Side side, const Dense& f, Dense& p) const {
    Matrix<double> out = p.rows() > 0 || p.cols() > 0 ? download(p) : Matrix<double>();
    visit_side(x, side, [&](const auto& xs) { linalg::multiply_rowwise(xs, host(f), out); });
    p = upload(std::move(out));
}

NmfStepSums CpuBackend::nmf_half_step(const Sparse& x, Side side, const Dense& f, Dense& y, const NmfRule& rule) const {
    return visit_side(x, side, [&](const auto& xs) {
        return with_update(rule, [&](const auto& update) { return fused_step(xs, host(f), host(y), update); });
    });
}

double CpuBackend::nmf_stored_step(const Dense& p, Dense& y, const NmfRule& rule) const {
    return with_update(rule, [&](const auto& update) { return stored_step(host(p), host(y), update); });
}

void CpuBackend::nmf_kl_step(const Sparse& x, Side side, const Dense& f, Dense& y, const NmfKlRule& rule) const {
    visit_side(x, side, [&](const auto& xs) {
        mu_kl_step(host(y), host(f), xs, rule.f_sum, rule.zero_sum_is_one, rule.l1, rule.l2);
    });
}

double CpuBackend::nmf_kl_terms(const Sparse& a, const Dense& wr, const Dense& h) const {
    return visit_side(a, Side::a, [&](const auto& as) { return kl_terms(as, host(wr), host(h)); });
}

void CpuBackend::nmf_adam_step(Dense& y_, Dense& m1_, Dense& m2_, const Dense& p_, const NmfAdamRule& r) const {
    Matrix<double>& y = host(y_);
    Matrix<double>&m1s = host(m1_), &m2s = host(m2_);
    const Matrix<double>& p = host(p_);
    const Matrix<double>& g = *r.gram;
    // Locals, not r's fields: the stores below could alias them, which would stop vectorisation.
    const double inv_r = r.inv_residual, pen = r.pen, beta1 = r.beta1, beta2 = r.beta2, step_size = r.step_size,
                 sqrt_c2 = r.sqrt_c2, adam_eps = r.eps;
    for_columns(y.cols, [&](std::int64_t i) {
        double* yi = y.col(i);
        double* m1 = m1s.col(i);
        double* m2 = m2s.col(i);
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

double CpuBackend::inner(const Dense& x_, const Dense& y_) const {
    const Matrix<double>&x = host(x_), &y = host(y_);
    return fixed_sum(static_cast<std::int64_t>(x.data.size()), [&](std::int64_t lo, std::int64_t hi) {
        double s = 0;
        for (std::int64_t i = lo; i < hi; ++i)
            s += x.data[static_cast<std::size_t>(i)] * y.data[static_cast<std::size_t>(i)];
        return s;
    });
}

std::vector<double> CpuBackend::row_sums(const Dense& f_) const {
    const Matrix<double>& f = host(f_);
    std::vector<double> s(static_cast<std::size_t>(f.rows), 0.0);
    for (std::int64_t j = 0; j < f.cols; ++j)
        for (std::int64_t t = 0; t < f.rows; ++t) s[static_cast<std::size_t>(t)] += f(t, j);
    return s;
}

std::int64_t CpuBackend::clamp_below(Dense& y, double threshold) const {
    std::int64_t n = 0;
    for (double& v : host(y).data)
        if (v < threshold) {
            v = 0;
            ++n;
        }
    return n;
}

void CpuBackend::zero_columns(Dense& y_, const std::vector<std::int64_t>& columns) const {
    Matrix<double>& y = host(y_);
    for (const std::int64_t i : columns) std::fill(y.col(i), y.col(i) + y.rows, 0.0);
}

double CpuBackend::squared_norm(const Sparse& a) const {
    const double norm = visit_side(a, Side::a, [](const auto& as) { return linalg::frobenius_norm(as); });
    return norm * norm;
}

std::vector<std::int64_t> CpuBackend::empty_rows(const Sparse& a) const {
    return visit_side(a, Side::a, [](const auto& as) {
        using T = typename std::decay_t<decltype(as)>::Scalar;
        std::vector<std::int64_t> out;
        for (std::int64_t i = 0; i < as.rows; ++i)
            if (std::all_of(as.values.begin() + as.indptr[i], as.values.begin() + as.indptr[i + 1],
                            [](T v) { return v == 0; }))
                out.push_back(i);
        return out;
    });
}

std::optional<SparseEntry> CpuBackend::first_negative_or_non_finite(const Sparse& a) const {
    return visit_side(a, Side::a, [](const auto& as) -> std::optional<SparseEntry> {
        for (std::int64_t i = 0; i < as.rows; ++i)
            for (std::int64_t q = as.indptr[i]; q < as.indptr[i + 1]; ++q) {
                const double v = static_cast<double>(as.values[q]);
                if (!std::isfinite(v) || v < 0) return SparseEntry{i, static_cast<std::int64_t>(as.indices[q]), v};
            }
        return std::nullopt;
    });
}

double CpuBackend::largest_eigenvalue(const Matrix<double>& g) const {
    Matrix<double> a = g;
    std::vector<double> w;
    const linalg::SerialBlas serial;
    linalg::syevd(a, w);
    return w.empty() ? 0.0 : w.back();
}

}  // namespace factopic::backend::cpu
