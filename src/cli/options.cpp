#include "options.hpp"

#include <fmt/core.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "factopic/core/error.hpp"
#include "factopic/text/stop_words.hpp"
#include "usage.hpp"

namespace factopic::cli {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size() && !s.empty()) {
        std::size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        out.push_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

int parse_int(const std::string& s, const std::string& field) {
    int v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        throw InvalidArgument(field + " = '" + s + "': not an integer");
    return v;
}

}  // namespace

void add_corpus_options(CLI::App& app, CorpusArgs& a, const char* positional_name, const char* positional_help) {
    app.add_option(positional_name, a.path,
                   positional_help
                       ? positional_help
                       : "Folder, archive (.tar, .tar.gz, .tgz, ...), text file (one document per line), JSON Lines, "
                         "CSV or TSV; .gz, .bz2, .xz, .zst are decompressed; - reads standard input (give --format)")
        ->required();
    app.add_flag("-q,--quiet", a.quiet, "No progress display on stderr (shown only when stderr is a terminal)");
    app.add_option("--format", a.format, "How to read CORPUS (auto detects by type and extension)")
        ->check(CLI::IsMember({"auto", "folder", "archive", "lines", "jsonl", "csv", "tsv"}))
        ->capture_default_str();
    app.add_option("--encoding", a.encoding, "auto: UTF-8, a file that is not valid UTF-8 is read as latin-1")
        ->check(CLI::IsMember({"auto", "utf-8", "latin-1"}))
        ->capture_default_str();
    app.add_option("--subset", a.subset, "20 Newsgroups: train, test or all (train then test); default train")
        ->check(CLI::IsMember({"train", "test", "all"}));
    app.add_option("--categories", a.categories,
                   "Comma-separated labels to keep (20 Newsgroups categories or first-level folders)");
    app.add_option("--remove", a.remove,
                   "20 Newsgroups layout only: comma-separated cleaners headers, footers, quotes (scikit-learn's "
                   "strip_newsgroup_*)");
    app.add_option("--text-field", a.text_field,
                   "JSON Lines, CSV, TSV: member or column holding the text (JSON Lines: default text; CSV/TSV: "
                   "the only column, or the one named text)");
    app.add_option("--label-field", a.label_field, "JSON Lines, CSV, TSV: member or column holding the label");
    app.add_option("--id-field", a.id_field,
                   "JSON Lines, CSV, TSV: member or column holding the document's id (unique; default: line N)");
    app.add_option("--binary-files", a.binary_files,
                   "Folder, archive: a file that is not text (a NUL byte) is skipped and counted, or an error")
        ->check(CLI::IsMember({"skip", "error"}));
    app.add_flag("--follow-links", a.follow_links,
                 "Folder: also follow symbolic links that lead outside it (skipped and counted otherwise)");
    app.add_option("--max-document-bytes", a.max_document_bytes,
                   "Largest document (file, archive member, line) read, e.g. 64MiB; a larger one is an error")
        ->type_name("SIZE")
        ->capture_default_str();
    app.add_option("--max-corpus-bytes", a.max_corpus_bytes,
                   "Most bytes a corpus may expand to (decompressed archive, or documents read); auto: the larger "
                   "of 1GiB and 100 times its size on disk")
        ->type_name("SIZE|auto")
        ->capture_default_str();
}

CLI::Option* add_threads_option(CLI::App& app, int& threads) {
    const CLI::Validator rule(
        [](std::string& text) -> std::string {
            int n = -1;
            const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
            if (r.ec == std::errc() && r.ptr == text.data() + text.size() && n >= 0 && n <= k_max_threads) return {};
            return "'" + text + "' must be 0 (all cores) or a number of threads from 1 to " +
                   std::to_string(k_max_threads);
        },
        "0..." + std::to_string(k_max_threads));
    return app.add_option("--threads", threads, "Threads to use (default: all cores)")->check(rule);
}

