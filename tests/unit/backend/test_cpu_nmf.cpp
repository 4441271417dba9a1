// The CPU backend's NMF operations against naive references on a small random sparse matrix
// (the half-steps with each update rule, the KL step and KL's data term, Adam's step, the Gram
// matrix, the sparse product and the small reads and writes of the factors), and the same bits
// with one thread and with two.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "../../../src/backend/backend.hpp"
#include "../support.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/context.hpp"

using namespace factopic;
using backend::Dense;
using backend::Side;
using linalg::Matrix;

namespace {

const backend::Backend& cpu() { return backend::backend_for(runtime::ExecutionContext{}); }

constexpr double eps32 = std::numeric_limits<float>::epsilon();

/// An m × n sparse matrix with about `density` of its entries non-zero (values in (0, 3)), its
/// row `empty_row` left empty.
CsrMatrix<double> random_csr(std::int64_t m, std::int64_t n, double density, std::uint64_t seed,
                             std::int64_t empty_row = -1) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    CsrMatrix<double> a;
    a.rows = m;
    a.cols = n;
    for (std::int64_t i = 0; i < m; ++i) {
        for (std::int64_t j = 0; j < n; ++j)
            if (u(gen) < density && i != empty_row) {
                a.indices.push_back(static_cast<std::int32_t>(j));
                a.values.push_back(3.0 * u(gen) + 1e-3);
            }
        a.indptr.push_back(static_cast<std::int64_t>(a.values.size()));
    }
    return a;
}

Matrix<double> dense_of(const CsrMatrix<double>& a, Side side) {
    const Matrix<double> d = linalg::to_dense(a);
    return side == Side::a ? d : linalg::transpose(d);
}

/// A k × n factor with entries in [0, 1), some of them 0.
Matrix<double> random_factor(std::int64_t k, std::int64_t n, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Matrix<double> f(k, n);
    for (double& v : f.data) v = u(gen) < 0.2 ? 0.0 : u(gen);
    return f;
}

Matrix<double> naive_gram(const Matrix<double>& f) {
    Matrix<double> g = Matrix<double>::zeros(f.rows, f.rows);
    for (std::int64_t i = 0; i < f.rows; ++i)
        for (std::int64_t j = 0; j < f.rows; ++j)
            for (std::int64_t c = 0; c < f.cols; ++c) g(i, j) += f(i, c) * f(j, c);
    return g;
}

/// P = X·Fᵀ row-wise: k × M.
Matrix<double> naive_product(const Matrix<double>& x, const Matrix<double>& f) {
    Matrix<double> p = Matrix<double>::zeros(f.rows, x.rows);
    for (std::int64_t i = 0; i < x.rows; ++i)
        for (std::int64_t t = 0; t < f.rows; ++t)
            for (std::int64_t j = 0; j < x.cols; ++j) p(t, i) += x(i, j) * f(t, j);
    return p;
}

void expect_near(const Matrix<double>& got, const Matrix<double>& want, double tol) {
    ASSERT_EQ(got.rows, want.rows);
    ASSERT_EQ(got.cols, want.cols);
    for (std::int64_t j = 0; j < got.cols; ++j)
        for (std::int64_t i = 0; i < got.rows; ++i)
            EXPECT_NEAR(got(i, j), want(i, j), tol * (1 + std::fabs(want(i, j)))) << i << ", " << j;
}

struct Case {
    CsrMatrix<double> a;
    Matrix<double> wr, h;  // k × m, k × n
};

Case make_case(std::int64_t m, std::int64_t n, std::int64_t k) {
    return {random_csr(m, n, 0.08, 11, 3), random_factor(k, m, 12), random_factor(k, n, 13)};
}

