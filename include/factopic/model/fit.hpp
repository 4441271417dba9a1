// The topics pipeline as one library call: documents (or their matrix) in; the topics, the
// document weights and what a person judges them by out (coherence, diversity, sizes, how
// the topics line up with labels). `factopic topics`, `fit` and `report` call it, and so will
// every binding, so that all of them fit exactly the same model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/model/assignment.hpp"
#include "factopic/model/model.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/runtime/context.hpp"
#include "factopic/text/vectorizer.hpp"

namespace factopic::model {

/// How the topics are found: NMF, the exact full SVD (its first k triplets), or a truncated SVD.
enum class TopicMethod { nmf, svd, rsvd, krylov };
/// "nmf", "svd", "rsvd", "krylov" (the names of the CLI's --method and of a saved model).
std::string to_string(TopicMethod m);
/// The inverse of to_string; InvalidArgument naming the value otherwise.
TopicMethod parse_topic_method(const std::string& name);
std::vector<std::string> topic_method_names();  ///< the names parse_topic_method reads, in order

/// Words per topic that coherence reads (gensim's CoherenceModel default, topn = 10), and that
/// diversity reads (Dieng et al. 2020, "Topic modeling in embedding spaces").
inline constexpr std::int64_t k_coherence_top = 10;
inline constexpr std::int64_t k_diversity_top = 25;

struct TopicModelOptions {
    TopicMethod method = TopicMethod::nmf;
    std::int64_t k = 10;
    /// nmf: the solver and its options (their k is this k).
    decomp::NmfOptions nmf;
    /// rsvd and krylov: the truncated SVD's options (their k and method are this k and method).
    decomp::TruncatedSvdOptions svd;
    int top = 10;  ///< words per topic in TopicModelFit::topics (>= 0)
    AssignOptions assign;
    /// The documents overload only: how the documents become a matrix. tf-idf, as every command
    /// of the CLI (topics read best off tf-idf: the fast.ai lecture's choice).
    text::VectorizerOptions vectorizer = tfidf_vectorizer();

    static text::VectorizerOptions tfidf_vectorizer() {
        text::VectorizerOptions v;
        v.weighting = text::Weighting::Tfidf;
        return v;
    }
};

/// Each topic's top terms as column indices: what coherence and diversity read.
std::vector<std::vector<std::int64_t>> term_lists(const std::vector<decomp::Topic>& topics);

struct TopicQuality {
    Coherence coherence;   ///< of the top k_coherence_top words, over the documents of x
    double diversity = 0;  ///< distinct share of the top k_diversity_top words
};

/// Coherence and diversity of the topics of a k × n factor (its largest weights) over x's
/// documents: the figures topics reports and sweep compares across k.
template <typename T>
TopicQuality topic_quality(const CsrMatrix<T>& x, const linalg::Matrix<T>& terms);

template <typename T>
struct TopicModelFit {
    TopicMethod method = TopicMethod::nmf;
    linalg::Matrix<T> terms;     ///< k × n: H (NMF) or the first k rows of Vᵀ (SVD)
    linalg::Matrix<T> docs;      ///< m × k: W (NMF) or A·V, the documents' coordinates (SVD: U·Σ)
    bool signed_topics = false;  ///< SVD topics have negative weights too
    /// nmf: the factorisation's report (status, iterations, errors, losses); its w and h are
    /// empty (they are docs and terms).
    std::optional<decomp::NmfResult<T>> nmf;
    /// SVD methods: the decomposition's report; its u and vt are empty, s holds every singular
    /// value it computed (all of them for svd, k for rsvd and krylov).
    std::optional<decomp::SvdResult<T>> svd;
    std::vector<double> singular_values;  ///< SVD methods: the k kept

    std::vector<decomp::Topic> topics;  ///< options.top words each (and SVD's negative ones)
    TopicQuality quality;
    std::vector<std::int64_t> dominant;  ///< per document: its topic, or k_no_topic
    std::vector<std::int64_t> sizes;     ///< per topic: documents whose dominant topic it is
    std::int64_t unassigned = 0;         ///< documents with no topic
    std::vector<TopicSupport> support;   ///< per topic: how many documents carry it
    bool labelled = false;               ///< labels were given and one is not empty
    LabelAlignment alignment;            ///< labelled: topics against labels
    std::int64_t empty_documents = 0;    ///< documents without a term
    double decompose_seconds = 0, quality_seconds = 0;
};

/// An NMF that diverged or found nothing (status diverged or degenerate): its factors mean
/// nothing, so no topics are made of them. what() says what happened; the fields let a caller
/// word the likely cause in its own terms (the CLI names its options).
class NmfFailed : public DataError {
public:
    NmfFailed(const std::string& what, decomp::NmfSolver solver_, decomp::Status status_, std::string diagnosis_,
              double data_norm_)
        : DataError(what), solver(solver_), status(status_), diagnosis(std::move(diagnosis_)), data_norm(data_norm_) {}
    decomp::NmfSolver solver;
    decomp::Status status;
    std::string diagnosis;
    double data_norm;  ///< ‖A‖_F
};

/// Topics of a documents × terms matrix x (labels: one per row, or empty). InvalidArgument for
/// options out of their domain or k out of range (1 <= k <= min(m, n); an SVD method also needs
/// k <= the numerical rank, since a topic of a zero singular value is an arbitrary direction);
/// DataError for a matrix the decomposition refuses; NmfFailed as above. options.nmf.on_iteration
/// is called as the NMF runs (progress; false stops it: the fit then has the factors so far,
/// status cancelled). context: threads and device of the call.
template <typename T>
TopicModelFit<T> fit_topic_model(const CsrMatrix<T>& x, const TopicModelOptions& options,
                                 const std::vector<std::string>& labels = {},
                                 const runtime::ExecutionContext& context = {});

/// The fit of a list of documents, with the vectorizer that made their matrix.
struct DocumentTopicModel {
    text::Vectorizer vectorizer;
    TopicModelFit<double> fit;
    /// The model to save (save_model) or embed new documents with (embed), as `factopic fit`
    /// keeps it.
    TopicModel model(const TopicModelOptions& options) const;
};

/// Vectorizes the documents with options.vectorizer, then fit_topic_model. DataError when no
/// term is left (every document empty, or all its words stop words).
DocumentTopicModel fit_topic_model(const std::vector<std::string>& documents, const TopicModelOptions& options,
                                   const std::vector<std::string>& labels = {},
                                   const runtime::ExecutionContext& context = {});

}  // namespace factopic::model
