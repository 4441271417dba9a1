#include "report_views.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "factopic/model/topic_views.hpp"

namespace factopic::cli {

std::string document_snippet(std::string_view text, std::size_t max_chars) {
    std::string flat;
    flat.reserve(std::min(text.size(), 4 * max_chars + 4));
    std::size_t chars = 0;
    bool space = false;
    // Stops one character past the limit: enough to know the text was cut.
    for (std::size_t i = 0; i < text.size() && chars <= max_chars; ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !flat.empty();
            continue;
        }
        if (space) {
            flat += ' ';
            ++chars;
            space = false;
        }
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;  // a code point starts here
        flat += c;
    }
    // Count code points of what was kept; cut to max_chars − 1 of them and mark the cut.
    std::size_t count = 0;
    for (const char c : flat) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (count <= max_chars) return flat;
    std::size_t kept = 0, end = 0;
    for (; end < flat.size(); ++end) {
        if ((static_cast<unsigned char>(flat[end]) & 0xC0) != 0x80) {
            if (kept == max_chars - 1) break;
            ++kept;
        }
    }
    std::string out = flat.substr(0, end);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\xE2\x80\xA6";
}

namespace {

/// CIE LCh (D65) to sRGB "#rrggbb", clamped into the gamut.
std::string lch_to_hex(double l, double c, double h_degrees) {
    const double h = h_degrees * M_PI / 180.0;
    const double a = c * std::cos(h), b = c * std::sin(h);
    const double fy = (l + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
    const auto inv = [](double f) { return f * f * f > 0.008856 ? f * f * f : (f - 16.0 / 116) / 7.787; };
    const double x = 0.95047 * inv(fx), y = 1.0 * inv(fy), z = 1.08883 * inv(fz);
    const double lin[3] = {3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
                           -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
                           0.0556434 * x - 0.2040259 * y + 1.0572252 * z};
    std::string out = "#";
    for (const double v : lin) {
        const double g = v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
        out += fmt::format("{:02x}", static_cast<int>(std::lround(std::clamp(g, 0.0, 1.0) * 255)));
    }
    return out;
}

}  // namespace

std::vector<std::string> categorical_palette(std::size_t n) {
    // Okabe & Ito, "Color Universal Design" (2008): told apart with any common colour vision.
    static const std::vector<std::string> okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442",
                                                       "#0072b2", "#d55e00", "#cc79a7", "#000000"};
    // K. L. Kelly, "Twenty-two colors of maximum contrast" (1965), less white and black, in his order.
    static const std::vector<std::string> kelly = {
        "#f3c300", "#875692", "#f38400", "#a1caf1", "#be0032", "#c2b280", "#848482", "#008856", "#e68fac", "#0067a5",
        "#f99379", "#604e97", "#f6a600", "#b3446c", "#dcd300", "#882d17", "#8db600", "#654522", "#e25822", "#2b3d26"};
    if (n <= okabe_ito.size()) return {okabe_ito.begin(), okabe_ito.begin() + static_cast<std::ptrdiff_t>(n)};
    if (n <= kelly.size()) return {kelly.begin(), kelly.begin() + static_cast<std::ptrdiff_t>(n)};
    // Beyond twenty no set stays distinct; hues a golden angle apart never repeat, and alternating
    // lightness keeps neighbours (the next topic) apart even when their hues come close.
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(lch_to_hex(i % 3 == 0   ? 45.0
                                 : i % 3 == 1 ? 65.0
                                              : 82.0,
                                 45.0, std::fmod(30.0 + 137.507764 * static_cast<double>(i), 360.0)));
    return out;
}

