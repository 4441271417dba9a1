// The report's topic views: Jensen–Shannon distances (values from scipy 1.10's
// scipy.spatial.distance.jensenshannon), classical scaling, relevance, per-group shares, periods.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/model/topic_views.hpp"

using factopic::linalg::Matrix;
using namespace factopic::model;

namespace {

/// An r × c matrix from its entries row after row. (A nested braced list of rows read back wrong
/// under GCC 12 -O2 -march=native: the flat list keeps the test about the code under test.)
Matrix<double> rows_of(std::int64_t r, std::int64_t c, const std::vector<double>& v) {
    Matrix<double> m = Matrix<double>::zeros(r, c);
    for (std::int64_t i = 0; i < r; ++i)
        for (std::int64_t j = 0; j < c; ++j) m(i, j) = v[static_cast<std::size_t>(i * c + j)];
    return m;
}

}  // namespace

TEST(TopicViews, JensenShannonMatchesScipy) {
    // Unnormalised rows: row_distributions makes them distributions first, as scipy does.
    const auto p = row_distributions(rows_of(3, 4, {2, 2, 0, 0, 1, 1, 1, 1, 0, 0, 3, 3}));
    const auto d = jensen_shannon_distances(p);
    EXPECT_NEAR(d(0, 1), 0.46450140402245893, 1e-14);
    EXPECT_NEAR(d(1, 2), 0.46450140402245893, 1e-14);
    EXPECT_NEAR(d(0, 2), 0.8325546111576977, 1e-14);  // disjoint supports: √ln 2
    EXPECT_EQ(d(1, 1), 0.0);
    EXPECT_EQ(d(2, 0), d(0, 2));
}

TEST(TopicViews, RowDistributionsRefuseNegativeWeights) {
    EXPECT_THROW(row_distributions(rows_of(1, 2, {1, -0.5})), factopic::InvalidArgument);
    const auto p = row_distributions(rows_of(2, 2, {0, 0, 1, 3}));
    EXPECT_EQ(p(0, 0), 0.0);
    EXPECT_DOUBLE_EQ(p(1, 1), 0.75);
}

TEST(TopicViews, ClassicalScalingRecoversPlanarDistances) {
    // Points in the plane: their distance matrix is Euclidean of rank 2, so classical scaling
    // reproduces every distance exactly, whatever rotation or reflection it picks.
    const std::vector<std::pair<double, double>> pts{{0, 0}, {3, 0}, {0, 4}, {1, 1}, {-2, 0.5}};
    const auto n = static_cast<std::int64_t>(pts.size());
    Matrix<double> d(n, n);
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j)
            d(i, j) = std::hypot(pts[static_cast<std::size_t>(i)].first - pts[static_cast<std::size_t>(j)].first,
                                 pts[static_cast<std::size_t>(i)].second - pts[static_cast<std::size_t>(j)].second);
    const auto x = classical_mds(d, 2);
    double cx = 0;
    for (std::int64_t i = 0; i < n; ++i) cx += x(i, 0);
    EXPECT_NEAR(cx, 0.0, 1e-12);  // centred
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j)
            EXPECT_NEAR(std::hypot(x(i, 0) - x(j, 0), x(i, 1) - x(j, 1)), d(i, j), 1e-10) << i << "," << j;
    // Sign convention: each column's largest entry (in magnitude) is positive.
    for (std::int64_t c = 0; c < 2; ++c) {
        double big = 0;
        for (std::int64_t i = 0; i < n; ++i)
            if (std::abs(x(i, c)) > std::abs(big)) big = x(i, c);
        EXPECT_GT(big, 0.0);
    }
    // Two topics: one axis; the second is zero (no variance left), not NaN.
    const auto two = classical_mds(rows_of(2, 2, {0, 0.5, 0.5, 0}), 2);
    EXPECT_NEAR(std::abs(two(0, 0) - two(1, 0)), 0.5, 1e-12);
    EXPECT_EQ(two(0, 1), 0.0);
    EXPECT_THROW(classical_mds(rows_of(1, 3, {0, 1, 2}), 2), factopic::InvalidArgument);
}

TEST(TopicViews, CosineAndPrevalence) {
    const auto c = cosine_similarities(rows_of(3, 2, {1, 0, 1, 1, 0, 0}));
    EXPECT_NEAR(c(0, 1), 1 / std::sqrt(2.0), 1e-15);
    EXPECT_NEAR(c(1, 1), 1.0, 1e-15);
    EXPECT_EQ(c(2, 0), 0.0);
    const auto p = topic_prevalence(rows_of(2, 2, {1, 3, 0, -4}));  // |weights|: 1 and 7 of 8
    EXPECT_DOUBLE_EQ(p[0], 1.0 / 8);
    EXPECT_DOUBLE_EQ(p[1], 7.0 / 8);
}

TEST(TopicViews, RelevanceCandidatesHoldTheTopAtEveryStep) {
    // Term 0: frequent in the topic and in the corpus; term 3: rare in both but 10× lifted.
    const std::vector<double> p_w_t{0.5, 0.3, 0.15, 0.05, 0.0};
    const std::vector<double> p_w{0.5, 0.3, 0.1949, 0.005, 0.0001};
    EXPECT_NEAR(relevance(0.05, 0.005, 0.0), std::log(10.0), 1e-15);
    EXPECT_NEAR(relevance(0.5, 0.5, 1.0), std::log(0.5), 1e-15);
    // λ = 1 ranks by p(w|t): term 0 first; λ = 0 by lift: term 3 first.
    EXPECT_EQ(relevance_candidates(p_w_t, p_w, 1, 1), (std::vector<std::int64_t>{0, 3}));
    // Term 4 has p(w|t) = 0: never relevant, even with room to spare.
    EXPECT_EQ(relevance_candidates(p_w_t, p_w, 10, 4), (std::vector<std::int64_t>{0, 1, 2, 3}));
    EXPECT_THROW(relevance_candidates(p_w_t, {0.1}, 1, 1), factopic::InvalidArgument);
}

