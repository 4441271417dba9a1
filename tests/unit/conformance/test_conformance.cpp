// The conformance suite: the properties every NMF solver and SVD method promises, checked for
// each solver × execution tier on real data (two 20 Newsgroups categories of the embedded
// corpus, tf-idf and counts).
//
// A tier is a backend with a thread count (later: a rank count) and the tolerance its results
// must meet against the reference run (the CPU backend on one thread):
//   tolerance 0   bit-identical: every CPU thread count (fixed blocks summed in a fixed order);
//   tolerance t   |x − x_ref| ≤ t·max|x_ref| for another backend or another rank count, which
//                 sum in another order (their tiers are added to tiers() with their tolerance).
// The properties of a solver are checked on every tier, and each tier's factors are compared
// with the reference's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/runtime/context.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"

namespace factopic {
namespace {

using linalg::Matrix;

struct Tier {
    std::string name;
    runtime::ExecutionContext context;
    double tolerance;  ///< 0: bit-identical to the reference run
};

runtime::ExecutionContext on(runtime::Device device, int threads) {
    runtime::ExecutionContext c;
    c.device = device;
    c.threads = threads;
    return c;
}

/// The reference run and every tier compared with it.
const Tier& reference() {
    static const Tier t{"cpu, 1 thread", on(runtime::Device::cpu, 1), 0};
    return t;
}
std::vector<Tier> tiers() {
    return {reference(),
            {"cpu, 2 threads", on(runtime::Device::cpu, 2), 0},
            {"cpu, 3 threads", on(runtime::Device::cpu, 3), 0}};
}

/// comp.graphics and sci.space, train and test, cleaned as scikit-learn does.
const std::vector<std::string>& documents() {
    static const std::vector<std::string> texts = [] {
        text::CorpusOptions o;
        o.categories = {"comp.graphics", "sci.space"};
        o.remove = {true, true, true};
        return text::read_corpus(FACTOPIC_SOURCE_DIR "/data/20news-4cat.tar.gz", o).texts;
    }();
    return texts;
}

/// The two categories' matrix, terms in at least min_df documents (2 or 5).
const CsrMatrix<double>& matrix(text::Weighting weighting, int min_df = 2) {
    static const auto make = [](text::Weighting w, int df) {
        text::VectorizerOptions o;
        o.weighting = w;
        o.min_df = text::DfBound::count(df);
        return text::Vectorizer(o).fit_transform<double>(documents());
    };
    static const CsrMatrix<double> tfidf = make(text::Weighting::Tfidf, 2), counts = make(text::Weighting::Count, 2),
                                   tfidf5 = make(text::Weighting::Tfidf, 5), counts5 = make(text::Weighting::Count, 5);
    if (min_df == 5) return weighting == text::Weighting::Tfidf ? tfidf5 : counts5;
    return weighting == text::Weighting::Tfidf ? tfidf : counts;
}

double max_abs(const std::vector<double>& x) {
    double m = 0;
    for (const double v : x) m = std::max(m, std::fabs(v));
    return m;
}

/// Within the tier's tolerance of the reference: bitwise for tolerance 0.
void expect_close(const std::vector<double>& got, const std::vector<double>& ref, double tolerance,
                  const std::string& what) {
    ASSERT_EQ(got.size(), ref.size()) << what;
    if (tolerance == 0) {
        EXPECT_TRUE(std::equal(got.begin(), got.end(), ref.begin())) << what << ": not bit-identical";
        return;
    }
    const double scale = max_abs(ref);
    for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_LE(std::fabs(got[i] - ref[i]), tolerance * scale) << what << " [" << i << "]";
}

std::vector<double> values_of(const Matrix<double>& x) { return {x.data.begin(), x.data.end()}; }

// ---------------------------------------------------------------------------------------------
// NMF

struct NmfCase {
    const char* name;
    decomp::NmfSolver solver;
    decomp::BetaLoss loss = decomp::BetaLoss::frobenius;
    bool descent = false;  ///< the loss never rises from one iteration to the next
};

const NmfCase nmf_cases[] = {
    {"cd", decomp::NmfSolver::cd, decomp::BetaLoss::frobenius, true},
    {"mu", decomp::NmfSolver::mu, decomp::BetaLoss::frobenius, true},
    {"mu_kl", decomp::NmfSolver::mu, decomp::BetaLoss::kullback_leibler, true},
    {"pgd", decomp::NmfSolver::pgd},
    {"adam", decomp::NmfSolver::adam},
};

decomp::NmfOptions nmf_options(const NmfCase& c) {
    decomp::NmfOptions o;
    o.k = 6;
    o.solver = c.solver;
    o.beta_loss = c.loss;
    o.max_iter = c.solver == decomp::NmfSolver::adam || c.solver == decomp::NmfSolver::pgd ? 60 : 30;
    o.tol = 0;  // every iteration runs: the tiers compare the same number of them
    return o;
}

/// ‖A − WH‖_F or √(2·KL(A ‖ WH)) written out here, entry by entry over A's non-zeros plus the
/// closed form of the zeros' share.
double independent_error(const CsrMatrix<double>& a, const Matrix<double>& w, const Matrix<double>& h, bool kl) {
    const std::int64_t k = w.cols;
    double total = 0;
    if (!kl) {
        // ‖A‖² − 2⟨A, WH⟩ + ‖WH‖², with ‖WH‖² = ⟨WᵀW, HHᵀ⟩.
        double a2 = 0, cross = 0;
        for (std::int64_t i = 0; i < a.rows; ++i)
            for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
                double wh = 0;
                for (std::int64_t t = 0; t < k; ++t) wh += w(i, t) * h(t, a.indices[q]);
                a2 += a.values[q] * a.values[q];
                cross += a.values[q] * wh;
            }
        double wh2 = 0;
        for (std::int64_t s = 0; s < k; ++s)
            for (std::int64_t t = 0; t < k; ++t) {
                double ws = 0, hs = 0;
                for (std::int64_t i = 0; i < w.rows; ++i) ws += w(i, s) * w(i, t);
                for (std::int64_t j = 0; j < h.cols; ++j) hs += h(s, j) * h(t, j);
                wh2 += ws * hs;
            }
        return std::sqrt(std::max(a2 - 2 * cross + wh2, 0.0));
    }
    // KL = Σ_ij a·log(a/wh) − a + wh; the zeros of A add their wh, and Σ_ij wh = Σ_t colsum(W)_t·rowsum(H)_t.
    constexpr double eps = 1.1920928955078125e-07;  // scikit-learn's EPSILON floor of WH
    double sum_a = 0, sum_log = 0;
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
            double wh = 0;
            for (std::int64_t t = 0; t < k; ++t) wh += w(i, t) * h(t, a.indices[q]);
            wh = std::max(wh, eps);
            sum_a += a.values[q];
            sum_log += a.values[q] * std::log(a.values[q] / wh);
        }
    double sum_wh = 0;
    for (std::int64_t t = 0; t < k; ++t) {
        double cw = 0, rh = 0;
        for (std::int64_t i = 0; i < w.rows; ++i) cw += w(i, t);
        for (std::int64_t j = 0; j < h.cols; ++j) rh += h(t, j);
        sum_wh += cw * rh;
    }
    total = sum_log - sum_a + sum_wh;
    return std::sqrt(2 * std::max(total, 0.0));
}

