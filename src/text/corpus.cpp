#include "factopic/text/corpus.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "factopic/core/error.hpp"
#include "factopic/core/file.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/newsgroups.hpp"
#include "factopic/text/unicode.hpp"

namespace fs = std::filesystem;

namespace factopic::text {
namespace {

constexpr std::string_view k_train_dir = "20news-bydate-train";
constexpr std::string_view k_test_dir = "20news-bydate-test";

struct RawFile {
    std::string path;   // inside the corpus, '/'-separated
    std::string label;  // category or first-level folder
    int group = 0;      // 20 Newsgroups: 0 train, 1 test
    std::string bytes;
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lowercase_ascii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return s;
}

// Path order component by component: "a/x" before "a.b/y", as a sorted recursive walk gives.
bool path_less(const std::string& a, const std::string& b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] == b[i]) continue;
        if (a[i] == '/') return true;
        if (b[i] == '/') return false;
        return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    }
    return a.size() < b.size();
}

// scikit-learn's cleaners in fetch_20newsgroups' order: headers, footers, quotes.
std::string clean(std::string text, const NewsgroupsCleaning& remove) {
    if (remove.headers) text = newsgroup_strip_header(text);
    if (remove.footers) text = newsgroup_strip_footer(text);
    if (remove.quotes) text = newsgroup_strip_quoting(text);
    return text;
}

std::string join(const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Decides, from its path alone, whether an entry is kept, so that unwanted files of an archive
// are skipped rather than decompressed into memory.
class Selector {
public:
    explicit Selector(const CorpusOptions& options) : m_options(options) {
        m_wanted.insert(options.categories.begin(), options.categories.end());
    }

    // Returns the kept entry (without bytes) or nothing.
    std::optional<RawFile> classify(std::string path) {
        while (path.rfind("./", 0) == 0) path.erase(0, 2);
        const auto slash = path.find('/');
        const std::string first = slash == std::string::npos ? "" : path.substr(0, slash);
        if (first == k_train_dir || first == k_test_dir) {
            const auto slash2 = path.find('/', slash + 1);
            if (slash2 == std::string::npos) return std::nullopt;  // a stray file at subset level
            std::string category = path.substr(slash + 1, slash2 - slash - 1);
            m_newsgroups = true;
            m_news_categories.insert(category);
            const int group = first == k_train_dir ? 0 : 1;
            const auto subset = m_options.subset.value_or(NewsgroupsSubset::Train);
            if (subset == NewsgroupsSubset::Train && group != 0) return std::nullopt;
            if (subset == NewsgroupsSubset::Test && group != 1) return std::nullopt;
            if (!m_wanted.empty() && !m_wanted.count(category)) return std::nullopt;
            return RawFile{std::move(path), std::move(category), group, {}};
        }
        if (m_newsgroups) return std::nullopt;
        m_labels.insert(first);
        if (!m_wanted.empty() && !m_wanted.count(first)) return std::nullopt;
        return RawFile{std::move(path), first, 0, {}};
    }

    // Settles the layout once every path has been seen; checks categories against it.
    std::vector<RawFile> finish(std::vector<RawFile> files, const std::string& source, std::string& layout) {
        if (m_newsgroups) {
            std::erase_if(files, [](const RawFile& f) {
                return f.path.rfind(k_train_dir, 0) != 0 && f.path.rfind(k_test_dir, 0) != 0;
            });
            check_categories(m_news_categories, source, "20 Newsgroups categories");
            std::sort(files.begin(), files.end(), [](const RawFile& a, const RawFile& b) {
                if (a.group != b.group) return a.group < b.group;
                if (a.label != b.label) return a.label < b.label;
                return a.path < b.path;
            });
            layout = "20newsgroups";
        } else {
            if (m_options.subset)
                throw InvalidArgument(
                    "--subset applies only to the 20 Newsgroups by-date layout (20news-bydate-train/, "
                    "20news-bydate-test/), which " +
                    source + " does not have");
            m_labels.erase("");
            check_categories(m_labels, source, "labels (first-level folders)");
            std::sort(files.begin(), files.end(),
                      [](const RawFile& a, const RawFile& b) { return path_less(a.path, b.path); });
        }
        return files;
    }

private:
    void check_categories(const std::set<std::string>& valid, const std::string& source, const char* what) const {
        for (const auto& c : m_options.categories)
            if (!valid.count(c))
                throw DataError("unknown category '" + c + "' in " + source + "; its " + what +
                                " are: " + (valid.empty() ? std::string("(none)") : join(valid)));
    }

    const CorpusOptions& m_options;
    std::set<std::string> m_wanted;
    std::set<std::string> m_news_categories;
    std::set<std::string> m_labels;
    bool m_newsgroups = false;
};

// Walks dir in sorted name order, depth first (which is sorted path order). Directory symlinks
// are followed, but each directory is read once, at its first path in that order: a link back up
// the tree would otherwise repeat documents (skewing every document frequency) or never end.
void walk_folder(const fs::path& root, const fs::path& dir, Selector& selector,
                 std::set<std::pair<dev_t, ino_t>>& visited, std::vector<RawFile>& files) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !visited.insert({st.st_dev, st.st_ino}).second) return;
    std::error_code ec;
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
    if (ec) throw IoError("cannot list " + dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
    for (const auto& path : entries) {
        const auto status = fs::status(path, ec);  // follows symlinks
        if (fs::is_directory(status)) {
            walk_folder(root, path, selector, visited, files);
        } else if (fs::is_regular_file(status)) {
            auto kept = selector.classify(path.lexically_relative(root).generic_string());
            if (!kept) continue;
            kept->bytes = read_file(path.string());
            files.push_back(std::move(*kept));
        }
    }
}

