// Property tests of the NMF solvers on random sparse matrices: non-negative factors, loss never
// rising for cd and mu, a small projected gradient at convergence, a planted factorisation
// recovered, the same result whatever the thread count, a fit stopped by its callback, transform =
// fitted W, and every bad input rejected with a message that names it.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/runtime/parallel.hpp"

using namespace factopic;
using decomp::BetaLoss;
using decomp::NmfInit;
using decomp::NmfOptions;
using decomp::NmfSolver;
using decomp::Status;
using linalg::Matrix;

namespace {

CsrMatrix<double> from_dense(const Matrix<double>& d) {
    CsrMatrix<double> a;
    a.rows = d.rows;
    a.cols = d.cols;
    a.indptr.clear();
    a.indptr.push_back(0);
    for (std::int64_t i = 0; i < d.rows; ++i) {
        for (std::int64_t j = 0; j < d.cols; ++j)
            if (d(i, j) != 0) {
                a.indices.push_back(static_cast<std::int32_t>(j));
                a.values.push_back(d(i, j));
            }
        a.indptr.push_back(static_cast<std::int64_t>(a.values.size()));
    }
    return a;
}

Matrix<double> to_dense(const CsrMatrix<double>& a) {
    Matrix<double> d = Matrix<double>::zeros(a.rows, a.cols);
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) d(i, a.indices[q]) = a.values[q];
    return d;
}

/// A documents × terms matrix of small counts, with a topic structure (so NMF has something to
/// find) and some empty rows.
CsrMatrix<double> counts(std::int64_t m, std::int64_t n, std::uint64_t seed, double density = 0.08) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u01(0, 1);
    Matrix<double> d = Matrix<double>::zeros(m, n);
    for (std::int64_t i = 2; i < m; ++i) {
        const std::int64_t topic = i % 4, lo = topic * n / 4, hi = (topic + 1) * n / 4;
        for (std::int64_t j = 0; j < n; ++j) {
            const double p = (j >= lo && j < hi) ? 4 * density : density / 2;
            if (u01(gen) < p) d(i, j) = std::floor(1 + 3 * u01(gen));
        }
    }
    return from_dense(d);
}

Matrix<double> product(const Matrix<double>& w, const Matrix<double>& h) {
    Matrix<double> p = Matrix<double>::zeros(w.rows, h.cols);
    for (std::int64_t j = 0; j < h.cols; ++j)
        for (std::int64_t t = 0; t < w.cols; ++t)
            for (std::int64_t i = 0; i < w.rows; ++i) p(i, j) += w(i, t) * h(t, j);
    return p;
}

double dense_error(const CsrMatrix<double>& a, const Matrix<double>& w, const Matrix<double>& h) {
    const Matrix<double> d = to_dense(a), p = product(w, h);
    double s = 0;
    for (std::size_t e = 0; e < d.data.size(); ++e) s += (d.data[e] - p.data[e]) * (d.data[e] - p.data[e]);
    return std::sqrt(s);
}

NmfOptions options(NmfSolver solver, std::int64_t k) {
    NmfOptions o;
    o.k = k;
    o.solver = solver;
    return o;
}

const NmfSolver kSolvers[] = {NmfSolver::cd, NmfSolver::mu, NmfSolver::pgd, NmfSolver::adam};

template <typename T>
std::int64_t negatives(const Matrix<T>& x) {
    return std::count_if(x.data.begin(), x.data.end(), [](T v) { return v < 0; });
}

}  // namespace

