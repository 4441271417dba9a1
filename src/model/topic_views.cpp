// The report's topic views: Jensen–Shannon distances and their classical scaling (LDAvis, Sievert
// and Shirley 2014; Torgerson 1952), term relevance, cosine similarity, topic shares per group.
#include "factopic/model/topic_views.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include "factopic/core/error.hpp"
#include "factopic/linalg/lapack.hpp"

namespace factopic::model {

linalg::Matrix<double> row_distributions(const linalg::Matrix<double>& h) {
    linalg::Matrix<double> p = linalg::Matrix<double>::zeros(h.rows, h.cols);
    for (std::int64_t t = 0; t < h.rows; ++t) {
        double sum = 0;
        for (std::int64_t j = 0; j < h.cols; ++j) {
            if (h(t, j) < 0)
                throw InvalidArgument(
                    fmt::format("row {} has a negative weight {} (term {}): it is not a distribution", t, h(t, j), j));
            sum += h(t, j);
        }
        if (sum > 0)
            for (std::int64_t j = 0; j < h.cols; ++j) p(t, j) = h(t, j) / sum;
    }
    return p;
}

linalg::Matrix<double> jensen_shannon_distances(const linalg::Matrix<double>& p) {
    const std::int64_t k = p.rows;
    linalg::Matrix<double> d = linalg::Matrix<double>::zeros(k, k);
    // Row-major copies: the inner loop runs along a topic's terms.
    std::vector<std::vector<double>> rows(static_cast<std::size_t>(k));
    std::vector<bool> empty(static_cast<std::size_t>(k));
    for (std::int64_t t = 0; t < k; ++t) {
        auto& r = rows[static_cast<std::size_t>(t)];
        r.resize(static_cast<std::size_t>(p.cols));
        for (std::int64_t j = 0; j < p.cols; ++j) r[static_cast<std::size_t>(j)] = p(t, j);
        empty[static_cast<std::size_t>(t)] = std::all_of(r.begin(), r.end(), [](double x) { return x == 0; });
    }
    for (std::int64_t s = 0; s < k; ++s)
        for (std::int64_t t = 0; t < s; ++t) {
            double js = std::log(2.0);  // a topic with no weight is as far as can be from any other
            if (!empty[static_cast<std::size_t>(s)] && !empty[static_cast<std::size_t>(t)]) {
                const auto& a = rows[static_cast<std::size_t>(s)];
                const auto& b = rows[static_cast<std::size_t>(t)];
                double sum = 0;
                for (std::size_t j = 0; j < a.size(); ++j) {
                    const double m = 0.5 * (a[j] + b[j]);
                    // 0 log 0 = 0: a term absent from one topic adds only the other's half.
                    if (a[j] > 0) sum += a[j] * std::log(a[j] / m);
                    if (b[j] > 0) sum += b[j] * std::log(b[j] / m);
                }
                js = 0.5 * sum;
            }
            // Rounding can leave a tiny negative divergence between near-identical rows.
            d(s, t) = d(t, s) = std::sqrt(std::max(js, 0.0));
        }
    return d;
}

linalg::Matrix<double> classical_mds(const linalg::Matrix<double>& d, std::int64_t dims) {
    const std::int64_t k = d.rows;
    if (d.cols != k)
        throw InvalidArgument(fmt::format("distances are {} x {}: the matrix must be square", d.rows, d.cols));
    if (dims < 1) throw InvalidArgument(fmt::format("dims = {}: must be at least 1", dims));
    linalg::Matrix<double> x = linalg::Matrix<double>::zeros(k, dims);
    if (k == 0) return x;
    // B = −½ J D² J by double centring: subtract row and column means, add back the grand mean.
    linalg::Matrix<double> b(k, k);
    std::vector<double> mean(static_cast<std::size_t>(k), 0.0);
    double grand = 0;
    for (std::int64_t i = 0; i < k; ++i) {
        for (std::int64_t j = 0; j < k; ++j) mean[static_cast<std::size_t>(i)] += d(i, j) * d(i, j);
        mean[static_cast<std::size_t>(i)] /= static_cast<double>(k);
        grand += mean[static_cast<std::size_t>(i)];
    }
    grand /= static_cast<double>(k);
    for (std::int64_t i = 0; i < k; ++i)
        for (std::int64_t j = 0; j < k; ++j)
            b(i, j) = -0.5 * (d(i, j) * d(i, j) - mean[static_cast<std::size_t>(i)] -
                              mean[static_cast<std::size_t>(j)] + grand);
    std::vector<double> lambda;
    linalg::syevd(b, lambda);  // ascending
    for (std::int64_t c = 0; c < std::min(dims, k); ++c) {
        const std::int64_t e = k - 1 - c;
        const double l = lambda[static_cast<std::size_t>(e)];
        if (l <= 0) break;
        const double* v = b.col(e);
        const auto big = std::max_element(v, v + k, [](double p, double q) { return std::abs(p) < std::abs(q); });
        const double scale = std::sqrt(l) * (*big < 0 ? -1.0 : 1.0);
        for (std::int64_t i = 0; i < k; ++i) x(i, c) = v[i] * scale;
    }
    return x;
}

linalg::Matrix<double> cosine_similarities(const linalg::Matrix<double>& h) {
    const std::int64_t k = h.rows;
    std::vector<double> norm(static_cast<std::size_t>(k), 0.0);
    for (std::int64_t t = 0; t < k; ++t) {
        for (std::int64_t j = 0; j < h.cols; ++j) norm[static_cast<std::size_t>(t)] += h(t, j) * h(t, j);
        norm[static_cast<std::size_t>(t)] = std::sqrt(norm[static_cast<std::size_t>(t)]);
    }
    linalg::Matrix<double> c = linalg::Matrix<double>::zeros(k, k);
    for (std::int64_t s = 0; s < k; ++s)
        for (std::int64_t t = 0; t <= s; ++t) {
            const double ns = norm[static_cast<std::size_t>(s)], nt = norm[static_cast<std::size_t>(t)];
            if (ns == 0 || nt == 0) continue;
            double dot = 0;
            for (std::int64_t j = 0; j < h.cols; ++j) dot += h(s, j) * h(t, j);
            c(s, t) = c(t, s) = dot / (ns * nt);
        }
    return c;
}

std::vector<double> topic_prevalence(const linalg::Matrix<double>& w) {
    std::vector<double> share(static_cast<std::size_t>(w.cols), 0.0);
    double total = 0;
    for (std::int64_t t = 0; t < w.cols; ++t) {
        const double* c = w.col(t);
        for (std::int64_t i = 0; i < w.rows; ++i) share[static_cast<std::size_t>(t)] += std::abs(c[i]);
        total += share[static_cast<std::size_t>(t)];
    }
    if (total > 0)
        for (double& s : share) s /= total;
    return share;
}

double relevance(double p_w_t, double p_w, double lambda) {
    return lambda * std::log(p_w_t) + (1 - lambda) * std::log(p_w_t / p_w);
}

std::vector<std::int64_t> relevance_candidates(const std::vector<double>& p_w_t, const std::vector<double>& p_w,
                                               std::int64_t r, std::int64_t steps) {
    if (p_w_t.size() != p_w.size())
        throw InvalidArgument(fmt::format("p(w|t) has {} terms, p(w) {}", p_w_t.size(), p_w.size()));
    if (r < 1 || steps < 1) throw InvalidArgument(fmt::format("r = {}, steps = {}: both must be at least 1", r, steps));
    std::vector<std::int64_t> terms;
    for (std::size_t j = 0; j < p_w_t.size(); ++j)
        if (p_w_t[j] > 0 && p_w[j] > 0) terms.push_back(static_cast<std::int64_t>(j));
    if (static_cast<std::int64_t>(terms.size()) <= r) return terms;
    std::vector<char> chosen(p_w_t.size(), 0);
    // The logarithms once per term: each step is then a weighted sum (steps + 1 passes over n).
    std::vector<double> log_p(terms.size()), log_lift(terms.size());
    for (std::size_t i = 0; i < terms.size(); ++i) {
        const auto j = static_cast<std::size_t>(terms[i]);
        log_p[i] = std::log(p_w_t[j]);
        log_lift[i] = std::log(p_w_t[j] / p_w[j]);
    }
    // A term below r others in both log p and log lift is below them at every λ: drop those
    // first (most of a large vocabulary), using the r largest by each coordinate as the r others.
    const auto rth_largest = [&](const std::vector<double>& v) {
        std::vector<double> copy = v;
        std::nth_element(copy.begin(), copy.begin() + r - 1, copy.end(), std::greater<>());
        return copy[static_cast<std::size_t>(r - 1)];
    };
    const double a_r = rth_largest(log_p), b_r = rth_largest(log_lift);
    double b_of_top_a = INFINITY, a_of_top_b = INFINITY;
    for (std::size_t i = 0; i < terms.size(); ++i) {
        if (log_p[i] >= a_r) b_of_top_a = std::min(b_of_top_a, log_lift[i]);
        if (log_lift[i] >= b_r) a_of_top_b = std::min(a_of_top_b, log_p[i]);
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < terms.size(); ++i) {
        const bool below_top_a = log_p[i] < a_r && log_lift[i] < b_of_top_a;
        const bool below_top_b = log_lift[i] < b_r && log_p[i] < a_of_top_b;
        if (below_top_a || below_top_b) continue;
        terms[kept] = terms[i];
        log_p[kept] = log_p[i];
        log_lift[kept] = log_lift[i];
        ++kept;
    }
    terms.resize(kept);
    log_p.resize(kept);
    log_lift.resize(kept);
    if (static_cast<std::int64_t>(kept) <= r) return terms;
    std::vector<std::pair<double, std::int64_t>> scored(terms.size());
    for (std::int64_t s = 0; s <= steps; ++s) {
        const double lambda = static_cast<double>(s) / static_cast<double>(steps);
        for (std::size_t i = 0; i < terms.size(); ++i)
            scored[i] = {lambda * log_p[i] + (1 - lambda) * log_lift[i], terms[i]};
        // Ties go to the smaller term index, so the set does not depend on the sort's whims.
        std::nth_element(scored.begin(), scored.begin() + r - 1, scored.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        for (std::int64_t i = 0; i < r; ++i)
            chosen[static_cast<std::size_t>(scored[static_cast<std::size_t>(i)].second)] = 1;
    }
    std::vector<std::int64_t> out;
    for (std::size_t j = 0; j < chosen.size(); ++j)
        if (chosen[j]) out.push_back(static_cast<std::int64_t>(j));
    return out;
}

GroupShares group_topic_shares(const linalg::Matrix<double>& props, const std::vector<std::string>& keys) {
    if (static_cast<std::int64_t>(keys.size()) != props.rows)
        throw InvalidArgument(fmt::format("{} keys for {} documents", keys.size(), props.rows));
    const std::int64_t k = props.cols;
    std::map<std::string, std::size_t> index;
    for (const auto& key : keys)
        if (!key.empty()) index.emplace(key, 0);
    GroupShares g;
    for (auto& [key, i] : index) {
        i = g.groups.size();
        g.groups.push_back(key);
    }
    g.documents.assign(g.groups.size(), 0);
    g.shares.assign(g.groups.size(), std::vector<double>(static_cast<std::size_t>(k), 0.0));
    for (std::int64_t i = 0; i < props.rows; ++i) {
        double sum = 0;
        for (std::int64_t t = 0; t < k; ++t) {
            if (props(i, t) < 0)
                throw InvalidArgument(
                    fmt::format("document {} has a negative weight {} on topic {}", i, props(i, t), t));
            sum += props(i, t);
        }
        const auto& key = keys[static_cast<std::size_t>(i)];
        if (key.empty() || sum == 0) {
            ++g.skipped;
            continue;
        }
        const std::size_t gi = index.at(key);
        ++g.documents[gi];
        for (std::int64_t t = 0; t < k; ++t) g.shares[gi][static_cast<std::size_t>(t)] += props(i, t) / sum;
    }
    for (std::size_t gi = 0; gi < g.groups.size(); ++gi)
        if (g.documents[gi] > 0)
            for (double& s : g.shares[gi]) s /= static_cast<double>(g.documents[gi]);
    return g;
}

namespace {

bool digits(const std::string& s, std::size_t from, std::size_t n) {
    if (s.size() < from + n) return false;
    return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.begin() + static_cast<std::ptrdiff_t>(from + n),
                       [](char c) { return c >= '0' && c <= '9'; });
}

/// 0: not a date; 1: YYYY; 2: YYYY-MM; 3: YYYY-MM-DD (possibly followed by a time).
int date_precision(const std::string& s) {
    if (!digits(s, 0, 4)) return 0;
    if (s.size() == 4) return 1;
    if (s[4] != '-' || !digits(s, 5, 2)) return 0;
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    if (month < 1 || month > 12) return 0;
    if (s.size() == 7) return 2;
    if (s[7] != '-' || !digits(s, 8, 2)) return 0;
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    if (day < 1 || day > 31) return 0;
    return s.size() == 10 || s[10] == 'T' || s[10] == ' ' ? 3 : 0;
}

}  // namespace

std::string period_of(const std::string& date, PeriodUnit unit) {
    const int precision = date_precision(date);
    if (precision == 0) return "";
    if (unit == PeriodUnit::year) return date.substr(0, 4);
    return precision >= 2 ? date.substr(0, 7) : "";
}

PeriodUnit choose_period_unit(const std::vector<std::string>& dates, std::int64_t min_years) {
    std::vector<std::string> years;
    bool all_months = true, any = false;
    for (const auto& d : dates) {
        const int precision = date_precision(d);
        if (precision == 0) continue;
        any = true;
        years.push_back(d.substr(0, 4));
        if (precision < 2) all_months = false;
    }
    std::sort(years.begin(), years.end());
    const auto distinct = std::unique(years.begin(), years.end()) - years.begin();
    if (!any || distinct >= min_years) return PeriodUnit::year;
    return all_months ? PeriodUnit::month : PeriodUnit::year;
}

}  // namespace factopic::model
