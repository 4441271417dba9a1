#include "factopic/model/quality.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "factopic/core/error.hpp"

namespace factopic::model {
namespace {

constexpr double k_epsilon = 1e-12;  // gensim's EPSILON in direct_confirmation_measure

/// Labels 0..c-1 in order of first sight, and c.
std::int64_t classes(const std::vector<std::int64_t>& v) {
    std::int64_t c = 0;
    for (const std::int64_t x : v) {
        if (x < 0) throw InvalidArgument(fmt::format("labeling has a negative class {}", x));
        c = std::max(c, x + 1);
    }
    return c;
}

struct Contingency {
    std::int64_t rows = 0, cols = 0, total = 0;
    std::vector<std::int64_t> n;  // rows × cols, row-major
    std::vector<std::int64_t> row_sums, col_sums;
};

Contingency contingency(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
    if (a.size() != b.size())
        throw InvalidArgument(fmt::format("labelings differ in length: {} and {}", a.size(), b.size()));
    Contingency c;
    c.rows = classes(a);
    c.cols = classes(b);
    c.total = static_cast<std::int64_t>(a.size());
    c.n.assign(static_cast<std::size_t>(c.rows * c.cols), 0);
    c.row_sums.assign(static_cast<std::size_t>(c.rows), 0);
    c.col_sums.assign(static_cast<std::size_t>(c.cols), 0);
    for (std::size_t i = 0; i < a.size(); ++i) {
        ++c.n[static_cast<std::size_t>(a[i] * c.cols + b[i])];
        ++c.row_sums[static_cast<std::size_t>(a[i])];
        ++c.col_sums[static_cast<std::size_t>(b[i])];
    }
    return c;
}

double entropy(const std::vector<std::int64_t>& counts, std::int64_t total) {
    double h = 0;
    for (const std::int64_t c : counts)
        if (c > 0) {
            const double p = static_cast<double>(c) / static_cast<double>(total);
            h -= p * (std::log(static_cast<double>(c)) - std::log(static_cast<double>(total)));
        }
    return h;
}

std::int64_t nonzero(const std::vector<std::int64_t>& counts) {
    return std::count_if(counts.begin(), counts.end(), [](std::int64_t c) { return c > 0; });
}

double mean(const std::vector<double>& v) {
    if (v.empty()) return 0;
    double s = 0;
    for (const double x : v) s += x;
    return s / static_cast<double>(v.size());
}

}  // namespace

template <typename T>
DocumentIndex::DocumentIndex(const CsrMatrix<T>& docs, const std::vector<std::int64_t>& terms)
    : m_documents(docs.rows), m_terms(terms) {
    std::sort(m_terms.begin(), m_terms.end());
    m_terms.erase(std::unique(m_terms.begin(), m_terms.end()), m_terms.end());
    for (const std::int64_t j : m_terms)
        if (j < 0 || j >= docs.cols)
            throw InvalidArgument(fmt::format("term {} is outside the matrix's {} columns", j, docs.cols));
    m_postings.resize(m_terms.size());
    // Column j → its slot, for the indexed terms only.
    std::vector<std::int32_t> slot(static_cast<std::size_t>(docs.cols), -1);
    for (std::size_t s = 0; s < m_terms.size(); ++s)
        slot[static_cast<std::size_t>(m_terms[s])] = static_cast<std::int32_t>(s);
    for (std::int64_t i = 0; i < docs.rows; ++i)
        for (std::int64_t q = docs.indptr[static_cast<std::size_t>(i)];
             q < docs.indptr[static_cast<std::size_t>(i + 1)]; ++q) {
            const std::int32_t s = slot[static_cast<std::size_t>(docs.indices[static_cast<std::size_t>(q)])];
            if (s >= 0 && docs.values[static_cast<std::size_t>(q)] != T(0))
                m_postings[static_cast<std::size_t>(s)].push_back(static_cast<std::int32_t>(i));
        }
}

const std::vector<std::int32_t>* DocumentIndex::postings(std::int64_t j) const {
    const auto it = std::lower_bound(m_terms.begin(), m_terms.end(), j);
    if (it == m_terms.end() || *it != j) return nullptr;
    return &m_postings[static_cast<std::size_t>(it - m_terms.begin())];
}

std::int64_t DocumentIndex::count(std::int64_t j) const {
    const auto* p = postings(j);
    return p ? static_cast<std::int64_t>(p->size()) : 0;
}

std::int64_t DocumentIndex::count(std::int64_t i, std::int64_t j) const {
    const auto *p = postings(i), *q = postings(j);
    if (!p || !q) return 0;
    std::int64_t both = 0;
    auto a = p->begin(), b = q->begin();
    while (a != p->end() && b != q->end()) {
        if (*a < *b)
            ++a;
        else if (*b < *a)
            ++b;
        else {
            ++both, ++a, ++b;
        }
    }
    return both;
}

Coherence coherence(const DocumentIndex& index, const std::vector<std::vector<std::int64_t>>& topics) {
    Coherence c;
    const double d = static_cast<double>(index.documents());
    for (const auto& words : topics) {
        std::vector<double> umass, npmi;
        const auto n = static_cast<std::int64_t>(words.size());
        for (std::int64_t i = 1; i < n; ++i)
            for (std::int64_t j = 0; j < i; ++j) {
                const std::int64_t wi = words[static_cast<std::size_t>(i)], wj = words[static_cast<std::size_t>(j)];
                const double ci = static_cast<double>(index.count(wi)), cj = static_cast<double>(index.count(wj));
                const double both = static_cast<double>(index.count(wi, wj)) / d + k_epsilon;
                // gensim's s_one_pre pair (w_i, w_j): conditioned on the earlier, higher-ranked word.
                umass.push_back(cj > 0 ? std::log(both / (cj / d)) : 0.0);
                // NPMI is symmetric: gensim's s_one_one visits each pair twice, which leaves the mean as is.
                npmi.push_back(ci > 0 && cj > 0 ? std::log(both / ((ci / d) * (cj / d))) / -std::log(both) : 0.0);
            }
        c.umass.push_back(mean(umass));
        c.npmi.push_back(mean(npmi));
    }
    c.umass_mean = mean(c.umass);
    c.npmi_mean = mean(c.npmi);
    return c;
}

double topic_diversity(const std::vector<std::vector<std::int64_t>>& topics) {
    std::set<std::int64_t> distinct;
    std::size_t total = 0;
    for (const auto& words : topics) {
        distinct.insert(words.begin(), words.end());
        total += words.size();
    }
    return total > 0 ? static_cast<double>(distinct.size()) / static_cast<double>(total) : 0.0;
}

template <typename T>
std::vector<std::int64_t> dominant_topics(const linalg::Matrix<T>& w) {
    std::vector<std::int64_t> out(static_cast<std::size_t>(w.rows), 0);
    for (std::int64_t i = 0; i < w.rows; ++i) {
        std::int64_t best = 0;
        for (std::int64_t t = 1; t < w.cols; ++t)
            if (w(i, t) > w(i, best)) best = t;
        out[static_cast<std::size_t>(i)] = best;
    }
    return out;
}

LabelAlignment align_labels(const std::vector<std::int64_t>& topic_of, std::int64_t k,
                            const std::vector<std::string>& labels) {
    if (topic_of.size() != labels.size())
        throw InvalidArgument(
            fmt::format("{} documents have a topic but {} have a label", topic_of.size(), labels.size()));
    // Labels as integers in sorted order (scikit-learn's np.unique), for the scores.
    std::map<std::string, std::int64_t> ids;
    for (const auto& l : labels) ids.emplace(l, 0);
    std::int64_t next = 0;
    std::vector<std::string> names;
    for (auto& [name, id] : ids) {
        id = next++;
        names.push_back(name);
    }
    // Unassigned documents (-1) are no cluster: counting them as one would reward or punish the
    // model for documents it had nothing to say about.
    LabelAlignment a;
    std::vector<std::int64_t> label_of, assigned_topic_of;
    label_of.reserve(labels.size());
    assigned_topic_of.reserve(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::int64_t t = topic_of[i];
        if (t == -1) {
            ++a.unassigned;
            continue;
        }
        if (t < 0 || t >= k) throw InvalidArgument(fmt::format("topic {} is outside 0..{}", t, k - 1));
        label_of.push_back(ids[labels[i]]);
        assigned_topic_of.push_back(t);
    }

    a.topics.resize(static_cast<std::size_t>(k));
    a.labels = names;
    a.counts.assign(static_cast<std::size_t>(k), std::vector<std::int64_t>(static_cast<std::size_t>(next), 0));
    for (std::size_t i = 0; i < assigned_topic_of.size(); ++i)
        ++a.counts[static_cast<std::size_t>(assigned_topic_of[i])][static_cast<std::size_t>(label_of[i])];
    for (std::int64_t t = 0; t < k; ++t) {
        TopicLabel& tl = a.topics[static_cast<std::size_t>(t)];
        std::int64_t best = -1, best_count = 0;
        for (std::int64_t l = 0; l < next; ++l) {
            const std::int64_t c = a.counts[static_cast<std::size_t>(t)][static_cast<std::size_t>(l)];
            tl.size += c;
            if (c > best_count) best = l, best_count = c;  // ties: the first label in sorted order
        }
        if (best >= 0) {
            tl.label = names[static_cast<std::size_t>(best)];
            tl.share = static_cast<double>(best_count) / static_cast<double>(tl.size);
        }
    }
    a.nmi = normalized_mutual_information(label_of, assigned_topic_of);
    a.ari = adjusted_rand_index(label_of, assigned_topic_of);
    return a;
}

double normalized_mutual_information(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
    const Contingency c = contingency(a, b);
    const std::int64_t ca = nonzero(c.row_sums), cb = nonzero(c.col_sums);
    if ((ca == 1 && cb == 1) || (ca == 0 && cb == 0)) return 1.0;  // nothing is split: a perfect match
    const double total = static_cast<double>(c.total), log_total = std::log(total);
    double mi = 0;
    for (std::int64_t i = 0; i < c.rows; ++i)
        for (std::int64_t j = 0; j < c.cols; ++j) {
            const std::int64_t nij = c.n[static_cast<std::size_t>(i * c.cols + j)];
            if (nij == 0) continue;
            const double p = static_cast<double>(nij) / total;
            const double outer = static_cast<double>(c.row_sums[static_cast<std::size_t>(i)]) *
                                 static_cast<double>(c.col_sums[static_cast<std::size_t>(j)]);
            double term = p * (std::log(static_cast<double>(nij)) - log_total) + p * (-std::log(outer) + 2 * log_total);
            if (std::abs(term) < std::numeric_limits<double>::epsilon()) term = 0;
            mi += term;
        }
    mi = std::max(mi, 0.0);
    if (mi == 0) return 0.0;
    const double normalizer = 0.5 * (entropy(c.row_sums, c.total) + entropy(c.col_sums, c.total));
    return mi / normalizer;
}

double adjusted_rand_index(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
    const Contingency c = contingency(a, b);
    // scikit-learn's pair_confusion_matrix, in exact integers.
    std::int64_t sum_squares = 0, rows_term = 0, cols_term = 0;
    for (const std::int64_t v : c.n) sum_squares += v * v;
    for (const std::int64_t v : c.row_sums) rows_term += v * v;
    for (const std::int64_t v : c.col_sums) cols_term += v * v;
    const std::int64_t n = c.total;
    const std::int64_t tp = sum_squares - n;
    const std::int64_t fp = cols_term - sum_squares;  // same class of b, different class of a
    const std::int64_t fn = rows_term - sum_squares;
    const std::int64_t tn = n * n - fp - fn - sum_squares;
    if (fn == 0 && fp == 0) return 1.0;
    const auto d = [](std::int64_t v) { return static_cast<long double>(v); };
    const long double num = 2.0L * (d(tp) * d(tn) - d(fn) * d(fp));
    const long double den = d(tp + fn) * d(fn + tn) + d(tp + fp) * d(fp + tn);
    return static_cast<double>(num / den);
}

bool has_labels(const std::vector<std::string>& labels) {
    return std::any_of(labels.begin(), labels.end(), [](const std::string& l) { return !l.empty(); });
}

template <typename T>
std::int64_t empty_rows(const CsrMatrix<T>& x) {
    std::int64_t empty = 0;
    for (std::int64_t i = 0; i < x.rows; ++i)
        empty += x.indptr[static_cast<std::size_t>(i)] == x.indptr[static_cast<std::size_t>(i + 1)];
    return empty;
}

template std::int64_t empty_rows(const CsrMatrix<float>&);
template std::int64_t empty_rows(const CsrMatrix<double>&);
template DocumentIndex::DocumentIndex(const CsrMatrix<float>&, const std::vector<std::int64_t>&);
template DocumentIndex::DocumentIndex(const CsrMatrix<double>&, const std::vector<std::int64_t>&);
template std::vector<std::int64_t> dominant_topics(const linalg::Matrix<float>&);
template std::vector<std::int64_t> dominant_topics(const linalg::Matrix<double>&);

}  // namespace factopic::model