void add_vectorizer_options(CLI::App& app, VectorizerArgs& a) {
    app.add_option("--weighting", a.weighting, "Matrix values: tf-idf (the default in every sub-command) or raw counts")
        ->check(CLI::IsMember({"count", "tfidf"}))
        ->capture_default_str();
    app.add_option("--stop-words", a.stop_words, "english (scikit-learn's list), none, or a file of one word per line")
        ->capture_default_str();
    app.add_option("--min-df", a.min_df, "Drop terms in fewer documents: an integer is a count, 0.01 a proportion")
        ->capture_default_str();
    app.add_option("--max-df", a.max_df, "Drop terms in more documents: an integer is a count, 0.5 a proportion")
        ->capture_default_str();
    app.add_option("--max-features", a.max_features, "Keep only the N most frequent terms (N >= 1)");
    app.add_option("--ngram", a.ngram, "Word n-grams MIN:MAX")->capture_default_str();
    app.add_flag("--binary", a.binary, "Every non-zero count becomes 1");
    app.add_option("--norm", a.norm, "tf-idf row normalisation")
        ->check(CLI::IsMember({"l2", "l1", "none"}))
        ->capture_default_str();
    app.add_flag("--no-idf", a.no_idf, "tf-idf without the idf factor");
    app.add_flag("--no-smooth-idf", a.no_smooth_idf, "idf = ln(n/df) + 1 instead of ln((1+n)/(1+df)) + 1");
    app.add_flag("--sublinear-tf", a.sublinear_tf, "tf becomes 1 + ln(tf)");
    app.add_option("--dtype", a.dtype, "Scalar type of the matrix")
        ->check(CLI::IsMember({"float64", "float32"}))
        ->capture_default_str();
}

void classify_matrix_options(const CLI::App& app, std::size_t first, MatrixOnlyOptions& out) {
    const auto options = app.get_options();
    for (std::size_t i = first; i < options.size(); ++i) {
        const CLI::Option* o = options[i];
        if (o->get_positional() || o->check_lname("quiet") || o->check_lname("binary") || o->check_lname("dtype"))
            continue;
        if (o->check_lname("weighting"))
            out.weighting = o;
        else if (o->check_lname("norm") || o->check_lname("no-idf") || o->check_lname("no-smooth-idf") ||
                 o->check_lname("sublinear-tf"))
            out.tfidf_only.push_back(o);
        else
            out.text_only.push_back(o);
    }
}

void check_matrix_options(const MatrixOnlyOptions& options, const VectorizerArgs& vectorizer, const std::string& path) {
    for (const CLI::Option* o : options.text_only)
        if (o->count() > 0)
            throw InvalidArgument(
                fmt::format("{} applies to a corpus, not to the Matrix Market input {}: its columns "
                            "are terms already",
                            o->get_name(), path));
    const bool tfidf = options.weighting && options.weighting->count() > 0 && vectorizer.weighting == "tfidf";
    if (!tfidf)
        for (const CLI::Option* o : options.tfidf_only)
            if (o->count() > 0)
                throw InvalidArgument(
                    fmt::format("{} applies with --weighting tfidf: the Matrix Market input {} is "
                                "used as it is unless --weighting tfidf is given",
                                o->get_name(), path));
}

void add_date_field_option(CLI::App& app, CorpusArgs& a) {
    app.add_option("--date-field", a.date_field,
                   "JSON Lines, CSV, TSV: member or column holding the date (YYYY, YYYY-MM, YYYY-MM-DD or ISO date "
                   "and time; empty: none)");
}

text::CorpusOptions corpus_options(const CorpusArgs& a) {
    text::CorpusOptions o;
    static const std::map<std::string, text::CorpusFormat> formats{
        {"auto", text::CorpusFormat::Auto},       {"folder", text::CorpusFormat::Folder},
        {"archive", text::CorpusFormat::Archive}, {"lines", text::CorpusFormat::Lines},
        {"jsonl", text::CorpusFormat::Jsonl},     {"csv", text::CorpusFormat::Csv},
        {"tsv", text::CorpusFormat::Tsv}};
    o.format = formats.at(a.format);
    o.encoding = a.encoding == "utf-8"     ? text::Encoding::Utf8
                 : a.encoding == "latin-1" ? text::Encoding::Latin1
                                           : text::Encoding::Auto;
    if (a.subset == "train") o.subset = text::NewsgroupsSubset::Train;
    if (a.subset == "test") o.subset = text::NewsgroupsSubset::Test;
    if (a.subset == "all") o.subset = text::NewsgroupsSubset::All;
    o.categories = split_commas(a.categories);
    if (!a.remove.empty()) o.remove = text::parse_cleaning(a.remove);
    o.text_field = a.text_field;
    o.label_field = a.label_field;
    o.id_field = a.id_field;
    o.date_field = a.date_field;
    if (a.binary_files == "skip") o.binary_files = text::BinaryFiles::Skip;
    if (a.binary_files == "error") o.binary_files = text::BinaryFiles::Error;
    o.follow_links = a.follow_links;
    o.max_document_bytes = parse_byte_size(a.max_document_bytes, "--max-document-bytes");
    if (a.max_corpus_bytes != "auto") o.max_corpus_bytes = parse_byte_size(a.max_corpus_bytes, "--max-corpus-bytes");
    o.validate();
    return o;
}