class NmfConformance : public ::testing::TestWithParam<NmfCase> {};

TEST_P(NmfConformance, PropertiesHoldOnEveryTierAndTiersAgreeWithTheReference) {
    const NmfCase& c = GetParam();
    const CsrMatrix<double>& a = matrix(text::Weighting::Tfidf);
    const decomp::NmfOptions o = nmf_options(c);
    const auto ref = decomp::nmf(a, o, reference().context);
    for (const Tier& tier : tiers()) {
        SCOPED_TRACE(tier.name);
        const auto r = decomp::nmf(a, o, tier.context);
        ASSERT_EQ(r.w.rows, a.rows);
        ASSERT_EQ(r.w.cols, o.k);
        ASSERT_EQ(r.h.rows, o.k);
        ASSERT_EQ(r.h.cols, a.cols);
        ASSERT_EQ(r.iterations, o.max_iter);
        EXPECT_EQ(r.status, decomp::Status::max_iterations);
        // Non-negative, finite factors.
        for (const Matrix<double>* f : {&r.w, &r.h})
            for (const double v : f->data) ASSERT_TRUE(std::isfinite(v) && v >= 0) << v;
        // The reported error is the factors' error, computed independently.
        const double mine = independent_error(a, r.w, r.h, c.loss == decomp::BetaLoss::kullback_leibler);
        EXPECT_NEAR(r.reconstruction_error, mine, 1e-9 * mine);
        ASSERT_EQ(r.losses.size(), static_cast<std::size_t>(r.iterations));
        // The last iteration's loss is the result's error, unless negatives were clipped after it
        // (pgd without projection and adam: the error is then the clipped factors').
        if (r.clipped == 0) {
            EXPECT_EQ(r.losses.back(), r.reconstruction_error);
        }
        // Descent methods never raise the loss (up to rounding).
        if (c.descent) {
            for (std::size_t i = 1; i < r.losses.size(); ++i)
                EXPECT_LE(r.losses[i], r.losses[i - 1] * (1 + 1e-12)) << "iteration " << i + 1;
        }
        // The tier agrees with the reference.
        expect_close(values_of(r.w), values_of(ref.w), tier.tolerance, "W");
        expect_close(values_of(r.h), values_of(ref.h), tier.tolerance, "H");
        expect_close(r.losses, ref.losses, tier.tolerance, "losses");
    }
}

