// Vectorizer semantics on small documents whose matrices can be checked by hand, plus the
// properties the oracle tests cannot see: thread-count independence and transform = fit.
#include <gtest/gtest.h>

#include <cmath>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/vectorizer.hpp"

using namespace factopic;
using namespace factopic::text;

namespace {

const std::vector<std::string> k_docs{
    "The cat sat on the mat. The cat!",
    "A dog and a cat; dogs bark",
    "",
    "Zebra zebra ZEBRA dog",
};

VectorizerOptions no_stop() {
    VectorizerOptions o;
    o.use_english_stop_words = false;
    return o;
}

double at(const CsrMatrix<double>& X, std::int64_t i, std::int64_t j) {
    for (auto k = X.indptr[i]; k < X.indptr[i + 1]; ++k)
        if (X.indices[k] == j) return X.values[k];
    return 0;
}

std::int64_t col(const Vectorizer& v, const std::string& term) {
    const auto& voc = v.vocabulary();
    const auto it = std::find(voc.begin(), voc.end(), term);
    return it == voc.end() ? -1 : it - voc.begin();
}

}  // namespace

TEST(Vectorizer, CountsWithSortedVocabulary) {
    Vectorizer v(no_stop());
    const auto X = v.fit_transform<double>(k_docs);
    EXPECT_EQ(v.vocabulary(),
              (std::vector<std::string>{"and", "bark", "cat", "dog", "dogs", "mat", "on", "sat", "the", "zebra"}));
    EXPECT_EQ(X.rows, 4);
    EXPECT_EQ(X.cols, 10);
    EXPECT_EQ(at(X, 0, col(v, "the")), 3);
    EXPECT_EQ(at(X, 0, col(v, "cat")), 2);
    EXPECT_EQ(at(X, 3, col(v, "zebra")), 3);
    EXPECT_EQ(X.row_nnz(2), 0);
    for (std::int64_t i = 0; i < X.rows; ++i)
        for (auto k = X.indptr[i] + 1; k < X.indptr[i + 1]; ++k) EXPECT_LT(X.indices[k - 1], X.indices[k]);
    EXPECT_EQ(v.document_frequency()[col(v, "cat")], 2);
    EXPECT_EQ(v.term_totals()[col(v, "cat")], 3);
}

TEST(Vectorizer, EnglishStopWordsByDefault) {
    Vectorizer v{VectorizerOptions{}};
    v.fit_transform<double>(k_docs);
    EXPECT_EQ(col(v, "the"), -1);
    EXPECT_EQ(col(v, "and"), -1);
    EXPECT_GE(col(v, "cat"), 0);
    auto o = no_stop();
    o.stop_words = {"cat", "two words", "dog"};
    Vectorizer custom(o);
    custom.fit_transform<double>(k_docs);
    EXPECT_EQ(col(custom, "cat"), -1);
    EXPECT_EQ(col(custom, "dog"), -1);
    EXPECT_GE(col(custom, "the"), 0);
}

TEST(Vectorizer, DocumentFrequencyBounds) {
    auto o = no_stop();
    o.min_df = DfBound::count(2);
    Vectorizer v(o);
    v.fit_transform<double>(k_docs);
    EXPECT_EQ(v.vocabulary(), (std::vector<std::string>{"cat", "dog"}));
    o.min_df = DfBound::count(1);
    o.max_df = DfBound::fraction(0.3);  // 0.3 * 4 = 1.2 documents
    Vectorizer w(o);
    w.fit_transform<double>(k_docs);
    EXPECT_EQ(col(w, "cat"), -1);
    EXPECT_GE(col(w, "zebra"), 0);
    EXPECT_FALSE(w.pruned_terms().empty());
}

TEST(Vectorizer, MaxFeaturesBreaksTiesByColumn) {
    auto o = no_stop();
    o.max_features = 3;
    Vectorizer v(o);
    const auto X = v.fit_transform<double>(k_docs);
    // totals: cat 3, the 3, zebra 3, dog 2, ... → the three with 3, in column order
    EXPECT_EQ(v.vocabulary(), (std::vector<std::string>{"cat", "the", "zebra"}));
    EXPECT_EQ(X.cols, 3);
}