/// A half-step of each rule on Y = Wr (X = A, F = H) against a naive column loop.
void check_half_steps(std::int64_t k) {
    const Case c = make_case(70, 50, k);
    const auto& be = cpu();
    const backend::Sparse x = be.upload(c.a, true);
    const Dense h = be.upload(c.h);
    const Matrix<double> g = naive_gram(c.h);
    const Matrix<double> p = naive_product(dense_of(c.a, Side::a), c.h);
    std::vector<std::int64_t> order(static_cast<std::size_t>(k));
    for (std::int64_t t = 0; t < k; ++t) order[static_cast<std::size_t>(t)] = k - 1 - t;
    const double l1 = 0.05, l2 = 0.1;

    // cd: scikit-learn's _update_cdnmf_fast with the gradient as a dot product.
    {
        Matrix<double> want = c.wr;
        double violation = 0, cross = 0;
        for (std::int64_t i = 0; i < want.cols; ++i) {
            for (const std::int64_t t : order) {
                double grad = -p(t, i) + l1;
                for (std::int64_t r = 0; r < k; ++r) grad += (g(t, r) + (r == t ? l2 : 0.0)) * want(r, i);
                violation += std::fabs(want(t, i) == 0 ? std::min(0.0, grad) : grad);
                const double hess = g(t, t) + l2;
                if (hess != 0) want(t, i) = std::max(want(t, i) - grad / hess, 0.0);
            }
            for (std::int64_t t = 0; t < k; ++t) cross += want(t, i) * p(t, i);
        }
        Dense y = be.upload(c.wr);
        const auto sums = be.nmf_half_step(x, Side::a, h, y, backend::NmfCdRule{&g, l1, l2, order});
        expect_near(be.download(y), want, 1e-10);
        EXPECT_NEAR(sums.own, violation, 1e-9 * violation);
        EXPECT_NEAR(sums.cross, cross, 1e-9 * cross);
        // The stored step with P whole gives the same bits.
        Dense y2 = be.upload(c.wr), pd = be.upload(p);
        Dense pp;
        be.sparse_rowwise_product(x, Side::a, h, pp);
        const double own = be.nmf_stored_step(pp, y2, backend::NmfCdRule{&g, l1, l2, order});
        Dense y3 = be.upload(c.wr);
        const auto again = be.nmf_half_step(x, Side::a, h, y3, backend::NmfCdRule{&g, l1, l2, order});
        EXPECT_EQ(own, again.own);
        EXPECT_EQ(be.download(y2).data, be.download(y3).data);
    }
    // mu: y ← y·p / (G·y + l1 + l2·y).
    {
        Matrix<double> want = c.wr;
        for (std::int64_t i = 0; i < want.cols; ++i) {
            std::vector<double> next(static_cast<std::size_t>(k));
            for (std::int64_t t = 0; t < k; ++t) {
                double d = l1 + l2 * want(t, i);
                for (std::int64_t r = 0; r < k; ++r) d += g(t, r) * want(r, i);
                next[static_cast<std::size_t>(t)] = want(t, i) * p(t, i) / (d == 0 ? eps32 : d);
            }
            for (std::int64_t t = 0; t < k; ++t) want(t, i) = next[static_cast<std::size_t>(t)];
        }
        Dense y = be.upload(c.wr);
        const auto sums = be.nmf_half_step(x, Side::a, h, y, backend::NmfMuRule{&g, l1, l2});
        expect_near(be.download(y), want, 1e-10);
        EXPECT_EQ(sums.own, 0.0);
    }
    // pgd: v = y − step·(G·y − p), then the penalty below mu, or the projection.
    for (const bool project : {false, true}) {
        const double step = 0.01, lam = 3.0, mu = 0.2;
        Matrix<double> want = c.wr;
        for (std::int64_t i = 0; i < want.cols; ++i) {
            std::vector<double> next(static_cast<std::size_t>(k));
            for (std::int64_t t = 0; t < k; ++t) {
                double grad = -p(t, i);
                for (std::int64_t r = 0; r < k; ++r) grad += g(t, r) * want(r, i);
                const double v = want(t, i) - step * grad;
                next[static_cast<std::size_t>(t)] = project   ? std::max(v, 0.0)
                                                    : v >= mu ? v
                                                              : (v + step * lam * mu) / (1 + step * lam);
            }
            for (std::int64_t t = 0; t < k; ++t) want(t, i) = next[static_cast<std::size_t>(t)];
        }
        Dense y = be.upload(c.wr);
        be.nmf_half_step(x, Side::a, h, y, backend::NmfGradientRule{&g, step, lam, mu, project});
        expect_near(be.download(y), want, 1e-10);
    }
}

}  // namespace