std::vector<RawFile> scan_folder(const fs::path& root, Selector& selector) {
    std::vector<RawFile> files;
    std::set<std::pair<dev_t, ino_t>> visited;
    walk_folder(root, root, selector, visited, files);
    return files;
}

struct ArchiveCloser {
    void operator()(archive* a) const { archive_read_free(a); }
};

std::vector<RawFile> scan_archive(const std::string& path, Selector& selector) {
    std::unique_ptr<archive, ArchiveCloser> ar(archive_read_new());
    archive_read_support_filter_all(ar.get());
    archive_read_support_format_all(ar.get());
    auto fail = [&](const char* stage) -> ParseError {
        const char* msg = archive_error_string(ar.get());
        return ParseError(path, 0, std::string(stage) + ": " + (msg ? msg : "unknown archive error"));
    };
    if (archive_read_open_filename(ar.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
        const int err = archive_errno(ar.get());
        if (err == ENOENT || err == EACCES || err == EISDIR)
            throw IoError("cannot open " + path + ": " + std::strerror(err));
        throw fail("not a readable archive");
    }
    std::vector<RawFile> files;
    archive_entry* entry = nullptr;
    while (true) {
        const int r = archive_read_next_header(ar.get(), &entry);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) throw fail("corrupt or truncated archive");
        if (archive_entry_filetype(entry) != AE_IFREG) continue;
        const char* name = archive_entry_pathname(entry);
        auto kept = name ? selector.classify(name) : std::nullopt;
        if (!kept) {
            if (archive_read_data_skip(ar.get()) < ARCHIVE_WARN) throw fail("corrupt or truncated archive");
            continue;
        }
        std::string bytes;
        // The header's size is only a hint: a corrupt one must not become a huge allocation.
        if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0)
            bytes.reserve(static_cast<std::size_t>(std::min<la_int64_t>(archive_entry_size(entry), 64 << 20)));
        char buf[1 << 16];
        while (true) {
            const la_ssize_t got = archive_read_data(ar.get(), buf, sizeof buf);
            if (got == 0) break;
            if (got < 0) throw fail("corrupt or truncated archive");
            bytes.append(buf, static_cast<std::size_t>(got));
        }
        kept->bytes = std::move(bytes);
        files.push_back(std::move(*kept));
    }
    return files;
}

