// The numbers behind the report's topic views (factopic report): how far apart the topics are and
// where they sit on a plane (the intertopic distance map of LDAvis), which terms describe a topic
// at a given relevance weight λ, how alike two topics are, and how the topics share out over
// groups of documents (periods, classes). Pure functions of the factors; the CLI draws them.
//
// Sources: C. Sievert and K. Shirley, "LDAvis: A method for visualizing and interpreting topics",
// Workshop on Interactive Language Learning, Visualization, and Interfaces, 2014 (relevance, the
// distance map); pyLDAvis 3.4's js_PCoA (Jensen–Shannon divergence, then classical scaling);
// W. S. Torgerson, "Multidimensional scaling: I. Theory and method", Psychometrika 17, 1952.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::model {

/// Each row of a non-negative k × n factor divided by its sum: topic t's distribution over the
/// terms, p(w|t). A row that sums to zero stays zero. InvalidArgument on a negative entry.
linalg::Matrix<double> row_distributions(const linalg::Matrix<double>& h);

/// k × k Jensen–Shannon distances between the rows of p (distributions): the square root of the
/// divergence with natural logarithms, as scipy.spatial.distance.jensenshannon; in [0, √ln 2].
linalg::Matrix<double> jensen_shannon_distances(const linalg::Matrix<double>& p);

/// Classical (Torgerson) scaling of a k × k distance matrix into `dims` dimensions: the
/// eigenvectors of B = −½ J D² J for its largest eigenvalues, each scaled by √max(λ, 0)
/// (k × dims; a dimension past k, or with λ ≤ 0, is 0). Each column's sign is fixed so that its
/// entry of largest magnitude is positive (the eigenvectors' sign is arbitrary).
linalg::Matrix<double> classical_mds(const linalg::Matrix<double>& d, std::int64_t dims);

/// k × k cosine similarities between the rows of h (0 against an all-zero row).
linalg::Matrix<double> cosine_similarities(const linalg::Matrix<double>& h);

/// Each topic's share of the documents' total weight: column sums of the m × k document-topic
/// weights over their total (absolute values, so signed SVD weights count by size); sums to 1
/// (all zero when every weight is 0).
std::vector<double> topic_prevalence(const linalg::Matrix<double>& w);

/// Relevance of term w to topic t (Sievert & Shirley 2014, eq. 1):
///   r(w, t | λ) = λ log p(w|t) + (1 − λ) log(p(w|t) / p(w)).
double relevance(double p_w_t, double p_w, double lambda);

/// The terms that are among the `r` most relevant to the topic with distribution `p_w_t` (length
/// n) for some λ of the grid 0, 1/steps, …, 1, as pyLDAvis keeps them: a slider moving in those
/// steps always finds its top r among them. Terms with p(w|t) = 0 or p(w) = 0 are never relevant.
/// Ascending term indices.
std::vector<std::int64_t> relevance_candidates(const std::vector<double>& p_w_t, const std::vector<double>& p_w,
                                               std::int64_t r, std::int64_t steps);

/// Topic shares per group of documents (a period, a class), normalised per group.
struct GroupShares {
    std::vector<std::string> groups;          ///< the distinct non-empty keys, ascending
    std::vector<std::int64_t> documents;      ///< per group: documents counted (weights not all 0)
    std::vector<std::vector<double>> shares;  ///< per group, per topic: the mean of its documents' proportions
    std::int64_t skipped = 0;                 ///< documents with an empty key or all-zero weights
};

/// Groups the rows of the m × k non-negative weights `props` by `keys` (one per row; "" = no
/// group): each document's weights are divided by their sum (its topic proportions), and each
/// group's share of topic t is the mean over its documents, so a group's shares sum to 1.
/// InvalidArgument when keys and rows differ in number or a weight is negative.
GroupShares group_topic_shares(const linalg::Matrix<double>& props, const std::vector<std::string>& keys);

/// The period of a date written YYYY, YYYY-MM or YYYY-MM-DD (a longer ISO 8601 timestamp is
/// cut at the day): "YYYY" at year granularity, "YYYY-MM" at month granularity (a date with the
/// year only has no month: ""). "" for anything else, so such a document is left out.
enum class PeriodUnit { year, month };
std::string period_of(const std::string& date, PeriodUnit unit);

/// The unit the report groups dates by: years when the dates span at least `min_years` distinct
/// years, else months when every dated document has one, else years.
PeriodUnit choose_period_unit(const std::vector<std::string>& dates, std::int64_t min_years = 3);

}  // namespace factopic::model
