#include "factopic/model/assignment.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "factopic/core/error.hpp"

namespace factopic::model {

void AssignOptions::validate() const {
    if (!std::isfinite(min_weight) || min_weight < 0)
        throw InvalidArgument(fmt::format("min-topic-weight = {}: must be a finite number >= 0", min_weight));
}

template <typename T>
std::vector<std::int64_t> assign_topics(const linalg::Matrix<T>& w, const AssignOptions& options) {
    options.validate();
    std::vector<std::int64_t> out(static_cast<std::size_t>(w.rows), k_no_topic);
    for (std::int64_t i = 0; i < w.rows; ++i) {
        std::int64_t best = 0;
        bool any = false;
        for (std::int64_t t = 0; t < w.cols; ++t) {
            any = any || w(i, t) != T(0);
            if (w(i, t) > w(i, best)) best = t;
        }
        // An all-zero row (a document with no term the model knows) is no evidence for topic 0,
        // which argmax would give it; nor is a largest weight under the threshold.
        if (!any || w.cols == 0) continue;
        if (options.min_weight > 0 && static_cast<double>(w(i, best)) < options.min_weight) continue;
        out[static_cast<std::size_t>(i)] = best;
    }
    return out;
}

std::vector<std::int64_t> topic_sizes(const std::vector<std::int64_t>& topic_of, std::int64_t k) {
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(std::max<std::int64_t>(k, 0)), 0);
    for (const std::int64_t t : topic_of) {
        if (t == k_no_topic) continue;
        if (t < 0 || t >= k) throw InvalidArgument(fmt::format("topic {} is outside 0..{}", t, k - 1));
        ++sizes[static_cast<std::size_t>(t)];
    }
    return sizes;
}

std::int64_t unassigned_documents(const std::vector<std::int64_t>& topic_of) {
    return std::count(topic_of.begin(), topic_of.end(), k_no_topic);
}

std::int64_t few_documents_threshold(std::int64_t documents) {
    const auto share = static_cast<std::int64_t>(std::ceil(k_few_documents_share * static_cast<double>(documents)));
    return std::max(k_few_documents_floor, share);
}

template <typename T>
std::vector<TopicSupport> topic_support(const linalg::Matrix<T>& w) {
    std::vector<TopicSupport> out(static_cast<std::size_t>(w.cols));
    const std::int64_t threshold = few_documents_threshold(w.rows);
    std::vector<double> column(static_cast<std::size_t>(w.rows));
    for (std::int64_t t = 0; t < w.cols; ++t) {
        double total = 0;
        for (std::int64_t i = 0; i < w.rows; ++i) {
            // Absolute values: an SVD topic's weights are signed, and a large negative weight
            // ties a document to the topic as much as a positive one.
            column[static_cast<std::size_t>(i)] = std::abs(static_cast<double>(w(i, t)));
            total += column[static_cast<std::size_t>(i)];
        }
        TopicSupport& s = out[static_cast<std::size_t>(t)];
        if (total > 0 && std::isfinite(total)) {
            double entropy = 0;
            for (const double v : column)
                if (v > 0) entropy -= v / total * std::log(v / total);
            s.effective_documents = std::exp(entropy);
            std::sort(column.begin(), column.end(), std::greater<>());
            double held = 0;
            for (const double v : column) {
                held += v;
                ++s.half_weight_documents;
                if (held >= 0.5 * total) break;
            }
        }
        s.few_documents = s.half_weight_documents < threshold;
    }
    return out;
}

template std::vector<std::int64_t> assign_topics(const linalg::Matrix<float>&, const AssignOptions&);
template std::vector<std::int64_t> assign_topics(const linalg::Matrix<double>&, const AssignOptions&);
template std::vector<TopicSupport> topic_support(const linalg::Matrix<float>&);
template std::vector<TopicSupport> topic_support(const linalg::Matrix<double>&);

}  // namespace factopic::model