TEST(Nmf, EverySolverGivesNonNegativeFactorsAndReportsItsTrueError) {
    const auto a = counts(60, 90, 1);
    for (const auto solver : kSolvers)
        for (const bool kl : {false, true}) {
            if (kl && solver != NmfSolver::mu) continue;
            auto o = options(solver, 5);
            if (kl) o.beta_loss = BetaLoss::kullback_leibler;
            const auto r = decomp::nmf(a, o);
            SCOPED_TRACE(decomp::to_string(solver) + (kl ? " kl" : ""));
            ASSERT_EQ(r.w.rows, 60);
            ASSERT_EQ(r.w.cols, 5);
            ASSERT_EQ(r.h.rows, 5);
            ASSERT_EQ(r.h.cols, 90);
            EXPECT_EQ(negatives(r.w) + negatives(r.h), 0);
            EXPECT_EQ(r.negative_entries, 0);
            EXPECT_GT(r.iterations, 0);
            const double exact = dense_error(a, r.w, r.h);
            double norm2 = 0;
            for (const double v : a.values) norm2 += v * v;
            EXPECT_NEAR(r.relative_error * std::sqrt(norm2), exact, 1e-9 * exact);
            if (!kl) {
                EXPECT_NEAR(r.reconstruction_error, exact, 1e-9 * exact);
            }
            EXPECT_NEAR(decomp::frobenius_error(a, r.w, r.h), exact, 1e-9 * exact);
            EXPECT_LT(r.relative_error, 1.0);
        }
}

TEST(Nmf, CdAndMuNeverRaiseTheLoss) {
    const auto a = counts(80, 120, 2);
    for (const auto solver : {NmfSolver::cd, NmfSolver::mu})
        for (const auto init : {NmfInit::nndsvda, NmfInit::random, NmfInit::nndsvd})
            for (const bool kl : {false, true}) {
                if (kl && solver != NmfSolver::mu) continue;
                if (kl && init == NmfInit::nndsvd) continue;  // zeros never move under mu
                auto o = options(solver, 6);
                o.init = init;
                o.tol = 0;
                o.max_iter = 80;
                if (kl) o.beta_loss = BetaLoss::kullback_leibler;
                const auto r = decomp::nmf(a, o);
                SCOPED_TRACE(decomp::to_string(solver) + " " + decomp::to_string(init) + (kl ? " kl" : ""));
                ASSERT_EQ(r.losses.size(), 80u);
                for (std::size_t i = 1; i < r.losses.size(); ++i)
                    EXPECT_LE(r.losses[i], r.losses[i - 1] * (1 + 1e-12)) << "iteration " << i + 1;
                EXPECT_EQ(r.reconstruction_error, r.losses.back());
            }
}

TEST(Nmf, ProjectedGradientIsSmallAtConvergence) {
    const auto a = counts(50, 70, 3);
    auto o = options(NmfSolver::cd, 4);
    o.tol = 1e-9;
    o.max_iter = 20000;
    const auto r = decomp::nmf(a, o);
    EXPECT_EQ(r.status, Status::converged);
    // ∇_W = W·HHᵀ − A·Hᵀ and ∇_H = WᵀW·H − Wᵀ·A; projected: min(0, g) where the entry is 0.
    const Matrix<double> d = to_dense(a), wh = product(r.w, r.h);
    double pg = 0, scale = 0;
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t t = 0; t < 4; ++t) {
            double g = 0;
            for (std::int64_t j = 0; j < a.cols; ++j) g += (wh(i, j) - d(i, j)) * r.h(t, j);
            const double p = r.w(i, t) == 0 ? std::min(0.0, g) : g;
            pg += p * p;
            scale += g * g;
        }
    for (std::int64_t t = 0; t < 4; ++t)
        for (std::int64_t j = 0; j < a.cols; ++j) {
            double g = 0;
            for (std::int64_t i = 0; i < a.rows; ++i) g += r.w(i, t) * (wh(i, j) - d(i, j));
            const double p = r.h(t, j) == 0 ? std::min(0.0, g) : g;
            pg += p * p;
            scale += g * g;
        }
    // Relative to ‖A‖·‖H‖-sized gradients: the projected gradient has all but vanished, while the
    // raw gradient (of the entries held at 0) has not.
    EXPECT_LT(std::sqrt(pg), 1e-5 * std::sqrt(scale) + 1e-6);
    EXPECT_GT(std::sqrt(scale), 1e-3);
}

