// Command-line options shared by the sub-commands that read a corpus and vectorize it: bound
// into plain structs by CLI11, then turned into the library's options structs.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"

namespace factopic::cli {

struct CorpusArgs {
    std::string path;
    std::string format = "auto";
    std::string encoding = "auto";
    std::string subset;
    std::string categories;
    std::string remove;
    std::string text_field;
    std::string label_field;
    std::string id_field;
    std::string date_field;
    std::string binary_files;  ///< "", "skip" or "error"
    bool follow_links = false;
    std::string max_document_bytes = "64MiB";
    std::string max_corpus_bytes = "auto";
    bool quiet = false;  ///< no progress on stderr
};

struct VectorizerArgs {
    std::string weighting = "tfidf";  // every sub-command alike (issue 14): what topics fits
    std::string stop_words = "english";
    std::string min_df = "1";
    std::string max_df = "1.0";
    std::optional<std::int64_t> max_features;  // none: no limit
    std::string ngram = "1:1";
    bool binary = false;
    std::string norm = "l2";
    bool no_idf = false;
    bool no_smooth_idf = false;
    bool sublinear_tf = false;
    std::string dtype = "float64";
};

/// The options a Matrix Market input is checked against: an option of corpus_options or
/// vectorizer_options that only text has (stop words, n-grams, readers ...) is an error with a
/// .mtx, never ignored; the tf-idf options need --weighting tfidf given.
struct MatrixOnlyOptions {
    std::vector<const CLI::Option*> text_only;
    std::vector<const CLI::Option*> tfidf_only;
    const CLI::Option* weighting = nullptr;
};

/// Sorts the options added to app since it held `first` options into `out` (see
/// MatrixOnlyOptions): all but the positional, --quiet, --weighting, the tf-idf options,
/// --binary and --dtype are text-only.
void classify_matrix_options(const CLI::App& app, std::size_t first, MatrixOnlyOptions& out);

/// Throws InvalidArgument naming the first text-only option given with the Matrix Market input
/// at path, or a tf-idf option given without --weighting tfidf.
void check_matrix_options(const MatrixOnlyOptions& options, const VectorizerArgs& vectorizer, const std::string& path);

/// Most threads --threads accepts: beyond it OpenMP's own start-up (a stack per thread) fails or
/// exhausts memory before any work, with a message that is not ours.
inline constexpr int k_max_threads = 1024;

/// Binds --threads to threads: 0 (the default: all cores) or 1 to k_max_threads.
CLI::Option* add_threads_option(CLI::App& app, int& threads);

/// Binds the corpus options; positional_help replaces the CORPUS argument's description.
void add_corpus_options(CLI::App& app, CorpusArgs& args, const char* positional_name = "CORPUS",
                        const char* positional_help = nullptr);
void add_vectorizer_options(CLI::App& app, VectorizerArgs& args);

/// --date-field, offered only by the sub-commands that use dates (vectorize --dates, report's
/// topics over time): elsewhere it would be read and ignored.
void add_date_field_option(CLI::App& app, CorpusArgs& args);
text::CorpusOptions corpus_options(const CorpusArgs& args);
text::VectorizerOptions vectorizer_options(const VectorizerArgs& args);

/// A byte count as typed: digits with an optional K, M, G or T suffix (powers of 1024, "KiB"
/// and "KB" accepted alike). Throws InvalidArgument naming field.
std::uint64_t parse_byte_size(const std::string& text, const std::string& field);

/// Prints "factopic: warning: skipped ..." on stderr when the corpus skipped anything.
void warn_skipped(const text::Corpus& corpus);

/// Writes one line to stderr. Never throws: a warning that cannot be shown (stderr closed, full or
/// refusing writes) must not turn a good run into a failed one.
void print_warning(std::string_view line) noexcept;
/// The skipped counts by reason, for --json output.
nlohmann::json skipped_json(const text::CorpusSkipped& skipped);

/// A one-line description of the corpus selection, e.g. "train, 4 categories, -headers".
std::string describe_selection(const CorpusArgs& args);

}  // namespace factopic::cli