void finish_documents(Corpus& corpus, std::vector<RawFile> files, const CorpusOptions& options) {
    // scikit-learn's fetch_20newsgroups decodes every post as latin-1, valid UTF-8 or not; to give
    // its matrix, so does factopic unless the user chose an encoding.
    const Encoding encoding =
        corpus.layout == "20newsgroups" && options.encoding == Encoding::Auto ? Encoding::Latin1 : options.encoding;
    const std::size_t n = files.size();
    corpus.texts.resize(n);
    corpus.ids.resize(n);
    corpus.labels.resize(n);
    for (const auto& f : files) corpus.bytes_read += f.bytes.size();
    runtime::parallel_for(n, [&](std::size_t i) {
        std::string text;
        try {
            text = decode_text(std::move(files[i].bytes), encoding);
        } catch (const DataError& e) {
            throw DataError(corpus.source + ": " + files[i].path + ": " + e.what());
        }
        text = clean(std::move(text), options.remove);
        corpus.texts[i] = std::move(text);
        corpus.ids[i] = std::move(files[i].path);
        corpus.labels[i] = std::move(files[i].label);
    });
}

std::string read_decoded(const std::string& path, Encoding encoding) {
    try {
        return decode_text(read_file(path), encoding);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
}

void read_lines(Corpus& corpus, const std::string& path, const CorpusOptions& options) {
    const std::string text = read_decoded(path, options.encoding);
    corpus.bytes_read = text.size();
    std::size_t number = 0;
    for (const auto line : split_lines(text)) {
        ++number;
        std::string doc(line);
        doc = clean(std::move(doc), options.remove);
        corpus.texts.push_back(std::move(doc));
        corpus.ids.push_back("line " + std::to_string(number));
        corpus.labels.emplace_back();
    }
}

void read_jsonl(Corpus& corpus, const std::string& path, const CorpusOptions& options) {
    const std::string text = read_decoded(path, options.encoding);
    corpus.bytes_read = text.size();
    std::set<std::string> wanted(options.categories.begin(), options.categories.end());
    std::set<std::string> seen;
    std::size_t number = 0;
    for (const auto line : split_lines(strip_utf8_bom(text))) {
        ++number;
        if (python_strip(line).empty()) continue;
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw ParseError(path, number, std::string("invalid JSON: ") + e.what());
        }
        if (!value.is_object()) throw ParseError(path, number, "expected a JSON object");
        const auto field = value.find(options.text_field);
        if (field == value.end() || !field->is_string())
            throw ParseError(path, number, "no string member \"" + options.text_field + "\" (set --text-field)");
        std::string label;
        if (!options.label_field.empty()) {
            const auto l = value.find(options.label_field);
            if (l == value.end() || l->is_null())
                throw ParseError(path, number, "no member \"" + options.label_field + "\" (the --label-field)");
            label = l->is_string() ? l->get<std::string>() : l->dump();
            seen.insert(label);
            if (!wanted.empty() && !wanted.count(label)) continue;
        }
        std::string doc = field->get<std::string>();
        doc = clean(std::move(doc), options.remove);
        corpus.texts.push_back(std::move(doc));
        corpus.ids.push_back("line " + std::to_string(number));
        corpus.labels.push_back(std::move(label));
    }
    for (const auto& c : options.categories)
        if (!seen.count(c))
            throw DataError("unknown category '" + c + "' in " + path +
                            "; its labels are: " + (seen.empty() ? std::string("(none)") : join(seen)));
}

