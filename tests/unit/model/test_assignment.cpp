// Which topic each document belongs to (-1: none), topic sizes, the few-documents measure, and
// the label scores over assigned documents only (values from scikit-learn 1.2 and numpy).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/model/assignment.hpp"
#include "factopic/model/quality.hpp"

using factopic::linalg::Matrix;
using namespace factopic::model;

namespace {

Matrix<double> matrix(const std::vector<std::vector<double>>& rows) {
    Matrix<double> m(static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(rows.front().size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            m(static_cast<std::int64_t>(i), static_cast<std::int64_t>(j)) = rows[i][j];
    return m;
}

}  // namespace

TEST(Assignment, AnAllZeroRowHasNoTopic) {
    const auto w = matrix({{0, 0, 0}, {0.2, 0.5, 0.5}, {0.01, 0.02, 0}, {1, 0, 0}});
    EXPECT_EQ(assign_topics(w), (std::vector<std::int64_t>{k_no_topic, 1, 1, 0}));  // ties: the first
    AssignOptions o;
    o.min_weight = 0.05;
    const auto topic_of = assign_topics(w, o);
    EXPECT_EQ(topic_of, (std::vector<std::int64_t>{k_no_topic, 1, k_no_topic, 0}));
    EXPECT_EQ(topic_sizes(topic_of, 3), (std::vector<std::int64_t>{1, 1, 0}));
    EXPECT_EQ(unassigned_documents(topic_of), 2);
    EXPECT_THROW(topic_sizes({0, 3}, 3), factopic::InvalidArgument);
}

TEST(Assignment, MinWeightMustBeFiniteAndNonNegative) {
    const auto w = matrix({{1, 0}});
    for (const double bad : {-0.1, std::nan(""), std::numeric_limits<double>::infinity()}) {
        AssignOptions o;
        o.min_weight = bad;
        EXPECT_THROW(assign_topics(w, o), factopic::InvalidArgument) << bad;
    }
}

TEST(Assignment, SupportCountsTheDocumentsHoldingHalfTheWeight) {
    // Column 0: 4 of a total of 8 in one document, exp(entropy) = 4 exactly; column 1: no weight;
    // column 2: signed, spread evenly over six documents.
    const auto w = matrix({{4, 0, 1}, {1, 0, -1}, {1, 0, 1}, {1, 0, -1}, {1, 0, 1}, {0, 0, -1}});
    const auto s = topic_support(w);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].half_weight_documents, 1);
    EXPECT_NEAR(s[0].effective_documents, 4.0, 1e-12);
    EXPECT_EQ(s[1].half_weight_documents, 0);
    EXPECT_EQ(s[1].effective_documents, 0);
    EXPECT_TRUE(s[1].few_documents);
    EXPECT_EQ(s[2].half_weight_documents, 3);
    EXPECT_NEAR(s[2].effective_documents, 6.0, 1e-12);
    EXPECT_EQ(few_documents_threshold(6), 5);
    EXPECT_EQ(few_documents_threshold(1000), 10);
    EXPECT_EQ(few_documents_threshold(2034), 21);
}

TEST(Assignment, LabelScoresLeaveUnassignedDocumentsOut) {
    // The assigned documents: topics 0 1 1 0 1 against labels a a b b b.
    const LabelAlignment a = align_labels({0, 1, 1, -1, 0, -1, 1}, 2, {"a", "a", "b", "b", "b", "a", "b"});
    EXPECT_EQ(a.unassigned, 2);
    EXPECT_NEAR(a.nmi, 0.020570659450692957, 1e-15);
    EXPECT_NEAR(a.ari, -0.25, 1e-15);
    EXPECT_EQ(a.topics[0].size + a.topics[1].size, 5);
    EXPECT_EQ(a.topics[1].label, "b");
    EXPECT_NEAR(a.topics[1].share, 2.0 / 3.0, 1e-15);
    EXPECT_THROW(align_labels({0, -2}, 2, {"a", "b"}), factopic::InvalidArgument);
}
