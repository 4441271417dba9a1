// How good a set of topics is: coherence of each topic's top words in the documents the model
// was fitted on (UMass and NPMI, as gensim's CoherenceModel defines them), topic diversity, and
// how the topics line up with known document labels (NMI and ARI of the argmax topic).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/linalg/dense.hpp"

namespace factopic::model {

/// Which documents each term occurs in: the non-zero pattern of a document × term matrix (counts
/// and tf-idf share it), kept per term. Terms outside `terms` are not indexed.
class DocumentIndex {
public:
    template <typename T>
    DocumentIndex(const CsrMatrix<T>& docs, const std::vector<std::int64_t>& terms);

    std::int64_t documents() const { return m_documents; }
    /// Documents containing term j (0 for a term that was not indexed).
    std::int64_t count(std::int64_t j) const;
    /// Documents containing both terms.
    std::int64_t count(std::int64_t i, std::int64_t j) const;

private:
    const std::vector<std::int32_t>* postings(std::int64_t j) const;
    std::int64_t m_documents = 0;
    std::vector<std::int64_t> m_terms;                  // sorted
    std::vector<std::vector<std::int32_t>> m_postings;  // per entry of m_terms, ascending documents
};

struct Coherence {
    std::vector<double> umass, npmi;  ///< per topic
    double umass_mean = 0, npmi_mean = 0;
};

/// Coherence of each topic's words (best first; gensim uses the top 10) over document
/// co-occurrence. With D documents, d(w) those containing w and d(w, v) those containing both,
/// ε = 1e-12:
///  - UMass (gensim "u_mass"): the mean over pairs i > j of log((d(w_i, w_j)/D + ε) / (d(w_j)/D));
///  - NPMI (gensim "c_npmi" with a window as long as the longest document): the mean over pairs
///    of log((d(w, v)/D + ε) / (d(w)/D · d(v)/D)) / −log(d(w, v)/D + ε).
/// A pair whose terms occur in no document scores 0, as in gensim. Means over topics.
Coherence coherence(const DocumentIndex& index, const std::vector<std::vector<std::int64_t>>& topics);

/// Share of distinct terms among all topics' words (1: no word shared between topics).
double topic_diversity(const std::vector<std::vector<std::int64_t>>& topics);

/// For each document, the topic of its largest weight (the first on a tie, as numpy's argmax):
/// w is documents × k.
template <typename T>
std::vector<std::int64_t> dominant_topics(const linalg::Matrix<T>& w);

struct TopicLabel {
    std::int64_t size = 0;  ///< documents whose dominant topic this is
    std::string label;      ///< the most common label among them ("" when size is 0)
    double share = 0;       ///< that label's share of them
};

struct LabelAlignment {
    std::vector<TopicLabel> topics;
    std::vector<std::string> labels;                ///< the label names, sorted
    std::vector<std::vector<std::int64_t>> counts;  ///< topic × label: documents of each
    double nmi = 0;  ///< normalized mutual information, arithmetic mean of the entropies (scikit-learn's default)
    double ari = 0;  ///< adjusted Rand index
    std::int64_t unassigned = 0;  ///< documents with no topic (-1): in none of the above
};

/// Whether any document carries a label ("" is none).
bool has_labels(const std::vector<std::string>& labels);

/// The documents that have no non-zero entry.
template <typename T>
std::int64_t empty_rows(const CsrMatrix<T>& x);

/// How the dominant topics of the documents line up with their labels (one per document). A
/// document with no topic (-1, see assignment.hpp) is left out of the counts and of NMI and ARI,
/// which compare the assigned documents only; `unassigned` counts them.
LabelAlignment align_labels(const std::vector<std::int64_t>& topic_of, std::int64_t k,
                            const std::vector<std::string>& labels);

/// scikit-learn's normalized_mutual_info_score (average_method="arithmetic") and
/// adjusted_rand_score of two labelings given as small integers.
double normalized_mutual_information(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);
double adjusted_rand_index(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);

}  // namespace factopic::model
