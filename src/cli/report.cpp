#include "report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "assets.hpp"
#include "factopic/core/version.hpp"
#include "report_views.hpp"

namespace factopic::cli {
namespace {

using nlohmann::json;

constexpr std::int64_t k_relevance_bars = k_relevance_terms;

constexpr const char* k_schema = "https://vega.github.io/schema/vega-lite/v5.json";

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

/// JSON safe inside a <script> element. The HTML parser reads a script's text before JavaScript
/// does: "</script" would end it, and "<!--" followed by "<script" switches the parser into a state
/// where the closing tag no longer counts, so every chart after it is swallowed. Every '<', '>'
/// and '&' (which occur only inside JSON strings) becomes a \u escape, which JSON.parse and
/// JavaScript read back as the same character; so do U+2028/U+2029, line ends to older JavaScript.
std::string script_json(const json& j) {
    const std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<') {
            out += "\\u003c";
        } else if (s[i] == '>') {
            out += "\\u003e";
        } else if (s[i] == '&') {
            out += "\\u0026";
        } else if (s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0) {
            out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string topic_name(std::size_t t, const ReportTopic& topic) {
    std::string words;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, topic.top.size()); ++i)
        words += (i ? " " : "") + topic.top[i].first;
    return fmt::format("{:02}: {}", t, words);
}

/// The colour scale of the topics: the report's palette over their names (Vega's default without one).
json topic_colors(const ReportData& d) {
    if (d.palette.empty()) return {{"scheme", "tableau20"}};
    json domain = json::array();
    for (std::size_t t = 0; t < d.topics.size(); ++t) domain.push_back(topic_name(t, d.topics[t]));
    return {{"domain", domain}, {"range", d.palette}};
}

json topics_spec(const ReportData& d) {
    json values = json::array();
    for (std::size_t t = 0; t < d.topics.size(); ++t) {
        const auto& topic = d.topics[t];
        const std::string name = topic_name(t, topic);
        int rank = 0;
        for (const auto& [word, weight] : topic.top)
            values.push_back({{"topic", name}, {"word", word}, {"weight", weight}, {"rank", rank++}});
        for (const auto& [word, weight] : topic.negative)
            values.push_back({{"topic", name}, {"word", word}, {"weight", weight}, {"rank", rank++}});
    }
    return {
        {"$schema", k_schema},
        {"description", "Top words of each topic and their weights"},
        {"data", {{"values", values}}},
        {"columns", 3},
        {"facet",
         {{"field", "topic"}, {"type", "nominal"}, {"title", nullptr}, {"header", {{"labelFontWeight", "bold"}}}}},
        {"spec",
         {{"width", 190},
          {"height", {{"step", 13}}},
          {"mark", {{"type", "bar"}, {"tooltip", true}}},
          {"encoding",
           {{"y",
             {{"field", "word"},
              {"type", "nominal"},
              {"title", nullptr},
              {"sort", {{"field", "rank"}, {"op", "min"}}}}},
            {"x",
             {{"field", "weight"},
              {"type", "quantitative"},
              {"title", d.signed_topics ? "weight (signed)" : "weight"}}},
            {"color", {{"condition", {{"test", "datum.weight < 0"}, {"value", "#d62728"}}}, {"value", "#1f77b4"}}}}}}},
        {"resolve", {{"scale", {{"y", "independent"}, {"x", "independent"}}}}}};
}

json line_spec(const char* description, const json& values, const char* x, const char* x_title, const char* y,
               const char* y_title) {
    return {{"$schema", k_schema},
            {"description", description},
            {"width", 560},
            {"height", 260},
            {"data", {{"values", values}}},
            {"mark", {{"type", "line"}, {"point", true}, {"tooltip", true}}},
            {"encoding",
             {{"x", {{"field", x}, {"type", "quantitative"}, {"title", x_title}}},
              {"y", {{"field", y}, {"type", "quantitative"}, {"title", y_title}, {"scale", {{"zero", false}}}}}}}};
}

json sizes_spec(const ReportData& d) {
    json values = json::array();
    for (std::size_t t = 0; t < d.topics.size(); ++t)
        values.push_back({{"topic", topic_name(t, d.topics[t])}, {"documents", d.topics[t].size}});
    return {{"$schema", k_schema},
            {"description", "Documents per topic (those whose largest weight it is)"},
            {"width", {{"step", 22}}},
            {"height", 240},
            {"data", {{"values", values}}},
            {"mark", {{"type", "bar"}, {"tooltip", true}}},
            {"encoding",
             {{"x", {{"field", "topic"}, {"type", "nominal"}, {"title", nullptr}, {"axis", {{"labelAngle", -40}}}}},
              {"y", {{"field", "documents"}, {"type", "quantitative"}}},
              {"color", {{"field", "topic"}, {"type", "nominal"}, {"legend", nullptr}, {"scale", topic_colors(d)}}}}}};
}

json map_spec(const ReportData& d) {
    json values = json::array();
    for (const auto& p : d.map) {
        const auto t = static_cast<std::size_t>(p.topic);
        const std::string topic = p.topic < 0 ? "none" : topic_name(t, d.topics[t]);  // -1: no topic
        values.push_back({{"x", p.x}, {"y", p.y}, {"topic", topic}, {"document", p.id}, {"label", p.label}});
    }
    json tooltip = json::array({{{"field", "document"}}, {{"field", "topic"}}});
    if (!d.labels.empty()) tooltip.push_back({{"field", "label"}});
    return {
        {"$schema", k_schema},
        {"description", "Documents in the plane of the two main directions of their topic weights"},
        {"width", 620},
        {"height", 440},
        {"data", {{"values", values}}},
        {"mark", {{"type", "circle"}, {"size", 14}, {"opacity", 0.6}}},
        {"encoding",
         {{"x", {{"field", "x"}, {"type", "quantitative"}, {"title", "component 1"}}},
          {"y", {{"field", "y"}, {"type", "quantitative"}, {"title", "component 2"}}},
          {"color", {{"field", "topic"}, {"type", "nominal"}, {"title", "dominant topic"}, {"scale", topic_colors(d)}}},
          {"tooltip", tooltip}}}};
}

/// The intertopic distance map (LDAvis): circles of area ∝ prevalence at their classical-scaling
/// positions; the selected topic (signal sel, set by a click) is outlined.
json intertopic_spec(const ReportData& d) {
    json values = json::array();
    for (std::size_t t = 0; t < d.topics.size(); ++t)
        values.push_back({{"topic", t},
                          {"name", topic_name(t, d.topics[t])},
                          {"x", d.topic_x[t]},
                          {"y", d.topic_y[t]},
                          {"prevalence", d.prevalence[t]},
                          {"distances", d.distances[t]}});  // the row of the distances the positions scale
    json circles = {{"mark", {{"type", "circle"}, {"opacity", 0.75}, {"cursor", "pointer"}, {"stroke", "#222"}}}};
    circles["encoding"] = {
        {"size",
         {{"field", "prevalence"},
          {"type", "quantitative"},
          {"title", "share of the weight"},
          {"scale", {{"zero", true}, {"range", json::array({0, 6000})}}},
          {"legend", nullptr}}},
        {"color",
         {{"field", "name"}, {"type", "nominal"}, {"title", "topic"}, {"scale", topic_colors(d)}, {"legend", nullptr}}},
        {"strokeWidth", {{"condition", {{"test", "datum.topic == sel"}, {"value", 3}}}, {"value", 0.5}}},
        {"tooltip", json::array({{{"field", "name"}, {"title", "topic"}},
                                 {{"field", "prevalence"}, {"format", ".1%"}, {"title", "share of the weight"}}})}};
    json labels = {{"mark", {{"type", "text"}, {"fontWeight", "bold"}, {"cursor", "pointer"}}}};
    labels["encoding"] = {{"text", {{"field", "topic"}}}};
    return {
        {"$schema", k_schema},
        {"description", "Intertopic distance map: classical scaling of the Jensen-Shannon distances"},
        {"width", 460},
        {"height", 460},
        {"params", json::array({{{"name", "sel"}, {"value", 0}}})},
        {"data", {{"values", values}}},
        {"encoding",
         {{"x",
           {{"field", "x"}, {"type", "quantitative"}, {"title", "PC1"}, {"scale", {{"zero", false}, {"padding", 40}}}}},
          {"y",
           {{"field", "y"},
            {"type", "quantitative"},
            {"title", "PC2"},
            {"scale", {{"zero", false}, {"padding", 40}}}}}}},
        {"layer", json::array({circles, labels})}};
}

/// The selected topic's terms by relevance at the slider's λ: grey bars their total weight,
/// coloured bars the topic's part of it (LDAvis' two bars).
json relevance_spec(const ReportData& d) {
    json values = json::array();
    for (const auto& v : d.relevance)
        values.push_back({{"topic", v.topic},
                          {"term", v.term},
                          {"log_p", v.log_p},
                          {"log_lift", v.log_lift},
                          {"corpus", v.corpus},
                          {"in_topic", v.in_topic}});
    json sort = {{"field", "rank"}, {"op", "min"}, {"order", "ascending"}};
    json corpus = {{"mark", {{"type", "bar"}, {"color", "#c8c8c8"}}}};
    corpus["encoding"] = {
        {"x",
         {{"field", "corpus"}, {"type", "quantitative"}, {"title", "weight in the corpus (grey) and in the topic"}}},
        {"tooltip", json::array({{{"field", "term"}},
                                 {{"field", "corpus"}, {"format", ".4g"}},
                                 {{"field", "in_topic"}, {"format", ".4g"}},
                                 {{"field", "relevance"}, {"format", ".3f"}}})}};
    json topic = {{"mark", {{"type", "bar"}, {"color", "#d55e00"}}}};
    topic["encoding"] = {{"x", {{"field", "in_topic"}, {"type", "quantitative"}}}};
    return {{"$schema", k_schema},
            {"description", "The selected topic's most relevant terms"},
            {"width", 420},
            {"height", {{"step", 14}}},
            {"params",
             json::array({{{"name", "sel"}, {"value", 0}},
                          {{"name", "lambda"},
                           {"value", 0.6},
                           {"bind", {{"input", "range"}, {"min", 0}, {"max", 1}, {"step", 0.01}, {"name", "λ "}}}}})},
            {"title",
             {{"text",
               {{"expr", "'Topic ' + sel + ': the " + std::to_string(k_relevance_bars) +
                             " most relevant terms at λ = ' + format(lambda, '.2f')"}}}}},
            {"data", {{"values", values}}},
            {"transform",
             json::array({{{"filter", "datum.topic == sel"}},
                          {{"calculate", "lambda * datum.log_p + (1 - lambda) * datum.log_lift"}, {"as", "relevance"}},
                          {{"window", json::array({{{"op", "row_number"}, {"as", "rank"}}})},
                           {"sort", json::array({{{"field", "relevance"}, {"order", "descending"}},
                                                 {{"field", "term"}, {"order", "ascending"}}})}},
                          {{"filter", "datum.rank <= " + std::to_string(k_relevance_bars)}}})},
            {"encoding", {{"y", {{"field", "term"}, {"type", "nominal"}, {"title", nullptr}, {"sort", sort}}}}},
            {"layer", json::array({corpus, topic})}};
}

/// Cosine similarity of every pair of topics' term weights.
json similarity_spec(const ReportData& d) {
    json values = json::array();
    const std::size_t k = d.topics.size();
    for (std::size_t s = 0; s < k; ++s)
        for (std::size_t t = 0; t < k; ++t)
            values.push_back({{"a", s},
                              {"b", t},
                              {"name_a", topic_name(s, d.topics[s])},
                              {"name_b", topic_name(t, d.topics[t])},
                              {"cosine", d.similarity[s][t]}});
    json spec = {{"$schema", k_schema},
                 {"description", "Cosine similarity of the topics' term weights"},
                 {"width", {{"step", k <= 20 ? 34 : 14}}},
                 {"height", {{"step", k <= 20 ? 24 : 14}}},
                 {"data", {{"values", values}}}};
    spec["encoding"] = {{"x", {{"field", "b"}, {"type", "ordinal"}, {"title", "topic"}}},
                        {"y", {{"field", "a"}, {"type", "ordinal"}, {"title", "topic"}}}};
    json cells = {{"mark", {{"type", "rect"}, {"tooltip", true}}}};
    cells["encoding"]["color"] = {{"field", "cosine"},
                                  {"type", "quantitative"},
                                  {"title", "cosine"},
                                  {"scale",
                                   {{"scheme", d.signed_topics ? "redblue" : "blues"},
                                    {"domain", d.signed_topics ? json::array({-1, 1}) : json::array({0, 1})}}}};
    json layers = json::array({cells});
    if (k <= 20) {
        json text = {{"mark", {{"type", "text"}, {"fontSize", 9}}}};
        text["encoding"]["text"] = {{"field", "cosine"}, {"type", "quantitative"}, {"format", ".2f"}};
        text["encoding"]["color"] = {{"condition", {{"test", "abs(datum.cosine) > 0.6"}, {"value", "white"}}},
                                     {"value", "black"}};
        layers.push_back(text);
    }
    spec["layer"] = layers;
    return spec;
}

/// Group × topic shares (each group's summing to 1) as a heat map, rows in the given order.
json shares_heat_spec(const ReportData& d, const ReportShares& g, const char* description, const char* group_title) {
    json values = json::array();
    json order = json::array();
    for (std::size_t i = 0; i < g.groups.size(); ++i) {
        order.push_back(g.groups[i]);
        for (std::size_t t = 0; t < d.topics.size(); ++t)
            values.push_back({{"group", g.groups[i]},
                              {"documents", g.documents[i]},
                              {"topic", t},
                              {"name", topic_name(t, d.topics[t])},
                              {"share", g.shares[i][t]}});
    }
    json spec = {{"$schema", k_schema},
                 {"description", description},
                 {"width", {{"step", d.topics.size() <= 20 ? 34 : 16}}},
                 {"height", {{"step", 16}}},
                 {"data", {{"values", values}}}};
    spec["encoding"] = {
        {"x", {{"field", "topic"}, {"type", "ordinal"}, {"title", "topic"}, {"axis", {{"orient", "top"}}}}},
        {"y", {{"field", "group"}, {"type", "nominal"}, {"title", group_title}, {"sort", order}}}};
    json cells = {{"mark", {{"type", "rect"}}}};
    cells["encoding"]["color"] = {
        {"field", "share"}, {"type", "quantitative"}, {"title", "share"}, {"scale", {{"scheme", "blues"}}}};
    cells["encoding"]["tooltip"] = json::array({{{"field", "group"}, {"title", group_title}},
                                                {{"field", "documents"}},
                                                {{"field", "name"}, {"title", "topic"}},
                                                {{"field", "share"}, {"format", ".1%"}}});
    json layers = json::array({cells});
    if (d.topics.size() <= 20) {
        json text = {{"mark", {{"type", "text"}, {"fontSize", 8}}}};
        text["encoding"]["text"] = {{"field", "share"}, {"type", "quantitative"}, {"format", ".0%"}};
        text["encoding"]["color"] = {{"condition", {{"test", "datum.share > 0.5"}, {"value", "white"}}},
                                     {"value", "black"}};
        layers.push_back(text);
    }
    spec["layer"] = layers;
    return spec;
}

/// Topic shares per period, stacked to 1.
json time_spec(const ReportData& d) {
    json values = json::array();
    for (std::size_t i = 0; i < d.periods.groups.size(); ++i)
        for (std::size_t t = 0; t < d.topics.size(); ++t)
            values.push_back({{"period", d.periods.groups[i]},
                              {"documents", d.periods.documents[i]},
                              {"name", topic_name(t, d.topics[t])},
                              {"topic", t},
                              {"share", d.periods.shares[i][t]}});
    return {
        {"$schema", k_schema},
        {"description", "Topic shares per period, normalised per period"},
        {"width", {{"step", 28}}},
        {"height", 280},
        {"data", {{"values", values}}},
        {"mark", {{"type", "bar"}, {"tooltip", true}}},
        {"encoding",
         {{"x", {{"field", "period"}, {"type", "ordinal"}, {"title", nullptr}}},
          {"y",
           {{"field", "share"}, {"type", "quantitative"}, {"stack", "normalize"}, {"title", "share of the period"}}},
          {"order", {{"field", "topic"}}},
          {"color", {{"field", "name"}, {"type", "nominal"}, {"title", "topic"}, {"scale", topic_colors(d)}}}}}};
}

/// The representative documents, one block per topic (the selected one is marked by the script).
std::string documents_html(const ReportData& d) {
    std::string h = "<div class=\"docs\">\n";
    for (std::size_t t = 0; t < d.topics.size(); ++t) {
        h += fmt::format("<div class=\"topic-docs\" data-topic=\"{}\"><h3>{}</h3><ol>\n", t,
                         html_escape(topic_name(t, d.topics[t])));
        for (const auto& doc : d.documents) {
            if (doc.topic != static_cast<std::int64_t>(t)) continue;
            h += fmt::format(
                "<li data-doc=\"{}\" data-weight=\"{:.17g}\"><span class=\"doc-id\">{}</span>{} <span "
                "class=\"snippet\">{}</span></li>\n",
                html_escape(doc.id), doc.weight, html_escape(doc.id),
                doc.label.empty() ? "" : " <span class=\"doc-label\">[" + html_escape(doc.label) + "]</span>",
                html_escape(doc.snippet));
        }
        h += "</ol></div>\n";
    }
    return h + "</div>\n";
}

std::string topics_table(const ReportData& d) {
    const bool quality = std::any_of(d.topics.begin(), d.topics.end(), [](const auto& t) { return t.has_quality; });
    const bool sizes = std::any_of(d.topics.begin(), d.topics.end(), [](const auto& t) { return t.size >= 0; });
    const bool labels = !d.labels.empty();
    std::string h = "<table class=\"topics\"><thead><tr><th>topic</th>";
    if (quality) h += "<th>NPMI</th><th>UMass</th>";
    if (sizes) h += "<th>documents</th>";
    if (labels) h += "<th>dominant label</th><th>share</th>";
    h += "<th>top words</th></tr></thead><tbody>\n";
    for (std::size_t t = 0; t < d.topics.size(); ++t) {
        const auto& topic = d.topics[t];
        h += fmt::format(
            "<tr class=\"pick\" data-topic=\"{}\"><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td>", t,
            t < d.palette.size() ? d.palette[t] : "transparent", t);
        if (quality) h += fmt::format("<td>{:.3f}</td><td>{:.3f}</td>", topic.npmi, topic.umass);
        if (sizes) h += fmt::format("<td>{}</td>", topic.size);
        if (labels)
            h += topic.size > 0
                     ? fmt::format("<td>{}</td><td>{:.0f}%</td>", html_escape(topic.label), 100 * topic.share)
                     : "<td>-</td><td></td>";
        const auto joined = [](const std::vector<std::pair<std::string, double>>& list) {
            std::string out;
            for (const auto& [w, _] : list) {
                if (!out.empty()) out += ' ';
                out += html_escape(w);
            }
            return out;
        };
        std::string words = joined(topic.top);
        if (!topic.negative.empty()) {
            const std::string neg = joined(topic.negative);
            words.insert(0, "+ ");
            words += "<br><span class=\"neg\">&minus; ";
            words += neg;
            words += "</span>";
        }
        h += "<td class=\"words\">" + words + "</td></tr>\n";
    }
    return h + "</tbody></table>\n";
}

}  // namespace