TEST(Vectorizer, NgramsSkipStopWordsAndBinaryCounts) {
    VectorizerOptions o;
    o.ngram_min = 1;
    o.ngram_max = 2;
    o.binary = true;
    Vectorizer v(o);
    const auto X = v.fit_transform<double>({"the cat sat on the cat sat"});
    // stop words (the, on) go first, then n-grams over what is left: cat sat cat sat
    EXPECT_EQ(v.vocabulary(), (std::vector<std::string>{"cat", "cat sat", "sat", "sat cat"}));
    for (double x : X.values) EXPECT_EQ(x, 1.0);
    o.ngram_min = 2;
    Vectorizer only2(o);
    only2.fit_transform<double>({"the cat sat on the cat sat"});
    EXPECT_EQ(only2.vocabulary(), (std::vector<std::string>{"cat sat", "sat cat"}));
}

TEST(Vectorizer, TfidfMatchesTheFormula) {
    auto o = no_stop();
    o.weighting = Weighting::Tfidf;
    Vectorizer v(o);
    const auto X = v.fit_transform<double>(k_docs);
    const double n = 4;
    auto idf = [&](double df) { return std::log((1 + n) / (1 + df)) + 1; };
    // row 3: zebra ×3 (df 1), dog ×1 (df 2)
    const double z = 3 * idf(1), d = 1 * idf(2), norm = std::sqrt(z * z + d * d);
    EXPECT_NEAR(at(X, 3, col(v, "zebra")), z / norm, 1e-15);
    EXPECT_NEAR(at(X, 3, col(v, "dog")), d / norm, 1e-15);
    for (std::int64_t i : {0, 1, 3}) {
        double s = 0;
        for (auto k = X.indptr[i]; k < X.indptr[i + 1]; ++k) s += X.values[k] * X.values[k];
        EXPECT_NEAR(s, 1.0, 1e-14);
    }
    o.sublinear_tf = true;
    o.smooth_idf = false;
    o.norm = Norm::L1;
    Vectorizer s(o);
    const auto Y = s.fit_transform<double>(k_docs);
    const double z2 = (1 + std::log(3.0)) * (std::log(4.0 / 1) + 1), d2 = 1 * (std::log(4.0 / 2) + 1);
    EXPECT_NEAR(at(Y, 3, col(s, "zebra")), z2 / (z2 + d2), 1e-15);
    o.use_idf = false;
    o.norm = Norm::None;
    o.sublinear_tf = false;
    Vectorizer raw(o);
    const auto R = raw.fit_transform<double>(k_docs);
    EXPECT_EQ(at(R, 3, col(raw, "zebra")), 3.0);
    EXPECT_TRUE(raw.idf().empty());
}

TEST(Vectorizer, Float32MatchesFloat64) {
    VectorizerOptions o;
    o.weighting = Weighting::Tfidf;
    Vectorizer a(o), b(o);
    const auto X = a.fit_transform<double>(k_docs);
    const auto Y = b.fit_transform<float>(k_docs);
    ASSERT_EQ(X.indices, Y.indices);
    for (std::size_t k = 0; k < X.values.size(); ++k) EXPECT_NEAR(X.values[k], Y.values[k], 1e-7);
}

TEST(Vectorizer, SameResultWhateverTheThreadCount) {
    std::vector<std::string> docs;
    for (int i = 0; i < 3000; ++i)
        docs.push_back("doc" + std::to_string(i % 97) + " shared words w" + std::to_string(i * 7919 % 1013) + " end" +
                       std::to_string(i % 13));
    const test_support::ThreadCountGuard guard;
    runtime::set_threads(1);
    Vectorizer one{VectorizerOptions{}};
    const auto X1 = one.fit_transform<double>(docs);
    runtime::set_threads(2);
    Vectorizer two{VectorizerOptions{}};
    const auto X2 = two.fit_transform<double>(docs);
    EXPECT_EQ(one.vocabulary(), two.vocabulary());
    EXPECT_EQ(X1.indptr, X2.indptr);
    EXPECT_EQ(X1.indices, X2.indices);
    EXPECT_EQ(X1.values, X2.values);
}

TEST(Vectorizer, TransformOfTrainingDocumentsEqualsFit) {
    VectorizerOptions o;
    o.weighting = Weighting::Tfidf;
    o.ngram_max = 2;
    Vectorizer v(o);
    const auto X = v.fit_transform<double>(k_docs);
    const auto T = v.transform<double>(k_docs);
    EXPECT_EQ(X.indptr, T.indptr);
    EXPECT_EQ(X.indices, T.indices);
    ASSERT_EQ(X.values.size(), T.values.size());
    for (std::size_t k = 0; k < X.values.size(); ++k) EXPECT_DOUBLE_EQ(X.values[k], T.values[k]);
    const auto U = v.transform<double>({"unseen words only", "cat cat zebra"});
    EXPECT_EQ(U.row_nnz(0), 0);
    EXPECT_EQ(U.row_nnz(1), 2);
}