TEST(CpuNmf, FactorGramAndProductMatchNaive) {
    const Case c = make_case(70, 50, 6);
    const auto& be = cpu();
    const Dense wr = be.upload(c.wr), h = be.upload(c.h);
    expect_near(be.factor_gram(h), naive_gram(c.h), 1e-12);
    const backend::Sparse x = be.upload(c.a, true);
    Dense p, q;
    be.sparse_rowwise_product(x, Side::a, h, p);
    be.sparse_rowwise_product(x, Side::at, wr, q);
    expect_near(be.download(p), naive_product(dense_of(c.a, Side::a), c.h), 1e-12);
    expect_near(be.download(q), naive_product(dense_of(c.a, Side::at), c.wr), 1e-12);
}

TEST(CpuNmf, HalfStepsMatchNaiveUpdates) {
    for (const std::int64_t k : {1, 4, 16, 20, 23}) {  // compile-time k and the run-time path
        SCOPED_TRACE(k);
        check_half_steps(k);
    }
}

TEST(CpuNmf, KlStepAndTermsMatchNaive) {
    const std::int64_t k = 5;
    const Case c = make_case(70, 50, k);
    const auto& be = cpu();
    const backend::Sparse x = be.upload(c.a, true);
    const Dense h = be.upload(c.h);
    const Matrix<double> ad = dense_of(c.a, Side::a);
    std::vector<double> f_sum(static_cast<std::size_t>(k), 0.0);
    for (std::int64_t j = 0; j < c.h.cols; ++j)
        for (std::int64_t t = 0; t < k; ++t) f_sum[static_cast<std::size_t>(t)] += c.h(t, j);
    EXPECT_EQ(be.row_sums(h), f_sum);
    const double l1 = 0.1, l2 = 0.2;
    Matrix<double> want = c.wr;
    for (std::int64_t i = 0; i < want.cols; ++i) {
        std::vector<double> num(static_cast<std::size_t>(k), 0.0);
        for (std::int64_t j = 0; j < ad.cols; ++j) {
            if (ad(i, j) == 0) continue;
            double wh = 0;
            for (std::int64_t t = 0; t < k; ++t) wh += c.wr(t, i) * c.h(t, j);
            for (std::int64_t t = 0; t < k; ++t)
                num[static_cast<std::size_t>(t)] += ad(i, j) / std::max(wh, eps32) * c.h(t, j);
        }
        for (std::int64_t t = 0; t < k; ++t)
            want(t, i) *=
                num[static_cast<std::size_t>(t)] / (f_sum[static_cast<std::size_t>(t)] + l1 + l2 * c.wr(t, i));
    }
    Dense y = be.upload(c.wr);
    be.nmf_kl_step(x, Side::a, h, y, {f_sum, false, l1, l2});
    expect_near(be.download(y), want, 1e-10);

    double terms = 0;
    for (std::int64_t i = 0; i < ad.rows; ++i)
        for (std::int64_t j = 0; j < ad.cols; ++j) {
            if (!(ad(i, j) > eps32)) continue;
            double wh = 0;
            for (std::int64_t t = 0; t < k; ++t) wh += c.wr(t, i) * c.h(t, j);
            if (wh == 0) wh = eps32;
            terms += ad(i, j) * std::log(ad(i, j) / wh) - ad(i, j);
        }
    const Dense wr = be.upload(c.wr);
    EXPECT_NEAR(be.nmf_kl_terms(x, wr, h), terms, 1e-10 * std::fabs(terms));
}