std::string render_report(const ReportData& d) {
    struct Chart {
        std::string id, heading, note;
        json spec;         // null: an HTML section (html) with no chart
        std::string html;  // after the chart
        bool scroll;       // in a box of bounded height (the heat map of many labels)
        Chart(std::string id_, std::string heading_, std::string note_, json spec_, std::string html_ = "",
              bool scroll_ = false)
            : id(std::move(id_)),
              heading(std::move(heading_)),
              note(std::move(note_)),
              spec(std::move(spec_)),
              html(std::move(html_)),
              scroll(scroll_) {}
    };
    std::vector<Chart> charts;
    charts.emplace_back(Chart{"chart-topics", "Top words per topic",
                              d.signed_topics
                                  ? "SVD topics are signed: each row of V<sup>T</sup>'s largest (blue) and most "
                                    "negative (red) weights."
                                  : "Each topic's largest weights in H.",
                              topics_spec(d)});
    if (!d.topic_x.empty())
        charts.emplace_back(
            Chart{"chart-intertopic", "Intertopic distance map",
                  "Each circle is a topic, its area its share of the documents' total weight, placed by "
                  "classical scaling of the Jensen&ndash;Shannon distances between the topics' term "
                  "distributions (as LDAvis). Click a topic to see its terms.",
                  intertopic_spec(d)});
    if (!d.relevance.empty())
        charts.emplace_back(Chart{"chart-relevance", "Terms of the selected topic by relevance",
                                  html_escape(d.relevance_note), relevance_spec(d)});
    if (!d.documents.empty())
        charts.emplace_back(
            Chart{"documents", "Representative documents",
                  fmt::format("The {} documents with the largest weight on each topic, their first {} characters.",
                              k_representative, k_snippet_chars),
                  nullptr, documents_html(d)});
    if (!d.similarity.empty())
        charts.emplace_back(
            Chart{"chart-similarity", "Topic similarity",
                  "Cosine similarity between the topics' term weights (rows of H): near 0, topics that share "
                  "no words; near 1, topics that might be merged.",
                  similarity_spec(d)});
    if (!d.singular_values.empty()) {
        json v = json::array();
        for (std::size_t i = 0; i < d.singular_values.size(); ++i)
            v.push_back({{"index", i + 1}, {"singular value", d.singular_values[i]}});
        charts.emplace_back(Chart{"chart-scree", "Singular values (scree plot)", html_escape(d.singular_values_note),
                                  line_spec("Leading singular values of the matrix", v, "index", "index",
                                            "singular value", "singular value")});
    }
    if (!d.sweep.empty()) {
        json v = json::array();
        // The other measures of the sweep ride along in the data (null when not measured).
        const auto or_null = [](double x) { return std::isnan(x) ? json(nullptr) : json(x); };
        for (const auto& p : d.sweep)
            v.push_back({{"k", p.k},
                         {"relative error", p.error},
                         {"seconds", p.seconds},
                         {"npmi", or_null(p.npmi)},
                         {"umass", or_null(p.umass)},
                         {"diversity", or_null(p.diversity)},
                         {"stability", or_null(p.stability)}});
        charts.emplace_back(Chart{"chart-sweep", "Reconstruction error against the number of topics",
                                  html_escape(fmt::format("‖A − A_k‖_F / ‖A‖_F for each k, {}.", d.sweep_method)),
                                  line_spec("Relative reconstruction error against k", v, "k", "k (topics)",
                                            "relative error", "‖A − A_k‖ / ‖A‖")});
    }
    if (std::any_of(d.topics.begin(), d.topics.end(), [](const auto& t) { return t.size >= 0; }))
        charts.emplace_back(
            Chart{"chart-sizes", "Topic sizes", "Documents whose largest weight is on each topic.", sizes_spec(d)});
    if (!d.classes.groups.empty())
        charts.emplace_back(
            Chart{"chart-labels", "Topics per label",
                  html_escape("For each label, the mean topic proportions of its documents (each row sums to "
                              "100%" +
                              std::string(d.signed_topics ? "; SVD: each document counts for its dominant topic" : "") +
                              "). Rows are grouped by their main topic. " + d.classes.note),
                  shares_heat_spec(d, d.classes, "Topic shares per label, normalised per label", "label"), "",
                  d.classes.groups.size() > 30});
    if (!d.periods.groups.empty())
        charts.emplace_back(Chart{"chart-time", "Topics over time", html_escape(d.periods.note), time_spec(d)});
    if (!d.map.empty())
        charts.emplace_back(Chart{"chart-map", "Map of the documents", html_escape(d.map_note), map_spec(d)});

    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    h += "<title>" + html_escape(d.title) + "</title>\n";
    // First of all, before any library runs: every error and console complaint is recorded on
    // the page (data-errors), where a test — or a curious reader — can find it.
    h += R"(<script>
window.__factopicErrors = [];
window.addEventListener("error", function (e) { window.__factopicErrors.push(String(e.message || e)); });
window.addEventListener("unhandledrejection", function (e) { window.__factopicErrors.push("unhandled rejection: " + String(e.reason)); });
(function () {
  var error = console.error, warn = console.warn;
  console.error = function () { window.__factopicErrors.push(Array.prototype.join.call(arguments, " ")); error.apply(console, arguments); };
  console.warn = function () { window.__factopicErrors.push(Array.prototype.join.call(arguments, " ")); warn.apply(console, arguments); };
})();
</script>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.summary dt { font-weight: 600; color: #555; }
dl.summary dd { margin: 0; }
table.topics { border-collapse: collapse; font-size: .9rem; width: 100%; }
table.topics th, table.topics td { border-bottom: 1px solid #eee; padding: .3rem .5rem; text-align: left; vertical-align: top; }
table.topics td.words { font-family: ui-monospace, Menlo, Consolas, monospace; }
.neg { color: #b22; }
.note { color: #666; font-size: .9rem; }
footer { margin-top: 3rem; color: #888; font-size: .8rem; }
.scroll { max-height: 640px; overflow: auto; border: 1px solid #eee; }
tr.pick { cursor: pointer; }
tr.pick.selected, .topic-docs.selected { background: #fff4e0; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; border-radius: 2px; }
.docs { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: .6rem 1.2rem; font-size: .85rem; }
.topic-docs h3 { font-size: .95rem; margin: .4rem 0 .2rem; }
.topic-docs ol { margin: 0; padding-left: 1.4rem; }
.topic-docs li { overflow-wrap: anywhere; margin-bottom: .3rem; }
.doc-id { font-family: ui-monospace, Menlo, Consolas, monospace; color: #555; margin-right: .3em; }
.doc-label { color: #777; }
</style>
)";
    h += "<script>" + std::string(assets::vega()) + "\n</script>\n";
    h += "<script>" + std::string(assets::vega_lite()) + "\n</script>\n";
    h += "<script>" + std::string(assets::vega_embed()) + "\n</script>\n";
    h += "</head>\n<body>\n";
    h += "<h1>" + html_escape(d.title) + "</h1>\n<dl class=\"summary\">\n";
    for (const auto& [name, text] : d.summary)
        h += "<dt>" + html_escape(name) + "</dt><dd>" + html_escape(text) + "</dd>\n";
    h += "</dl>\n<h2>Topics</h2>\n" + topics_table(d);
    for (const auto& c : charts) {
        h += "<h2>" + c.heading + "</h2>\n";
        if (!c.note.empty()) h += "<p class=\"note\">" + c.note + "</p>\n";
        if (c.spec.is_null()) {
            h += "<div id=\"" + c.id + "\">" + c.html + "</div>\n";
            continue;
        }
        h += c.scroll ? "<div class=\"scroll\"><div class=\"chart\" id=\"" + c.id + "\"></div></div>\n"
                      : "<div class=\"chart\" id=\"" + c.id + "\"></div>\n";
        h += c.html;
    }
    if (!d.notes.empty()) {
        h += "<h2>Not shown</h2>\n<ul class=\"note\">\n";
        for (const auto& n : d.notes) h += "<li>" + html_escape(n) + "</li>\n";
        h += "</ul>\n";
    }
    h += fmt::format(
        "<footer>Made by factopic {} with Vega {}, Vega-Lite {} and vega-embed {} (inlined: this page needs "
        "no network).</footer>\n",
        k_version, assets::k_vega_version, assets::k_vega_lite_version, assets::k_vega_embed_version);
    json specs = json::object();
    for (const auto& c : charts)
        if (!c.spec.is_null()) specs[c.id] = c.spec;
    h += "<script>\nvar specs = " + script_json(specs) + ";\n";
    h += R"(var ids = Object.keys(specs);
Promise.all(ids.map(function (id) {
  return vegaEmbed("#" + id, specs[id], { actions: false, renderer: "svg" });
})).then(function (results) {
  // One selected topic for every view that has the signal sel: a click on a circle of the map
  // or on a row of the table selects it.
  var views = {};
  results.forEach(function (r, i) { views[ids[i]] = r.view; });
  window.__factopicViews = views;
  window.selectTopic = function (t) {
    t = Number(t);
    var runs = Object.keys(views).filter(function (id) {
      try { views[id].signal("sel"); return true; } catch (e) { return false; }
    }).map(function (id) { return views[id].signal("sel", t).runAsync(); });
    document.querySelectorAll("[data-topic]").forEach(function (el) {
      if (el.tagName === "TR" || el.classList.contains("topic-docs"))
        el.classList.toggle("selected", Number(el.getAttribute("data-topic")) === t);
    });
    return Promise.all(runs).then(function () { document.body.setAttribute("data-selected", String(t)); });
  };
  if (views["chart-intertopic"])
    views["chart-intertopic"].addEventListener("click", function (event, item) {
      if (item && item.datum && item.datum.topic !== undefined) window.selectTopic(item.datum.topic);
    });
  document.querySelectorAll("tr.pick").forEach(function (row) {
    row.addEventListener("click", function () { window.selectTopic(row.getAttribute("data-topic")); });
  });
  document.body.setAttribute("data-rendered", String(ids.length));
}).catch(function (e) {
  window.__factopicErrors.push("chart: " + String(e));
}).finally(function () {
  document.body.setAttribute("data-charts", String(ids.length));
  document.body.setAttribute("data-errors", JSON.stringify(window.__factopicErrors));
});
</script>
</body>
</html>
)";
    return h;
}

}  // namespace factopic::cli
