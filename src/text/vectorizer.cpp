#include "factopic/text/vectorizer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "factopic/core/error.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/stop_words.hpp"
#include "factopic/text/term_table.hpp"
#include "factopic/text/tokenizer.hpp"
#include "factopic/text/unicode.hpp"

namespace factopic::text {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string fmt_double(double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// A stop word can only ever equal a token if it is made of word characters alone (tokens are
// maximal runs of them); the others are dropped so that they can never be mistaken for an
// n-gram, which always contains a space.
std::vector<std::string> effective_stop_words(const VectorizerOptions& o) {
    std::vector<std::string> words = o.stop_words;
    if (o.use_english_stop_words) {
        const auto& en = english_stop_words();
        words.insert(words.end(), en.begin(), en.end());
    }
    std::erase_if(words, [](const std::string& w) {
        if (w.empty()) return true;
        std::size_t i = 0;
        while (i < w.size())
            if (!is_word(utf8_next(w, i))) return true;
        return false;
    });
    return words;
}

// Tokens of one document after stop-word removal, kept only when n-grams need them.
struct TokenSequence {
    std::vector<char> arena;
    std::vector<std::uint32_t> ends;
    void clear() {
        arena.clear();
        ends.clear();
    }
    void push(std::string_view t) {
        arena.insert(arena.end(), t.begin(), t.end());
        ends.push_back(static_cast<std::uint32_t>(arena.size()));
    }
    std::string_view at(std::size_t i) const {
        const std::uint32_t b = i ? ends[i - 1] : 0;
        return {arena.data() + b, ends[i] - b};
    }
};

// Per-document counting without a hash map: seen[id] says whether id was already met in this
// document (doc) and where its count lives (slot), side by side so that a rare term costs one
// cache miss, not two. Entries are (id, count) pairs in one buffer.
struct DocCounter {
    struct Entry {
        std::uint32_t id;
        std::uint32_t count;
    };
    struct Seen {
        std::uint32_t doc = 0;
        std::uint32_t slot = 0;
    };
    std::vector<Seen> seen;
    // Not a std::vector: reserving room for every token must not write (and page in) it all.
    std::unique_ptr<Entry[]> entries;
    std::size_t size = 0;
    std::size_t capacity = 0;
    std::size_t begin = 0;

    void grow(std::size_t n) {
        if (seen.size() < n) seen.resize(std::max(n, 2 * seen.size()));
    }
    void reserve(std::size_t n) {
        if (n <= capacity) return;
        std::unique_ptr<Entry[]> bigger(new Entry[n]);
        std::copy(entries.get(), entries.get() + size, bigger.get());
        entries = std::move(bigger);
        capacity = n;
    }
    void clear() { size = begin = 0; }
    /// Starts a document: its entries follow those of the documents before it.
    void start() noexcept { begin = size; }
    void add(std::uint32_t id, std::uint32_t doc_tag) {
        Seen& s = seen[id];
        if (s.doc == doc_tag) {
            if (++entries[begin + s.slot].count == 0)
                throw DataError("a term occurs more than 4,294,967,295 times in one document");
            return;
        }
        if (size == capacity) reserve(std::max<std::size_t>(1024, 2 * capacity));
        // The slot is counted from the document's first entry: a document cannot hold 2^32
        // distinct terms, whereas a thread's whole buffer can exceed 2^32 entries.
        s = {doc_tag, static_cast<std::uint32_t>(size - begin)};
        entries[size++] = {id, 1};
    }
};

// The analyzer: tokenize, drop stop words, form n-grams, and hand each term to the caller.
// token_id(tok) returns the term id of a unigram (k_absent: not counted) and whether it is a stop
// word; gram_id(gram) the id of an n-gram (k_absent: not counted).
template <typename TokenId, typename GramId, typename Count>
void analyze(std::string_view text, int ngram_min, int ngram_max, std::string& scratch, std::string& gram,
             TokenSequence& seq, TokenId&& token_id, GramId&& gram_id, Count&& count) {
    const bool grams = ngram_max > 1;
    seq.clear();
    tokenize(text, scratch, [&](std::string_view tok) {
        bool stop = false;
        const std::uint32_t id = token_id(tok, stop);
        if (stop) return;
        if (ngram_min == 1 && id != TermTable::k_absent) count(id);
        if (grams) seq.push(tok);
    });
    if (!grams) return;
    const std::size_t n_tokens = seq.ends.size();
    for (int n = std::max(2, ngram_min); n <= ngram_max && static_cast<std::size_t>(n) <= n_tokens; ++n) {
        for (std::size_t i = 0; i + n <= n_tokens; ++i) {
            gram.assign(seq.at(i));
            for (int k = 1; k < n; ++k) {
                gram.push_back(' ');
                gram.append(seq.at(i + k));
            }
            const std::uint32_t id = gram_id(std::string_view(gram));
            if (id != TermTable::k_absent) count(id);
        }
    }
}

// One thread's share of fit: its own vocabulary, and the (term, count) entries of the
// documents it processed.
struct FitThread {
    static constexpr std::uint8_t k_token = 0, k_stop = 1, k_feature = 2;
    TermTable table;
    std::vector<std::uint8_t> kind;
    DocCounter counter;
    std::string scratch, gram;
    TokenSequence seq;

    std::uint32_t intern(std::string_view term) {
        bool inserted = false;
        const std::uint32_t id = table.insert(term, inserted);
        if (inserted) kind.push_back(k_token);
        return id;
    }
};

struct DocSpan {
    int thread = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
};

}  // namespace

DfBound DfBound::parse(const std::string& text, const char* field) {
    const bool is_float = text.find_first_of(".eEn") != std::string::npos;  // 'n': nan/inf spelled out
    if (is_float) {
        double v = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size())
            throw InvalidArgument(std::string(field) + " = '" + text + "': not a number");
        return fraction(v);
    }
    std::int64_t n = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size())
        throw InvalidArgument(std::string(field) + " = '" + text + "': not a number");
    return count(n);
}

