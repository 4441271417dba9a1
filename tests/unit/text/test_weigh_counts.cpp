// The weighting stage on its own (a .mtx of counts): fit_weigh_counts of the vectorizer's own
// counts is its tf-idf, bit for bit, for every weighting option; non-counts and an infinite idf
// are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/text/vectorizer.hpp"

using namespace factopic;
using namespace factopic::text;

namespace {

const std::vector<std::string> k_docs{
    "The cat sat on the mat. The cat!", "A dog and a cat; dogs bark", "", "Zebra zebra ZEBRA dog", "cat cat cat dog",
};

std::vector<VectorizerOptions> tfidf_variants() {
    std::vector<VectorizerOptions> out;
    for (int v = 0; v < 6; ++v) {
        VectorizerOptions o;
        o.use_english_stop_words = false;
        o.weighting = Weighting::Tfidf;
        o.sublinear_tf = v == 1;
        o.smooth_idf = v != 2;
        o.norm = v == 2 ? Norm::L1 : v == 3 ? Norm::None : Norm::L2;
        o.use_idf = v != 3;
        o.binary = v == 4;
        if (v == 5) {  // count weighting: only binary changes the values
            o.weighting = Weighting::Count;
            o.binary = true;
        }
        out.push_back(o);
    }
    return out;
}

}  // namespace

TEST(WeighCounts, EqualsTheVectorizersOwnWeightingBitForBit) {
    for (const auto& o : tfidf_variants()) {
        VectorizerOptions counting = o;
        counting.weighting = Weighting::Count;
        counting.binary = false;
        Vectorizer counter(counting);
        CsrMatrix<double> counts = counter.fit_transform<double>(k_docs);
        Vectorizer weighting(o);
        const CsrMatrix<double> want = weighting.fit_transform<double>(k_docs);
        const std::vector<double> idf = fit_weigh_counts(counts, o);
        EXPECT_EQ(idf, weighting.idf());
        ASSERT_EQ(counts.indices, want.indices);
        for (std::size_t k = 0; k < want.values.size(); ++k) EXPECT_EQ(counts.values[k], want.values[k]) << k;
    }
}

TEST(WeighCounts, Float32IsTheFloat64ResultRoundedOnce) {
    VectorizerOptions o = tfidf_variants()[1];
    VectorizerOptions counting = o;
    counting.weighting = Weighting::Count;
    Vectorizer counter(counting);
    CsrMatrix<double> d = counter.fit_transform<double>(k_docs);
    CsrMatrix<float> f = d.cast<float>();
    (void)fit_weigh_counts(d, o);
    (void)fit_weigh_counts(f, o);
    for (std::size_t k = 0; k < d.values.size(); ++k) EXPECT_EQ(f.values[k], static_cast<float>(d.values[k]));
}

TEST(WeighCounts, CountWeightingLeavesValuesAsTheyAre) {
    CsrMatrix<double> x;
    x.rows = 1;
    x.cols = 3;
    x.indptr = {0, 2};
    x.indices = {0, 2};
    x.values = {0.25, 7.5};  // not counts: fine without tf-idf
    VectorizerOptions o;
    EXPECT_TRUE(fit_weigh_counts(x, o).empty());
    EXPECT_EQ(x.values[0], 0.25);
    EXPECT_EQ(x.values[1], 7.5);
}

TEST(WeighCounts, TfidfRefusesValuesThatAreNotCounts) {
    for (const double bad : {0.5, -2.0}) {
        CsrMatrix<double> x;
        x.rows = 2;
        x.cols = 3;
        x.indptr = {0, 1, 2};
        x.indices = {0, 2};
        x.values = {3, bad};
        VectorizerOptions o;
        o.weighting = Weighting::Tfidf;
        try {
            (void)fit_weigh_counts(x, o);
            FAIL() << bad << " accepted";
        } catch (const DataError& e) {
            EXPECT_NE(std::string(e.what()).find("entry (2, 3)"), std::string::npos) << e.what();
        }
    }
}

TEST(WeighCounts, AnEmptyColumnNeedsSmoothIdf) {
    CsrMatrix<double> x;
    x.rows = 2;
    x.cols = 3;
    x.indptr = {0, 1, 2};
    x.indices = {0, 2};
    x.values = {1, 2};
    VectorizerOptions o;
    o.weighting = Weighting::Tfidf;
    CsrMatrix<double> y = x;
    const auto idf = fit_weigh_counts(y, o);  // smoothed: ln(3 / 1) + 1 for the empty column
    EXPECT_DOUBLE_EQ(idf[1], std::log(3.0) + 1.0);
    o.smooth_idf = false;
    try {
        (void)fit_weigh_counts(x, o);
        FAIL() << "an infinite idf accepted";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("column 2"), std::string::npos) << e.what();
    }
}