TEST(Nmf, PlantedNonNegativeFactorisationIsRecovered) {
    std::mt19937_64 gen(4);
    std::uniform_real_distribution<double> u01(0, 1);
    const std::int64_t m = 40, n = 60, k = 3;
    Matrix<double> w0 = Matrix<double>::zeros(m, k), h0 = Matrix<double>::zeros(k, n);
    // Separable: each topic owns a block of terms (so the factorisation is unique up to scaling).
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t t = 0; t < k; ++t) w0(i, t) = u01(gen) < 0.6 ? 0.5 + u01(gen) : 0.0;
    for (std::int64_t t = 0; t < k; ++t)
        for (std::int64_t j = t * n / k; j < (t + 1) * n / k; ++j) h0(t, j) = 0.2 + u01(gen);
    const auto a = from_dense(product(w0, h0));
    for (const auto solver : {NmfSolver::cd, NmfSolver::mu}) {
        auto o = options(solver, k);
        o.tol = 0;
        o.max_iter = solver == NmfSolver::cd ? 500 : 30000;  // mu converges sublinearly
        const auto r = decomp::nmf(a, o);
        SCOPED_TRACE(decomp::to_string(solver));
        EXPECT_LT(r.relative_error, 1e-4);
        // Each planted topic is one of the found ones (cosine of the H rows).
        for (std::int64_t t = 0; t < k; ++t) {
            double best = 0;
            for (std::int64_t u = 0; u < k; ++u) {
                double dot = 0, n0 = 0, n1 = 0;
                for (std::int64_t j = 0; j < n; ++j) {
                    dot += h0(t, j) * r.h(u, j);
                    n0 += h0(t, j) * h0(t, j);
                    n1 += r.h(u, j) * r.h(u, j);
                }
                best = std::max(best, dot / std::sqrt(n0 * n1));
            }
            EXPECT_GT(best, 0.999) << "planted topic " << t;
        }
    }
}

TEST(Nmf, SameResultWithOneAndTwoThreads) {
    const test_support::ThreadCountGuard guard;
    const auto a = counts(300, 500, 5, 0.05);  // enough rows for several parallel blocks
    for (const auto solver : kSolvers) {
        auto o = options(solver, 7);
        o.shuffle = solver == NmfSolver::cd;
        o.max_iter = 30;
        o.tol = 0;
        runtime::set_threads(1);
        const auto one = decomp::nmf(a, o);
        runtime::set_threads(2);
        const auto two = decomp::nmf(a, o);
        SCOPED_TRACE(decomp::to_string(solver));
        EXPECT_EQ(one.w.data, two.w.data);
        EXPECT_EQ(one.h.data, two.h.data);
        EXPECT_EQ(one.losses, two.losses);
    }
}

TEST(Nmf, OnIterationStopsEverySolverWithTheFactorsOfThatIteration) {
    const auto a = counts(60, 90, 8);
    for (const auto solver : kSolvers)
        for (const bool kl : {false, true}) {
            if (kl && solver != NmfSolver::mu) continue;
            SCOPED_TRACE(decomp::to_string(solver) + (kl ? " kl" : ""));
            auto o = options(solver, 5);
            if (kl) o.beta_loss = BetaLoss::kullback_leibler;
            // 3 of adam's steps (1e-3 each) from nndsvda's start, whose filled-in zeros add mass,
            // leave the error above |A|_F on this matrix: a degenerate result
            if (solver == NmfSolver::adam) o.init = NmfInit::nndsvd;
            o.max_iter = 3;
            const auto limited = decomp::nmf(a, o);
            ASSERT_EQ(limited.status, Status::max_iterations) << limited.diagnosis;
            ASSERT_EQ(limited.iterations, 3);
            o.max_iter.reset();  // the solver's default, far beyond 3
            std::vector<int> seen;
            int limit = 0;
            o.on_iteration = [&](int iteration, int max_iter) {
                seen.push_back(iteration);
                limit = max_iter;
                return iteration < 3;
            };
            const auto stopped = decomp::nmf(a, o);
            EXPECT_EQ(stopped.status, Status::cancelled);
            EXPECT_EQ(decomp::to_string(stopped.status), "cancelled");
            EXPECT_EQ(stopped.iterations, 3);
            EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
            EXPECT_EQ(limit, stopped.max_iter);
            EXPECT_GT(stopped.max_iter, 3);
            EXPECT_EQ(stopped.w.data, limited.w.data);
            EXPECT_EQ(stopped.h.data, limited.h.data);
            EXPECT_EQ(stopped.losses, limited.losses);
            EXPECT_EQ(stopped.reconstruction_error, limited.reconstruction_error);
            EXPECT_EQ(stopped.relative_error, limited.relative_error);
        }
}