void VectorizerOptions::validate() const {
    auto check_df = [](const DfBound& b, const char* field, double min_count) {
        if (b.proportion) {
            if (!(b.value >= 0.0 && b.value <= 1.0))
                throw InvalidArgument(std::string(field) + " = " + fmt_double(b.value) +
                                      ": a proportion must satisfy 0.0 <= " + field + " <= 1.0");
        } else if (!(b.value >= min_count)) {
            throw InvalidArgument(std::string(field) + " = " + fmt_double(b.value) +
                                  ": a document count must be >= " + fmt_double(min_count));
        }
    };
    check_df(min_df, "min_df", 1);
    check_df(max_df, "max_df", 1);
    if (max_features && *max_features < 1)
        throw InvalidArgument("max_features = " + std::to_string(*max_features) +
                              ": must be a positive integer (leave it out for no limit)");
    if (ngram_min < 1 || ngram_max < ngram_min)
        throw InvalidArgument("ngram = " + std::to_string(ngram_min) + ":" + std::to_string(ngram_max) +
                              ": must satisfy 1 <= MIN <= MAX");
}

Vectorizer::Vectorizer(VectorizerOptions options) : m_options(std::move(options)) { m_options.validate(); }

Vectorizer Vectorizer::restore(VectorizerOptions options, std::vector<std::string> vocabulary,
                               std::vector<double> idf) {
    Vectorizer v(std::move(options));
    if (vocabulary.empty()) throw DataError("the vocabulary is empty");
    for (std::size_t j = 1; j < vocabulary.size(); ++j)
        if (!(vocabulary[j - 1] < vocabulary[j]))
            throw DataError(fmt::format("the vocabulary is not sorted and unique at term {} ('{}' after '{}')", j,
                                        vocabulary[j], vocabulary[j - 1]));
    const bool wants_idf = v.m_options.weighting == Weighting::Tfidf && v.m_options.use_idf;
    if (idf.size() != (wants_idf ? vocabulary.size() : 0))
        throw DataError(fmt::format("{} idf weights for {} terms ({})", idf.size(), vocabulary.size(),
                                    wants_idf ? "tf-idf needs one per term" : "only tf-idf with idf has them"));
    for (std::size_t j = 0; j < idf.size(); ++j)
        if (!std::isfinite(idf[j]) || idf[j] <= 0)
            throw DataError(fmt::format("idf weight {} of term '{}' is {}", j, vocabulary[j], idf[j]));
    v.m_vocabulary = std::move(vocabulary);
    v.m_idf = std::move(idf);
    v.m_fitted = true;
    return v;
}

