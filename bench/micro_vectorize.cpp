// Micro-benchmark of the vectorize stage alone: reads a corpus once, then fits the vectorizer
// repeatedly and prints the fastest time of each phase. For profiling (perf record) and for
// comparing changes to the hot loop; bench/bench.py is the benchmark against the peers.
// Usage: factopic_micro_vectorize CORPUS [REPEATS] [tfidf]   (20 Newsgroups: all, cleaned)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS [REPEATS] [tfidf]\n", argv[0]);
        return 2;
    }
    using namespace factopic::text;
    CorpusOptions co;
    co.subset = NewsgroupsSubset::All;
    co.remove = parse_cleaning("headers,footers,quotes");
    const Corpus corpus = read_corpus(argv[1], co);
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 10;
    VectorizerOptions vo;
    if (argc > 3 && std::string(argv[3]) == "tfidf") vo.weighting = Weighting::Tfidf;
    double best_total = 1e9, best_tok = 1e9, best_merge = 1e9, best_weight = 1e9;
    std::int64_t nnz = 0;
    for (int r = 0; r < repeats; ++r) {
        Vectorizer v(vo);
        const auto t0 = std::chrono::steady_clock::now();
        const auto X = v.fit_transform<double>(corpus.texts);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best_total = std::min(best_total, s);
        best_tok = std::min(best_tok, v.timings().tokenize);
        best_merge = std::min(best_merge, v.timings().merge);
        best_weight = std::min(best_weight, v.timings().weight);
        nnz = X.nnz();
    }
    std::printf("%zu documents, nnz %lld: total %.4f s (tokenize %.4f, merge %.4f, weight %.4f), best of %d\n",
                corpus.size(), static_cast<long long>(nnz), best_total, best_tok, best_merge, best_weight, repeats);
    return 0;
}