TEST(Nmf, TransformOfTheTrainingDocumentsIsTheFittedW) {
    const auto a = counts(70, 100, 6);
    auto o = options(NmfSolver::cd, 5);
    o.tol = 1e-10;
    o.max_iter = 5000;
    const auto r = decomp::nmf(a, o);
    auto t_opt = o;
    t_opt.max_iter = 5000;
    const auto t = decomp::nmf_transform(a, r.h, t_opt);
    ASSERT_EQ(t.w.rows, 70);
    ASSERT_EQ(t.w.cols, 5);
    EXPECT_TRUE(t.converged);
    double diff = 0, norm = 0;
    for (std::size_t e = 0; e < r.w.data.size(); ++e) {
        diff = std::max(diff, std::fabs(r.w.data[e] - t.w.data[e]));
        norm = std::max(norm, std::fabs(r.w.data[e]));
    }
    EXPECT_LT(diff, 1e-5 * norm);
    // mu's transform converges to the same least-squares W, more slowly.
    auto mu = t_opt;
    mu.solver = NmfSolver::mu;
    mu.tol = 0;
    mu.max_iter = 3000;
    const auto tm = decomp::nmf_transform(a, r.h, mu);
    EXPECT_LT(decomp::frobenius_error(a, tm.w, r.h), r.reconstruction_error * (1 + 1e-4));
}

TEST(Nmf, DenseInputGivesTheSameFactorisation) {
    const auto a = counts(40, 50, 7);
    const auto o = options(NmfSolver::cd, 3);
    const auto sparse = decomp::nmf(a, o);
    const auto dense = decomp::nmf(to_dense(a), o);
    EXPECT_EQ(sparse.w.data, dense.w.data);
    EXPECT_EQ(sparse.h.data, dense.h.data);
}

TEST(Nmf, Float32FollowsFloat64) {
    const auto a = counts(60, 80, 8);
    const auto o = options(NmfSolver::cd, 4);
    const auto d = decomp::nmf(a, o);
    const auto f = decomp::nmf(a.cast<float>(), o);
    EXPECT_NEAR(f.reconstruction_error, d.reconstruction_error, 1e-5 * d.reconstruction_error);
    EXPECT_EQ(negatives(f.w) + negatives(f.h), 0);
}

TEST(Nmf, InitsFollowScikitLearn) {
    const auto a = counts(50, 60, 9);
    auto o = options(NmfSolver::mu, 4);
    o.max_iter = 1;
    o.tol = 0;
    // One multiplicative update keeps zeros at zero, which tells nndsvd (zeros) from nndsvda
    // (its zeros filled with mean(A)).
    o.init = NmfInit::nndsvd;
    const auto plain = decomp::nmf(a, o);
    const auto zeros = std::count(plain.w.data.begin(), plain.w.data.end(), 0.0);
    EXPECT_GT(zeros, 0);
    o.init = NmfInit::nndsvda;
    const auto filled = decomp::nmf(a, o);
    EXPECT_LT(std::count(filled.w.data.begin(), filled.w.data.end(), 0.0), zeros);
    // random: same seed, same factors; another seed, others.
    o.init = NmfInit::random;
    o.seed = 3;
    const auto r1 = decomp::nmf(a, o), r2 = decomp::nmf(a, o);
    o.seed = 4;
    const auto r3 = decomp::nmf(a, o);
    EXPECT_EQ(r1.w.data, r2.w.data);
    EXPECT_NE(r1.w.data, r3.w.data);
}

TEST(Nmf, CustomInitIsUsedAsGiven) {
    const auto a = counts(30, 40, 10);
    auto o = options(NmfSolver::cd, 3);
    o.init = NmfInit::custom;
    o.w_init = Matrix<double>(30, 3);
    o.h_init = Matrix<double>(3, 40);
    std::fill(o.w_init->data.begin(), o.w_init->data.end(), 0.5);
    std::fill(o.h_init->data.begin(), o.h_init->data.end(), 0.25);
    o.tol = 0;
    o.max_iter = 1;
    // From a constant start every component gets the same update in the first sweep of the W
    // step's first component only: the run is deterministic and its error is that of the output.
    const auto r = decomp::nmf(a, o);
    EXPECT_NEAR(r.reconstruction_error, dense_error(a, r.w, r.h), 1e-9 * r.reconstruction_error);
    // Another start, another result: the custom factors were used.
    std::fill(o.h_init->data.begin(), o.h_init->data.end(), 0.5);
    const auto other = decomp::nmf(a, o);
    EXPECT_NE(r.w.data, other.w.data);
}

