#include "factopic/model/stability.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "factopic/core/error.hpp"

namespace factopic::model {

std::vector<std::int64_t> max_assignment(const linalg::Matrix<double>& score) {
    const std::int64_t k = score.rows;
    if (score.cols != k)
        throw InvalidArgument(fmt::format("max_assignment: the score matrix is {} x {}, not square", k, score.cols));
    // The shortest-augmenting-path form of the Hungarian method with row and column potentials
    // (Jonker & Volgenant's, as in most textbook O(k³) codes), minimising the cost −score.
    // Indices are 1-based inside; column 0 is the virtual start of each augmenting path.
    const double inf = std::numeric_limits<double>::infinity();
    const auto n = static_cast<std::size_t>(k);
    std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0);
    std::vector<std::size_t> row_of(n + 1, 0), way(n + 1, 0);
    for (std::size_t i = 1; i <= n; ++i) {
        row_of[0] = i;
        std::size_t j0 = 0;
        std::vector<double> min_to(n + 1, inf);
        std::vector<char> used(n + 1, 0);
        do {
            used[j0] = 1;
            const std::size_t i0 = row_of[j0];
            double delta = inf;
            std::size_t j1 = 0;
            for (std::size_t j = 1; j <= n; ++j) {
                if (used[j]) continue;
                const double cost = -score(static_cast<std::int64_t>(i0 - 1), static_cast<std::int64_t>(j - 1));
                const double reduced = cost - u[i0] - v[j];
                if (reduced < min_to[j]) {
                    min_to[j] = reduced;
                    way[j] = j0;
                }
                if (min_to[j] < delta) {
                    delta = min_to[j];
                    j1 = j;
                }
            }
            for (std::size_t j = 0; j <= n; ++j) {
                if (used[j]) {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
        } while (row_of[j0] != 0);
        do {
            const std::size_t j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    std::vector<std::int64_t> out(n, -1);
    for (std::size_t j = 1; j <= n; ++j) out[row_of[j] - 1] = static_cast<std::int64_t>(j - 1);
    return out;
}

template <typename T>
linalg::Matrix<double> topic_similarity(const linalg::Matrix<T>& a, const linalg::Matrix<T>& b, bool absolute) {
    if (a.cols != b.cols)
        throw InvalidArgument(fmt::format("topic_similarity: the factors have {} and {} terms", a.cols, b.cols));
    const auto norms = [](const linalg::Matrix<T>& x) {
        std::vector<double> out(static_cast<std::size_t>(x.rows), 0.0);
        for (std::int64_t j = 0; j < x.cols; ++j)
            for (std::int64_t t = 0; t < x.rows; ++t) {
                const auto v = static_cast<double>(x(t, j));
                out[static_cast<std::size_t>(t)] += v * v;
            }
        return out;
    };
    const std::vector<double> na = norms(a), nb = norms(b);
    linalg::Matrix<double> dot = linalg::Matrix<double>::zeros(a.rows, b.rows);
    for (std::int64_t j = 0; j < a.cols; ++j)
        for (std::int64_t s = 0; s < b.rows; ++s) {
            const auto bj = static_cast<double>(b(s, j));
            if (bj == 0) continue;
            for (std::int64_t t = 0; t < a.rows; ++t) dot(t, s) += static_cast<double>(a(t, j)) * bj;
        }
    for (std::int64_t t = 0; t < a.rows; ++t)
        for (std::int64_t s = 0; s < b.rows; ++s) {
            // Squared norms, one square root: for identical rows the dot product and both squared
            // norms are the same sums in the same order, and sqrt(x²) = x in IEEE arithmetic, so
            // two identical runs score exactly 1.
            const double p = na[static_cast<std::size_t>(t)], q = nb[static_cast<std::size_t>(s)];
            double c = p == 0 || q == 0 ? (p == 0 && q == 0 ? 1.0 : 0.0) : dot(t, s) / std::sqrt(p * q);
            if (absolute) c = std::fabs(c);
            // Rounding can take a cosine a few ulps past 1: the score is a similarity in [-1, 1].
            dot(t, s) = std::clamp(c, -1.0, 1.0);
        }
    return dot;
}

template <typename T>
double matched_similarity(const linalg::Matrix<T>& a, const linalg::Matrix<T>& b, bool absolute) {
    if (a.rows != b.rows)
        throw InvalidArgument(fmt::format("matched_similarity: the runs have {} and {} topics", a.rows, b.rows));
    if (a.rows == 0) return 1.0;
    const linalg::Matrix<double> sim = topic_similarity(a, b, absolute);
    const std::vector<std::int64_t> pair = max_assignment(sim);
    double sum = 0;
    for (std::int64_t t = 0; t < a.rows; ++t) sum += sim(t, pair[static_cast<std::size_t>(t)]);
    return sum / static_cast<double>(a.rows);
}

template <typename T>
double topic_stability(const std::vector<linalg::Matrix<T>>& runs, bool absolute) {
    if (runs.size() < 2)
        throw InvalidArgument(
            fmt::format("topic_stability: {} run{}: it needs at least 2", runs.size(), runs.size() == 1 ? "" : "s"));
    double sum = 0;
    std::int64_t pairs = 0;
    for (std::size_t i = 0; i < runs.size(); ++i)
        for (std::size_t j = i + 1; j < runs.size(); ++j) {
            sum += matched_similarity(runs[i], runs[j], absolute);
            ++pairs;
        }
    return sum / static_cast<double>(pairs);
}

template linalg::Matrix<double> topic_similarity(const linalg::Matrix<float>&, const linalg::Matrix<float>&, bool);
template linalg::Matrix<double> topic_similarity(const linalg::Matrix<double>&, const linalg::Matrix<double>&, bool);
template double matched_similarity(const linalg::Matrix<float>&, const linalg::Matrix<float>&, bool);
template double matched_similarity(const linalg::Matrix<double>&, const linalg::Matrix<double>&, bool);
template double topic_stability(const std::vector<linalg::Matrix<float>>&, bool);
template double topic_stability(const std::vector<linalg::Matrix<double>>&, bool);

}  // namespace factopic::model