CsrMatrix<double> Vectorizer::count(const std::vector<std::string>& documents) {
    const std::size_t n_docs = documents.size();
    // Document tags are 32-bit (0 = never seen) to keep the per-term bookkeeping in 8 bytes.
    if (n_docs >= 0xFFFFFFFFu) throw DataError("more than 4,294,967,294 documents in one corpus");
    const int n_threads = std::max(1, runtime::max_threads());
    const auto stop_words = effective_stop_words(m_options);
    std::vector<FitThread> threads(static_cast<std::size_t>(n_threads));
    std::size_t text_bytes = 0;
    for (const auto& d : documents) text_bytes += d.size();
    // Sizes that let a thread count without regrowing (regrowth copies and page-faults afresh):
    // a token takes at least three bytes with its separator.
    const std::size_t n_grams = static_cast<std::size_t>(m_options.ngram_max - m_options.ngram_min + 1);
    const std::size_t entries = text_bytes / 3 * n_grams / static_cast<std::size_t>(n_threads) + 1024;
    // Distinct terms grow far slower than tokens: about one per 160 bytes of text on the
    // 20 Newsgroups (134,101 in 22 MB), so that is where a thread's table starts.
    const std::size_t terms = text_bytes / 160 * n_grams / static_cast<std::size_t>(n_threads) + 1024;
    for (auto& t : threads) {
        t.table.reserve(terms, terms * 8);
        t.kind.reserve(terms);
        t.counter.reserve(entries);
        t.counter.grow(terms);
        for (const auto& w : stop_words) t.kind[t.intern(w)] = FitThread::k_stop;
    }
    std::vector<DocSpan> spans(n_docs);
    const int ngram_min = m_options.ngram_min, ngram_max = m_options.ngram_max;

    auto t0 = Clock::now();
    runtime::parallel_for_thread(n_docs, [&](int tid, std::size_t d) {
        FitThread& st = threads[static_cast<std::size_t>(tid)];
        const auto tag = static_cast<std::uint32_t>(d + 1);
        DocSpan& span = spans[d];
        span.thread = tid;
        span.begin = st.counter.size;
        st.counter.start();
        auto count_term = [&](std::uint32_t id) {
            if (st.kind[id] != FitThread::k_feature) {
                st.kind[id] = FitThread::k_feature;
                st.counter.grow(st.kind.size());
            }
            st.counter.add(id, tag);
        };
        analyze(
            documents[d], ngram_min, ngram_max, st.scratch, st.gram, st.seq,
            [&](std::string_view tok, bool& stop) {
                const std::uint32_t id = st.intern(tok);
                stop = st.kind[id] == FitThread::k_stop;
                return id;
            },
            [&](std::string_view g) { return st.intern(g); }, count_term);
        span.end = st.counter.size;
    });
    m_timings.tokenize = since(t0);

    t0 = Clock::now();
    // Merge the per-thread vocabularies: each thread's terms are sorted (in parallel), then one
    // k-way merge numbers the union in code point order, so that columns do not depend on which
    // thread met a term first. Terms are compared by an 8-byte big-endian prefix first, which
    // settles most comparisons without touching the term bytes scattered in the arena.
    struct Key {
        std::uint64_t prefix;
        std::uint32_t id;
    };
    auto prefix_of = [](std::string_view t) {
        unsigned char b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::memcpy(b, t.data(), std::min<std::size_t>(8, t.size()));
        std::uint64_t k = 0;
        for (unsigned char c : b) k = (k << 8) | c;
        return k;
    };
    auto key_less = [](const Key& a, std::string_view ta, const Key& b, std::string_view tb) {
        if (a.prefix != b.prefix) return a.prefix < b.prefix;
        return ta < tb;
    };
    std::vector<std::vector<Key>> sorted(threads.size());
    runtime::parallel_for(
        threads.size(),
        [&](std::size_t t) {
            const FitThread& st = threads[t];
            auto& keys = sorted[t];
            keys.reserve(st.table.size());
            for (std::uint32_t id = 0; id < st.table.size(); ++id)
                if (st.kind[id] == FitThread::k_feature) keys.push_back({prefix_of(st.table.term(id)), id});
            std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
                return key_less(a, st.table.term(a.id), b, st.table.term(b.id));
            });
        },
        1);
    std::vector<std::vector<std::uint32_t>> to_column(threads.size());
    std::vector<std::size_t> head(threads.size(), 0);
    std::size_t upper_bound = 0;
    for (std::size_t t = 0; t < threads.size(); ++t) {
        to_column[t].assign(threads[t].table.size(), TermTable::k_absent);
        upper_bound += sorted[t].size();
    }
    m_vocabulary.clear();
    m_vocabulary.reserve(upper_bound);
    while (true) {
        std::size_t best = threads.size();
        for (std::size_t t = 0; t < threads.size(); ++t) {
            if (head[t] == sorted[t].size()) continue;
            if (best == threads.size() ||
                key_less(sorted[t][head[t]], threads[t].table.term(sorted[t][head[t]].id), sorted[best][head[best]],
                         threads[best].table.term(sorted[best][head[best]].id)))
                best = t;
        }
        if (best == threads.size()) break;
        const Key least = sorted[best][head[best]];
        const std::string_view least_term = threads[best].table.term(least.id);
        const auto c = static_cast<std::uint32_t>(m_vocabulary.size());
        for (std::size_t t = 0; t < threads.size(); ++t) {
            if (head[t] == sorted[t].size()) continue;
            const Key& k = sorted[t][head[t]];
            if (k.prefix != least.prefix || threads[t].table.term(k.id) != least_term) continue;
            to_column[t][k.id] = c;
            ++head[t];
        }
        m_vocabulary.emplace_back(least_term);
    }
    if (m_vocabulary.empty()) throw DataError("empty vocabulary: every document is empty or only stop words");
    if (m_vocabulary.size() > 0x7FFFFFFFu)
        throw DataError("more than 2,147,483,647 distinct terms: raise --min-df or set --max-features");
    const auto n_terms = static_cast<std::uint32_t>(m_vocabulary.size());

    CsrMatrix<double> X;
    X.rows = static_cast<std::int64_t>(n_docs);
    X.cols = n_terms;
    X.indptr.assign(n_docs + 1, 0);
    for (std::size_t d = 0; d < n_docs; ++d)
        X.indptr[d + 1] = X.indptr[d] + static_cast<std::int64_t>(spans[d].end - spans[d].begin);
    X.indices.resize(static_cast<std::size_t>(X.indptr[n_docs]));
    X.values.resize(X.indices.size());
    runtime::parallel_for(
        n_docs,
        [&](std::size_t d) {
            const DocSpan& span = spans[d];
            const auto& st = threads[static_cast<std::size_t>(span.thread)];
            const auto& map = to_column[static_cast<std::size_t>(span.thread)];
            const std::size_t len = span.end - span.begin;
            // (column, count) packed in one integer: sorting plain integers is branch-free and about
            // twice as fast as sorting pairs.
            thread_local std::vector<std::uint64_t> row;
            row.resize(len);
            for (std::size_t k = 0; k < len; ++k) {
                const auto& e = st.counter.entries[span.begin + k];
                row[k] = (static_cast<std::uint64_t>(map[e.id]) << 32) | e.count;
            }
            std::sort(row.begin(), row.end());
            const auto out = static_cast<std::size_t>(X.indptr[d]);
            for (std::size_t k = 0; k < len; ++k) {
                X.indices[out + k] = static_cast<std::int32_t>(row[k] >> 32);
                X.values[out + k] = m_options.binary ? 1.0 : static_cast<double>(row[k] & 0xFFFFFFFFu);
            }
        },
        64);
    m_timings.merge = since(t0);
    return X;
}