TEST_P(NmfConformance, TransformOfTheTrainingDocumentsFitsThemAsWellAsTheFitOnEveryTier) {
    const NmfCase& c = GetParam();
    if (c.loss == decomp::BetaLoss::kullback_leibler) GTEST_SKIP() << "transform minimises the Frobenius norm";
    const CsrMatrix<double>& a = matrix(text::Weighting::Tfidf);
    const decomp::NmfOptions o = nmf_options(c);
    const auto fit = decomp::nmf(a, o, reference().context);
    decomp::NmfOptions t = o;
    t.max_iter = 200;
    t.tol = 1e-4;
    const auto ref = decomp::nmf_transform(a, fit.h, t, reference().context);
    for (const Tier& tier : tiers()) {
        SCOPED_TRACE(tier.name);
        const auto r = decomp::nmf_transform(a, fit.h, t, tier.context);
        for (const double v : r.w.data) ASSERT_TRUE(std::isfinite(v) && v >= 0) << v;
        // W solved for H fixed is at least nearly as good as the fit's own W.
        EXPECT_LE(decomp::frobenius_error(a, r.w, fit.h), 1.01 * decomp::frobenius_error(a, fit.w, fit.h));
        expect_close(values_of(r.w), values_of(ref.w), tier.tolerance, "W");
    }
}