std::uint64_t parse_byte_size(const std::string& text, const std::string& field) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, value);
    auto bad = [&](const char* why) {
        return InvalidArgument(field + " = '" + text + "': " + why +
                               " (a byte count: digits, optionally with K, M, G or T, e.g. 64MiB)");
    };
    if (r.ec == std::errc::result_out_of_range) throw bad("too large");
    if (r.ec != std::errc() || r.ptr == text.data()) throw bad("not a byte count");
    std::string unit(r.ptr, end);
    for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    int shift = 0;
    if (!unit.empty()) {
        const std::string rest = unit.substr(1);
        if (rest != "" && rest != "B" && rest != "IB") throw bad("unknown unit");
        switch (unit[0]) {
            case 'K':
                shift = 10;
                break;
            case 'M':
                shift = 20;
                break;
            case 'G':
                shift = 30;
                break;
            case 'T':
                shift = 40;
                break;
            case 'B':
                if (!rest.empty()) throw bad("unknown unit");
                break;
            default:
                throw bad("unknown unit");
        }
    }
    if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) throw bad("too large");
    value <<= shift;
    if (value == 0) throw bad("must be at least 1 byte");
    return value;
}

void warn_skipped(const text::Corpus& corpus) {
    if (corpus.skipped.total() == 0) return;
    std::string hint;
    if (corpus.skipped.links_outside > 0) hint = "; --follow-links follows links outside the corpus";
    print_warning(
        fmt::format("factopic: warning: {}: skipped {}{}", corpus.source, text::describe(corpus.skipped), hint));
}

nlohmann::json skipped_json(const text::CorpusSkipped& s) {
    return {{"links_outside", s.links_outside},       {"broken_links", s.broken_links},
            {"repeated_folders", s.repeated_folders}, {"special_files", s.special_files},
            {"archive_links", s.archive_links},       {"binary_files", s.binary_files}};
}

text::VectorizerOptions vectorizer_options(const VectorizerArgs& a) {
    text::VectorizerOptions o;
    o.weighting = a.weighting == "tfidf" ? text::Weighting::Tfidf : text::Weighting::Count;
    if (a.stop_words == "english") {
        o.use_english_stop_words = true;
    } else if (a.stop_words == "none") {
        o.use_english_stop_words = false;
    } else {
        o.use_english_stop_words = false;
        // "englsh" is a typo of a keyword far more often than a file's name.
        std::error_code ec;
        if (const auto near = closest_match(a.stop_words, {"english", "none"});
            !near.empty() && !std::filesystem::exists(a.stop_words, ec))
            throw InvalidArgument(
                fmt::format("--stop-words = '{}': not english, none or an existing file; did you "
                            "mean '{}'?",
                            a.stop_words, near));
        o.stop_words = text::read_stop_words(a.stop_words);
    }
    o.min_df = text::DfBound::parse(a.min_df, "min_df");
    o.max_df = text::DfBound::parse(a.max_df, "max_df");
    o.max_features = a.max_features;
    const auto colon = a.ngram.find(':');
    if (colon == std::string::npos) {
        o.ngram_min = o.ngram_max = parse_int(a.ngram, "ngram");
    } else {
        o.ngram_min = parse_int(a.ngram.substr(0, colon), "ngram MIN");
        o.ngram_max = parse_int(a.ngram.substr(colon + 1), "ngram MAX");
    }
    o.binary = a.binary;
    o.norm = a.norm == "l1" ? text::Norm::L1 : a.norm == "none" ? text::Norm::None : text::Norm::L2;
    o.use_idf = !a.no_idf;
    o.smooth_idf = !a.no_smooth_idf;
    o.sublinear_tf = a.sublinear_tf;
    o.validate();
    for (const auto& warning : text::vectorizer_warnings(o)) print_warning("factopic: warning: " + warning);
    return o;
}

std::string describe_selection(const CorpusArgs& a) {
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
    if (!a.subset.empty()) add(a.subset);
    if (!a.categories.empty()) add(std::to_string(split_commas(a.categories).size()) + " categories");
    if (!a.remove.empty()) add("removed " + a.remove);
    return out;
}

void print_warning(std::string_view line) noexcept {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
}

}  // namespace factopic::cli