void Vectorizer::prune(CsrMatrix<double>& X) {
    const auto n_cols = static_cast<std::size_t>(X.cols);
    std::vector<std::int64_t> df(n_cols, 0);
    std::vector<std::int64_t> totals(n_cols, 0);
    for (std::size_t k = 0; k < X.indices.size(); ++k) {
        ++df[static_cast<std::size_t>(X.indices[k])];
        totals[static_cast<std::size_t>(X.indices[k])] += static_cast<std::int64_t>(X.values[k]);
    }
    const double high = m_options.max_df.documents(X.rows);
    const double low = m_options.min_df.documents(X.rows);
    if (high < low)
        throw DataError("max_df corresponds to fewer documents (" + fmt_double(high) + ") than min_df (" +
                        fmt_double(low) + ") in this corpus of " + std::to_string(X.rows) + " documents");
    std::vector<char> keep(n_cols);
    std::size_t kept = 0;
    for (std::size_t j = 0; j < n_cols; ++j) {
        keep[j] = static_cast<double>(df[j]) <= high && static_cast<double>(df[j]) >= low;
        kept += keep[j];
    }
    if (m_options.max_features && kept > static_cast<std::size_t>(*m_options.max_features)) {
        std::vector<std::uint32_t> candidates;
        candidates.reserve(kept);
        for (std::size_t j = 0; j < n_cols; ++j)
            if (keep[j]) candidates.push_back(static_cast<std::uint32_t>(j));
        const auto limit = static_cast<std::size_t>(*m_options.max_features);
        std::stable_sort(candidates.begin(), candidates.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return totals[a] > totals[b]; });
        std::fill(keep.begin(), keep.end(), 0);
        for (std::size_t i = 0; i < limit; ++i) keep[candidates[i]] = 1;
        kept = limit;
    }
    if (kept == 0) throw DataError("after pruning no terms remain: lower --min-df or raise --max-df");

    m_pruned.clear();
    if (kept == n_cols) {  // nothing to drop: keep the vocabulary and the matrix as they are
        m_df = std::move(df);
        m_totals = std::move(totals);
        return;
    }
    std::vector<std::int32_t> new_index(n_cols, -1);
    std::vector<std::string> vocabulary;
    vocabulary.reserve(kept);
    m_df.clear();
    m_totals.clear();
    for (std::size_t j = 0; j < n_cols; ++j) {
        if (!keep[j]) {
            m_pruned.push_back(std::move(m_vocabulary[j]));
            continue;
        }
        new_index[j] = static_cast<std::int32_t>(vocabulary.size());
        vocabulary.push_back(std::move(m_vocabulary[j]));
        m_df.push_back(df[j]);
        m_totals.push_back(totals[j]);
    }
    m_vocabulary = std::move(vocabulary);

    CsrMatrix<double> Y;
    Y.rows = X.rows;
    Y.cols = static_cast<std::int64_t>(kept);
    Y.indptr.assign(static_cast<std::size_t>(X.rows) + 1, 0);
    for (std::int64_t i = 0; i < X.rows; ++i) {
        std::int64_t n = 0;
        for (std::int64_t k = X.indptr[i]; k < X.indptr[i + 1]; ++k) n += new_index[X.indices[k]] >= 0;
        Y.indptr[i + 1] = Y.indptr[i] + n;
    }
    Y.indices.resize(static_cast<std::size_t>(Y.indptr.back()));
    Y.values.resize(Y.indices.size());
    runtime::parallel_for(
        static_cast<std::size_t>(X.rows),
        [&](std::size_t i) {
            auto out = static_cast<std::size_t>(Y.indptr[i]);
            for (std::int64_t k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
                const std::int32_t j = new_index[X.indices[k]];
                if (j < 0) continue;
                Y.indices[out] = j;
                Y.values[out++] = X.values[k];
            }
        },
        256);
    X = std::move(Y);
}