namespace {

/// Per-class shares capped at k_class_rows classes (the largest; the rest as one "others"
/// row), ordered by each class's dominant topic and then its share of it, so the heat map reads
/// as blocks along the topics.
ReportShares class_shares(const linalg::Matrix<double>& props, const std::vector<std::string>& labels) {
    model::GroupShares g = model::group_topic_shares(props, labels);
    std::size_t others = 0;
    std::int64_t others_documents = 0;
    std::string others_name;
    if (g.groups.size() > k_class_rows) {
        std::vector<std::size_t> order(g.groups.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return g.documents[a] > g.documents[b]; });
        std::map<std::string, bool> kept;
        for (std::size_t i = 0; i < k_class_rows - 1; ++i) kept[g.groups[order[i]]] = true;
        others = g.groups.size() - (k_class_rows - 1);
        others_name = fmt::format("(others: {} labels)", others);
        std::vector<std::string> keys(labels.size());
        for (std::size_t i = 0; i < labels.size(); ++i)
            keys[i] = labels[i].empty() ? "" : kept.count(labels[i]) ? labels[i] : others_name;
        g = model::group_topic_shares(props, keys);
        for (std::size_t i = 0; i < g.groups.size(); ++i)
            if (g.groups[i] == others_name) others_documents = g.documents[i];
    }
    std::vector<std::size_t> order(g.groups.size());
    std::iota(order.begin(), order.end(), 0);
    const auto top = [&](std::size_t i) {
        return static_cast<std::size_t>(std::max_element(g.shares[i].begin(), g.shares[i].end()) - g.shares[i].begin());
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const bool oa = g.groups[a] == others_name && others > 0, ob = g.groups[b] == others_name && others > 0;
        if (oa != ob) return ob;
        const std::size_t ta = top(a), tb = top(b);
        return ta != tb ? ta < tb : g.shares[a][ta] > g.shares[b][tb];
    });
    ReportShares r;
    for (const std::size_t i : order) {
        r.groups.push_back(g.groups[i]);
        r.documents.push_back(g.documents[i]);
        r.shares.push_back(g.shares[i]);
    }
    r.note = others > 0 ? fmt::format("The {} largest of {} labels; the other {} ({} documents) are pooled as one row.",
                                      k_class_rows - 1, k_class_rows - 1 + others, others, others_documents)
                        : fmt::format("{} labels.", r.groups.size());
    return r;
}

}  // namespace

void add_term_views(const linalg::Matrix<double>& terms, ReportData& r) {
    const std::int64_t k = terms.rows;
    r.palette = categorical_palette(static_cast<std::size_t>(k));
    const auto c = model::cosine_similarities(terms);
    r.similarity.assign(static_cast<std::size_t>(k), std::vector<double>(static_cast<std::size_t>(k)));
    for (std::int64_t s = 0; s < k; ++s)
        for (std::int64_t t = 0; t < k; ++t)
            r.similarity[static_cast<std::size_t>(s)][static_cast<std::size_t>(t)] = c(s, t);
}