INSTANTIATE_TEST_SUITE_P(Solvers, NmfConformance, ::testing::ValuesIn(nmf_cases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// ---------------------------------------------------------------------------------------------
// SVD

struct SvdCase {
    const char* name;
    decomp::SvdMethod method;
    double value_rtol;     ///< |s − s_exact| ≤ value_rtol·s_1 for the k leading values
    double residual_rtol;  ///< |A·v − σ·u| ≤ residual_rtol·s_1, entry by entry, for those pairs
    /// The CPU thread counts' tolerance against the reference: 0 (bit-identical) for the truncated
    /// methods; the full ones call multi-threaded LAPACK (syrk, syevd, gesdd), whose split of the
    /// work by the thread count changes the last bits.
    double cpu_threads_tolerance;
};

const SvdCase svd_cases[] = {
    // The full methods: exact to rounding (residuals measured 1.3e-15·s_1; 1 against 2 and 3
    // threads 4.9e-14 apart).
    {"gram", decomp::SvdMethod::gram, 1e-12, 1e-13, 1e-12},
    {"gesdd", decomp::SvdMethod::gesdd, 1e-12, 1e-13, 1e-12},
    // krylov proves every Ritz value θ = σ² to tol·θ (1e-6): σ to 5e-7; its U is not A·V/σ
    // but the other side's Ritz vectors (residuals measured 1.1e-5·s_1).
    {"krylov", decomp::SvdMethod::krylov, 5e-7, 1e-4, 0},
    // rsvd proves nothing; with its default power iterations the 12 values are this close (the
    // worst, the 9th to 12th of the tf-idf matrix's flat spectrum, measured 2.3e-3·s_1 off).
    // Its U is A·V/σ to rounding (residuals measured 6.3e-15·s_1).
    {"rsvd", decomp::SvdMethod::rsvd, 5e-3, 1e-13, 0},
};

constexpr std::int64_t svd_k = 12;
/// The SVDs take the terms of at least 5 documents: the full methods' dense work stays small.
constexpr int svd_min_df = 5;

decomp::SvdResult<double> run_svd(const SvdCase& c, const CsrMatrix<double>& a,
                                  const runtime::ExecutionContext& context) {
    if (decomp::is_full(c.method)) {
        decomp::FullSvdOptions o;
        o.method = c.method;
        return decomp::full_svd(a, o, context);
    }
    decomp::TruncatedSvdOptions o;
    o.k = svd_k;
    o.method = c.method;
    return decomp::truncated_svd(a, o, context);
}

/// The exact leading singular values (LAPACK's gesdd through the full method).
const std::vector<double>& exact_values(text::Weighting w) {
    static const auto make = [](text::Weighting weighting) {
        decomp::FullSvdOptions o;
        o.method = decomp::SvdMethod::gesdd;
        return decomp::full_svd(matrix(weighting, svd_min_df), o, reference().context).s;
    };
    static const std::vector<double> tfidf = make(text::Weighting::Tfidf), counts = make(text::Weighting::Count);
    return w == text::Weighting::Tfidf ? tfidf : counts;
}

/// The first svd_k columns of U, rows of Vᵀ.
std::vector<double> leading_u(const Matrix<double>& u) { return {u.data.begin(), u.data.begin() + u.rows * svd_k}; }
std::vector<double> leading_vt(const Matrix<double>& vt) {
    std::vector<double> out;
    for (std::int64_t j = 0; j < vt.cols; ++j)
        for (std::int64_t t = 0; t < svd_k; ++t) out.push_back(vt(t, j));
    return out;
}

class SvdConformance : public ::testing::TestWithParam<std::tuple<SvdCase, text::Weighting>> {};

TEST_P(SvdConformance, PropertiesHoldOnEveryTierAndTiersAgreeWithTheReference) {
    const auto& [c, weighting] = GetParam();
    const CsrMatrix<double>& a = matrix(weighting, svd_min_df);
    const auto ref = run_svd(c, a, reference().context);
    // gesdd's reference run is the exact SVD itself: not made twice.
    const std::vector<double>& exact = c.method == decomp::SvdMethod::gesdd ? ref.s : exact_values(weighting);
    for (const Tier& tier : tiers()) {
        // The full methods' dense LAPACK work is what a third thread on two cores makes slowest
        // (and what the sanitizer build runs too): 1 against 2 threads shows their split.
        if (decomp::is_full(c.method) && tier.context.threads > 2) continue;
        SCOPED_TRACE(tier.name);
        // The reference tier's properties are those of ref itself, not of a second run.
        const auto r = tier.name == reference().name ? ref : run_svd(c, a, tier.context);
        const std::int64_t k = static_cast<std::int64_t>(r.s.size());
        ASSERT_EQ(r.u.rows, a.rows);
        ASSERT_EQ(r.u.cols, k);
        ASSERT_EQ(r.vt.rows, k);
        ASSERT_EQ(r.vt.cols, a.cols);
        ASSERT_GE(k, svd_k);
        EXPECT_EQ(r.status, decomp::Status::converged);
        // Non-negative values in descending order; the leading ones the exact ones.
        for (std::int64_t i = 0; i < k; ++i) {
            ASSERT_GE(r.s[static_cast<std::size_t>(i)], 0);
            if (i > 0) {
                ASSERT_LE(r.s[static_cast<std::size_t>(i)], r.s[static_cast<std::size_t>(i - 1)]);
            }
        }
        for (std::int64_t i = 0; i < svd_k; ++i)
            EXPECT_NEAR(r.s[static_cast<std::size_t>(i)], exact[static_cast<std::size_t>(i)], c.value_rtol * exact[0])
                << "singular value " << i;
        // Orthonormal U and Vᵀ (the leading svd_k vectors: a full SVD's trailing ones span
        // the null space the same way, checked by the SVD's own tests).
        double worst_u = 0, worst_v = 0;
        for (std::int64_t s = 0; s < svd_k; ++s)
            for (std::int64_t t = 0; t <= s; ++t) {
                double uu = 0, vv = 0;
                for (std::int64_t i = 0; i < r.u.rows; ++i) uu += r.u(i, s) * r.u(i, t);
                for (std::int64_t j = 0; j < r.vt.cols; ++j) vv += r.vt(s, j) * r.vt(t, j);
                worst_u = std::max(worst_u, std::fabs(uu - (s == t)));
                worst_v = std::max(worst_v, std::fabs(vv - (s == t)));
            }
        EXPECT_LE(worst_u, 1e-10);
        EXPECT_LE(worst_v, 1e-10);
        // A·v = σ·u for the leading pairs, to the method's accuracy.
        double worst_residual = 0;
        for (std::int64_t t = 0; t < svd_k; ++t)
            for (std::int64_t i = 0; i < a.rows; ++i) {
                double av = 0;
                for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) av += a.values[q] * r.vt(t, a.indices[q]);
                worst_residual = std::max(worst_residual, std::fabs(av - r.s[static_cast<std::size_t>(t)] * r.u(i, t)));
            }
        EXPECT_LE(worst_residual, c.residual_rtol * exact[0]);
        // The tier agrees with the reference.
        const double tolerance = tier.context.device == runtime::Device::cpu && tier.tolerance == 0
                                     ? c.cpu_threads_tolerance
                                     : tier.tolerance;
        // The leading svd_k pairs (a full SVD's trailing vectors, for values that are zero or
        // nearly equal, are any basis of their space).
        expect_close(r.s, ref.s, tolerance, "singular values");
        expect_close(leading_u(r.u), leading_u(ref.u), tolerance, "U");
        expect_close(leading_vt(r.vt), leading_vt(ref.vt), tolerance, "Vt");
    }
}

INSTANTIATE_TEST_SUITE_P(Methods, SvdConformance,
                         ::testing::Combine(::testing::ValuesIn(svd_cases),
                                            ::testing::Values(text::Weighting::Tfidf, text::Weighting::Count)),
                         [](const auto& param_info) {
                             return std::string(std::get<0>(param_info.param).name) +
                                    (std::get<1>(param_info.param) == text::Weighting::Tfidf ? "_tfidf" : "_counts");
                         });

}  // namespace
}  // namespace factopic
