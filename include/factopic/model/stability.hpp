// How stable a model's topics are across runs that differ only in their seed: the topics of two
// runs are paired one-to-one so that the total cosine similarity of the pairs is largest (the
// Hungarian method), and the runs agree by the mean similarity of their pairs. Greene,
// O'Callaghan & Cunningham 2014 ("How many topics? Stability analysis for topic models", ECML
// PKDD) pair topics the same way, by the Hungarian method, with an agreement score between runs.
#pragma once

#include <cstdint>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::model {

/// The one-to-one pairing of rows and columns of a square k × k score matrix whose total score
/// is largest (Kuhn–Munkres, O(k³)): out[i] is the column paired with row i.
std::vector<std::int64_t> max_assignment(const linalg::Matrix<double>& score);

/// Cosine similarity of every row of a with every row of b (both k × n topic-term factors):
/// k × k. absolute: |cos|, for signed (SVD) topics whose sign is arbitrary. A zero row is
/// similar to nothing (0), except to another zero row (1): two identical runs score 1.
template <typename T>
linalg::Matrix<double> topic_similarity(const linalg::Matrix<T>& a, const linalg::Matrix<T>& b, bool absolute);

/// The mean similarity of the best pairing of a's topics with b's, in [0, 1] (NMF factors are
/// non-negative, and signed ones are compared by |cos|): 1 when b holds a's topics in any order.
template <typename T>
double matched_similarity(const linalg::Matrix<T>& a, const linalg::Matrix<T>& b, bool absolute);

/// The mean matched_similarity over every pair of runs (at least 2 runs, all k × n).
template <typename T>
double topic_stability(const std::vector<linalg::Matrix<T>>& runs, bool absolute);

}  // namespace factopic::model
