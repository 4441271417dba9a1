// The CPU backend's SVD operations (src/backend/backend.hpp, block "SVD") against plain loops on
// small dense matrices, and the same bits on one thread and on two.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../../../src/backend/backend.hpp"
#include "../../../src/backend/small_dense.hpp"
#include "factopic/core/error.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/context.hpp"

using namespace factopic;
using backend::Backend;
using backend::Side;
using linalg::Matrix;

namespace {

const Backend& cpu() { return backend::backend_for(runtime::ExecutionContext{}); }

/// A random rows × cols CSR matrix, about `density` full, with an empty row and single entries.
CsrMatrix<double> random_csr(std::int64_t rows, std::int64_t cols, double density, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u01(0, 1);
    CsrMatrix<double> a;
    a.rows = rows;
    a.cols = cols;
    a.indptr.assign(1, 0);
    for (std::int64_t i = 0; i < rows; ++i) {
        for (std::int64_t j = 0; j < cols; ++j)
            if (i != 1 && u01(gen) < density) {
                a.indices.push_back(static_cast<std::int32_t>(j));
                a.values.push_back(u01(gen) + 0.1);
            }
        a.indptr.push_back(static_cast<std::int64_t>(a.values.size()));
    }
    return a;
}

Matrix<double> dense_of(const CsrMatrix<double>& a) { return linalg::to_dense(a); }

Matrix<double> random_dense(std::int64_t rows, std::int64_t cols, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal;
    Matrix<double> x(rows, cols);
    for (auto& v : x.data) v = normal(gen);
    return x;
}

/// op(a)·op(b) by plain loops.
Matrix<double> naive(const Matrix<double>& a, bool ta, const Matrix<double>& b, bool tb) {
    const std::int64_t m = ta ? a.cols : a.rows, inner = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols;
    Matrix<double> c = Matrix<double>::zeros(m, n);
    for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < m; ++i) {
            double s = 0;
            for (std::int64_t p = 0; p < inner; ++p) s += (ta ? a(p, i) : a(i, p)) * (tb ? b(j, p) : b(p, j));
            c(i, j) = s;
        }
    return c;
}

void expect_near(const Matrix<double>& got, const Matrix<double>& want, double tol) {
    ASSERT_EQ(got.rows, want.rows);
    ASSERT_EQ(got.cols, want.cols);
    double scale = 1;
    for (const double v : want.data) scale = std::max(scale, std::abs(v));
    for (std::int64_t j = 0; j < got.cols; ++j)
        for (std::int64_t i = 0; i < got.rows; ++i) EXPECT_NEAR(got(i, j), want(i, j), tol * scale) << i << ", " << j;
}

bool same_bits(const Matrix<double>& a, const Matrix<double>& b) {
    return a.rows == b.rows && a.cols == b.cols &&
           std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(double)) == 0;
}

/// f() on one thread and on two: the same bits.
void expect_thread_independent(const std::function<Matrix<double>()>& f) {
    Matrix<double> one, two;
    {
        const runtime::ContextScope scope(runtime::ExecutionContext{runtime::Device::cpu, 1, nullptr});
        one = f();
    }
    {
        const runtime::ContextScope scope(runtime::ExecutionContext{runtime::Device::cpu, 2, nullptr});
        two = f();
    }
    EXPECT_TRUE(same_bits(one, two));
}

class CpuSvd : public ::testing::Test {
protected:
    CsrMatrix<double> a = random_csr(900, 140, 0.05, 7);
    Matrix<double> ad = dense_of(a);
};

}  // namespace

TEST_F(CpuSvd, SparseProductsOnBothSides) {
    const backend::Sparse s = cpu().upload(a, true);
    Backend::Scratch scratch;
    const Matrix<double> x = random_dense(a.cols, 6, 1), xl = random_dense(a.rows, 5, 2);
    Matrix<double> y;
    cpu().multiply(s, Side::a, x, y, scratch);
    expect_near(y, naive(ad, false, x, false), 1e-13);
    cpu().multiply(s, Side::at, xl, y, scratch);  // the scratch of another shape
    expect_near(y, naive(ad, true, xl, false), 1e-13);
    Matrix<double> yt;
    cpu().multiply_rowwise(s, Side::a, linalg::transpose(x), yt);
    expect_near(yt, naive(x, true, ad, true), 1e-13);
    auto gram = cpu().gram_operator(s, Side::a);
    gram->apply(x, y);
    expect_near(y, naive(ad, true, naive(ad, false, x, false), false), 1e-12);
    expect_thread_independent([&] {
        Backend::Scratch fresh;
        Matrix<double> out, out2;
        cpu().multiply(s, Side::at, xl, out, fresh);
        cpu().gram_operator(s, Side::a)->apply(x, out2);
        out.data.insert(out.data.end(), out2.data.begin(), out2.data.end());
        return out;
    });
}

