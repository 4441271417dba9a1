// The report's topic views, computed from a fit (factopic report CORPUS): the intertopic distance
// map, term relevance, representative documents, topic similarity, topics over time, per-class
// topic shares; and the report's categorical palette. The numbers come from
// factopic/model/topic_views.hpp; this file picks what the page shows and fills ReportData.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/linalg/dense.hpp"
#include "report.hpp"

namespace factopic::cli {

inline constexpr std::size_t k_snippet_chars = 200;     ///< characters of a document shown in the report
inline constexpr std::int64_t k_relevance_terms = 30;   ///< bars of the relevance chart (pyLDAvis' R)
inline constexpr std::int64_t k_relevance_steps = 100;  ///< λ slider steps (0.01, as pyLDAvis)
inline constexpr std::int64_t k_representative = 3;     ///< documents shown per topic
inline constexpr std::size_t k_class_rows = 50;         ///< classes in the heat map before "others"

/// The opening of a document as the report shows it: whitespace runs (line ends included) become
/// one space, leading and trailing space go, and a text longer than max_chars characters (UTF-8
/// code points) is cut to max_chars − 1 of them followed by "…".
std::string document_snippet(std::string_view text, std::size_t max_chars = k_snippet_chars);

/// Colours for n categories that can be told apart: Okabe & Ito's colour-blind-safe eight for
/// n ≤ 8, Tableau 10 then its lighter ten (Tableau 20 reordered so that neighbours differ in hue)
/// for n ≤ 20, and beyond that hues a golden angle apart in CIE LCh with alternating lightness.
/// "#rrggbb" strings.
std::vector<std::string> categorical_palette(std::size_t n);

/// The views that need only the topics (a model file): the palette and the similarity heat map.
void add_term_views(const linalg::Matrix<double>& terms, ReportData& r);

/// What the views need from a fit. terms: k × n (H or Vᵀ); docs: m × k (W or A·V); x: the
/// matrix fitted (m × n); ids, labels, snippets, dates: one per document or empty when unknown.
template <typename T>
struct ViewInputs {
    const linalg::Matrix<T>& terms;
    const linalg::Matrix<T>& docs;
    bool signed_ = false;
    const CsrMatrix<T>& x;
    const std::vector<std::string>& vocabulary;
    const std::vector<std::string>& ids;
    const std::vector<std::string>& labels;    ///< "" for a document without one
    const std::vector<std::string>& snippets;  ///< empty: the documents' texts are not known (.mtx)
    const std::vector<std::string>& dates;     ///< YYYY, YYYY-MM or YYYY-MM-DD; empty: no dates
    const std::vector<std::int64_t>& dominant;
};

/// Fills r's topic views (and adds a note for each it leaves out, saying why).
template <typename T>
void add_topic_views(const ViewInputs<T>& in, ReportData& r);

}  // namespace factopic::cli
