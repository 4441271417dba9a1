// Documents → document–term matrix with the semantics of scikit-learn's CountVectorizer and
// TfidfVectorizer (default analyzer "word", lowercase=True, token_pattern (?u)\b\w\w+\b): the same
// vocabulary in the same (code point) order, the same counts, the same TF-IDF values. One pass
// over the text builds vocabulary and counts together on every thread; the per-thread
// vocabularies are then merged and sorted, so the result does not depend on the thread count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"

namespace factopic::text {

enum class Weighting { Count, Tfidf };
enum class Norm { None, L1, L2 };

/// A document-frequency bound, which scikit-learn reads by type: an integer is a number of
/// documents, a float a proportion of them.
struct DfBound {
    bool proportion = false;  ///< true: value is in [0, 1] and multiplies the document count
    double value = 1;         ///< documents (integral, >= 1 for max_df, >= 0 for min_df) or proportion
    static DfBound count(std::int64_t n) { return {false, static_cast<double>(n)}; }
    static DfBound fraction(double p) { return {true, p}; }
    /// "2" → count 2; "0.5", "1.0", "1e-2" → proportion (a '.' or exponent makes it a float).
    static DfBound parse(const std::string& text, const char* field);
    /// The bound in documents for a corpus of n_documents (scikit-learn: max_df * n_doc).
    double documents(std::int64_t n_documents) const noexcept {
        return proportion ? value * static_cast<double>(n_documents) : value;
    }
};

struct VectorizerOptions {
    Weighting weighting = Weighting::Count;  ///< counts, or TfidfVectorizer's tf-idf
    /// Words removed after tokenizing and before n-grams are formed; default scikit-learn's
    /// English list; empty removes nothing. Matched against the lower-cased token.
    std::vector<std::string> stop_words;
    bool use_english_stop_words = true;        ///< add english_stop_words() to stop_words
    DfBound min_df = DfBound::count(1);        ///< drop terms in fewer documents than this
    DfBound max_df = DfBound::fraction(1.0);   ///< drop terms in more documents than this
    std::optional<std::int64_t> max_features;  ///< keep the most frequent terms (>= 1); ties by column
    int ngram_min = 1;                         ///< 1 <= ngram_min <= ngram_max: word n-grams, joined by one space
    int ngram_max = 1;
    bool binary = false;        ///< every non-zero count becomes 1 (before pruning, as scikit-learn)
    Norm norm = Norm::L2;       ///< tf-idf only: row normalisation
    bool use_idf = true;        ///< tf-idf only: multiply by idf
    bool smooth_idf = true;     ///< tf-idf only: idf = ln((1 + n) / (1 + df)) + 1, else ln(n / df) + 1
    bool sublinear_tf = false;  ///< tf-idf only: tf → 1 + ln(tf)
    /// Throws InvalidArgument naming the field, value and rule.
    void validate() const;
};

/// scikit-learn's check that the stop words agree with the tokenizer (its
/// _check_stop_words_consistency): the tokens that lower-casing and tokenizing each stop word
/// (the user's and, with use_english_stop_words, the English ones) yields and that are not stop
/// words themselves, sorted and without repeats; empty when they agree. "you've" yields "you"
/// and "ve": a token "ve" is then kept although the user meant to drop "you've".
std::vector<std::string> inconsistent_stop_word_tokens(const VectorizerOptions& options);

/// The warnings scikit-learn gives for these options, in its words, one line each, for the
/// caller to show (the library never prints): today the stop-word check above.
std::vector<std::string> vectorizer_warnings(const VectorizerOptions& options);

/// Wall-clock seconds of the stages of fit_transform.
struct VectorizerTimings {
    double tokenize = 0;  ///< tokenizing and counting, all threads
    double merge = 0;     ///< vocabulary merge, sort and CSR assembly
    double weight = 0;    ///< pruning and weighting
};

/// A fitted vectorizer: holds its vocabulary (and idf weights) to transform new documents the
/// same way.
class Vectorizer {
public:
    explicit Vectorizer(VectorizerOptions options);