TEST(Vectorizer, Failures) {
    Vectorizer stop_only{VectorizerOptions{}};
    try {
        stop_only.fit_transform<double>({"the and of", "", "a"});
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("only stop words"), std::string::npos);
    }
    auto o = no_stop();
    o.min_df = DfBound::count(3);  // no term is in three of the four documents
    Vectorizer pruned(o);
    try {
        pruned.fit_transform<double>(k_docs);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("after pruning no terms remain"), std::string::npos);
    }
    o.min_df = DfBound::count(3);
    o.max_df = DfBound::count(2);
    Vectorizer crossed(o);
    EXPECT_THROW(crossed.fit_transform<double>(k_docs), DataError);
    Vectorizer unfitted(no_stop());
    EXPECT_THROW(unfitted.transform<double>(k_docs), InvalidArgument);
}

TEST(Vectorizer, OptionValidation) {
    auto bad = [](auto mutate) {
        VectorizerOptions o;
        mutate(o);
        return o;
    };
    EXPECT_THROW(Vectorizer(bad([](auto& o) { o.min_df = DfBound::fraction(1.5); })), InvalidArgument);
    EXPECT_THROW(Vectorizer(bad([](auto& o) { o.max_df = DfBound::count(0); })), InvalidArgument);
    EXPECT_THROW(Vectorizer(bad([](auto& o) { o.min_df = DfBound::count(0); })), InvalidArgument);  // as sklearn
    EXPECT_THROW(Vectorizer(bad([](auto& o) { o.max_features = 0; })), InvalidArgument);
    EXPECT_THROW(Vectorizer(bad([](auto& o) { o.ngram_min = 2, o.ngram_max = 1; })), InvalidArgument);
    EXPECT_THROW(Vectorizer(bad([](auto& o) { o.ngram_min = 0; })), InvalidArgument);
}

TEST(Vectorizer, DfBoundIsDecidedByLiteralType) {
    EXPECT_FALSE(DfBound::parse("2", "min_df").proportion);
    EXPECT_EQ(DfBound::parse("2", "min_df").value, 2);
    EXPECT_TRUE(DfBound::parse("1.0", "max_df").proportion);
    EXPECT_TRUE(DfBound::parse("1e-2", "max_df").proportion);
    EXPECT_DOUBLE_EQ(DfBound::parse("0.5", "max_df").documents(10), 5.0);
    EXPECT_THROW(DfBound::parse("half", "max_df"), InvalidArgument);
    EXPECT_THROW(DfBound::parse("2x", "max_df"), InvalidArgument);
}

TEST(Vectorizer, MaxFeaturesMustBePositive) {
    for (const std::int64_t n : {std::int64_t{-1}, std::int64_t{0}}) {
        VectorizerOptions o;
        o.max_features = n;
        try {
            o.validate();
            ADD_FAILURE() << "max_features = " << n << " accepted";
        } catch (const InvalidArgument& e) {
            EXPECT_EQ(std::string(e.what()), "max_features = " + std::to_string(n) +
                                                 ": must be a positive integer (leave it out for no limit)");
        }
    }
}

TEST(Vectorizer, StopWordsTheTokenizerSplitsAreReportedAsScikitLearnDoes) {
    // scikit-learn 1.2, CountVectorizer(stop_words=[...]).fit(...) warns:
    //   Your stop_words may be inconsistent with your preprocessing. Tokenizing the stop words
    //   generated tokens ['don', 'upper', 've', 'you'] not in stop_words.
    VectorizerOptions o = no_stop();
    o.stop_words = {"you've", "the", "Upper", "don't", "ok", "a"};
    EXPECT_EQ(inconsistent_stop_word_tokens(o), (std::vector<std::string>{"don", "upper", "ve", "you"}));
    const auto warnings = vectorizer_warnings(o);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0],
              "Your stop_words may be inconsistent with your preprocessing. Tokenizing the stop words generated tokens "
              "['don', 'upper', 've', 'you'] not in stop_words.");
    // With the English list, "you" is a stop word: only "ve" (and the others) remain.
    o.use_english_stop_words = true;
    EXPECT_EQ(inconsistent_stop_word_tokens(o), (std::vector<std::string>{"don", "upper", "ve"}));
    // The English list alone, and a list closed under tokenizing, agree with the tokenizer.
    EXPECT_TRUE(vectorizer_warnings(VectorizerOptions{}).empty());
    o = no_stop();
    o.stop_words = {"you've", "you", "ve", "straße"};
    EXPECT_TRUE(inconsistent_stop_word_tokens(o).empty());
}