TEST(TopicViews, GroupSharesNormalisePerGroup) {
    const auto w = rows_of(5, 2, {1, 1, 3, 0, 0, 2, 0, 0, 5, 5});
    const auto g = group_topic_shares(w, {"b", "a", "a", "a", ""});
    ASSERT_EQ(g.groups, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(g.documents, (std::vector<std::int64_t>{2, 1}));  // the all-zero row is not counted
    EXPECT_EQ(g.skipped, 2);                                    // it and the one without a key
    EXPECT_DOUBLE_EQ(g.shares[0][0], 0.5);                      // mean of (1, 0) and (0, 1)
    EXPECT_DOUBLE_EQ(g.shares[0][1], 0.5);
    EXPECT_DOUBLE_EQ(g.shares[1][0], 0.5);
    EXPECT_THROW(group_topic_shares(w, {"a"}), factopic::InvalidArgument);
    EXPECT_THROW(group_topic_shares(rows_of(1, 2, {-1, 2}), {"a"}), factopic::InvalidArgument);
}

TEST(TopicViews, PeriodsOfDates) {
    EXPECT_EQ(period_of("1993-04-12", PeriodUnit::year), "1993");
    EXPECT_EQ(period_of("1993-04-12", PeriodUnit::month), "1993-04");
    EXPECT_EQ(period_of("1993-04-12T10:00:00Z", PeriodUnit::month), "1993-04");
    EXPECT_EQ(period_of("1993", PeriodUnit::year), "1993");
    EXPECT_EQ(period_of("1993", PeriodUnit::month), "");  // no month to group by
    EXPECT_EQ(period_of("1993-13", PeriodUnit::year), "");
    EXPECT_EQ(period_of("April 1993", PeriodUnit::year), "");
    EXPECT_EQ(period_of("", PeriodUnit::year), "");
    EXPECT_EQ(choose_period_unit({"1990-01", "1991-05", "1992-07"}), PeriodUnit::year);
    EXPECT_EQ(choose_period_unit({"1993-01-02", "1993-05", "", "junk"}), PeriodUnit::month);
    EXPECT_EQ(choose_period_unit({"1993-01-02", "1994"}), PeriodUnit::year);
    EXPECT_EQ(choose_period_unit({}), PeriodUnit::year);
}

TEST(TopicViews, TopicsOverTimeNormalisedPerPeriod) {
    // The aggregation the report's time chart draws: per month, each month's shares sum to 1.
    const std::vector<std::string> dates{"1993-01-05", "1993-01-20", "1993-02", "1993-02-11", "bad"};
    const auto w = rows_of(5, 2, {2, 0, 1, 1, 0, 4, 1, 3, 9, 9});
    std::vector<std::string> keys;
    for (const auto& d : dates) keys.push_back(period_of(d, choose_period_unit(dates)));
    const auto g = group_topic_shares(w, keys);
    ASSERT_EQ(g.groups, (std::vector<std::string>{"1993-01", "1993-02"}));
    EXPECT_DOUBLE_EQ(g.shares[0][0], 0.75);   // (1 + 0.5) / 2
    EXPECT_DOUBLE_EQ(g.shares[1][1], 0.875);  // (1 + 0.75) / 2
    for (const auto& s : g.shares) EXPECT_NEAR(s[0] + s[1], 1.0, 1e-15);
    EXPECT_EQ(g.skipped, 1);
}

TEST(TopicViews, RelevanceCandidatesEqualTheUnionOfEveryStepsTop) {
    // The candidates (found after dropping terms dominated in both coordinates) equal the plain
    // union over the λ grid of each step's top r, on a Zipf-like topic over 2,000 terms.
    const std::size_t n = 2000;
    std::vector<double> p_w_t(n), p_w(n);
    std::uint64_t state = 12345;
    const auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    double st = 0, sw = 0;
    for (std::size_t j = 0; j < n; ++j) {
        p_w_t[j] = j % 7 == 0 ? 0.0 : uniform() / static_cast<double>(j + 1);
        p_w[j] = (0.2 + uniform()) / static_cast<double>(j + 1);
        st += p_w_t[j];
        sw += p_w[j];
    }
    for (std::size_t j = 0; j < n; ++j) {
        p_w_t[j] /= st;
        p_w[j] /= sw;
    }
    for (const std::int64_t r : {1, 5, 30}) {
        std::vector<char> in(n, 0);
        for (std::int64_t s = 0; s <= 100; ++s) {
            std::vector<std::pair<double, std::int64_t>> all;
            for (std::size_t j = 0; j < n; ++j)
                if (p_w_t[j] > 0)
                    all.emplace_back(relevance(p_w_t[j], p_w[j], static_cast<double>(s) / 100),
                                     static_cast<std::int64_t>(j));
            std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
                return a.first != b.first ? a.first > b.first : a.second < b.second;
            });
            for (std::int64_t i = 0; i < r; ++i)
                in[static_cast<std::size_t>(all[static_cast<std::size_t>(i)].second)] = 1;
        }
        std::vector<std::int64_t> want;
        for (std::size_t j = 0; j < n; ++j)
            if (in[j]) want.push_back(static_cast<std::int64_t>(j));
        EXPECT_EQ(relevance_candidates(p_w_t, p_w, r, 100), want) << "r = " << r;
    }
}