CorpusFormat detect_format(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return CorpusFormat::Folder;
    const std::string lower = lowercase_ascii(path);
    for (const char* ext : {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip"})
        if (ends_with(lower, ext)) return CorpusFormat::Archive;
    if (ends_with(lower, ".jsonl") || ends_with(lower, ".ndjson")) return CorpusFormat::Jsonl;
    return CorpusFormat::Lines;
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = nl + 1;
    }
    return lines;
}

bool Corpus::has_labels() const noexcept {
    return std::any_of(labels.begin(), labels.end(), [](const std::string& l) { return !l.empty(); });
}

void CorpusOptions::validate() const {
    std::set<std::string> unique;
    for (const auto& c : categories) {
        if (c.empty()) throw InvalidArgument("categories: an empty name in the list");
        if (!unique.insert(c).second) throw InvalidArgument("categories: '" + c + "' is listed twice");
    }
    if (format == CorpusFormat::Jsonl && text_field.empty()) throw InvalidArgument("text_field: must not be empty");
    if (!label_field.empty() && format != CorpusFormat::Jsonl && format != CorpusFormat::Auto)
        throw InvalidArgument("label_field: only JSON Lines corpora have a label field");
}

std::string decode_text(std::string bytes, Encoding encoding) {
    switch (encoding) {
        case Encoding::Utf8:
            if (!utf8_valid(bytes)) throw DataError("not valid UTF-8 (use --encoding auto or latin-1)");
            return bytes;
        case Encoding::Latin1:
            return latin1_to_utf8(bytes);
        case Encoding::Auto:
            break;
    }
    if (utf8_valid(bytes)) return bytes;
    return latin1_to_utf8(bytes);
}

NewsgroupsCleaning parse_cleaning(const std::string& list) {
    NewsgroupsCleaning out;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        const std::string item = list.substr(start, comma - start);
        if (item == "headers")
            out.headers = true;
        else if (item == "footers")
            out.footers = true;
        else if (item == "quotes")
            out.quotes = true;
        else if (!item.empty() || list.empty())
            throw InvalidArgument("remove: '" + item + "' is not one of headers, footers, quotes");
        start = comma + 1;
    }
    return out;
}

Corpus read_corpus(const std::string& path, const CorpusOptions& options) {
    options.validate();
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IoError("cannot open " + path + ": no such file or directory");
    CorpusFormat format = options.format == CorpusFormat::Auto ? detect_format(path) : options.format;
    if (format == CorpusFormat::Folder && !fs::is_directory(path, ec))
        throw IoError("cannot read " + path + " as a folder: it is not a directory");
    if (format != CorpusFormat::Folder && fs::is_directory(path, ec))
        throw IoError("cannot read " + path + ": it is a directory (only --format folder reads directories)");
    if (format != CorpusFormat::Jsonl && !options.label_field.empty())
        throw InvalidArgument("label_field: only JSON Lines corpora have a label field");
    if ((format == CorpusFormat::Lines || format == CorpusFormat::Jsonl) && options.subset)
        throw InvalidArgument("--subset applies only to the 20 Newsgroups by-date layout");
    if (format == CorpusFormat::Lines && !options.categories.empty())
        throw InvalidArgument("categories: a lines corpus has no labels to select");

    Corpus corpus;
    corpus.source = path;
    switch (format) {
        case CorpusFormat::Folder:
        case CorpusFormat::Archive: {
            Selector selector(options);
            auto files = format == CorpusFormat::Folder ? scan_folder(path, selector) : scan_archive(path, selector);
            corpus.layout = format == CorpusFormat::Folder ? "folder" : "archive";
            files = selector.finish(std::move(files), path, corpus.layout);
            finish_documents(corpus, std::move(files), options);
            break;
        }
        case CorpusFormat::Lines:
            corpus.layout = "lines";
            read_lines(corpus, path, options);
            break;
        case CorpusFormat::Jsonl:
            corpus.layout = "jsonl";
            read_jsonl(corpus, path, options);
            break;
        case CorpusFormat::Auto:
            break;
    }
    if (corpus.size() == 0) throw DataError(path + ": no documents (the corpus, or the part of it selected, is empty)");
    return corpus;
}

}  // namespace factopic::text
