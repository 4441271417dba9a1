#include "factopic/decomp/topics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace factopic::decomp {

template <typename T>
std::vector<Topic> topics_from_rows(const linalg::Matrix<T>& factor, std::int64_t count, std::int64_t top,
                                    bool with_negative) {
    const std::int64_t n = factor.cols;
    count = std::clamp<std::int64_t>(count, 0, factor.rows);
    top = std::clamp<std::int64_t>(top, 0, n);
    std::vector<Topic> out(static_cast<std::size_t>(count));
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    for (std::int64_t t = 0; t < count; ++t) {
        const auto w = [&](std::int64_t j) { return static_cast<double>(factor(t, j)); };
        // A weight this small next to the row's largest is rounding noise, not a negative word.
        double largest = 0;
        for (std::int64_t j = 0; j < n; ++j) largest = std::max(largest, std::abs(w(j)));
        const double noise = 1e-10 * largest;
        const auto pick = [&](bool descending) {
            std::iota(order.begin(), order.end(), std::int64_t{0});
            std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](std::int64_t a, std::int64_t b) {
                const double wa = w(a), wb = w(b);
                if (wa != wb) return descending ? wa > wb : wa < wb;
                return a < b;
            });
            std::vector<TermWeight> terms;
            for (std::int64_t i = 0; i < top; ++i) {
                const auto j = order[static_cast<std::size_t>(i)];
                if (!descending && !(w(j) < -noise)) break;
                terms.push_back({j, w(j)});
            }
            return terms;
        };
        out[static_cast<std::size_t>(t)].top = pick(true);
        if (with_negative) out[static_cast<std::size_t>(t)].negative = pick(false);
    }
    return out;
}

template std::vector<Topic> topics_from_rows(const linalg::Matrix<float>&, std::int64_t, std::int64_t, bool);
template std::vector<Topic> topics_from_rows(const linalg::Matrix<double>&, std::int64_t, std::int64_t, bool);

}  // namespace factopic::decomp
