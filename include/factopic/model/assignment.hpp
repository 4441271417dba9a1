// The document side of a topic model's findings: which topic each document belongs to (or none,
// as BERTopic's outliers: an empty document has no topic) and how many documents carry each
// topic (a topic whose weight sits in a handful of documents is one author's signature or one
// long post, not a theme of the corpus).
#pragma once

#include <cstdint>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::model {

/// The topic of a document that has none.
inline constexpr std::int64_t k_no_topic = -1;

struct AssignOptions {
    /// A document whose largest weight is below this gets no topic (k_no_topic); a document whose
    /// weights are all zero never gets one. >= 0 and finite; 0: only all-zero rows are left out.
    /// On the scale of W (with tf-idf rows of unit length, weights are at most about 1).
    double min_weight = 0;

    void validate() const;
};

/// For each document (a row of w, documents × k), the topic of its largest weight (the first on
/// a tie, as numpy's argmax), or k_no_topic when every weight is zero or the largest is below
/// options.min_weight.
template <typename T>
std::vector<std::int64_t> assign_topics(const linalg::Matrix<T>& w, const AssignOptions& options = {});

/// Documents per topic (k_no_topic left out): k entries.
std::vector<std::int64_t> topic_sizes(const std::vector<std::int64_t>& topic_of, std::int64_t k);

/// Documents with no topic.
std::int64_t unassigned_documents(const std::vector<std::int64_t>& topic_of);

/// How a topic's weight (its column of W, absolute values) spreads over the documents.
struct TopicSupport {
    /// The fewest documents that hold half of the topic's total weight (0 for a topic with none).
    std::int64_t half_weight_documents = 0;
    /// exp(entropy) of the column normalised to sum 1: the number of equally weighted documents
    /// with the same spread (0 for a topic with no weight).
    double effective_documents = 0;
    /// half_weight_documents < few_documents_threshold(documents).
    bool few_documents = false;
};

/// The share of the corpus below which a topic whose half weight sits in fewer documents is
/// flagged, and the floor of that count (a tiny corpus has tiny topics).
inline constexpr double k_few_documents_share = 0.01;
inline constexpr std::int64_t k_few_documents_floor = 5;

/// max(k_few_documents_floor, ceil(k_few_documents_share · documents)).
std::int64_t few_documents_threshold(std::int64_t documents);

/// One entry per topic (column of w, documents × k).
template <typename T>
std::vector<TopicSupport> topic_support(const linalg::Matrix<T>& w);

}  // namespace factopic::model
