// What the decomposing sub-commands (svd, sweep, topics) share: the matrix they work on comes
// from a corpus (read and vectorized) or from a Matrix Market file, and their reports show
// timings, memory and topics the same way.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/text/vectorizer.hpp"
#include "options.hpp"

namespace factopic::cli {

struct MatrixArgs {
    CorpusArgs corpus;
    VectorizerArgs vectorizer;
    std::string vocabulary_file;  ///< terms of a Matrix Market input's columns, one per line
    std::string labels_file;      ///< a Matrix Market input's row labels, one per line ("" none)
    std::string ids_file;         ///< a Matrix Market input's row ids, one per line
    int threads = 0;
    /// What a Matrix Market input checks the command line against (set by add_matrix_options):
    /// the corpus and vectorizer options that only text has, the tf-idf ones, and --weighting.
    MatrixOnlyOptions matrix_options;
    bool keep_snippets = false;  ///< keep each document's opening (the report shows them)
};

/// Binds CORPUS|X.mtx, the corpus and vectorizer options, --vocabulary and --threads.
void add_matrix_options(CLI::App& app, MatrixArgs& args);

/// Binds --ids FILE and, with labels, --labels FILE: a Matrix Market input's rows named and
/// labelled as a corpus's documents are (for the sub-commands that show ids or labels).
void add_row_files_options(CLI::App& app, MatrixArgs& args, bool labels);

bool is_matrix_market(const std::string& path);

/// One entry per line of path (a final newline ends the last line), which must be one per row:
/// else DataError naming the file and both counts. what: "labels", "ids".
std::vector<std::string> read_row_file(const std::string& path, std::int64_t rows, const char* what);

/// A Matrix Market input's counts weighted as --weighting tfidf and its options say (the
/// vectorizer's own code), or left as they are without --weighting tfidf; returns the weighting
/// the matrix got, and its idf in idf. Throws InvalidArgument naming the file for tf-idf of a
/// matrix that holds no counts.
template <typename T>
text::VectorizerOptions weigh_matrix(CsrMatrix<T>& x, const MatrixArgs& args, std::vector<double>& idf);

template <typename T>
struct LoadedMatrix {
    CsrMatrix<T> x;
    std::vector<std::string> vocabulary;  ///< empty when not known
    std::vector<std::string> ids;         ///< one per row: its path in the corpus, or "row N" (1-based) of a .mtx
    std::vector<std::string> labels;      ///< one per row ("" when none); empty for a .mtx without --labels
    std::vector<std::string> snippets;    ///< keep_snippets and a corpus: each document's opening, else empty
    std::vector<std::string> dates;       ///< one per row ("" when none) with --date-field; else empty
    bool vectorized = false;              ///< from a corpus: the vectorizer below made x
    /// The weighting x got: a corpus input's vectorizer settings; for a .mtx, count (its values as
    /// they are) or the tf-idf that --weighting tfidf applied to its counts.
    text::VectorizerOptions vectorizer;
    std::vector<double> idf;      ///< its idf weights (tf-idf with idf), else empty
    std::string description;      ///< one line: where the matrix came from
    text::CorpusSkipped skipped;  ///< a corpus input: what it held but did not read
    double read_s = 0, vectorize_s = 0;
};

/// Reads the matrix (and its vocabulary when there is one). Sets the thread count first.
template <typename T>
LoadedMatrix<T> load_matrix(const MatrixArgs& args);

/// The JSON fields every decomposing command starts with: source, rows, cols, nnz, dtype, threads.
template <typename T>
nlohmann::json matrix_json(const LoadedMatrix<T>& in, const MatrixArgs& args);

/// Largest resident set of this process so far, in MB.
double peak_memory_mb();

/// The memory one stage adds to the process: the resident set's high-water mark is reset to the
/// current resident set at construction (Linux /proc/self/clear_refs), and added_mb() is how far
/// it has risen above that since. Negative when the kernel does not offer the reset.
class MemoryWatch {
public:
    MemoryWatch();
    double added_mb() const;

private:
    double m_start_mb = -1;
};

/// Bytes of a CSR matrix (values, column indices, row offsets), in MB.
template <typename T>
double csr_mb(const CsrMatrix<T>& x) {
    return static_cast<double>(x.values.size() * sizeof(T) + x.indices.size() * sizeof(std::int32_t) +
                               x.indptr.size() * sizeof(std::int64_t)) /
           (1024.0 * 1024.0);
}

/// Calls f.template operator()<float>() or <double>(), as --dtype asks.
template <typename F>
void with_dtype(const VectorizerArgs& args, F&& f) {
    if (args.dtype == "float32")
        f.template operator()<float>();
    else
        f.template operator()<double>();
}

/// Terms as one space-separated line ("#j" for a column without a term).
std::string words_of(const std::vector<decomp::TermWeight>& terms, const std::vector<std::string>& vocabulary);

/// A topic's dominant label as the tables print it: "sci.space 91%", or "-" for an empty topic.
std::string label_cell(const model::TopicLabel& topic);

/// The JSON of a label alignment: nmi, ari, and per topic its label, share and size.
nlohmann::json labels_json(const model::LabelAlignment& alignment);

/// Topics as printed lines: "  3  + term term ...\n       − term term ..." (signed) or
/// "  3  term term ..." (non-negative factors).
void print_topics(const std::vector<decomp::Topic>& topics, const std::vector<std::string>& vocabulary, bool signed_);

nlohmann::json topics_json(const std::vector<decomp::Topic>& topics, const std::vector<std::string>& vocabulary);

}  // namespace factopic::cli