    /// Learns the vocabulary from documents (UTF-8) and returns their matrix (documents × terms).
    /// Throws DataError for an empty vocabulary, nothing left after pruning, or a max_df bound
    /// below the min_df bound.
    template <typename T>
    CsrMatrix<T> fit_transform(const std::vector<std::string>& documents);

    /// A fitted vectorizer from what fit learned (a saved model): the vocabulary in column order
    /// and, for tf-idf with use_idf, one idf weight per term. Throws DataError when they do not
    /// fit together (unsorted or repeated terms, an idf of the wrong length or not finite).
    static Vectorizer restore(VectorizerOptions options, std::vector<std::string> vocabulary, std::vector<double> idf);

    /// The matrix of new documents over the fitted vocabulary (unknown terms ignored).
    template <typename T>
    CsrMatrix<T> transform(const std::vector<std::string>& documents) const;

    const VectorizerOptions& options() const noexcept { return m_options; }
    bool fitted() const noexcept { return m_fitted; }
    /// Terms in column order (code point order, as scikit-learn's get_feature_names_out).
    const std::vector<std::string>& vocabulary() const noexcept { return m_vocabulary; }
    /// Per column: documents containing the term, and its total count (after binary).
    const std::vector<std::int64_t>& document_frequency() const noexcept { return m_df; }
    const std::vector<std::int64_t>& term_totals() const noexcept { return m_totals; }
    /// Per column idf weight (tf-idf with use_idf), else empty.
    const std::vector<double>& idf() const noexcept { return m_idf; }
    /// Terms dropped by min_df, max_df or max_features (scikit-learn's stop_words_), sorted.
    const std::vector<std::string>& pruned_terms() const noexcept { return m_pruned; }
    const VectorizerTimings& timings() const noexcept { return m_timings; }

private:
    CsrMatrix<double> count(const std::vector<std::string>& documents);
    void prune(CsrMatrix<double>& counts);
    void weight(CsrMatrix<double>& counts) const;

    VectorizerOptions m_options;
    bool m_fitted = false;
    std::vector<std::string> m_vocabulary;
    std::vector<std::int64_t> m_df;
    std::vector<std::int64_t> m_totals;
    std::vector<double> m_idf;
    std::vector<std::string> m_pruned;
    VectorizerTimings m_timings;
};

// The weighting stage on its own, for a matrix of counts the caller already holds (a Matrix
// Market file): scikit-learn's TfidfTransformer, with TfidfVectorizer's binary. The vectorizer
// weighs its own counts through the same functions, so a .mtx of counts and the corpus it came
// from give the same matrix.

/// The idf of each column from its document frequency over n_documents: ln((1 + n) / (1 + df))
/// + 1 (smooth) or ln(n / df) + 1.
std::vector<double> idf_weights(const std::vector<std::int64_t>& df, std::int64_t n_documents, bool smooth);

/// Throws DataError unless every stored value is a count (a finite non-negative integer), naming
/// the first one that is not by its 1-based row and column, as Matrix Market numbers them.
template <typename T>
void require_counts(const CsrMatrix<T>& counts);

/// Weighs counts in place: binary (every stored value 1), then for tf-idf the sublinear tf, the
/// idf factor (idf: one per column; empty for none) and the row norm. Count weighting without
/// binary leaves the values as they are.
template <typename T>
void weigh_counts(CsrMatrix<T>& counts, const VectorizerOptions& options, const std::vector<double>& idf);

/// TfidfTransformer(...).fit_transform on counts: require_counts (for tf-idf), then the columns'
/// idf (tf-idf with use_idf; else none) and weigh_counts. Returns the idf (empty when none).
/// Throws DataError, naming the column, for an empty column under idf without smoothing (its
/// idf would be infinite).
template <typename T>
std::vector<double> fit_weigh_counts(CsrMatrix<T>& counts, const VectorizerOptions& options);

}  // namespace factopic::text
