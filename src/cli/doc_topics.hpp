// What every sub-command that assigns documents to topics shares (topics, fit, report, nmf,
// transform): the options that decide a document's topic (--min-topic-weight) and the shape of
// the --doc-topics CSV (--normalize), the CSV itself, and the lines and JSON that report
// unassigned documents and topics carried by very few documents.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "factopic/io/atomic_file.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/model/assignment.hpp"

namespace factopic::cli {

struct DocTopicsArgs {
    /// A document whose largest weight is below gets topic -1 (the library's default).
    double min_topic_weight = model::AssignOptions{}.min_weight;
    bool normalize = false;  ///< --doc-topics: each row divided by its sum
};

/// Binds --min-topic-weight and --normalize.
void add_doc_topics_options(CLI::App& app, DocTopicsArgs& args);

/// The library's options, validated (exit 2 on a bad value).
model::AssignOptions assign_options(const DocTopicsArgs& args);

/// --normalize shapes the --doc-topics file, so it needs one; and it divides by the row sum,
/// which signed (SVD) weights have no meaning for.
void check_normalize(const DocTopicsArgs& args, const std::string& doc_topics_path, bool signed_weights);

/// The CSV: document,label,dominant_topic,topic_0,...,topic_{k-1}; one row per document of w
/// (documents × k). label is "" when the document has none; dominant_topic is -1 when it has no
/// topic. With normalize each row is divided by its sum (an all-zero row stays zero). Fields that
/// hold a comma, a quote or a line break are quoted as RFC 4180 says.
template <typename T>
void write_doc_topics(io::AtomicFile& file, const linalg::Matrix<T>& w, const std::vector<std::string>& ids,
                      const std::vector<std::string>& labels, const std::vector<std::int64_t>& topic_of,
                      bool normalize);

/// "60 documents with no topic (...)": the rule that left them out.
std::string unassigned_text(std::int64_t unassigned, const DocTopicsArgs& args);

/// One entry per topic: {"half_weight_documents", "effective_documents", "few_documents"}.
nlohmann::json support_json(const std::vector<model::TopicSupport>& support);

/// The table's note after a topic's words: "  [few documents: 12]", or "".
std::string support_cell(const model::TopicSupport& support);

}  // namespace factopic::cli
