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

struct ReportData {
    std::string title;
    std::vector<std::pair<std::string, std::string>> summary;  ///< (heading, text) lines
    bool signed_topics = false;                                ///< SVD: bars either side of 0
    std::vector<ReportTopic> topics;
    std::vector<double> singular_values;  ///< the scree plot (empty: none)
    std::string singular_values_note;
    std::vector<SweepPoint> sweep;  ///< error against k (empty: no --sweep)
    std::string sweep_method;
    std::vector<std::string> labels;                  ///< label names (empty: the documents have none)
    std::vector<std::vector<std::int64_t>> counts;    ///< topic × label document counts
    std::vector<ReportPoint> map;                     ///< the 2-D document map (empty: none)
    std::int64_t map_documents = 0;                   ///< documents the map was drawn from (before sampling)
    std::string map_note;
    std::vector<std::string> notes;  ///< sections left out, and why
};

/// The whole page.
std::string render_report(const ReportData& data);

}  // namespace factopic::cli