TEST(CpuNmf, AdamStepMatchesNaive) {
    const std::int64_t k = 3;
    const Case c = make_case(40, 30, k);
    const auto& be = cpu();
    const Matrix<double> g = naive_gram(c.h);
    const Matrix<double> p = naive_product(dense_of(c.a, Side::a), c.h);
    Matrix<double> y0 = c.wr;
    y0(0, 0) = -0.5;  // a negative entry: the penalty's term
    backend::NmfAdamRule r;
    r.gram = &g;
    r.inv_residual = 0.5;
    r.pen = 0.01;
    r.beta1 = 0.9;
    r.beta2 = 0.999;
    r.step_size = 0.01;
    r.sqrt_c2 = 0.3;
    r.eps = 1e-8;
    Matrix<double> want = y0, m1 = Matrix<double>::zeros(k, y0.cols), m2 = m1;
    for (std::int64_t i = 0; i < want.cols; ++i) {
        std::vector<double> grad(static_cast<std::size_t>(k));
        for (std::int64_t t = 0; t < k; ++t) {
            double s = -p(t, i);
            for (std::int64_t q = 0; q < k; ++q) s += g(t, q) * y0(q, i);
            grad[static_cast<std::size_t>(t)] = s;
        }
        for (std::int64_t t = 0; t < k; ++t) {
            const double gt =
                grad[static_cast<std::size_t>(t)] * r.inv_residual + (y0(t, i) < 0 ? r.pen * y0(t, i) : 0);
            m1(t, i) = (1 - r.beta1) * gt;
            m2(t, i) = (1 - r.beta2) * gt * gt;
            want(t, i) -= r.step_size * m1(t, i) / (std::sqrt(m2(t, i)) / r.sqrt_c2 + r.eps);
        }
    }
    Dense y = be.upload(y0), dm1 = be.upload(Matrix<double>::zeros(k, y0.cols)),
          dm2 = be.upload(Matrix<double>::zeros(k, y0.cols)), dp = be.upload(p);
    be.nmf_adam_step(y, dm1, dm2, dp, r);
    expect_near(be.download(y), want, 1e-10);
    expect_near(be.download(dm1), m1, 1e-10);
    expect_near(be.download(dm2), m2, 1e-10);
}

TEST(CpuNmf, SmallReadsAndWrites) {
    const auto& be = cpu();
    const Case c = make_case(30, 20, 4);
    const Dense wr = be.upload(c.wr);
    double inner = 0;
    for (const double v : c.wr.data) inner += v * v;
    EXPECT_NEAR(be.inner(wr, wr), inner, 1e-12 * inner);

    Matrix<double> m(2, 3);
    m.data = {-1.0, 0.5, 1e-20, 2.0, -0.0, 3.0};
    Dense d = be.upload(m);
    EXPECT_EQ(be.clamp_below(d, 0.0), 1);
    EXPECT_EQ(be.clamp_below(d, 1.0), 4);  // 0, 0.5, 1e-20 and -0
    const Matrix<double> clamped = be.download(d);
    EXPECT_EQ(std::vector<double>(clamped.data.begin(), clamped.data.end()),
              (std::vector<double>{0.0, 0.0, 0.0, 2.0, 0.0, 3.0}));

    Dense z = be.upload(c.wr);
    be.zero_columns(z, {1, 4});
    const Matrix<double> zh = be.download(z);
    for (std::int64_t j = 0; j < zh.cols; ++j)
        for (std::int64_t t = 0; t < zh.rows; ++t) EXPECT_EQ(zh(t, j), j == 1 || j == 4 ? 0.0 : c.wr(t, j));

    const backend::Sparse x = be.upload(c.a, false);
    double norm2 = 0;
    for (const double v : c.a.values) norm2 += v * v;
    EXPECT_NEAR(be.squared_norm(x), norm2, 1e-12 * norm2);
    std::vector<std::int64_t> empty;
    for (std::int64_t i = 0; i < c.a.rows; ++i)
        if (c.a.indptr[i] == c.a.indptr[i + 1]) empty.push_back(i);
    EXPECT_EQ(be.empty_rows(x), empty);

    EXPECT_FALSE(be.first_negative_or_non_finite(x).has_value());
    CsrMatrix<double> bad = c.a;
    bad.values[5] = -1.0;
    bad.values[9] = std::numeric_limits<double>::quiet_NaN();
    const auto entry = be.first_negative_or_non_finite(be.upload(bad, false));
    ASSERT_TRUE(entry.has_value());
    std::int64_t row = 0;
    while (bad.indptr[row + 1] <= 5) ++row;
    EXPECT_EQ(entry->row, row);
    EXPECT_EQ(entry->col, bad.indices[5]);
    EXPECT_EQ(entry->value, -1.0);

    Matrix<double> s = Matrix<double>::zeros(3, 3);
    s(0, 0) = 2;
    s(1, 1) = 3;
    s(2, 2) = 1;
    s(0, 1) = s(1, 0) = 1;
    EXPECT_NEAR(be.largest_eigenvalue(s), (5 + std::sqrt(5.0)) / 2, 1e-12);
}