TEST(Nmf, L1RegularisationMakesWSparser) {
    const auto a = counts(80, 100, 11);
    auto o = options(NmfSolver::cd, 6);
    const auto plain = decomp::nmf(a, o);
    o.alpha_w = 0.01;
    o.alpha_h = 0;
    o.l1_ratio = 1.0;
    const auto sparse = decomp::nmf(a, o);
    const auto zeros = [](const Matrix<double>& x) { return std::count(x.data.begin(), x.data.end(), 0.0); };
    EXPECT_GT(zeros(sparse.w), zeros(plain.w));
}

TEST(Nmf, TargetErrorStopsEarly) {
    const auto a = counts(60, 80, 12);
    auto o = options(NmfSolver::cd, 4);
    o.tol = 0;
    o.max_iter = 200;
    const auto full = decomp::nmf(a, o);
    o.target_error = full.losses[4];
    const auto early = decomp::nmf(a, o);
    EXPECT_EQ(early.status, Status::target_reached);
    EXPECT_EQ(early.iterations, 5);
    EXPECT_LE(early.reconstruction_error, o.target_error);
}

TEST(Nmf, PgdAndAdamAreStableForAnyPenalty) {
    const auto a = counts(60, 80, 13);
    for (const double lam : {0.0, 1.0, 1e3, 1e8})
        for (const auto solver : {NmfSolver::pgd, NmfSolver::adam}) {
            auto o = options(solver, 4);
            o.lam = lam;
            o.max_iter = 200;
            const auto r = decomp::nmf(a, o);
            SCOPED_TRACE(decomp::to_string(solver) + " lam " + std::to_string(lam));
            EXPECT_TRUE(std::isfinite(r.reconstruction_error));
            EXPECT_LT(r.relative_error, 1.0);
            EXPECT_EQ(r.negative_entries, 0);
        }
    auto o = options(NmfSolver::pgd, 4);
    o.project = true;
    const auto r = decomp::nmf(a, o);
    EXPECT_EQ(r.clipped, 0);  // projected every step: nothing left to clip
}

