// The library's topics pipeline (model::fit_topic_model) on real posts: the same factors as
// the decomposition called by hand, findings that add up, and errors a binding can act on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/model/fit.hpp"
#include "factopic/model/model.hpp"
#include "factopic/runtime/context.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"

namespace factopic {
namespace {

/// Two 20 Newsgroups categories of the embedded corpus, cleaned as scikit-learn does.
const text::Corpus& posts() {
    static const text::Corpus corpus = [] {
        text::CorpusOptions o;
        o.categories = {"comp.graphics", "sci.space"};
        o.remove = {true, true, true};
        return text::read_corpus(FACTOPIC_SOURCE_DIR "/data/20news-4cat.tar.gz", o);
    }();
    return corpus;
}

template <typename T>
void expect_same(const linalg::Matrix<T>& a, const linalg::Matrix<T>& b) {
    ASSERT_EQ(a.rows, b.rows);
    ASSERT_EQ(a.cols, b.cols);
    EXPECT_TRUE(std::equal(a.data.begin(), a.data.end(), b.data.begin()));
}

TEST(FitTopicModel, NmfFromDocumentsIsTheVectorizerThenNmfAndItsFindingsAddUp) {
    const text::Corpus& c = posts();
    ASSERT_GT(c.size(), 1000u);
    model::TopicModelOptions o;
    o.k = 4;
    o.top = 7;
    const model::DocumentTopicModel fitted = model::fit_topic_model(c.texts, o, c.labels);
    const model::TopicModelFit<double>& f = fitted.fit;

    // By hand: tf-idf, then decomp::nmf with the same options.
    text::Vectorizer v(model::TopicModelOptions::tfidf_vectorizer());
    const CsrMatrix<double> x = v.fit_transform<double>(c.texts);
    EXPECT_EQ(v.vocabulary(), fitted.vectorizer.vocabulary());
    decomp::NmfOptions no = o.nmf;
    no.k = o.k;
    const decomp::NmfResult<double> r = decomp::nmf(x, no);
    expect_same(f.terms, r.h);
    expect_same(f.docs, r.w);
    ASSERT_TRUE(f.nmf.has_value());
    EXPECT_EQ(f.nmf->iterations, r.iterations);
    EXPECT_EQ(f.nmf->reconstruction_error, r.reconstruction_error);
    EXPECT_EQ(f.nmf->w.data.size(), 0u);  // moved into docs, not kept twice
    EXPECT_FALSE(f.svd.has_value());
    EXPECT_FALSE(f.signed_topics);

    ASSERT_EQ(f.topics.size(), 4u);
    for (const auto& t : f.topics) {
        EXPECT_EQ(t.top.size(), 7u);
        EXPECT_TRUE(t.negative.empty());
    }
    const model::TopicQuality q = model::topic_quality(x, r.h);
    EXPECT_EQ(f.quality.coherence.npmi, q.coherence.npmi);
    EXPECT_EQ(f.quality.diversity, q.diversity);
    EXPECT_GT(f.quality.diversity, 0.5);

    // Every document has a topic or is counted as having none; sizes add up to the rest.
    ASSERT_EQ(f.dominant.size(), c.size());
    const auto assigned = std::accumulate(f.sizes.begin(), f.sizes.end(), std::int64_t{0});
    EXPECT_EQ(assigned + f.unassigned, static_cast<std::int64_t>(c.size()));
    EXPECT_EQ(f.unassigned, f.empty_documents);  // with min_weight 0 only empty documents have none
    ASSERT_TRUE(f.labelled);
    EXPECT_EQ(f.alignment.labels, (std::vector<std::string>{"comp.graphics", "sci.space"}));
    // Two well-separated groups: the topics follow them (NMI 0.30 at k = 4; chance is about 0).
    EXPECT_GT(f.alignment.nmi, 0.2);
    EXPECT_EQ(f.support.size(), 4u);
}

TEST(FitTopicModel, SvdTopicsAreSignedOrthonormalAndEmbedAsTheSavedModelDoes) {
    const text::Corpus& c = posts();
    model::TopicModelOptions o;
    o.method = model::TopicMethod::krylov;
    o.k = 5;
    const model::DocumentTopicModel fitted = model::fit_topic_model(c.texts, o);
    const model::TopicModelFit<double>& f = fitted.fit;
    EXPECT_TRUE(f.signed_topics);
    EXPECT_FALSE(f.labelled);
    ASSERT_TRUE(f.svd.has_value());
    ASSERT_EQ(f.singular_values.size(), 5u);
    EXPECT_TRUE(std::is_sorted(f.singular_values.rbegin(), f.singular_values.rend()));
    for (std::int64_t s = 0; s < f.terms.rows; ++s)
        for (std::int64_t t = 0; t <= s; ++t) {
            double dot = 0;
            for (std::int64_t j = 0; j < f.terms.cols; ++j) dot += f.terms(s, j) * f.terms(t, j);
            EXPECT_NEAR(dot, s == t ? 1.0 : 0.0, 1e-10) << s << "," << t;
        }
    // The model to keep embeds the training documents exactly where the fit put them.
    const model::TopicModel m = fitted.model(o);
    EXPECT_EQ(m.method, "krylov");
    const CsrMatrix<double> x = fitted.vectorizer.transform<double>(c.texts);
    expect_same(model::embed(m, x), f.docs);
}

TEST(FitTopicModel, NmfModelEmbedsNewDocumentsAsTransformDoes) {
    const text::Corpus& c = posts();
    model::TopicModelOptions o;
    o.k = 3;
    const model::DocumentTopicModel fitted = model::fit_topic_model(c.texts, o);
    const model::TopicModel m = fitted.model(o);
    EXPECT_EQ(m.nmf.k, 3);
    const std::vector<std::string> fresh = {"the shuttle launch and the orbit of the moon",
                                            "render the image with a graphics card and jpeg"};
    const auto w = model::embed(m, fitted.vectorizer.transform<double>(fresh));
    ASSERT_EQ(w.rows, 2);
    for (double v : w.data) EXPECT_GE(v, 0.0);
    // Each new document weighs most on the topic its words are the top words of.
    const auto top_topic = [&](std::int64_t i) {
        std::int64_t best = 0;
        for (std::int64_t t = 1; t < w.cols; ++t)
            if (w(i, t) > w(i, best)) best = t;
        return best;
    };
    EXPECT_NE(top_topic(0), top_topic(1));
}

TEST(FitTopicModel, RefusesWhatItCannotFit) {
    const std::vector<std::string> docs = {"apple banana cherry", "banana cherry date", "cherry date elderberry"};
    model::TopicModelOptions o;
    o.k = 0;
    EXPECT_THROW(model::fit_topic_model(docs, o), InvalidArgument);
    o.k = 2;
    EXPECT_THROW(model::fit_topic_model(docs, o, {"a", "b"}), InvalidArgument);  // one label per document
    o.method = model::TopicMethod::svd;
    o.k = 4;  // min(m, n) = 3
    EXPECT_THROW(model::fit_topic_model(docs, o), InvalidArgument);
    // Rank 1: two identical documents and a third that repeats them.
    const std::vector<std::string> rank1 = {"apple banana", "apple banana", "apple banana"};
    o.k = 2;
    try {
        model::fit_topic_model(rank1, o);
        FAIL() << "k above the rank was accepted";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("rank 1"), std::string::npos) << e.what();
    }
    const std::vector<std::string> stop = {"the and of", "a an the"};
    o.method = model::TopicMethod::nmf;
    o.k = 1;
    EXPECT_THROW(model::fit_topic_model(stop, o), DataError);
}

TEST(FitTopicModel, ADivergedNmfIsAnErrorThatSaysWhy) {
    const text::Corpus& c = posts();
    model::TopicModelOptions o;
    o.k = 3;
    o.nmf.solver = decomp::NmfSolver::adam;
    o.nmf.lr = 1e6;
    o.nmf.max_iter = 30;
    try {
        model::fit_topic_model(c.texts, o);
        FAIL() << "a diverged fit gave topics";
    } catch (const model::NmfFailed& e) {
        EXPECT_EQ(e.status, decomp::Status::diverged);
        EXPECT_EQ(e.solver, decomp::NmfSolver::adam);
        EXPECT_GT(e.data_norm, 0);
        EXPECT_NE(std::string(e.what()).find("diverged"), std::string::npos) << e.what();
    }
}

/// Two processes, as far as a fit can tell; it must refuse them, not run as if alone.
class TwoRanks final : public runtime::Communicator {
public:
    int rank() const noexcept override { return 0; }
    int size() const noexcept override { return 2; }
    void allreduce_sum(double*, std::size_t) override {}
    void allgather(const double*, std::size_t, double*) override {}
};

TEST(FitTopicModel, TheContextSetsTheCallsThreadsOnlyAndResultsDoNotDependOnThem) {
    const text::Corpus& c = posts();
    model::TopicModelOptions o;
    o.k = 3;
    o.nmf.max_iter = 30;
    const int before = runtime::max_threads();
    int threads_seen = 0;
    o.nmf.on_iteration = [&](int, int) {
        threads_seen = runtime::max_threads();
        return true;
    };
    const auto one = model::fit_topic_model(c.texts, o, {}, runtime::ExecutionContext{runtime::Device::cpu, 1, {}});
    EXPECT_EQ(threads_seen, 1);
    const auto two = model::fit_topic_model(c.texts, o, {}, runtime::ExecutionContext{runtime::Device::cpu, 2, {}});
    EXPECT_EQ(threads_seen, 2);
    EXPECT_EQ(runtime::max_threads(), before);  // restored after each call
    expect_same(one.fit.terms, two.fit.terms);
    expect_same(one.fit.docs, two.fit.docs);

    runtime::ExecutionContext cluster;
    cluster.communicator = std::make_shared<TwoRanks>();
    EXPECT_THROW(model::fit_topic_model(c.texts, o, {}, cluster), InvalidArgument);
    EXPECT_THROW(
        decomp::truncated_svd(one.vectorizer.transform<double>(c.texts), decomp::TruncatedSvdOptions{}, cluster),
        InvalidArgument);
}

TEST(FitTopicModel, MethodNamesRoundTrip) {
    for (const auto m :
         {model::TopicMethod::nmf, model::TopicMethod::svd, model::TopicMethod::rsvd, model::TopicMethod::krylov})
        EXPECT_EQ(model::parse_topic_method(model::to_string(m)), m);
    EXPECT_THROW(model::parse_topic_method("lda"), InvalidArgument);
}

}  // namespace
}  // namespace factopic