TEST(CpuNmf, SameBitsWithOneAndTwoThreads) {
    // Enough columns for several 256-column blocks of the half-step and rows for several
    // 1024-row blocks of the sums.
    const std::int64_t k = 7;
    const Case c{random_csr(2300, 600, 0.01, 21, 5), random_factor(k, 2300, 22), random_factor(k, 600, 23)};
    const auto run = [&](int threads) {
        runtime::ExecutionContext context;
        context.threads = threads;
        const runtime::ContextScope scope(context);
        const auto& be = backend::backend_for(context);
        const backend::Sparse x = be.upload(c.a, true);
        Dense wr = be.upload(c.wr), h = be.upload(c.h);
        std::vector<double> out;
        const Matrix<double> gh = be.factor_gram(h);
        std::vector<std::int64_t> order(static_cast<std::size_t>(k));
        for (std::int64_t t = 0; t < k; ++t) order[static_cast<std::size_t>(t)] = t;
        const auto s1 = be.nmf_half_step(x, Side::a, h, wr, backend::NmfCdRule{&gh, 0.1, 0.1, order});
        const Matrix<double> gw = be.factor_gram(wr);
        const auto s2 = be.nmf_half_step(x, Side::at, wr, h, backend::NmfMuRule{&gw, 0.0, 0.0});
        const auto s3 = be.nmf_half_step(x, Side::a, h, wr, backend::NmfGradientRule{&gh, 1e-3, 1.0, 0.0, true});
        be.nmf_kl_step(x, Side::at, wr, h, {be.row_sums(wr), true, 0.0, 0.0});
        out.insert(out.end(), {s1.own, s1.cross, s2.own, s2.cross, s3.own, s3.cross});
        out.push_back(be.nmf_kl_terms(x, wr, h));
        Dense p;
        be.sparse_rowwise_product(x, Side::a, h, p);
        out.push_back(be.inner(wr, p));
        out.push_back(be.nmf_stored_step(p, wr, backend::NmfMuRule{&gh, 0.0, 0.0}));
        out.push_back(be.nmf_stored_step(p, wr, backend::NmfCdRule{&gh, 0.0, 0.0, order}));
        backend::NmfAdamRule adam;
        adam.gram = &gh;
        adam.inv_residual = 0.1;
        adam.pen = 1e-3;
        adam.beta1 = 0.9;
        adam.beta2 = 0.999;
        adam.step_size = 1e-3;
        adam.sqrt_c2 = 0.05;
        adam.eps = 1e-8;
        Dense m1 = be.upload(Matrix<double>::zeros(k, wr.cols())), m2 = be.upload(Matrix<double>::zeros(k, wr.cols()));
        be.nmf_adam_step(wr, m1, m2, p, adam);
        const Matrix<double> g2 = be.factor_gram(wr);
        out.insert(out.end(), g2.data.begin(), g2.data.end());
        const Matrix<double> w_host = be.download(wr), h_host = be.download(h);
        out.insert(out.end(), w_host.data.begin(), w_host.data.end());
        out.insert(out.end(), h_host.data.begin(), h_host.data.end());
        return out;
    };
    EXPECT_EQ(run(1), run(2));
}
