// The HTML report (`factopic report`): one self-contained page — Vega, Vega-Lite and vega-embed
// inlined, the data inside the Vega-Lite specifications — that opens with no network access.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sweep.hpp"

namespace factopic::cli {

struct ReportTopic {
    std::vector<std::pair<std::string, double>> top;       ///< largest weights first
    std::vector<std::pair<std::string, double>> negative;  ///< SVD: most negative first
    bool has_quality = false;                              ///< coherence known (a corpus was given)
    double npmi = 0, umass = 0;
    std::int64_t size = -1;  ///< documents whose dominant topic it is; -1: unknown
    std::string label;       ///< their most common label ("" when none)
    double share = 0;
};

struct ReportPoint {
    double x = 0, y = 0;
    std::int64_t topic = 0;
    std::string id, label;
};

/// One candidate term of a topic's relevance chart (Sievert & Shirley 2014).
struct ReportRelevanceTerm {
    std::int64_t topic = 0;
    std::string term;
    double log_p = 0;     ///< log p(w|t)
    double log_lift = 0;  ///< log(p(w|t) / p(w))
    double corpus = 0;    ///< the term's total weight in the matrix
    double in_topic = 0;  ///< the part of it the topic accounts for: corpus · p(t|w)
};

/// One of a topic's most typical documents.
struct ReportDocument {
    std::int64_t topic = 0, rank = 0;
    std::string id, label, snippet;
    double weight = 0;
};

/// Topic shares per group of documents (periods, classes), each group's shares summing to 1.
struct ReportShares {
    std::vector<std::string> groups;
    std::vector<std::int64_t> documents;
    std::vector<std::vector<double>> shares;  ///< group × topic
    std::string note;
};

struct ReportData {
    std::string title;
    std::vector<std::pair<std::string, std::string>> summary;  ///< (heading, text) lines
    bool signed_topics = false;                                ///< SVD: bars either side of 0
    std::vector<ReportTopic> topics;
    std::vector<double> singular_values;  ///< the scree plot (empty: none)
    std::string singular_values_note;
    std::vector<SweepPoint> sweep;  ///< error against k (empty: no --sweep)
    std::string sweep_method;
    std::vector<std::string> labels;  ///< label names (empty: the documents have none)
    std::vector<ReportPoint> map;     ///< the 2-D document map (empty: none)
    std::int64_t map_documents = 0;   ///< documents the map was drawn from (before sampling)
    std::string map_note;
    std::vector<std::string> notes;  ///< sections left out, and why

    std::vector<std::string> palette;  ///< one colour per topic (empty: Vega's default)
    // The intertopic distance map (empty: none): per topic its prevalence (share of the total
    // document weight) and its position by classical scaling of the Jensen–Shannon distances.
    std::vector<double> prevalence, topic_x, topic_y;
    std::vector<std::vector<double>> distances;  ///< k × k Jensen–Shannon distances
    std::vector<ReportRelevanceTerm> relevance;  ///< candidate terms of every topic (empty: none)
    std::string relevance_note;
    std::vector<std::vector<double>> similarity;  ///< k × k cosine similarity of the topics' term weights
    std::vector<ReportDocument> documents;        ///< representative documents (empty: none)
    ReportShares periods;                         ///< topics over time (empty: no dates)
    ReportShares classes;                         ///< per-class topic shares (empty: no labels)
};

/// The whole page.
std::string render_report(const ReportData& data);

}  // namespace factopic::cli
