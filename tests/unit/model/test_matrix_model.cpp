// A model fitted on a matrix (a .mtx): it round-trips with its flag, keeps the user's column
// order, has no vectorizer to read text with, and weighs a new matrix as its training one.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "factopic/core/error.hpp"
#include "factopic/model/model.hpp"

using namespace factopic;
using namespace factopic::model;

namespace {

TopicModel matrix_model() {
    TopicModel m;
    m.fitted_on_matrix = true;
    m.vectorizer.use_english_stop_words = false;
    m.vectorizer.weighting = text::Weighting::Tfidf;
    m.vocabulary = {"zeta", "alpha", "mu"};  // the user's order, not sorted
    m.idf = {1.0, 2.0, 1.5};
    m.nmf.k = 2;
    m.terms = linalg::Matrix<double>(2, 3);
    for (std::int64_t t = 0; t < 2; ++t)
        for (std::int64_t j = 0; j < 3; ++j) m.terms(t, j) = 0.5 + static_cast<double>(t + j);
    return m;
}

}  // namespace

TEST(MatrixModel, RoundTripsWithItsFlagAndColumnOrder) {
    const TopicModel m = matrix_model();
    const std::string bytes = encode(m);
    const TopicModel back = decode(bytes, "m.ftm");
    EXPECT_TRUE(back.fitted_on_matrix);
    EXPECT_EQ(back.vocabulary, m.vocabulary);
    EXPECT_EQ(back.idf, m.idf);
    EXPECT_EQ(encode(back), bytes);
    EXPECT_NE(header_json(back).find(R"("input":"matrix")"), std::string::npos);
}

TEST(MatrixModel, ACorpusModelHeaderHasNoInputField) {
    TopicModel m = matrix_model();
    m.fitted_on_matrix = false;
    m.vocabulary = {"alpha", "mu", "zeta"};
    EXPECT_EQ(header_json(m).find("\"input\""), std::string::npos);
    EXPECT_FALSE(decode(encode(m), "m.ftm").fitted_on_matrix);
}

TEST(MatrixModel, RepeatedTermsAndWrongIdfAreRefused) {
    TopicModel m = matrix_model();
    m.vocabulary = {"zeta", "alpha", "zeta"};
    EXPECT_THROW((void)decode(encode(m), "m.ftm"), DataError);
    m = matrix_model();
    m.idf = {1.0, 2.0};
    EXPECT_THROW((void)decode(encode(m), "m.ftm"), DataError);
}

TEST(MatrixModel, HasNoVectorizerForText) { EXPECT_THROW((void)vectorizer_of(matrix_model()), InvalidArgument); }

TEST(MatrixModel, WeighsANewMatrixAsItsTrainingOne) {
    const TopicModel m = matrix_model();
    CsrMatrix<double> x;
    x.rows = 1;
    x.cols = 3;
    x.indptr = {0, 2};
    x.indices = {0, 1};
    x.values = {3, 4};
    weigh_like_training(m, x);
    const double a = 3 * 1.0, b = 4 * 2.0, norm = std::sqrt(a * a + b * b);
    EXPECT_DOUBLE_EQ(x.values[0], a / norm);
    EXPECT_DOUBLE_EQ(x.values[1], b / norm);
    CsrMatrix<double> wide = x;
    wide.cols = 4;
    EXPECT_THROW(weigh_like_training(m, wide), DataError);
    x.values = {0.5, 1};
    EXPECT_THROW(weigh_like_training(m, x), DataError);
}
