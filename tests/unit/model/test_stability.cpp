// Topic stability: the Hungarian assignment against brute force over every permutation, and the
// properties the sweep relies on (1 for the same topics in any order, |cos| for signed topics).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/model/stability.hpp"

using factopic::linalg::Matrix;
using namespace factopic::model;

namespace {

double best_by_brute_force(const Matrix<double>& score) {
    std::vector<std::int64_t> perm(static_cast<std::size_t>(score.rows));
    std::iota(perm.begin(), perm.end(), 0);
    double best = -1e300;
    do {
        double sum = 0;
        for (std::int64_t i = 0; i < score.rows; ++i) sum += score(i, perm[static_cast<std::size_t>(i)]);
        best = std::max(best, sum);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

Matrix<double> random_matrix(std::int64_t r, std::int64_t c, std::mt19937_64& rng, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    Matrix<double> m(r, c);
    for (std::int64_t j = 0; j < c; ++j)
        for (std::int64_t i = 0; i < r; ++i) m(i, j) = u(rng);
    return m;
}

}  // namespace

TEST(Stability, AssignmentIsOptimalAndAPermutation) {
    std::mt19937_64 rng(11);
    for (std::int64_t k = 1; k <= 7; ++k)
        for (int trial = 0; trial < 20; ++trial) {
            // Ties on purpose in half the trials: scores on a coarse grid.
            Matrix<double> score = random_matrix(k, k, rng, -1, 1);
            if (trial % 2 == 1)
                for (std::int64_t i = 0; i < k * k; ++i) score.ptr()[i] = std::round(score.ptr()[i] * 2) / 2;
            const auto pair = max_assignment(score);
            std::vector<std::int64_t> sorted = pair;
            std::sort(sorted.begin(), sorted.end());
            std::vector<std::int64_t> want(static_cast<std::size_t>(k));
            std::iota(want.begin(), want.end(), 0);
            ASSERT_EQ(sorted, want) << "k = " << k;
            double sum = 0;
            for (std::int64_t i = 0; i < k; ++i) sum += score(i, pair[static_cast<std::size_t>(i)]);
            EXPECT_NEAR(sum, best_by_brute_force(score), 1e-12) << "k = " << k << ", trial " << trial;
        }
}

TEST(Stability, SameTopicsInAnyOrderScoreExactlyOne) {
    std::mt19937_64 rng(5);
    const Matrix<double> h = random_matrix(5, 40, rng, 0, 1);
    Matrix<double> shuffled(5, 40);
    const std::vector<std::int64_t> order{3, 0, 4, 1, 2};
    for (std::int64_t j = 0; j < 40; ++j)
        for (std::int64_t t = 0; t < 5; ++t) shuffled(t, j) = h(order[static_cast<std::size_t>(t)], j);
    EXPECT_EQ(matched_similarity(h, h, false), 1.0);
    EXPECT_NEAR(matched_similarity(h, shuffled, false), 1.0, 1e-15);
    EXPECT_EQ(topic_stability(std::vector<Matrix<double>>{h, h, h}, false), 1.0);
}

TEST(Stability, MatchesTheBestPairingNotTheIndex) {
    // Run b finds topic 0 of a as its topic 1 and a mix in place of a's topic 1.
    Matrix<double> a = Matrix<double>::zeros(2, 3), b = Matrix<double>::zeros(2, 3);
    a(0, 0) = 1;
    a(1, 1) = 1;
    b(1, 0) = 1;
    b(0, 1) = 1;
    b(0, 2) = 1;
    const double want = (1.0 + 1.0 / std::sqrt(2.0)) / 2;
    EXPECT_NEAR(matched_similarity(a, b, false), want, 1e-15);
    const auto sim = topic_similarity(a, b, false);
    EXPECT_NEAR(sim(0, 1), 1.0, 0);
    EXPECT_NEAR(sim(1, 0), 1.0 / std::sqrt(2.0), 1e-15);
}

TEST(Stability, SignedTopicsCompareByAbsoluteCosine) {
    std::mt19937_64 rng(9);
    const Matrix<double> v = random_matrix(3, 20, rng, -1, 1);
    Matrix<double> flipped = v;
    for (std::int64_t j = 0; j < 20; ++j) flipped(1, j) = -v(1, j);
    EXPECT_NEAR(matched_similarity(v, flipped, true), 1.0, 1e-15);
    EXPECT_LT(matched_similarity(v, flipped, false), 0.7);
}

TEST(Stability, ZeroTopicsAndBadShapes) {
    const Matrix<double> z = Matrix<double>::zeros(2, 4);
    Matrix<double> one = Matrix<double>::zeros(2, 4);
    one(0, 0) = 1;
    EXPECT_EQ(matched_similarity(z, z, false), 1.0);
    EXPECT_EQ(matched_similarity(one, z, false), 0.5);  // the zero rows pair with each other
    EXPECT_THROW(matched_similarity(z, Matrix<double>::zeros(3, 4), false), factopic::InvalidArgument);
    EXPECT_THROW(topic_similarity(z, Matrix<double>::zeros(2, 5), false), factopic::InvalidArgument);
    EXPECT_THROW(topic_stability(std::vector<Matrix<double>>{z}, false), factopic::InvalidArgument);
}
