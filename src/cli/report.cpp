#include "report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "assets.hpp"
#include "factopic/core/version.hpp"

namespace factopic::cli {
namespace {

using nlohmann::json;

constexpr const char* k_schema = "https://vega.github.io/schema/vega-lite/v5.json";

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
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
    return {{"$schema", k_schema},
            {"description", "Top words of each topic and their weights"},
            {"data", {{"values", values}}},
            {"columns", 3},
            {"facet", {{"field", "topic"}, {"type", "nominal"}, {"title", nullptr}, {"header", {{"labelFontWeight", "bold"}}}}},
            {"spec",
             {{"width", 190},
              {"height", {{"step", 13}}},
              {"mark", {{"type", "bar"}, {"tooltip", true}}},
              {"encoding",
               {{"y", {{"field", "word"}, {"type", "nominal"}, {"title", nullptr}, {"sort", {{"field", "rank"}, {"op", "min"}}}}},
                {"x", {{"field", "weight"}, {"type", "quantitative"}, {"title", d.signed_topics ? "weight (signed)" : "weight"}}},
                {"color",
                 {{"condition", {{"test", "datum.weight < 0"}, {"value", "#d62728"}}}, {"value", "#1f77b4"}}}}}}},
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
              {"color", {{"field", "topic"}, {"type", "nominal"}, {"legend", nullptr}, {"scale", {{"scheme", "tableau20"}}}}}}}};
}

json labels_spec(const ReportData& d) {
    json values = json::array();
    for (std::size_t t = 0; t < d.counts.size(); ++t) {
        std::int64_t total = 0;
        for (const auto c : d.counts[t]) total += c;
        for (std::size_t l = 0; l < d.labels.size(); ++l)
            values.push_back({{"topic", topic_name(t, d.topics[t])},
                              {"label", d.labels[l]},
                              {"documents", d.counts[t][l]},
                              {"share", total > 0 ? static_cast<double>(d.counts[t][l]) / static_cast<double>(total) : 0.0}});
    }
    json spec = {{"$schema", k_schema},
                 {"description", "Documents of each topic by label"},
                 {"width", {{"step", 40}}},
                 {"height", {{"step", 24}}},
                 {"data", {{"values", values}}}};
    spec["encoding"] = {{"x", {{"field", "label"}, {"type", "nominal"}, {"axis", {{"labelAngle", -45}}}}},
                        {"y", {{"field", "topic"}, {"type", "nominal"}, {"title", nullptr}}}};
    json cells = {{"mark", {{"type", "rect"}, {"tooltip", true}}}};
    cells["encoding"]["color"] = {{"field", "share"},
                                  {"type", "quantitative"},
                                  {"title", "share of topic"},
                                  {"scale", {{"scheme", "blues"}}}};
    json counts = {{"mark", {{"type", "text"}, {"fontSize", 9}}}};
    counts["encoding"]["text"] = {{"field", "documents"}, {"type", "quantitative"}};
    counts["encoding"]["color"] = {{"condition", {{"test", "datum.share > 0.5"}, {"value", "white"}}},
                                   {"value", "black"}};
    spec["layer"] = json::array({cells, counts});
    return spec;
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
    return {{"$schema", k_schema},
            {"description", "Documents in the plane of the two main directions of their topic weights"},
            {"width", 620},
            {"height", 440},
            {"data", {{"values", values}}},
            {"mark", {{"type", "circle"}, {"size", 14}, {"opacity", 0.6}}},
            {"encoding",
             {{"x", {{"field", "x"}, {"type", "quantitative"}, {"title", "component 1"}}},
              {"y", {{"field", "y"}, {"type", "quantitative"}, {"title", "component 2"}}},
              {"color", {{"field", "topic"}, {"type", "nominal"}, {"title", "dominant topic"}, {"scale", {{"scheme", "tableau20"}}}}},
              {"tooltip", tooltip}}}};
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
        h += fmt::format("<tr><td>{}</td>", t);
        if (quality) h += fmt::format("<td>{:.3f}</td><td>{:.3f}</td>", topic.npmi, topic.umass);
        if (sizes) h += fmt::format("<td>{}</td>", topic.size);
        if (labels)
            h += topic.size > 0 ? fmt::format("<td>{}</td><td>{:.0f}%</td>", html_escape(topic.label), 100 * topic.share)
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
        json spec;
    };
    std::vector<Chart> charts;
    charts.push_back({"chart-topics", "Top words per topic",
                      d.signed_topics ? "SVD topics are signed: each row of V<sup>T</sup>'s largest (blue) and most "
                                        "negative (red) weights."
                                      : "Each topic's largest weights in H.",
                      topics_spec(d)});
    if (!d.singular_values.empty()) {
        json v = json::array();
        for (std::size_t i = 0; i < d.singular_values.size(); ++i)
            v.push_back({{"index", i + 1}, {"singular value", d.singular_values[i]}});
        charts.push_back({"chart-scree", "Singular values (scree plot)", html_escape(d.singular_values_note),
                          line_spec("Leading singular values of the matrix", v, "index", "index", "singular value",
                                    "singular value")});
    }
    if (!d.sweep.empty()) {
        json v = json::array();
        for (const auto& p : d.sweep) v.push_back({{"k", p.k}, {"relative error", p.error}, {"seconds", p.seconds}});
        charts.push_back({"chart-sweep", "Reconstruction error against the number of topics",
                          html_escape(fmt::format("‖A − A_k‖_F / ‖A‖_F for each k, {}.", d.sweep_method)),
                          line_spec("Relative reconstruction error against k", v, "k", "k (topics)", "relative error",
                                    "‖A − A_k‖ / ‖A‖")});
    }
    if (std::any_of(d.topics.begin(), d.topics.end(), [](const auto& t) { return t.size >= 0; }))
        charts.push_back({"chart-sizes", "Topic sizes", "Documents whose largest weight is on each topic.", sizes_spec(d)});
    if (!d.labels.empty())
        charts.push_back({"chart-labels", "Topics and labels",
                          "For each topic, the share of its documents that carry each label.", labels_spec(d)});
    if (!d.map.empty())
        charts.push_back({"chart-map", "Map of the documents", html_escape(d.map_note), map_spec(d)});

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
        h += "<div class=\"chart\" id=\"" + c.id + "\"></div>\n";
    }
    if (!d.notes.empty()) {
        h += "<h2>Not shown</h2>\n<ul class=\"note\">\n";
        for (const auto& n : d.notes) h += "<li>" + html_escape(n) + "</li>\n";
        h += "</ul>\n";
    }
    h += fmt::format("<footer>Made by factopic {} with Vega {}, Vega-Lite {} and vega-embed {} (inlined: this page needs "
                     "no network).</footer>\n",
                     k_version, assets::k_vega_version, assets::k_vega_lite_version, assets::k_vega_embed_version);
    json specs = json::object();
    for (const auto& c : charts) specs[c.id] = c.spec;
    h += "<script>\nvar specs = " + script_json(specs) + ";\n";
    h += R"(var ids = Object.keys(specs);
Promise.all(ids.map(function (id) {
  return vegaEmbed("#" + id, specs[id], { actions: false, renderer: "svg" });
})).then(function () {
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
