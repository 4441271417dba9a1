// The topics pipeline: decomposition, topics, quality and assignment, in the order `factopic
// topics` has always run them (see fit.hpp).
#include "factopic/model/fit.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <utility>

#include "../decomp/names.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/clock.hpp"

namespace factopic::model {

namespace {

// The decompositions' enum ↔ name tables (one table, so that printing and parsing agree).
constexpr decomp::detail::NameTable<TopicMethod> k_methods = {
    {TopicMethod::nmf, "nmf"}, {TopicMethod::svd, "svd"}, {TopicMethod::rsvd, "rsvd"}, {TopicMethod::krylov, "krylov"}};

using runtime::Clock;
using runtime::since;

/// "1st", "2nd", "3rd", "4th", ..., "11th", "21st".
std::string ordinal(std::int64_t n) {
    const std::int64_t tens = n % 100, ones = n % 10;
    const char* suffix = tens >= 11 && tens <= 13 ? "th"
                         : ones == 1              ? "st"
                         : ones == 2              ? "nd"
                         : ones == 3              ? "rd"
                                                  : "th";
    return fmt::format("{}{}", n, suffix);
}

template <typename T>
void fit_nmf(const CsrMatrix<T>& x, const TopicModelOptions& o, TopicModelFit<T>& f,
             const runtime::ExecutionContext& context) {
    decomp::NmfOptions options = o.nmf;
    options.k = o.k;
    decomp::NmfResult<T> r = decomp::nmf(x, options, context);
    if (r.status == decomp::Status::diverged || r.status == decomp::Status::degenerate)
        throw NmfFailed(fmt::format("nmf ({}) {}: {}", decomp::to_string(r.solver),
                                    r.status == decomp::Status::degenerate ? "found nothing" : "diverged", r.diagnosis),
                        r.solver, r.status, r.diagnosis, linalg::frobenius_norm(x));
    f.terms = std::move(r.h);
    f.docs = std::move(r.w);
    f.decompose_seconds = r.seconds;
    r.h = {};
    r.w = {};
    f.nmf = std::move(r);
}

template <typename T>
void fit_svd(const CsrMatrix<T>& x, const TopicModelOptions& o, TopicModelFit<T>& f,
             const runtime::ExecutionContext& context) {
    const std::int64_t k = o.k;
    decomp::SvdResult<T> r;
    if (o.method == TopicMethod::svd) {
        r = decomp::full_svd(x, {decomp::SvdMethod::gram}, context);
    } else {
        decomp::TruncatedSvdOptions t = o.svd;
        t.k = k;
        t.method = o.method == TopicMethod::rsvd ? decomp::SvdMethod::rsvd : decomp::SvdMethod::krylov;
        r = decomp::truncated_svd(x, t, context);
    }
    // A topic whose singular value is zero is an arbitrary direction of the null space, not a
    // topic: refuse, as for k > min(m, n), rather than return it among the real ones.
    const std::int64_t rank = decomp::numerical_rank(r.s, x.rows, x.cols);
    if (rank == 0) throw DataError("the matrix is zero: it has no topics");
    if (rank < k)
        throw InvalidArgument(
            fmt::format("k = {} is out of range: the matrix has rank {} (its singular values after the {} are zero to "
                        "working precision), so it has only {} topic{}: use -k {} or less",
                        k, rank, ordinal(rank), rank, rank == 1 ? "" : "s", rank));
    // Topics are the first k rows of Vᵀ; a document's weights are its coordinates A·V in them
    // (U·Σ to the SVD's accuracy), exactly what embed gives for the same documents.
    f.terms = linalg::Matrix<T>(k, r.vt.cols);
    for (std::int64_t j = 0; j < r.vt.cols; ++j)
        for (std::int64_t t = 0; t < k; ++t) f.terms(t, j) = r.vt(t, j);
    f.docs = project(x, f.terms);
    f.signed_topics = true;
    f.singular_values.assign(r.s.begin(), r.s.begin() + k);
    f.decompose_seconds = r.seconds;
    r.u = {};
    r.vt = {};
    f.svd = std::move(r);
}

}  // namespace

std::string to_string(TopicMethod m) { return decomp::detail::name_of(k_methods, m); }

TopicMethod parse_topic_method(const std::string& name) {
    return decomp::detail::parse_name(k_methods, name, "topic method");
}

std::vector<std::string> topic_method_names() { return decomp::detail::names_of(k_methods); }

std::vector<std::vector<std::int64_t>> term_lists(const std::vector<decomp::Topic>& topics) {
    std::vector<std::vector<std::int64_t>> out;
    for (const auto& t : topics) {
        std::vector<std::int64_t> words;
        for (const auto& w : t.top) words.push_back(w.term);
        out.push_back(std::move(words));
    }
    return out;
}

template <typename T>
TopicQuality topic_quality(const CsrMatrix<T>& x, const linalg::Matrix<T>& terms) {
    const std::int64_t k = terms.rows;
    TopicQuality q;
    const auto for_coherence = term_lists(decomp::topics_from_rows(terms, k, k_coherence_top, false));
    std::vector<std::int64_t> indexed;
    for (const auto& words : for_coherence) indexed.insert(indexed.end(), words.begin(), words.end());
    q.coherence = coherence(DocumentIndex(x, indexed), for_coherence);
    q.diversity = topic_diversity(term_lists(decomp::topics_from_rows(terms, k, k_diversity_top, false)));
    return q;
}

template <typename T>
TopicModelFit<T> fit_topic_model(const CsrMatrix<T>& x, const TopicModelOptions& o,
                                 const std::vector<std::string>& labels, const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    if (o.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", o.k));
    if (o.top < 0) throw InvalidArgument(fmt::format("top = {} is out of range: it must be at least 0", o.top));
    o.assign.validate();
    if (!labels.empty() && static_cast<std::int64_t>(labels.size()) != x.rows)
        throw InvalidArgument(
            fmt::format("{} labels for {} documents: give one per document, or none", labels.size(), x.rows));
    if (o.method != TopicMethod::nmf) {
        const std::int64_t r_max = std::min(x.rows, x.cols);
        if (o.k > r_max)  // the full SVD has only min(m, n) triplets: never fewer topics than asked for
            throw InvalidArgument(fmt::format("k = {} is out of range: the matrix is {} x {}, so 1 <= k <= {}", o.k,
                                              x.rows, x.cols, r_max));
    }
    TopicModelFit<T> f;
    f.method = o.method;
    if (o.method == TopicMethod::nmf)
        fit_nmf(x, o, f, context);
    else
        fit_svd(x, o, f, context);

    const auto t0 = Clock::now();
    const std::int64_t k = f.terms.rows;
    f.topics = decomp::topics_from_rows(f.terms, k, o.top, f.signed_topics);
    f.quality = topic_quality(x, f.terms);
    f.dominant = assign_topics(f.docs, o.assign);
    f.labelled = has_labels(labels);
    if (f.labelled) f.alignment = align_labels(f.dominant, k, labels);
    f.sizes = topic_sizes(f.dominant, k);
    f.unassigned = unassigned_documents(f.dominant);
    f.support = topic_support(f.docs);
    f.empty_documents = empty_rows(x);
    f.quality_seconds = since(t0);
    return f;
}

TopicModel DocumentTopicModel::model(const TopicModelOptions& options) const {
    TopicModel m;
    m.method = to_string(fit.method);
    m.vectorizer = vectorizer.options();
    m.vocabulary = vectorizer.vocabulary();
    m.idf = vectorizer.idf();
    m.nmf = options.nmf;
    m.nmf.k = options.k;
    m.nmf.on_iteration = nullptr;
    m.terms = fit.terms;
    m.singular_values = fit.singular_values;
    return m;
}

DocumentTopicModel fit_topic_model(const std::vector<std::string>& documents, const TopicModelOptions& options,
                                   const std::vector<std::string>& labels, const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    text::Vectorizer vectorizer(options.vectorizer);
    const CsrMatrix<double> x = vectorizer.fit_transform<double>(documents);
    if (x.cols == 0)
        throw DataError(
            fmt::format("no term is left of the {} documents (each is empty, or all its words are stop "
                        "words or were pruned): there is nothing to find topics in",
                        documents.size()));
    return {std::move(vectorizer), fit_topic_model(x, options, labels, context)};
}

template TopicQuality topic_quality(const CsrMatrix<float>&, const linalg::Matrix<float>&);
template TopicQuality topic_quality(const CsrMatrix<double>&, const linalg::Matrix<double>&);
template TopicModelFit<float> fit_topic_model(const CsrMatrix<float>&, const TopicModelOptions&,
                                              const std::vector<std::string>&, const runtime::ExecutionContext&);
template TopicModelFit<double> fit_topic_model(const CsrMatrix<double>&, const TopicModelOptions&,
                                               const std::vector<std::string>&, const runtime::ExecutionContext&);

}  // namespace factopic::model