template <typename T>
void add_topic_views(const ViewInputs<T>& in, ReportData& r) {
    const linalg::Matrix<double> h = in.terms.template cast<double>();
    const linalg::Matrix<double> w = in.docs.template cast<double>();
    const std::int64_t k = h.rows, n = h.cols, m = w.rows;
    add_term_views(h, r);

    // The proportions the per-group shares average: W's rows for NMF; signed SVD weights are no
    // proportions, so there each document counts wholly for its dominant topic.
    linalg::Matrix<double> props = in.signed_ ? linalg::Matrix<double>::zeros(m, k) : w;
    if (in.signed_)
        for (std::int64_t i = 0; i < m; ++i)
            if (const std::int64_t t = in.dominant[static_cast<std::size_t>(i)]; t >= 0) props(i, t) = 1;  // -1: none

    if (in.signed_) {
        r.notes.push_back(
            "The intertopic distance map and term relevance: they compare topics as distributions over "
            "the terms, which signed SVD topics are not (use --method nmf).");
    } else {
        r.prevalence = model::topic_prevalence(w);
        const auto p = model::row_distributions(h);
        const auto d = model::jensen_shannon_distances(p);
        const auto xy = model::classical_mds(d, 2);
        r.distances.assign(static_cast<std::size_t>(k), std::vector<double>(static_cast<std::size_t>(k)));
        for (std::int64_t s = 0; s < k; ++s) {
            r.topic_x.push_back(xy(s, 0));
            r.topic_y.push_back(xy(s, 1));
            for (std::int64_t t = 0; t < k; ++t)
                r.distances[static_cast<std::size_t>(s)][static_cast<std::size_t>(t)] = d(s, t);
        }
        // p(w): each term's share of the matrix's total weight; p(t|w) from p(t) p(w|t).
        std::vector<double> corpus(static_cast<std::size_t>(n), 0.0);
        double total = 0;
        for (std::int64_t e = 0; e < in.x.nnz(); ++e) {
            corpus[static_cast<std::size_t>(in.x.indices[e])] += static_cast<double>(in.x.values[e]);
            total += static_cast<double>(in.x.values[e]);
        }
        std::vector<double> p_w(static_cast<std::size_t>(n), 0.0), mix(static_cast<std::size_t>(n), 0.0);
        for (std::int64_t j = 0; j < n; ++j) {
            p_w[static_cast<std::size_t>(j)] = total > 0 ? corpus[static_cast<std::size_t>(j)] / total : 0.0;
            for (std::int64_t t = 0; t < k; ++t)
                mix[static_cast<std::size_t>(j)] += r.prevalence[static_cast<std::size_t>(t)] * p(t, j);
        }
        std::vector<double> row(static_cast<std::size_t>(n));
        for (std::int64_t t = 0; t < k; ++t) {
            for (std::int64_t j = 0; j < n; ++j) row[static_cast<std::size_t>(j)] = p(t, j);
            for (const std::int64_t j : model::relevance_candidates(row, p_w, k_relevance_terms, k_relevance_steps)) {
                const auto js = static_cast<std::size_t>(j);
                const double p_t_w = mix[js] > 0 ? r.prevalence[static_cast<std::size_t>(t)] * p(t, j) / mix[js] : 0.0;
                r.relevance.push_back({t, in.vocabulary[js], std::log(p(t, j)), std::log(p(t, j) / p_w[js]), corpus[js],
                                       corpus[js] * p_t_w});
            }
        }
        r.relevance_note =
            "Relevance r = λ log p(w|t) + (1 − λ) log(p(w|t) / p(w)) (Sievert & Shirley 2014): λ = 1 "
            "ranks the terms by their weight in the topic, λ = 0 by their lift (how much more the topic "
            "uses them than the corpus). Grey: the term's total weight in the matrix; colour: the part "
            "of it the topic accounts for. Click a topic on the map or in the table.";
    }

    if (in.snippets.empty()) {
        r.notes.push_back("Representative documents: the input is a matrix, without the documents' texts.");
    } else {
        for (std::int64_t t = 0; t < k; ++t) {
            std::vector<std::int64_t> best;
            for (std::int64_t i = 0; i < m; ++i)
                if (w(i, t) > 0) best.push_back(i);
            const auto cut = std::min<std::size_t>(best.size(), static_cast<std::size_t>(k_representative));
            // Ties go to the earlier document, so the page is the same on every run.
            std::partial_sort(
                best.begin(), best.begin() + static_cast<std::ptrdiff_t>(cut), best.end(),
                [&](std::int64_t a, std::int64_t b) { return w(a, t) != w(b, t) ? w(a, t) > w(b, t) : a < b; });
            for (std::size_t rank = 0; rank < cut; ++rank) {
                const auto i = static_cast<std::size_t>(best[rank]);
                r.documents.push_back({t, static_cast<std::int64_t>(rank), in.ids[i],
                                       in.labels.empty() ? std::string() : in.labels[i], in.snippets[i],
                                       w(best[rank], t)});
            }
        }
    }

    if (!in.dates.empty()) {
        const model::PeriodUnit unit = model::choose_period_unit(in.dates);
        std::vector<std::string> keys;
        keys.reserve(in.dates.size());
        for (const auto& d : in.dates) keys.push_back(model::period_of(d, unit));
        const auto g = model::group_topic_shares(props, keys);
        r.periods = {
            g.groups, g.documents, g.shares,
            fmt::format(
                "Per {}: the mean topic proportions of its documents{}{}.",
                unit == model::PeriodUnit::year ? "year" : "month",
                in.signed_ ? " (SVD: each document counts for its dominant topic)" : "",
                g.skipped > 0 ? fmt::format("; {} documents without a usable date are left out", g.skipped) : "")};
        if (g.groups.empty()) r.periods = {};
    }
    if (r.periods.groups.empty()) r.notes.push_back("Topics over time: the documents carry no dates.");

    if (std::any_of(in.labels.begin(), in.labels.end(), [](const std::string& l) { return !l.empty(); }))
        r.classes = class_shares(props, in.labels);
}

template void add_topic_views(const ViewInputs<float>&, ReportData&);
template void add_topic_views(const ViewInputs<double>&, ReportData&);

}  // namespace factopic::cli