TEST_F(CpuSvd, FloatUploadsAreRefused) {
    const CsrMatrix<float> af = a.cast<float>();
    const backend::Sparse s = cpu().upload(af, false);
    Matrix<double> yt;
    EXPECT_THROW(cpu().multiply_rowwise(s, Side::a, Matrix<double>(2, a.cols), yt), InvalidArgument);
}

TEST(CpuSvdBlocks, GramSchmidtSteps) {
    const std::int64_t n = 20000;  // long enough for several fixed blocks
    Matrix<double> q = random_dense(n, 12, 3);
    cpu().orthonormalize(q, nullptr);
    const Matrix<double> x0 = random_dense(n, 4, 4);
    Matrix<double> c(7, 4);
    cpu().inner_products(q, 3, x0, c);
    Matrix<double> q_part(n, 7);
    std::copy(q.col(3), q.col(3) + n * 7, q_part.ptr());
    expect_near(c, naive(q_part, true, x0, false), 1e-12);
    Matrix<double> x = x0;
    cpu().subtract_combination(q, 3, c, x);
    Matrix<double> want = x0;
    const Matrix<double> qc = naive(q_part, false, c, false);
    for (std::size_t e = 0; e < want.data.size(); ++e) want.data[e] -= qc.data[e];
    expect_near(x, want, 1e-12);
    Matrix<double> check(7, 4);
    cpu().inner_products(q, 3, x, check);
    for (const double v : check.data) EXPECT_LT(std::abs(v), 1e-12);
    // QR: X = Q·R, Q orthonormal.
    Matrix<double> f = x0, r;
    cpu().orthonormalize(f, &r);
    expect_near(naive(f, false, r, false), x0, 1e-12);
    Matrix<double> ftf(4, 4);
    cpu().inner_products(f, 0, f, ftf);
    EXPECT_LT(backend::small::max_identity_error(ftf), 1e-13);
    const std::vector<double> norms2 = cpu().column_norms2(x0);
    ASSERT_EQ(norms2.size(), 4u);
    for (std::int64_t j = 0; j < 4; ++j) {
        double want2 = 0;
        for (std::int64_t i = 0; i < n; ++i) want2 += x0(i, j) * x0(i, j);
        EXPECT_EQ(norms2[static_cast<std::size_t>(j)], want2);
    }
    expect_thread_independent([&] {
        Matrix<double> out(12, 4), y = x0;
        cpu().inner_products(q, 0, y, out);
        cpu().subtract_combination(q, 0, out, y);
        cpu().orthonormalize(y, nullptr);
        return y;
    });
}

TEST(CpuSvdBlocks, CombineAndLu) {
    const std::int64_t n = 9000;
    const Matrix<double> q = random_dense(n, 10, 5), y = random_dense(8, 6, 6), yt = random_dense(3, 8, 7);
    Matrix<double> v(n, 4);  // the first 4 of Y's 6 columns, over Q's first 8 columns
    cpu().combine(q, y, false, v);
    Matrix<double> q8(n, 8), y4(8, 4);
    std::copy(q.ptr(), q.ptr() + n * 8, q8.ptr());
    std::copy(y.ptr(), y.ptr() + 8 * 4, y4.ptr());
    expect_near(v, naive(q8, false, y4, false), 1e-12);
    Matrix<double> w(n, 3);
    cpu().combine(q, yt, true, w);
    expect_near(w, naive(q8, false, yt, true), 1e-12);
    Matrix<double> l = random_dense(50, 5, 8);
    cpu().lu_normalize(l);
    // A permuted unit lower matrix: each column has a 1 at a row where the later columns vanish.
    for (std::int64_t j = 0; j < 5; ++j) {
        bool found = false;
        for (std::int64_t i = 0; i < 50 && !found; ++i) {
            if (l(i, j) != 1.0) continue;
            bool later_zero = true;
            for (std::int64_t c = j + 1; c < 5; ++c) later_zero = later_zero && l(i, c) == 0.0;
            found = later_zero;
        }
        EXPECT_TRUE(found) << j;
    }
    expect_thread_independent([&] {
        Matrix<double> out(n, 4);
        cpu().combine(q, y, false, out);
        return out;
    });
}

TEST(CpuSvdBlocks, WideGramAndRotation) {
    const Matrix<double> x = random_dense(5, 30000, 9), t = random_dense(5, 5, 10);
    expect_near(cpu().gram_wide(x), naive(x, false, x, true), 1e-12);
    expect_near(cpu().gram_wide_general(x), naive(x, false, x, true), 1e-12);
    Matrix<double> r = x;
    cpu().rotate_wide(t, r);
    expect_near(r, naive(t, true, x, false), 1e-12);
    expect_thread_independent([&] { return cpu().gram_wide(x); });
    expect_thread_independent([&] { return cpu().gram_wide_general(x); });
    expect_thread_independent([&] {
        Matrix<double> out = x;
        cpu().rotate_wide(t, out);
        return out;
    });
}

