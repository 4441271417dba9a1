// Topic quality: coherence (values from gensim 4.2's CoherenceModel on the same documents),
// diversity, and the label scores (values from scikit-learn 1.2).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/core/error.hpp"
#include "factopic/model/quality.hpp"

using factopic::CsrMatrix;
using namespace factopic::model;

namespace {

/// Documents over the terms apple 0, banana 1, cherry 2, date 3, zzz 4 (a word in no topic).
CsrMatrix<double> fruit_documents() {
    const std::vector<std::vector<int>> docs{{0, 1, 2}, {0, 1}, {1, 3}, {0, 2, 3}, {4}, {3}};
    CsrMatrix<double> a;
    a.rows = static_cast<std::int64_t>(docs.size());
    a.cols = 5;
    a.indptr = {0};
    for (const auto& d : docs) {
        for (const int j : d) {
            a.indices.push_back(j);
            a.values.push_back(1.0 + j);  // any positive weight: only the pattern counts
        }
        a.indptr.push_back(static_cast<std::int64_t>(a.indices.size()));
    }
    return a;
}

}  // namespace

TEST(Quality, DocumentIndexCountsOccurrenceAndCoOccurrence) {
    const DocumentIndex index(fruit_documents(), {0, 1, 3});
    EXPECT_EQ(index.documents(), 6);
    EXPECT_EQ(index.count(0), 3);
    EXPECT_EQ(index.count(1), 3);
    EXPECT_EQ(index.count(3), 3);
    EXPECT_EQ(index.count(2), 0);  // not indexed
    EXPECT_EQ(index.count(0, 1), 2);
    EXPECT_EQ(index.count(1, 3), 1);
    EXPECT_EQ(index.count(3, 0), 1);
    EXPECT_THROW(DocumentIndex(fruit_documents(), {7}), factopic::InvalidArgument);
}

TEST(Quality, CoherenceEqualsGensims) {
    // gensim: CoherenceModel(topics, texts/corpus, dictionary, coherence=..., window_size=1000, topn=3)
    const std::vector<std::vector<std::int64_t>> topics{{0, 1, 2}, {3, 1, 0}};
    const DocumentIndex index(fruit_documents(), {0, 1, 2, 3});
    const Coherence c = coherence(index, topics);
    ASSERT_EQ(c.umass.size(), 2u);
    EXPECT_NEAR(c.umass[0], -0.6365141682908129, 1e-12);
    EXPECT_NEAR(c.umass[1], -0.8675632284764613, 1e-12);
    EXPECT_NEAR(c.umass_mean, -0.7520386983836371, 1e-12);
    EXPECT_NEAR(c.npmi[0], 0.29759642024187344, 1e-12);
    EXPECT_NEAR(c.npmi[1], -0.06357642130343048, 1e-12);
    EXPECT_NEAR(c.npmi_mean, 0.11700999946922147, 1e-12);
}

TEST(Quality, WordsThatNeverMeetScoreMinusOneNpmi) {
    // cherry (2) and the word of document 4 (4) never share a document: only ε is left, so NPMI
    // is log(ε/(p·q))/−log ε = −1 + log(p·q)/log ε, close to −1, and UMass log(ε/q).
    const DocumentIndex index(fruit_documents(), {2, 4});
    const Coherence c = coherence(index, {{2, 4}});
    const double p = 2.0 / 6.0, q = 1.0 / 6.0, eps = 1e-12;
    EXPECT_NEAR(c.npmi[0], -1.0 + std::log(p * q) / std::log(eps), 1e-12);
    EXPECT_NEAR(c.umass[0], std::log(eps / p), 1e-9);
}

TEST(Quality, DiversityIsTheShareOfDistinctWords) {
    EXPECT_DOUBLE_EQ(topic_diversity({{0, 1, 2}, {3, 4, 5}}), 1.0);
    EXPECT_DOUBLE_EQ(topic_diversity({{0, 1, 2}, {2, 1, 5}}), 4.0 / 6.0);
    EXPECT_DOUBLE_EQ(topic_diversity({}), 0.0);
}

TEST(Quality, LabelScoresEqualScikitLearns) {
    EXPECT_NEAR(normalized_mutual_information({0, 0, 1, 2}, {0, 0, 1, 1}), 0.7999999999999999, 1e-14);
    EXPECT_NEAR(adjusted_rand_index({0, 0, 1, 2}, {0, 0, 1, 1}), 0.5714285714285714, 1e-14);
    EXPECT_NEAR(normalized_mutual_information({0, 0, 1, 1, 2, 2}, {0, 1, 1, 2, 2, 2}), 0.5206652463984817, 1e-14);
    EXPECT_NEAR(adjusted_rand_index({0, 0, 1, 1, 2, 2}, {0, 1, 1, 2, 2, 2}), 0.07407407407407407, 1e-14);
    // Relabelled: a perfect match; crossed: nothing in common.
    EXPECT_DOUBLE_EQ(normalized_mutual_information({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);
    EXPECT_DOUBLE_EQ(adjusted_rand_index({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);
    EXPECT_DOUBLE_EQ(normalized_mutual_information({0, 0, 1, 1}, {0, 1, 0, 1}), 0.0);
    EXPECT_DOUBLE_EQ(adjusted_rand_index({0, 0, 1, 1}, {0, 1, 0, 1}), -0.5);
    EXPECT_DOUBLE_EQ(normalized_mutual_information({3, 3, 3}, {1, 1, 1}), 1.0);  // one class each
    EXPECT_THROW(adjusted_rand_index({0, 1}, {0}), factopic::InvalidArgument);
}

TEST(Quality, AlignmentNamesEachTopicsDominantLabel) {
    const std::vector<std::int64_t> topic_of{0, 0, 0, 1, 1, 2};
    const std::vector<std::string> labels{"sci.space",   "sci.space",   "comp.graphics",
                                          "alt.atheism", "alt.atheism", "sci.space"};
    const LabelAlignment a = align_labels(topic_of, 4, labels);
    ASSERT_EQ(a.topics.size(), 4u);
    EXPECT_EQ(a.topics[0].size, 3);
    EXPECT_EQ(a.topics[0].label, "sci.space");
    EXPECT_NEAR(a.topics[0].share, 2.0 / 3.0, 1e-15);
    EXPECT_EQ(a.topics[1].label, "alt.atheism");
    EXPECT_DOUBLE_EQ(a.topics[1].share, 1.0);
    EXPECT_EQ(a.topics[3].size, 0);  // no document: no label
    EXPECT_EQ(a.topics[3].label, "");
    EXPECT_GT(a.nmi, 0.0);
    EXPECT_LT(a.nmi, 1.0);
    EXPECT_THROW(align_labels({0, 5}, 2, {"a", "b"}), factopic::InvalidArgument);
}

TEST(Quality, DominantTopicTakesTheFirstOnATie) {
    factopic::linalg::Matrix<double> w(3, 3);
    w(0, 0) = 0.1, w(0, 1) = 0.5, w(0, 2) = 0.2;
    w(1, 0) = 0.0, w(1, 1) = 0.0, w(1, 2) = 0.0;  // an empty document
    w(2, 0) = 0.3, w(2, 1) = 0.1, w(2, 2) = 0.3;
    EXPECT_EQ(dominant_topics(w), (std::vector<std::int64_t>{1, 0, 0}));
}