void Vectorizer::weight(CsrMatrix<double>& X) const { weigh_counts(X, m_options, m_idf); }

template <typename T>
CsrMatrix<T> Vectorizer::fit_transform(const std::vector<std::string>& documents) {
    m_fitted = false;
    m_timings = {};
    CsrMatrix<double> X = count(documents);
    const auto t0 = Clock::now();
    prune(X);
    m_idf.clear();
    if (m_options.weighting == Weighting::Tfidf && m_options.use_idf)
        m_idf = idf_weights(m_df, X.rows, m_options.smooth_idf);
    weight(X);
    m_timings.weight = since(t0);
    m_fitted = true;
    if constexpr (std::is_same_v<T, double>) {
        return X;
    } else {
        return X.cast<T>();
    }
}

template <typename T>
CsrMatrix<T> Vectorizer::transform(const std::vector<std::string>& documents) const {
    if (!m_fitted) throw InvalidArgument("transform: the vectorizer has not been fitted");
    TermTable lookup(m_vocabulary.size());
    for (const auto& term : m_vocabulary) {
        bool inserted = false;
        lookup.insert(term, inserted);
    }
    TermTable stops(256);
    for (const auto& w : effective_stop_words(m_options)) {
        bool inserted = false;
        stops.insert(w, inserted);
    }
    const std::size_t n_docs = documents.size();
    if (n_docs >= 0xFFFFFFFFu) throw DataError("more than 4,294,967,294 documents in one call");
    std::vector<std::vector<std::pair<std::int32_t, double>>> rows(n_docs);
    // One state per thread for this call only: the vocabulary-sized bookkeeping is not kept alive
    // on the worker threads after transform returns. Tags are document numbers + 1, as in fit.
    struct State {
        DocCounter counter;
        std::string scratch, gram;
        TokenSequence seq;
    };
    std::vector<State> states(static_cast<std::size_t>(std::max(1, runtime::max_threads())));
    runtime::parallel_for_thread(n_docs, [&](int tid, std::size_t d) {
        State& st = states[static_cast<std::size_t>(tid)];
        DocCounter& counter = st.counter;
        counter.grow(m_vocabulary.size());
        counter.clear();
        const auto tag = static_cast<std::uint32_t>(d + 1);
        analyze(
            documents[d], m_options.ngram_min, m_options.ngram_max, st.scratch, st.gram, st.seq,
            [&](std::string_view tok, bool& stop) {
                stop = stops.find(tok) != TermTable::k_absent;
                return stop ? TermTable::k_absent : lookup.find(tok);
            },
            [&](std::string_view g) { return lookup.find(g); }, [&](std::uint32_t id) { counter.add(id, tag); });
        auto& row = rows[d];
        row.resize(counter.size);
        for (std::size_t k = 0; k < row.size(); ++k)
            row[k] = {static_cast<std::int32_t>(counter.entries[k].id),
                      m_options.binary ? 1.0 : counter.entries[k].count};
        std::sort(row.begin(), row.end());
    });
    CsrMatrix<double> X;
    X.rows = static_cast<std::int64_t>(n_docs);
    X.cols = static_cast<std::int64_t>(m_vocabulary.size());
    X.indptr.assign(n_docs + 1, 0);
    for (std::size_t d = 0; d < n_docs; ++d) {
        X.indptr[d + 1] = X.indptr[d] + static_cast<std::int64_t>(rows[d].size());
        for (const auto& [j, v] : rows[d]) {
            X.indices.push_back(j);
            X.values.push_back(v);
        }
    }
    weight(X);
    if constexpr (std::is_same_v<T, double>) {
        return X;
    } else {
        return X.cast<T>();
    }
}