TEST_F(CpuSvd, FullSvdsReconstructA) {
    const CsrMatrix<double> wide = linalg::transpose(a);  // 140 × 900: m ≤ n for the Gram method
    const backend::Sparse s = cpu().upload(wide, false);
    const Matrix<double> wd = dense_of(wide);
    std::vector<std::string> phases;
    const Backend::PhaseMark mark = [&](const char* name) { phases.emplace_back(name); };
    for (const bool gram : {true, false}) {
        phases.clear();
        Backend::FullSvd r = gram ? cpu().full_svd_gram(s, mark) : cpu().full_svd_gesdd(s, mark);
        ASSERT_EQ(r.s.size(), 140u);
        Matrix<double> us = r.u;
        for (std::int64_t c = 0; c < us.cols; ++c)
            for (std::int64_t i = 0; i < us.rows; ++i) us(i, c) *= r.s[static_cast<std::size_t>(c)];
        expect_near(naive(us, false, r.vt, false), wd, 1e-11);
        EXPECT_EQ(phases.size(), gram ? 6u : 2u);
        for (std::size_t i = 1; i < r.s.size(); ++i) EXPECT_GE(r.s[i - 1], r.s[i]);
    }
}

TEST_F(CpuSvd, CheckGramiansAndResidual) {
    const backend::Sparse s = cpu().upload(a, false);
    const Matrix<double> u = random_dense(a.rows, 4, 11), vt = random_dense(4, a.cols, 12);
    const std::vector<double> sv{3, 2, 1, 0.5};
    const Backend::SvdGramians g = cpu().svd_gramians(s, u, vt);
    expect_near(g.utu, naive(u, true, u, false), 1e-12);
    expect_near(g.vtv, naive(vt, false, vt, true), 1e-12);
    expect_near(g.utav, linalg::transpose(naive(naive(u, true, ad, false), false, vt, true)), 1e-12);  // (UᵀAV)ᵀ
    double want = 0;
    for (std::int64_t j = 0; j < a.cols; ++j)
        for (std::int64_t i = 0; i < a.rows; ++i) {
            double model = 0;
            for (std::int64_t c = 0; c < 4; ++c) model += u(i, c) * sv[static_cast<std::size_t>(c)] * vt(c, j);
            want += (ad(i, j) - model) * (ad(i, j) - model);
        }
    EXPECT_NEAR(cpu().svd_residual2(s, u, sv, vt), want, 1e-10 * want);
    expect_thread_independent([&] {
        Matrix<double> out(1, 1);
        out(0, 0) = cpu().svd_residual2(s, u, sv, vt);
        return out;
    });
}

TEST(SmallDense, FactorsAndProducts) {
    Matrix<double> a = random_dense(6, 6, 13);
    const Matrix<double> spd0 = backend::small::product('T', a, 'N', a);
    Matrix<double> r = spd0;
    ASSERT_TRUE(backend::small::cholesky_upper(r));
    expect_near(naive(r, true, r, false), spd0, 1e-12);
    Matrix<double> inv = r;
    backend::small::invert_upper(inv);
    EXPECT_LT(backend::small::max_identity_error(naive(r, false, inv, false)), 1e-12);
    expect_near(backend::small::upper_product(r, inv), naive(r, false, inv, false), 1e-12);
    Matrix<double> h = spd0, u, vt;
    std::vector<double> w, s;
    backend::small::syevd(h, w);
    for (std::size_t i = 1; i < w.size(); ++i) EXPECT_LE(w[i - 1], w[i]);
    Matrix<double> g = a;
    backend::small::gesdd(g, u, s, vt);
    EXPECT_NEAR(s[0] * s[0], w.back(), 1e-10 * w.back());
    Matrix<double> not_spd = Matrix<double>::zeros(2, 2);
    not_spd(0, 0) = -1;
    EXPECT_FALSE(backend::small::cholesky_upper(not_spd));
    const double col[] = {0.5, -2.0, 2.0};
    EXPECT_EQ(backend::small::flip_sign(col, 3), -1.0);
}

TEST_F(CpuSvd, EntryScale) {
    double largest = 0, sum = 0;
    for (const double v : a.values) {
        largest = std::max(largest, std::abs(v));
        sum += v * v;
    }
    const Backend::EntryScale e = cpu().entry_scale(cpu().upload(a, false));
    EXPECT_TRUE(e.finite);
    EXPECT_EQ(e.largest, largest);
    EXPECT_EQ(ad(e.row, e.col), largest);
    EXPECT_NEAR(e.norm, std::sqrt(sum), 1e-12 * std::sqrt(sum));
    CsrMatrix<float> f = a.cast<float>();
    f.values[5] = std::numeric_limits<float>::infinity();
    const Backend::EntryScale bad = cpu().entry_scale(cpu().upload(f, false));
    EXPECT_FALSE(bad.finite);
    EXPECT_EQ(bad.col, f.indices[5]);
    EXPECT_TRUE(std::isinf(bad.value));
}
