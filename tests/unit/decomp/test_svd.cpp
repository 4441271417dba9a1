// Property tests of the SVDs on random sparse matrices of every awkward shape: the full SVD
// must be exact (against LAPACK's gesdd on the dense matrix, and by its own check), the
// truncated ones must find the leading singular values, and none may depend on the threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/runtime/parallel.hpp"

using namespace factopic;
using decomp::SvdMethod;

namespace {

struct Shape {
    const char* name;
    std::int64_t rows, cols;
    double density;
    int rank = -1;            ///< > 0: rows are combinations of this many random rows
    int empty_rows = 0;       ///< leading rows left empty
    int empty_cols = 0;       ///< columns never used
    bool counts = true;       ///< small integers (else uniform reals)
    bool scale_rows = false;  ///< rows scaled by 10^-U(0, 6): condition number ~1e6
};

CsrMatrix<double> make(const Shape& s, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u01(0, 1);
    std::vector<std::vector<double>> dense(static_cast<std::size_t>(s.rows),
                                           std::vector<double>(static_cast<std::size_t>(s.cols), 0));
    const std::int64_t usable = s.cols - s.empty_cols;
    auto random_row = [&](std::vector<double>& row) {
        for (std::int64_t j = 0; j < usable; ++j)
            if (u01(gen) < s.density)
                row[static_cast<std::size_t>(j)] = s.counts ? std::floor(1 + 4 * u01(gen)) : u01(gen) - 0.3;
        // a few single-entry columns, as rare words make them
        if (usable > 0)
            row[static_cast<std::size_t>(static_cast<std::int64_t>(u01(gen) * static_cast<double>(usable)))] += 1;
    };
    if (s.rank > 0) {
        std::vector<std::vector<double>> base(static_cast<std::size_t>(s.rank),
                                              std::vector<double>(static_cast<std::size_t>(s.cols), 0));
        for (auto& b : base) random_row(b);
        for (std::int64_t i = s.empty_rows; i < s.rows; ++i)
            for (int r = 0; r < s.rank; ++r) {
                const double c = std::floor(3 * u01(gen));
                for (std::int64_t j = 0; j < s.cols; ++j)
                    dense[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] +=
                        c * base[static_cast<std::size_t>(r)][static_cast<std::size_t>(j)];
            }
    } else {
        for (std::int64_t i = s.empty_rows; i < s.rows; ++i) random_row(dense[static_cast<std::size_t>(i)]);
    }
    if (s.scale_rows)
        for (auto& row : dense) {
            const double f = std::pow(10.0, -6 * u01(gen));
            for (auto& v : row) v *= f;
        }
    CsrMatrix<double> a;
    a.rows = s.rows;
    a.cols = s.cols;
    a.indptr.clear();
    a.indptr.push_back(0);
    for (const auto& row : dense) {
        for (std::int64_t j = 0; j < s.cols; ++j)
            if (row[static_cast<std::size_t>(j)] != 0) {
                a.indices.push_back(static_cast<std::int32_t>(j));
                a.values.push_back(row[static_cast<std::size_t>(j)]);
            }
        a.indptr.push_back(static_cast<std::int64_t>(a.values.size()));
    }
    return a;
}

const Shape kShapes[] = {
    {"wide", 60, 400, 0.05},
    {"tall", 300, 50, 0.08},
    {"square", 120, 120, 0.1},
    {"rank_deficient", 80, 300, 0.05, 7},
    {"empty_rows", 90, 250, 0.06, -1, 12},
    {"empty_cols", 70, 200, 0.07, -1, 0, 40},
    {"tall_empty_rows_and_cols", 260, 60, 0.1, -1, 30, 9},
    {"reals_ill_conditioned", 100, 350, 0.06, -1, 0, 0, false, true},
    {"single_row", 1, 30, 0.3},
    {"single_col", 25, 1, 0.5},
};

class FullSvd : public ::testing::TestWithParam<Shape> {};

TEST_P(FullSvd, GramIsExactAndMatchesGesdd) {
    const Shape& s = GetParam();
    const auto a = make(s, 42);
    const auto ref = decomp::full_svd(a, {SvdMethod::gesdd});
    const auto r = decomp::full_svd(a, {SvdMethod::gram});
    const auto rk = std::min(s.rows, s.cols);
    ASSERT_EQ(r.u.rows, s.rows);
    ASSERT_EQ(r.u.cols, rk);
    ASSERT_EQ(r.vt.rows, rk);
    ASSERT_EQ(r.vt.cols, s.cols);
    ASSERT_EQ(static_cast<std::int64_t>(r.s.size()), rk);
    const double smax = ref.s[0];
    for (std::int64_t i = 0; i < rk; ++i) {
        EXPECT_NEAR(r.s[static_cast<std::size_t>(i)], ref.s[static_cast<std::size_t>(i)], 1e-12 * smax)
            << "sigma " << i;
        if (i > 0) {
            EXPECT_GE(r.s[static_cast<std::size_t>(i - 1)], r.s[static_cast<std::size_t>(i)]);
        }
    }
    const auto c = decomp::check_svd(a, r);
    EXPECT_LE(c.reconstruction_error, 1e-12);
    EXPECT_LE(c.u_orthogonality_error, 1e-12);
    EXPECT_LE(c.v_orthogonality_error, 1e-12);
    // svd_flip: the largest entry of each column of U is positive.
    for (std::int64_t j = 0; j < rk; ++j) {
        std::int64_t best = 0;
        for (std::int64_t i = 1; i < r.u.rows; ++i)
            if (std::abs(r.u(i, j)) > std::abs(r.u(best, j))) best = i;
        EXPECT_GE(r.u(best, j), 0);
    }
}

TEST_P(FullSvd, Float32RoundsTheDoubleResult) {
    const Shape& s = GetParam();
    const auto a = make(s, 7).cast<float>();
    const auto r = decomp::full_svd(a);
    const auto c = decomp::check_svd(a, r);
    // Rounding exact factors to float: about float epsilon (6e-8) times small factors.
    EXPECT_LE(c.reconstruction_error, 1e-6);
    EXPECT_LE(c.u_orthogonality_error, 1e-6);
    EXPECT_LE(c.v_orthogonality_error, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FullSvd, ::testing::ValuesIn(kShapes),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(FullSvd, ZeroMatrixHasOrthonormalVectors) {
    CsrMatrix<double> a;
    a.rows = 5;
    a.cols = 8;
    a.indptr.assign(6, 0);
    const auto r = decomp::full_svd(a);
    for (const double v : r.s) EXPECT_EQ(v, 0.0);
    const auto c = decomp::check_svd(a, r);
    EXPECT_LE(c.u_orthogonality_error, 1e-14);
    EXPECT_LE(c.v_orthogonality_error, 1e-14);
    EXPECT_EQ(c.reconstruction_error, 0.0);
}

TEST(FullSvd, EmptyMatrixIsAnError) {
    CsrMatrix<double> a;
    a.rows = 0;
    a.cols = 4;
    EXPECT_THROW(decomp::full_svd(a), InvalidArgument);
    a.rows = 3;
    a.cols = 0;
    a.indptr.assign(4, 0);
    EXPECT_THROW(decomp::full_svd(a), InvalidArgument);
}

class TruncatedSvd : public ::testing::TestWithParam<SvdMethod> {};

TEST_P(TruncatedSvd, FindsTheLeadingSingularValues) {
    for (const Shape& s : {kShapes[0], kShapes[1], kShapes[3], kShapes[4], kShapes[7]}) {
        const auto a = make(s, 11);
        const auto exact = decomp::full_svd(a, {SvdMethod::gesdd});
        decomp::TruncatedSvdOptions o;
        o.method = GetParam();
        o.k = std::min<std::int64_t>(6, std::min(s.rows, s.cols));
        o.seed = 3;
        o.power_iters = 12;  // rsvd: enough for these small gaps
        const auto r = decomp::truncated_svd(a, o);
        ASSERT_EQ(static_cast<std::int64_t>(r.s.size()), o.k) << s.name;
        // krylov promises each singular value to a relative tol (default 1e-6); rsvd, with 12
        // power iterations on these small gaps, gets within 1e-4 of the largest.
        for (std::int64_t i = 0; i < o.k; ++i) {
            const double want = exact.s[static_cast<std::size_t>(i)], got = r.s[static_cast<std::size_t>(i)];
            if (GetParam() == SvdMethod::krylov)
                EXPECT_LE(std::abs(got - want), o.tol * want) << s.name << " sigma " << i;
            else
                EXPECT_NEAR(got, want, 1e-4 * exact.s[0]) << s.name << " sigma " << i;
        }
        const auto c = decomp::check_svd(a, r);
        EXPECT_LE(c.u_orthogonality_error, 1e-12) << s.name;
        EXPECT_LE(c.v_orthogonality_error, 1e-12) << s.name;
        // The best rank-k error is sqrt(sum of the other sigma^2) / ||A||.
        double rest = 0, all = 0;
        for (std::size_t i = 0; i < exact.s.size(); ++i) {
            all += exact.s[i] * exact.s[i];
            if (static_cast<std::int64_t>(i) >= o.k) rest += exact.s[i] * exact.s[i];
        }
        EXPECT_NEAR(c.reconstruction_error, std::sqrt(rest / all), GetParam() == SvdMethod::krylov ? 1e-8 : 1e-3)
            << s.name;
    }
}

TEST_P(TruncatedSvd, SameResultWithOneAndTwoThreads) {
    const auto a = make(kShapes[0], 5);
    decomp::TruncatedSvdOptions o;
    o.method = GetParam();
    o.k = 5;
    o.seed = 9;
    const test_support::ThreadCountGuard guard;
    runtime::set_threads(1);
    const auto r1 = decomp::truncated_svd(a, o);
    const auto r1b = decomp::truncated_svd(a, o);
    EXPECT_TRUE(r1.u.data == r1b.u.data) << "1 vs 1";
    runtime::set_threads(2);
    const auto r2 = decomp::truncated_svd(a, o);
    const auto r2b = decomp::truncated_svd(a, o);
    EXPECT_TRUE(r2.u.data == r2b.u.data) << "2 vs 2";
    EXPECT_EQ(r1.iterations, r2.iterations);
    EXPECT_EQ(r1.s, r2.s);
    EXPECT_TRUE(r1.u.data == r2.u.data);
    EXPECT_TRUE(r1.vt.data == r2.vt.data);
}

TEST(TruncatedSvd, GramAndQrRitzStepsAgree) {
    // The Krylov method's final step takes the Gram matrix of M·V once (phase "ritz"), and falls
    // back to CholeskyQR2/Householder (phase "ritz_qr") when its checks fail: both must give the
    // same triplets, orthonormal to working precision, on the well- and the ill-conditioned.
    for (const Shape& s : {kShapes[0], kShapes[1], kShapes[7]}) {
        const auto a = make(s, 21);
        decomp::TruncatedSvdOptions o;
        o.k = 8;
        o.seed = 4;
        const auto fast = decomp::truncated_svd(a, o);
        o.qr_ritz = true;
        const auto slow = decomp::truncated_svd(a, o);
        const auto has_phase = [](const decomp::SvdResult<double>& r, const std::string& name) {
            return std::any_of(r.phases.begin(), r.phases.end(), [&](const auto& p) { return p.first == name; });
        };
        EXPECT_TRUE(has_phase(fast, "ritz")) << s.name;
        EXPECT_TRUE(has_phase(slow, "ritz_qr")) << s.name;
        ASSERT_EQ(fast.s.size(), slow.s.size());
        for (std::size_t i = 0; i < fast.s.size(); ++i) EXPECT_NEAR(fast.s[i], slow.s[i], 1e-12 * slow.s[0]) << s.name;
        for (const auto* r : {&fast, &slow}) {
            const auto c = decomp::check_svd(a, *r);
            EXPECT_LE(c.u_orthogonality_error, 1e-13) << s.name;
            EXPECT_LE(c.v_orthogonality_error, 1e-13) << s.name;
        }
        // Same signs (svd_flip) and the same vectors up to rounding where the gaps allow.
        double worst = 0;
        for (std::size_t i = 0; i < fast.u.data.size(); ++i)
            worst = std::max(worst, std::abs(fast.u.data[i] - slow.u.data[i]));
        EXPECT_LE(worst, 1e-8) << s.name;
    }
}

TEST_P(TruncatedSvd, RejectsKOutOfRange) {
    const auto a = make(kShapes[0], 1);
    decomp::TruncatedSvdOptions o;
    o.method = GetParam();
    for (const std::int64_t k : {std::int64_t{0}, std::int64_t{-3}, std::int64_t{61}}) {
        o.k = k;
        try {
            decomp::truncated_svd(a, o);
            ADD_FAILURE() << "k = " << k << " accepted";
        } catch (const InvalidArgument& e) {
            EXPECT_NE(std::string(e.what()).find("1 <= k <= 60"), std::string::npos) << e.what();
        }
    }
}

TEST_P(TruncatedSvd, RejectsGivenOptionsOutOfRange) {
    const auto a = make(kShapes[0], 1);
    const auto error_of = [&](auto set) -> std::string {
        decomp::TruncatedSvdOptions o;
        o.method = GetParam();
        o.k = 5;
        set(o);
        try {
            decomp::truncated_svd(a, o);
        } catch (const InvalidArgument& e) {
            return e.what();
        }
        return "(no error)";
    };
    // Unset is the method's default; given, out of range is an error.
    EXPECT_EQ(error_of([](auto&) {}), "(no error)");
    EXPECT_EQ(error_of([](auto& o) { o.power_iters = -1; }), "power_iters = -1 must be >= 0");
    EXPECT_EQ(error_of([](auto& o) { o.block = 0; }), "block = 0 must be >= 1");
    EXPECT_EQ(error_of([](auto& o) { o.max_blocks = 0; }), "max_blocks = 0 must be >= 1");
    EXPECT_EQ(error_of([](auto& o) { o.power_iters = 0; }), "(no error)");  // no power iteration
}

INSTANTIATE_TEST_SUITE_P(Methods, TruncatedSvd, ::testing::Values(SvdMethod::rsvd, SvdMethod::krylov),
                         [](const auto& p) { return decomp::to_string(p.param); });

TEST(TruncatedSvd, KrylovConvergesOnARandomMatrix) {
    const auto a = make(kShapes[2], 7);
    decomp::TruncatedSvdOptions o;
    o.k = 6;
    o.seed = 2;
    const auto r = decomp::truncated_svd(a, o);
    EXPECT_EQ(r.status, decomp::Status::converged);
    EXPECT_EQ(r.unconverged, 0);
    EXPECT_LT(static_cast<std::int64_t>(r.iterations) * 4, a.cols) << "converged before the basis filled";
}

TEST(TruncatedSvd, KrylovReportsThePairsMaxBlocksLeftShortOfTol) {
    // Two blocks of 4 for 6 pairs of a 120 x 120 random matrix: far too few to prove them to 1e-6,
    // but the leading pair's gap is wide enough that it is not every one.
    const auto a = make(kShapes[2], 7);
    decomp::TruncatedSvdOptions o;
    o.k = 6;
    o.seed = 2;
    o.block = 4;
    o.max_blocks = 2;
    const auto r = decomp::truncated_svd(a, o);
    EXPECT_EQ(r.status, decomp::Status::max_iterations);
    EXPECT_EQ(r.iterations, 2);
    EXPECT_GE(r.unconverged, 1);
    EXPECT_LE(r.unconverged, 6);
    ASSERT_EQ(r.s.size(), 6u);
    // What it returns is still a decomposition: orthonormal vectors, fewer pairs proven.
    const auto c = decomp::check_svd(a, r);
    EXPECT_LE(c.u_orthogonality_error, 1e-12);
    EXPECT_LE(c.v_orthogonality_error, 1e-12);
    // The methods without a convergence test report converged.
    o.method = SvdMethod::rsvd;
    EXPECT_EQ(decomp::truncated_svd(a, o).status, decomp::Status::converged);
    EXPECT_EQ(decomp::full_svd(a).status, decomp::Status::converged);
}

TEST(TruncatedSvd, KrylovRefusesMaxBlocksThatCannotHoldK) {
    const auto a = make(kShapes[2], 7);
    decomp::TruncatedSvdOptions o;
    o.k = 9;
    o.block = 4;
    o.max_blocks = 2;
    try {
        decomp::truncated_svd(a, o);
        ADD_FAILURE() << "max_blocks = 2 accepted";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("max_blocks = 2 with blocks of 4 holds 8 vectors, fewer than k = 9"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Svd, MethodNames) {
    EXPECT_EQ(decomp::to_string(decomp::Status::converged), "converged");
    EXPECT_EQ(decomp::to_string(decomp::Status::max_iterations), "max_iterations");
    EXPECT_EQ(decomp::parse_svd_method("krylov"), SvdMethod::krylov);
    EXPECT_THROW(decomp::parse_svd_method("lanczos"), InvalidArgument);
    EXPECT_EQ(decomp::parse_normalizer("lu"), decomp::Normalizer::lu);
    EXPECT_THROW(decomp::parse_normalizer("householder"), InvalidArgument);
}

}  // namespace

TEST(TruncatedSvd, KrylovFindsEveryTripletOfAnExactlyLowRankMatrix) {
    // Regression: once the Krylov space of a rank-3 matrix was exhausted, what was left of the
    // next block was rounding that QR turned into unit vectors far from orthogonal to the basis,
    // and the third singular value came out 0.286 instead of 1.53 (block sizes 1 to 4).
    const Shape s{"rank 3", 20, 15, 0.6, 3};
    const auto a = make(s, 21);
    const auto full = decomp::full_svd(a);
    ASSERT_EQ(decomp::numerical_rank(full.s, a.rows, a.cols), 3);
    for (const int block : {1, 2, 3, 4, 8}) {
        decomp::TruncatedSvdOptions o;
        o.k = 3;
        o.block = block;
        const auto r = decomp::truncated_svd(a, o);
        SCOPED_TRACE("block " + std::to_string(block));
        for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(r.s[i], full.s[i], 1e-10 * full.s[0]);
        EXPECT_LT(decomp::check_svd(a, r).reconstruction_error, 1e-12);
    }
}

TEST(Svd, NumericalRankUsesNumpysTolerance) {
    const std::vector<double> s = {10.0, 1.0, 1e-13, 1e-16};
    EXPECT_EQ(decomp::numerical_rank(s, 20, 15), 3);    // 10·20·ε = 4.4e-14
    EXPECT_EQ(decomp::numerical_rank(s, 2000, 15), 2);  // 4.4e-12
    const std::vector<float> f = {10.0f, 1e-5f};
    EXPECT_EQ(decomp::numerical_rank(f, 20, 15), 1);  // float's ε: 2.4e-5
    EXPECT_EQ(decomp::numerical_rank(std::vector<double>{}, 3, 3), 0);
}

TEST(Svd, ScaleOutsideDoublePrecisionIsRefusedNamingTheLargestEntry) {
    const Shape s{"small", 12, 9, 0.5};
    const auto base = make(s, 22);
    for (const double factor : {1e170, 1e300, 1e-310, 1e-160}) {
        auto a = base;
        for (double& v : a.values) v *= factor;
        SCOPED_TRACE(factor);
        decomp::TruncatedSvdOptions o;
        o.k = 2;
        for (const auto& run :
             std::vector<std::function<void()>>{[&] { decomp::full_svd(a); }, [&] { decomp::truncated_svd(a, o); }}) {
            try {
                run();
                ADD_FAILURE() << "no error";
            } catch (const DataError& e) {
                EXPECT_NE(std::string(e.what()).find("rescale"), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find("largest entry"), std::string::npos) << e.what();
            }
        }
    }
    // Just inside the bounds: exact as anywhere else.
    for (const double factor : {1e140, 1e-140}) {
        auto a = base;
        for (double& v : a.values) v *= factor;
        const auto r = decomp::full_svd(a);
        EXPECT_LT(decomp::check_svd(a, r).reconstruction_error, 1e-13);
    }
    auto bad = base;
    bad.values[3] = std::nan("");
    EXPECT_THROW(decomp::full_svd(bad), DataError);
}