namespace {

template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {  // DataError for bad data, InvalidArgument for bad options
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(Nmf, BadInputIsRejectedByName) {
    auto a = counts(20, 30, 14);
    const auto o = options(NmfSolver::cd, 3);
    auto bad = a;
    bad.values[5] = -2;
    EXPECT_NE(error_of([&] { decomp::nmf(bad, o); }).find("is -2"), std::string::npos);
    bad.values[5] = std::nan("");
    EXPECT_NE(error_of([&] { decomp::nmf(bad, o); }).find("nan"), std::string::npos);
    bad.values[5] = INFINITY;
    EXPECT_NE(error_of([&] { decomp::nmf(bad, o); }).find("inf"), std::string::npos);
    // The first bad entry, 1-based: row and column as a Matrix Market file numbers them.
    bad = a;
    bad.values[0] = -1;
    const std::int64_t row = 1 + static_cast<std::int64_t>(std::upper_bound(bad.indptr.begin(), bad.indptr.end(), 0) -
                                                           bad.indptr.begin() - 1);
    EXPECT_NE(error_of([&] {
                  decomp::nmf(bad, o);
              }).find("(" + std::to_string(row) + ", " + std::to_string(bad.indices[0] + 1) + ")"),
              std::string::npos);

    EXPECT_NE(error_of([&] { decomp::nmf(a, options(NmfSolver::cd, 0)); }).find("k = 0"), std::string::npos);
    EXPECT_NE(error_of([&] { decomp::nmf(a, options(NmfSolver::cd, 21)); }).find("k <= 20"), std::string::npos);
    auto random = options(NmfSolver::cd, 25);
    random.init = NmfInit::random;
    EXPECT_EQ(error_of([&] { decomp::nmf(a, random); }), "(no error)");  // k > min(m, n) is fine for random

    auto custom = options(NmfSolver::cd, 3);
    custom.init = NmfInit::custom;
    EXPECT_NE(error_of([&] { decomp::nmf(a, custom); }).find("needs both"), std::string::npos);
    custom.w_init = Matrix<double>::zeros(20, 3);
    custom.h_init = Matrix<double>::zeros(3, 29);
    EXPECT_NE(error_of([&] { decomp::nmf(a, custom); }).find("3 x 29"), std::string::npos);
    custom.h_init = Matrix<double>::zeros(3, 30);
    (*custom.h_init)(1, 2) = -0.5;
    EXPECT_NE(error_of([&] { decomp::nmf(a, custom); }).find("(2, 3)"), std::string::npos);

    // The optional options: unset is the solver's default; given, a value out of range is an error
    // (0 or a negative number is no longer a way to ask for the default).
    {
        const auto given = [&](auto set) {
            auto g = options(NmfSolver::pgd, 3);
            set(g);
            return error_of([&] { decomp::nmf(a, g); });
        };
        EXPECT_NE(given([](auto& g) { g.max_iter = 0; }).find("max_iter = 0 must be >= 1"), std::string::npos);
        EXPECT_NE(given([](auto& g) { g.tol = -1.0; }).find("tol = -1 must be >= 0"), std::string::npos);
        EXPECT_NE(given([](auto& g) { g.alpha_h = -1.0; }).find("alpha_H = -1 must be >= 0"), std::string::npos);
        EXPECT_NE(given([](auto& g) { g.lam = -1.0; }).find("lam = -1 must be >= 0"), std::string::npos);
        EXPECT_NE(given([](auto& g) { g.lr = 0.0; }).find("lr = 0 must be > 0"), std::string::npos);
        EXPECT_EQ(given([](auto& g) { g.tol = 0.0; }), "(no error)");  // 0: every iteration runs
    }

    auto kl = options(NmfSolver::cd, 3);
    kl.beta_loss = BetaLoss::kullback_leibler;
    EXPECT_NE(error_of([&] { decomp::nmf(a, kl); }).find("needs solver mu"), std::string::npos);

    CsrMatrix<double> zero;
    zero.rows = 5;
    zero.cols = 5;
    zero.indptr.assign(6, 0);
    EXPECT_NE(error_of([&] { decomp::nmf(zero, o); }).find("no non-zero"), std::string::npos);
    CsrMatrix<double> empty;
    empty.rows = 0;
    empty.cols = 5;
    EXPECT_NE(error_of([&] { decomp::nmf(empty, o); }).find("non-empty"), std::string::npos);

    EXPECT_NE(error_of([&] { decomp::nmf_transform(a, Matrix<double>::zeros(3, 31), o); }).find("31 columns"),
              std::string::npos);
}

TEST(Nmf, DivergenceIsAStatusWithADiagnosis) {
    const auto a = counts(40, 50, 15);
    auto o = options(NmfSolver::adam, 3);
    o.lr = 1e10;  // the audit's case: an error of 2e25 was reported as converged
    auto r = decomp::nmf(a, o);
    EXPECT_EQ(r.status, Status::diverged);
    EXPECT_NE(r.diagnosis.find("rose"), std::string::npos) << r.diagnosis;
    o.solver = NmfSolver::pgd;  // NaN within a few iterations: the run stops there
    r = decomp::nmf(a, o);
    EXPECT_EQ(r.status, Status::diverged);
    EXPECT_LT(r.iterations, 50);
    EXPECT_NE(r.diagnosis.find("NaN"), std::string::npos) << r.diagnosis;
    // Sane options: no false alarm for any solver.
    for (const auto solver : kSolvers) {
        const auto ok = decomp::nmf(a, options(solver, 3));
        EXPECT_NE(ok.status, Status::diverged) << decomp::to_string(solver) << ": " << ok.diagnosis;
        EXPECT_NE(ok.status, Status::degenerate) << decomp::to_string(solver) << ": " << ok.diagnosis;
    }
}

TEST(Nmf, AResultThatExplainsNothingIsDegenerate) {
    // At 1e-140 scikit-learn's absolute thresholds wipe mu's factors: W·H = 0.
    auto a = counts(40, 50, 16);
    for (double& v : a.values) v *= 1e-140;
    const auto r = decomp::nmf(a, options(NmfSolver::mu, 3));
    EXPECT_EQ(r.status, Status::degenerate);
    EXPECT_NE(r.diagnosis.find("explains nothing"), std::string::npos) << r.diagnosis;
    // Regularisation strong enough to make 0 the optimum: not degenerate, that is the answer.
    auto o = options(NmfSolver::cd, 3);
    o.alpha_w = 1e300;
    const auto reg = decomp::nmf(counts(40, 50, 16), o);
    EXPECT_NE(reg.status, Status::degenerate);
    EXPECT_DOUBLE_EQ(reg.relative_error, 1.0);
}

TEST(Nmf, PgdAndAdamGiveEmptyDocumentsZeroWeights) {
    const auto a = counts(40, 50, 17);  // rows 0 and 1 are empty
    for (const auto solver : kSolvers)
        for (const auto init : {NmfInit::nndsvda, NmfInit::random})
            for (const bool project : {false, true}) {
                auto o = options(solver, 3);
                o.init = init;
                o.project = project;
                o.max_iter = 50;
                const auto r = decomp::nmf(a, o);
                SCOPED_TRACE(decomp::to_string(solver) + " " + decomp::to_string(init));
                for (std::int64_t i = 0; i < 2; ++i)
                    for (std::int64_t t = 0; t < 3; ++t) EXPECT_EQ(r.w(i, t), 0.0);
            }
}

TEST(Nmf, InputsAndOptionsThatCannotGiveANumberAreRefused) {
    const auto a = counts(20, 30, 18);
    auto o = options(NmfSolver::cd, 3);
    o.alpha_w = 1e308;  // × 30 columns overflows: W was all NaN
    EXPECT_NE(error_of([&] { decomp::nmf(a, o); }).find("alpha_W = 1e+308 is too large"), std::string::npos);
    o.alpha_w = 0;
    o.alpha_h = 1e308;
    EXPECT_NE(error_of([&] { decomp::nmf(a, o); }).find("alpha_H"), std::string::npos);
    for (const double factor : {1e170, 1e300, 1e-310}) {
        auto big = a;
        for (double& v : big.values) v *= factor;
        const std::string e = error_of([&] { decomp::nmf(big, options(NmfSolver::pgd, 3)); });
        EXPECT_NE(e.find("rescale"), std::string::npos) << e;
    }
    // scikit-learn's _check_init: a custom factor full of zeros.
    auto custom = options(NmfSolver::mu, 3);
    custom.init = NmfInit::custom;
    custom.w_init = Matrix<double>::zeros(20, 3);
    custom.h_init = Matrix<double>(3, 30);
    std::fill(custom.h_init->data.begin(), custom.h_init->data.end(), 0.5);
    EXPECT_NE(error_of([&] { decomp::nmf(a, custom); }).find("custom W is full of zeros"), std::string::npos);
    std::swap(custom.w_init, custom.h_init);
    custom.w_init = Matrix<double>(20, 3);
    std::fill(custom.w_init->data.begin(), custom.w_init->data.end(), 0.5);
    custom.h_init = Matrix<double>::zeros(3, 30);
    EXPECT_NE(error_of([&] { decomp::nmf(a, custom); }).find("custom H is full of zeros"), std::string::npos);
    // Random init: k above min(m, n), as scikit-learn allows; bounded by m·n.
    Matrix<double> d(3, 3);
    for (std::int64_t e = 0; e < 9; ++e) d.data[static_cast<std::size_t>(e)] = 1.0 + static_cast<double>(e % 4);
    const auto three = from_dense(d);
    auto random = options(NmfSolver::cd, 5);
    random.init = NmfInit::random;
    EXPECT_EQ(error_of([&] { decomp::nmf(three, random); }), "(no error)");
    random.k = 10;
    EXPECT_NE(error_of([&] { decomp::nmf(three, random); }).find("k <= 9"), std::string::npos);
}
