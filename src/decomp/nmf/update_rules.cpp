// The coordinate order of the cd update: the identity, or a Fisher–Yates permutation for
// shuffle. The column updates themselves (cd, mu for the Frobenius norm and KL, pgd's gradient
// step) and the fused half-step that feeds them run on the backend (backend::NmfRule; on the
// CPU, src/backend/cpu/nmf.cpp).
#include "detail.hpp"

namespace factopic::decomp::nmf_detail {

std::vector<std::int64_t> permutation(std::int64_t k, std::uint64_t seed, std::uint64_t draw) {
    const runtime::CounterRandom random(seed, runtime::RandomStream::nmf_shuffle);
    const auto first = draw * static_cast<std::uint64_t>(k);
    std::vector<std::int64_t> p(static_cast<std::size_t>(k));
    for (std::int64_t i = 0; i < k; ++i) p[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = k - 1; i > 0; --i) {
        const auto j = static_cast<std::int64_t>(
            random.below(first + static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(i + 1)));
        std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
    }
    return p;
}

std::vector<std::int64_t> coordinate_order(std::int64_t k, const NmfOptions& o, std::uint64_t draw) {
    if (o.shuffle) return permutation(k, o.seed, draw);
    std::vector<std::int64_t> order(static_cast<std::size_t>(k));
    for (std::int64_t t = 0; t < k; ++t) order[static_cast<std::size_t>(t)] = t;
    return order;
}

}  // namespace factopic::decomp::nmf_detail
