#include "doc_topics.hpp"

#include <fmt/core.h>

#include "factopic/core/error.hpp"

namespace factopic::cli {

void add_doc_topics_options(CLI::App& app, DocTopicsArgs& args) {
    app.add_option("--min-topic-weight", args.min_topic_weight,
                   "A document whose largest topic weight is below this has no topic (-1); documents with all "
                   "weights zero never have one")
        ->capture_default_str();
    app.add_flag("--normalize", args.normalize,
                 "--doc-topics: write proportions (each row divided by its sum; all-zero rows stay zero)");
}

model::AssignOptions assign_options(const DocTopicsArgs& args) {
    model::AssignOptions o;
    o.min_weight = args.min_topic_weight;
    o.validate();
    return o;
}

void check_normalize(const DocTopicsArgs& args, const std::string& doc_topics_path, bool signed_weights) {
    if (args.normalize && doc_topics_path.empty())
        throw InvalidArgument("--normalize shapes the --doc-topics file, and no --doc-topics is given");
    if (args.normalize && signed_weights)
        throw InvalidArgument(
            "--normalize needs non-negative weights (nmf): SVD weights are signed, so their row "
            "sums are no total to divide by");
}

namespace {
/// RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}
}  // namespace

template <typename T>
void write_doc_topics(io::AtomicFile& file, const linalg::Matrix<T>& w, const std::vector<std::string>& ids,
                      const std::vector<std::string>& labels, const std::vector<std::int64_t>& topic_of,
                      bool normalize) {
    std::string text = "document,label,dominant_topic";
    for (std::int64_t t = 0; t < w.cols; ++t) text += fmt::format(",topic_{}", t);
    text += '\n';
    for (std::int64_t i = 0; i < w.rows; ++i) {
        const auto is = static_cast<std::size_t>(i);
        text += csv_field(ids[is]);
        text += ',';
        if (is < labels.size()) text += csv_field(labels[is]);
        text += fmt::format(",{}", topic_of[is]);
        // The sum in double, the quotient in the weights' type: a float row then sums to 1 to
        // float precision, as the weights themselves are.
        double sum = 0;
        if (normalize)
            for (std::int64_t t = 0; t < w.cols; ++t) sum += static_cast<double>(w(i, t));
        for (std::int64_t t = 0; t < w.cols; ++t)
            text += normalize && sum > 0 ? fmt::format(",{}", static_cast<T>(static_cast<double>(w(i, t)) / sum))
                                         : fmt::format(",{}", w(i, t));
        text += '\n';
        if (text.size() > (1 << 20)) {
            file.write(text);
            text.clear();
        }
    }
    file.write(text);
}

template void write_doc_topics(io::AtomicFile&, const linalg::Matrix<float>&, const std::vector<std::string>&,
                               const std::vector<std::string>&, const std::vector<std::int64_t>&, bool);
template void write_doc_topics(io::AtomicFile&, const linalg::Matrix<double>&, const std::vector<std::string>&,
                               const std::vector<std::string>&, const std::vector<std::int64_t>&, bool);

std::string unassigned_text(std::int64_t unassigned, const DocTopicsArgs& args) {
    const char* noun = unassigned == 1 ? "document" : "documents";
    return args.min_topic_weight > 0
               ? fmt::format("{} {} with no topic (topic -1: all weights zero, or the largest below {})", unassigned,
                             noun, args.min_topic_weight)
               : fmt::format("{} {} with no topic (topic -1: all weights zero)", unassigned, noun);
}

nlohmann::json support_json(const std::vector<model::TopicSupport>& support) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : support)
        out.push_back({{"half_weight_documents", s.half_weight_documents},
                       {"effective_documents", s.effective_documents},
                       {"few_documents", s.few_documents}});
    return out;
}

std::string support_cell(const model::TopicSupport& support) {
    return support.few_documents ? fmt::format("  [few documents: {}]", support.half_weight_documents) : "";
}

}  // namespace factopic::cli
