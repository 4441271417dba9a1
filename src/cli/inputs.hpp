// The files a run reads, by the option that names them: what io::OutputFiles compares every
// output with, so that no output overwrites an input (by device and inode, not by name).
#pragma once

#include <string>
#include <vector>

#include "factopic/io/atomic_file.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "options.hpp"

namespace factopic::cli {

/// The corpus (file or folder) and the stop-word file, when one is given.
inline std::vector<io::NamedPath> corpus_inputs(const CorpusArgs& corpus, const VectorizerArgs& vectorizer) {
    std::vector<io::NamedPath> in{{is_matrix_market(corpus.path) ? "MATRIX" : "CORPUS", corpus.path}};
    if (vectorizer.stop_words != "english" && vectorizer.stop_words != "none")
        in.push_back({"--stop-words", vectorizer.stop_words});
    return in;
}

/// CORPUS|X.mtx, --stop-words, --vocabulary, --labels and --ids.
inline std::vector<io::NamedPath> matrix_inputs(const MatrixArgs& a) {
    auto in = corpus_inputs(a.corpus, a.vectorizer);
    in.push_back({"--vocabulary", a.vocabulary_file});
    in.push_back({"--labels", a.labels_file});
    in.push_back({"--ids", a.ids_file});
    return in;
}

/// matrix_inputs and the custom NMF init's --w-init and --h-init.
inline std::vector<io::NamedPath> matrix_inputs(const MatrixArgs& a, const NmfMethodArgs& nmf) {
    auto in = matrix_inputs(a);
    in.push_back({"--w-init", nmf.w_init});
    in.push_back({"--h-init", nmf.h_init});
    return in;
}

}  // namespace factopic::cli
