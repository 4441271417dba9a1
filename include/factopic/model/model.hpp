// The topic model a user keeps (`factopic fit -o model.ftm`): the vectorizer as it was fitted
// (settings, vocabulary, idf weights), the method and its options, and the topic-term factor,
// in a versioned binary file with a checksum, written atomically. A loaded model embeds new
// documents exactly as the training documents were (`factopic transform`).
//
// File layout (all integers little-endian):
//   magic    8 bytes  "\x89FTM\r\n\x1a\n" (a text-mode transfer or a foreign file breaks it)
//   version  u32      k_model_version
//   reserved u32      0
//   length   u64      bytes of the payload
//   payload  length bytes:
//     header JSON    string: method, vectorizer and NMF options, training metadata, and
//                    "input": "matrix" for a model fitted on a matrix (absent: documents)
//     vocabulary     u64 count, then per term a string
//     stop words     u64 count, then strings (the user's list; the English one is a flag)
//     idf            u64 count, then f64 each
//     factor         u64 rows (k), u64 cols (terms), then f64 row-major: H (NMF) or Vᵀ (SVD)
//     singular vals  u64 count, then f64 each (SVD methods; 0 for NMF)
//   checksum u64      CRC-64/XZ of everything before it
//   (string = u64 byte count, then the bytes)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/text/vectorizer.hpp"

namespace factopic::model {

inline constexpr std::uint32_t k_model_version = 1;

struct TopicModel {
    std::string method = "nmf";  ///< nmf, svd, rsvd or krylov
    text::VectorizerOptions vectorizer;
    std::vector<std::string> vocabulary;
    std::vector<double> idf;              ///< tf-idf with use_idf: one per term, else empty
    decomp::NmfOptions nmf;               ///< method nmf: what transform solves with (w_init/h_init unused)
    linalg::Matrix<double> terms;         ///< k × n: H (NMF) or the first k rows of Vᵀ (SVD)
    std::vector<double> singular_values;  ///< SVD methods: the k singular values
    std::string metadata = "{}";          ///< JSON object: where and how it was fitted (shown by inspect)
    /// Fitted on a matrix (a .mtx), not on documents: the vectorizer holds only the weighting its
    /// columns got (count, or tf-idf with idf), no tokenizer settings, so only a matrix over the
    /// same columns can be embedded. Written to the header as "input": "matrix"; the vocabulary
    /// is then in the user's column order, unique but not sorted.
    bool fitted_on_matrix = false;

    std::int64_t k() const noexcept { return terms.rows; }
};

/// The file's bytes, and the model back from them. decode throws DataError naming `name` and
/// what is wrong (not a factopic model, another version, truncated, checksum mismatch, fields
/// that do not fit together); it never returns a half-read model.
std::string encode(const TopicModel& model);
TopicModel decode(std::string_view bytes, const std::string& name);

/// encode + write to a temporary file, fsync, rename; load = read + decode (IoError if unreadable).
void save_model(const TopicModel& model, const std::string& path);
TopicModel load_model(const std::string& path);

/// The file's header as JSON text: method, vectorizer settings, NMF options, metadata.
std::string header_json(const TopicModel& model);

/// The fitted vectorizer the model holds. Throws InvalidArgument for a model fitted on a matrix.
text::Vectorizer vectorizer_of(const TopicModel& model);

/// The matrix of counts x (documents × the model's terms) weighted as the model's training
/// matrix was (binary, tf-idf with its idf). Throws DataError for a column count other than
/// the model's, or (tf-idf) a value that is not a count.
template <typename T>
void weigh_like_training(const TopicModel& model, CsrMatrix<T>& x);

/// Document-topic weights (documents × k) of a matrix over the model's vocabulary: NMF as
/// scikit-learn's NMF.transform (non-negative least squares with H fixed); SVD the projection
/// X·V (scikit-learn's TruncatedSVD.transform, U·Σ for the training documents).
template <typename T>
linalg::Matrix<T> embed(const TopicModel& model, const CsrMatrix<T>& x);

/// X·Fᵀ for a k × n factor F (documents × k): the documents' coordinates along F's rows (for an
/// SVD's Vᵀ, scikit-learn's TruncatedSVD.transform).
template <typename T, typename F>
linalg::Matrix<T> project(const CsrMatrix<T>& x, const linalg::Matrix<F>& factor);

/// CRC-64/XZ (ECMA-182 polynomial, reflected, initial and final XOR all ones).
std::uint64_t crc64(std::string_view bytes, std::uint64_t crc = 0);

}  // namespace factopic::model