template CsrMatrix<double> Vectorizer::fit_transform<double>(const std::vector<std::string>&);
template CsrMatrix<float> Vectorizer::fit_transform<float>(const std::vector<std::string>&);
template CsrMatrix<double> Vectorizer::transform<double>(const std::vector<std::string>&) const;
template CsrMatrix<float> Vectorizer::transform<float>(const std::vector<std::string>&) const;

std::vector<double> idf_weights(const std::vector<std::int64_t>& df, std::int64_t n_documents, bool smooth) {
    // scikit-learn: idf = ln(n_samples / df) + 1 with both smoothed by one document.
    const double s = smooth ? 1.0 : 0.0;
    const double n = static_cast<double>(n_documents) + s;
    std::vector<double> idf(df.size());
    for (std::size_t j = 0; j < df.size(); ++j) idf[j] = std::log(n / (static_cast<double>(df[j]) + s)) + 1.0;
    return idf;
}

template <typename T>
void require_counts(const CsrMatrix<T>& x) {
    for (std::int64_t i = 0; i < x.rows; ++i)
        for (std::int64_t q = x.indptr[static_cast<std::size_t>(i)]; q < x.indptr[static_cast<std::size_t>(i + 1)];
             ++q) {
            const double v = static_cast<double>(x.values[static_cast<std::size_t>(q)]);
            if (std::isfinite(v) && v >= 0 && v == std::floor(v)) continue;
            throw DataError(fmt::format("entry ({}, {}) is {}, not a count (a non-negative integer)", i + 1,
                                        x.indices[static_cast<std::size_t>(q)] + 1, fmt_double(v)));
        }
}

template <typename T>
void weigh_counts(CsrMatrix<T>& X, const VectorizerOptions& o, const std::vector<double>& column_idf) {
    const bool binary = o.binary;
    if (o.weighting != Weighting::Tfidf) {
        if (binary) std::fill(X.values.begin(), X.values.end(), T(1));
        return;
    }
    const bool sublinear = o.sublinear_tf;
    const bool idf = !column_idf.empty();
    const Norm norm = o.norm;
    // In double whatever T is, so that a float32 matrix gets the float64 result rounded once.
    const auto weighted = [&](std::size_t k) {
        double v = binary ? 1.0 : static_cast<double>(X.values[k]);
        if (sublinear) v = std::log(v) + 1.0;
        if (idf) v *= column_idf[static_cast<std::size_t>(X.indices[k])];
        return v;
    };
    runtime::parallel_for(
        static_cast<std::size_t>(X.rows),
        [&](std::size_t i) {
            const auto b = static_cast<std::size_t>(X.indptr[i]), e = static_cast<std::size_t>(X.indptr[i + 1]);
            double sum = 0;
            for (std::size_t k = b; k < e; ++k) {
                const double v = weighted(k);
                sum += norm == Norm::L2 ? v * v : std::fabs(v);
            }
            const double scale = norm == Norm::None || sum == 0.0 ? 1.0 : norm == Norm::L2 ? std::sqrt(sum) : sum;
            for (std::size_t k = b; k < e; ++k) X.values[k] = static_cast<T>(weighted(k) / scale);
        },
        256);
}

template <typename T>
std::vector<double> fit_weigh_counts(CsrMatrix<T>& X, const VectorizerOptions& o) {
    o.validate();
    if (o.weighting == Weighting::Tfidf) require_counts(X);
    std::vector<double> idf;
    if (o.weighting == Weighting::Tfidf && o.use_idf) {
        std::vector<std::int64_t> df(static_cast<std::size_t>(X.cols), 0);
        for (const std::int32_t j : X.indices) ++df[static_cast<std::size_t>(j)];  // zeros are never stored
        if (!o.smooth_idf)
            for (std::size_t j = 0; j < df.size(); ++j)
                if (df[j] == 0)
                    throw DataError(
                        fmt::format("column {} holds no entry: its idf without smoothing, ln(n / 0) + 1, "
                                    "is infinite",
                                    j + 1));
        idf = idf_weights(df, X.rows, o.smooth_idf);
    }
    weigh_counts(X, o, idf);
    return idf;
}

template void require_counts(const CsrMatrix<float>&);
template void require_counts(const CsrMatrix<double>&);
template void weigh_counts(CsrMatrix<float>&, const VectorizerOptions&, const std::vector<double>&);
template void weigh_counts(CsrMatrix<double>&, const VectorizerOptions&, const std::vector<double>&);
template std::vector<double> fit_weigh_counts(CsrMatrix<float>&, const VectorizerOptions&);
template std::vector<double> fit_weigh_counts(CsrMatrix<double>&, const VectorizerOptions&);

std::vector<std::string> inconsistent_stop_word_tokens(const VectorizerOptions& options) {
    std::vector<std::string> words = options.stop_words;
    if (options.use_english_stop_words) {
        const auto& en = english_stop_words();
        words.insert(words.end(), en.begin(), en.end());
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    // Byte order of UTF-8 is code point order, Python's order of str.
    std::vector<std::string> out;
    std::string scratch;
    for (const auto& w : words) {
        if (!utf8_valid(w)) continue;
        tokenize(w, scratch, [&](std::string_view token) {
            if (!std::binary_search(words.begin(), words.end(), token)) out.emplace_back(token);
        });
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> vectorizer_warnings(const VectorizerOptions& options) {
    std::vector<std::string> warnings;
    const auto tokens = inconsistent_stop_word_tokens(options);
    if (!tokens.empty()) {
        // scikit-learn's text, the tokens as Python's repr of a sorted list (a token is made of
        // word characters, so it needs no escape inside single quotes).
        std::string list = "[";
        for (std::size_t i = 0; i < tokens.size(); ++i) list += (i ? ", '" : "'") + tokens[i] + "'";
        list += "]";
        warnings.push_back(
            "Your stop_words may be inconsistent with your preprocessing. Tokenizing the stop words "
            "generated tokens " +
            list + " not in stop_words.");
    }
    return warnings;
}

}  // namespace factopic::text
