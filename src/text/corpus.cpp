#include "factopic/text/corpus.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "factopic/core/error.hpp"
#include "factopic/core/file.hpp"
#include "factopic/core/json_depth.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/csv.hpp"
#include "factopic/text/newsgroups.hpp"
#include "factopic/text/unicode.hpp"

namespace fs = std::filesystem;

namespace factopic::text {
namespace {

constexpr std::string_view k_train_dir = "20news-bydate-train";
constexpr std::string_view k_test_dir = "20news-bydate-test";
constexpr std::size_t k_chunk = std::size_t{1} << 16;
// The automatic corpus limit (CorpusOptions::max_corpus_bytes): this many times the input's
// size on disk, and never less than k_auto_floor.
constexpr std::uint64_t k_auto_ratio = 100;
constexpr std::uint64_t k_auto_floor = std::uint64_t{1} << 30;
// JSON Lines: deeper nesting is refused before parsing. No corpus needs it, and it keeps any
// recursion over the parsed value (destruction, dump) shallow.
constexpr std::size_t k_max_json_depth = 256;

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

// A name as it can appear in a one-line message: control characters escaped.
std::string printable(std::string_view name) {
    std::string out;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

[[noreturn]] void document_too_large(const std::string& where, std::uint64_t limit) {
    throw DataError(where + ": a document larger than " + format_bytes(limit) +
                    " (--max-document-bytes; raise it if the document is genuine)");
}

// Counts what a corpus expands to against CorpusOptions::max_corpus_bytes, so that the reading
// stops at the limit instead of after the memory is gone.
class Budget {
public:
    // size_on_disk: what the input occupies, the base of the automatic limit; unset for a folder,
    // whose regular files hold on disk what they give (each within max_document_bytes), so only
    // an explicit limit applies.
    Budget(const std::string& source, const CorpusOptions& options, std::optional<std::uint64_t> size_on_disk)
        : m_source(source) {
        if (options.max_corpus_bytes) {
            m_limit = *options.max_corpus_bytes;
        } else if (size_on_disk) {
            m_automatic = true;
            m_disk = *size_on_disk;
            const std::uint64_t scaled = m_disk > std::numeric_limits<std::uint64_t>::max() / k_auto_ratio
                                             ? std::numeric_limits<std::uint64_t>::max()
                                             : m_disk * k_auto_ratio;
            m_limit = std::max(k_auto_floor, scaled);
        }
    }

    void charge(std::uint64_t bytes) {
        m_used += bytes;
        if (m_used <= m_limit) return;
        if (!m_automatic)
            throw DataError(m_source + ": expands to more than " + format_bytes(m_limit) + " (--max-corpus-bytes)");
        throw DataError(m_source + ": expands to more than " + format_bytes(m_limit) + ", the automatic limit (" +
                        std::to_string(k_auto_ratio) + " times its " + format_bytes(m_disk) + " on disk, at least " +
                        format_bytes(k_auto_floor) + "): a compression bomb? If not, set --max-corpus-bytes");
    }

private:
    std::string m_source;
    std::uint64_t m_limit = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t m_used = 0;
    std::uint64_t m_disk = 0;
    bool m_automatic = false;
};

// Reads one document of a folder in chunks, stopping at the limit.
// where: the document as messages name it.
std::string read_document(const std::string& path, const std::string& where, std::uint64_t limit) {
    InputFile file(path);
    std::string bytes;
    if (file.size() <= limit) bytes.reserve(static_cast<std::size_t>(file.size()));
    char buf[k_chunk];
    while (const std::size_t got = file.read(buf, sizeof buf)) {
        if (got > limit - bytes.size()) document_too_large(where, limit);
        bytes.append(buf, got);
    }
    return bytes;
}

// ---------------------------------------------------------------------------------------------
// Decoding

// UTF-16 to UTF-8, fed in pieces of any size (a code unit or a surrogate pair may straddle two).
class Utf16Decoder {
public:
    // offset: where the UTF-16 starts in the file (after its byte-order mark), for messages.
    Utf16Decoder(bool big_endian, std::uint64_t offset) : m_big_endian(big_endian), m_offset(offset) {}

    void feed(std::string_view bytes, std::string& out) {
        for (const char c : bytes) {
            if (!m_has_odd) {
                m_odd = static_cast<unsigned char>(c);
                m_has_odd = true;
                continue;
            }
            const auto b = static_cast<unsigned char>(c);
            m_has_odd = false;
            const char32_t unit = m_big_endian ? (char32_t{m_odd} << 8 | b) : (char32_t{b} << 8 | m_odd);
            unit_(unit, out);
            m_offset += 2;
        }
    }

    void finish() const {
        if (m_has_odd) fail("an odd number of bytes (the last code unit is cut)");
        if (m_high) fail("a high surrogate at the end, without its low half", m_offset - 2);
    }

private:
    void unit_(char32_t unit, std::string& out) {
        if (m_high) {
            if (unit < 0xDC00 || unit > 0xDFFF) fail("an unpaired high surrogate", m_offset - 2);
            utf8_append(out, 0x10000 + ((m_high - 0xD800) << 10) + (unit - 0xDC00));
            m_high = 0;
        } else if (unit >= 0xD800 && unit <= 0xDBFF) {
            m_high = unit;
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            fail("an unpaired low surrogate", m_offset);
        } else {
            utf8_append(out, unit);
        }
    }

    [[noreturn]] void fail(const std::string& what) const { fail(what, m_offset); }
    [[noreturn]] static void fail(const std::string& what, std::uint64_t offset) {
        throw DataError("invalid UTF-16 at byte " + std::to_string(offset) + ": " + what);
    }

    bool m_big_endian;
    std::uint64_t m_offset;
    unsigned char m_odd = 0;
    bool m_has_odd = false;
    char32_t m_high = 0;
};

enum class Bom { None, Utf8, Utf16Le, Utf16Be, Utf32 };

Bom detect_bom(std::string_view b) {
    auto starts = [&](std::string_view p) { return b.substr(0, p.size()) == p; };
    using namespace std::string_view_literals;
    if (starts("\xFF\xFE\x00\x00"sv) || starts("\x00\x00\xFE\xFF"sv)) return Bom::Utf32;
    if (starts("\xEF\xBB\xBF"sv)) return Bom::Utf8;
    if (starts("\xFF\xFE"sv)) return Bom::Utf16Le;
    if (starts("\xFE\xFF"sv)) return Bom::Utf16Be;
    return Bom::None;
}

std::size_t bom_size(Bom bom) {
    switch (bom) {
        case Bom::Utf8:
            return 3;
        case Bom::Utf16Le:
        case Bom::Utf16Be:
            return 2;
        case Bom::Utf32:
            return 4;
        case Bom::None:
            break;
    }
    return 0;
}

// What a byte-order mark means under an encoding: Latin1 takes bytes as they are, so it sees none.
Bom effective_bom(std::string_view head, Encoding encoding) {
    if (encoding == Encoding::Latin1) return Bom::None;
    const Bom bom = detect_bom(head);
    if (bom == Bom::Utf32) throw DataError("UTF-32 text (by its byte-order mark) is not read: convert it to UTF-8");
    if (encoding == Encoding::Utf8 && (bom == Bom::Utf16Le || bom == Bom::Utf16Be))
        throw DataError("not valid UTF-8: it starts with a UTF-16 byte-order mark (use --encoding auto to decode it)");
    return bom;
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

// ---------------------------------------------------------------------------------------------
// Folders

bool prepare_document(std::string& bytes, const std::string& name, const std::string& where,
                      const CorpusOptions& options, Budget& budget, CorpusSkipped& skipped);

// The kept entry must fit the one-per-line ids and labels files.
void check_line_free(const std::string& source, const RawFile& file) {
    if (has_line_break(file.path))
        throw DataError(source + ": '" + printable(file.path) +
                        "': a name with a line break cannot be a document id (ids and labels are written one "
                        "per line); rename it");
}

bool inside(const fs::path& root, const fs::path& target) {
    auto r = root.begin();
    auto t = target.begin();
    for (; r != root.end(); ++r, ++t)
        if (t == target.end() || *r != *t) return false;
    return true;
}

// Walks a folder in sorted name order, depth first (which is sorted path order). Links are
// resolved to their canonical target: one that leaves the root is skipped unless follow_links,
// one to nothing is counted as broken, and each directory is read once, at its first path in
// that order: a link back up the tree would otherwise repeat documents (skewing every document
// frequency) or never end.
class FolderWalk {
public:
    // root: the folder's canonical path; source: the path as the user gave it, for messages.
    FolderWalk(const fs::path& root, const std::string& source, Selector& selector, const CorpusOptions& options,
               Budget& budget, CorpusSkipped& skipped)
        : m_root(root),
          m_source(source),
          m_selector(selector),
          m_options(options),
          m_budget(budget),
          m_skipped(skipped) {}

    std::vector<RawFile> run() {
        struct stat st {};
        if (::stat(m_root.c_str(), &st) == 0) m_visited.insert({st.st_dev, st.st_ino});
        walk(m_root);
        return std::move(m_files);
    }

private:
    void walk(const fs::path& dir) {
        std::error_code ec;
        std::vector<fs::path> entries;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
        if (ec) throw IoError("cannot list " + printable(dir.string()) + ": " + ec.message());
        std::sort(entries.begin(), entries.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
        for (const auto& path : entries) visit(path);
    }

    void visit(const fs::path& path) {
        std::error_code ec;
        const auto own = fs::symlink_status(path, ec);
        if (ec) throw IoError("cannot read " + printable(path.string()) + ": " + ec.message());
        fs::file_status status = own;
        if (fs::is_symlink(own)) {
            const fs::path target = fs::canonical(path, ec);
            if (ec) {
                ++m_skipped.broken_links;
                return;
            }
            if (!m_options.follow_links && !inside(m_root, target)) {
                ++m_skipped.links_outside;
                return;
            }
            status = fs::status(target, ec);
            if (ec) {
                ++m_skipped.broken_links;
                return;
            }
        }
        if (fs::is_directory(status)) {
            struct stat st {};
            if (::stat(path.c_str(), &st) != 0)
                throw IoError("cannot read " + printable(path.string()) + ": " + std::strerror(errno));
            if (!m_visited.insert({st.st_dev, st.st_ino}).second) {
                ++m_skipped.repeated_folders;
                return;
            }
            walk(path);
        } else if (fs::is_regular_file(status)) {
            auto kept = m_selector.classify(path.lexically_relative(m_root).generic_string());
            if (!kept) return;
            check_line_free(m_source, *kept);
            const std::string where = m_source + ": " + printable(kept->path);
            kept->bytes = read_document(path.string(), where, m_options.max_document_bytes);
            m_budget.charge(kept->bytes.size());
            if (!prepare_document(kept->bytes, kept->path, where, m_options, m_budget, m_skipped)) return;
            m_files.push_back(std::move(*kept));
        } else {
            ++m_skipped.special_files;
        }
    }

    const fs::path m_root;
    const std::string m_source;
    Selector& m_selector;
    const CorpusOptions& m_options;
    Budget& m_budget;
    CorpusSkipped& m_skipped;
    std::set<std::pair<dev_t, ino_t>> m_visited;
    std::vector<RawFile> m_files;
};

// ---------------------------------------------------------------------------------------------
// Archives
//
// libarchive reads the members, but the bytes it reads come through a ByteSource this file
// controls: gzip is inflated here with zlib, which checks each member's CRC-32 and length
// (libarchive's gzip reader does not), other compressions go through a libarchive "raw" reader
// (xz, bzip2 and zstd check their own sums), and after the last member the source is read to
// its end, so that damage anywhere in the file is found, not only damage that breaks a header.

// The bytes an archive is read from.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Points data at the next bytes and returns their count; 0 at the end. Throws.
    virtual std::size_t next(const char*& data) = 0;
};

// A file, with its first bytes (already read to recognise the format) given back first.
class FileSource final : public ByteSource {
public:
    FileSource(InputFile& file, std::string head) : m_file(file), m_head(std::move(head)), m_buf(k_chunk * 4) {}

    std::size_t next(const char*& data) override {
        if (!m_head_done) {
            m_head_done = true;
            if (!m_head.empty()) {
                data = m_head.data();
                return m_head.size();
            }
        }
        data = m_buf.data();
        return m_file.read(m_buf.data(), m_buf.size());
    }

private:
    InputFile& m_file;
    std::string m_head;
    bool m_head_done = false;
    std::vector<char> m_buf;
};

// gzip, one member or several, inflated with each member's CRC-32 and length checked by zlib.
// Zero bytes after the last member (tape padding) are allowed; anything else there is an error.
class GzipSource final : public ByteSource {
public:
    GzipSource(ByteSource& in, const std::string& path) : m_in(in), m_path(path), m_out(k_chunk * 4) {
        if (inflateInit2(&m_z, 16 + MAX_WBITS) != Z_OK) throw IoError(path + ": cannot start the gzip decoder");
    }
    ~GzipSource() override { inflateEnd(&m_z); }
    GzipSource(const GzipSource&) = delete;
    GzipSource& operator=(const GzipSource&) = delete;

    std::size_t next(const char*& data) override {
        data = m_out.data();
        while (!m_done) {
            if (m_z.avail_in == 0 && !m_in_end) {
                const char* p = nullptr;
                const std::size_t n = m_in.next(p);
                if (n == 0) {
                    m_in_end = true;
                } else {
                    m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p));
                    m_z.avail_in = static_cast<uInt>(n);
                }
            }
            if (m_between) {
                if (!between_members()) continue;
            }
            if (m_z.avail_in == 0 && m_in_end)
                throw ParseError(m_path, 0, "truncated gzip data: the file ends inside the compressed stream");
            m_z.next_out = reinterpret_cast<Bytef*>(m_out.data());
            m_z.avail_out = static_cast<uInt>(m_out.size());
            const int r = inflate(&m_z, Z_NO_FLUSH);
            const std::size_t produced = m_out.size() - m_z.avail_out;
            if (r == Z_STREAM_END) {
                m_between = true;
                m_members += 1;
            } else if (r != Z_OK && r != Z_BUF_ERROR) {
                throw ParseError(
                    m_path, 0,
                    std::string("corrupt gzip data: ") + (m_z.msg ? m_z.msg : "zlib error " + std::to_string(r)));
            }
            if (produced > 0) return produced;
        }
        return 0;
    }

private:
    // Between two members: decides from the next input bytes whether another member starts,
    // the stream has ended, or garbage follows. Returns true when a member starts.
    bool between_members() {
        while (m_z.avail_in > 0 && *m_z.next_in == 0) {
            ++m_z.next_in;
            --m_z.avail_in;
            m_padding = true;
        }
        if (m_z.avail_in == 0) {
            if (m_in_end) m_done = true;
            return false;
        }
        if (m_padding)
            throw ParseError(m_path, 0, "data after the end of the gzip stream (damaged, or another file appended)");
        if (inflateReset(&m_z) != Z_OK) throw ParseError(m_path, 0, "cannot restart the gzip decoder");
        m_between = false;
        return true;
    }

    ByteSource& m_in;
    std::string m_path;
    std::vector<char> m_out;
    z_stream m_z{};
    bool m_in_end = false;
    bool m_between = false;
    bool m_padding = false;
    bool m_done = false;
    int m_members = 0;
};

struct ArchiveCloser {
    void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

// libarchive calls back into C++ here: an exception must not cross its C frames, so it is kept
// and rethrown once libarchive has returned.
struct CallbackContext {
    ByteSource* source = nullptr;
    Budget* budget = nullptr;  // charged with every byte handed over, when set
    std::exception_ptr error;
};

la_ssize_t read_callback(archive* a, void* ctx_, const void** buffer) {
    auto* ctx = static_cast<CallbackContext*>(ctx_);
    try {
        const char* data = nullptr;
        const std::size_t n = ctx->source->next(data);
        if (ctx->budget) ctx->budget->charge(n);
        *buffer = data;
        return static_cast<la_ssize_t>(n);
    } catch (...) {
        ctx->error = std::current_exception();
        archive_set_error(a, EIO, "read failed");
        return -1;
    }
}

// What libarchive's status codes mean to a reader that must not lose a document.
const char* status_meaning(int r) {
    switch (r) {
        case ARCHIVE_WARN:
        case ARCHIVE_RETRY:
            return "damaged archive";
        case ARCHIVE_FAILED:
            return "a member that cannot be read";
        default:
            return "corrupt or truncated archive";
    }
}

// Compressed data seen through libarchive's "raw" format: one stream of the decompressed bytes,
// with the filter's own checks (xz's CRC-64, bzip2's CRCs).
class FilterSource final : public ByteSource {
public:
    FilterSource(archive* a, const std::string& path, const CallbackContext& ctx) : m_a(a), m_path(path), m_ctx(ctx) {}

    std::size_t next(const char*& data) override {
        while (true) {
            const void* block = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            const int r = archive_read_data_block(m_a, &block, &size, &offset);
            if (r == ARCHIVE_EOF) return 0;
            if (r != ARCHIVE_OK) {
                if (m_ctx.error) std::rethrow_exception(m_ctx.error);
                const char* msg = archive_error_string(m_a);
                throw ParseError(m_path, 0, std::string("corrupt compressed data: ") + (msg ? msg : status_meaning(r)));
            }
            if (size == 0) continue;
            data = static_cast<const char*>(block);
            return size;
        }
    }

private:
    archive* m_a;
    std::string m_path;
    const CallbackContext& m_ctx;
};

// For the reading thread, names are converted as UTF-8: in the "C" locale libarchive cannot
// convert a pax archive's UTF-8 names and warns (ARCHIVE_WARN) on every non-ASCII one.
class Utf8Names {
public:
    Utf8Names() : m_locale(::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
        if (m_locale) m_old = ::uselocale(m_locale);
    }
    ~Utf8Names() {
        if (m_locale) {
            ::uselocale(m_old);
            ::freelocale(m_locale);
        }
    }
    Utf8Names(const Utf8Names&) = delete;
    Utf8Names& operator=(const Utf8Names&) = delete;

private:
    locale_t m_locale;
    locale_t m_old = LC_GLOBAL_LOCALE;
};

// libarchive warns when a name cannot be converted to the locale's character set (when C.UTF-8
// is missing); the name is still the archive's bytes and the content is untouched.
bool name_conversion_warning(archive* a) {
    const char* msg = archive_error_string(a);
    return msg && (std::strstr(msg, "can't be converted") || std::strstr(msg, "cannot be converted"));
}

bool looks_like_tar(std::string_view head) { return head.size() >= 262 && head.substr(257, 5) == "ustar"; }

class ArchiveReader {
public:
    ArchiveReader(const std::string& path, Selector& selector, const CorpusOptions& options, CorpusSkipped& skipped)
        : m_path(path), m_selector(selector), m_options(options), m_skipped(skipped) {}

    std::vector<RawFile> run() {
        const Utf8Names utf8_names;
        InputFile file(m_path);
        Budget budget(m_path, m_options, file.size());
        m_budget = &budget;
        std::string head(512, '\0');
        head.resize(file.read_full(head.data(), head.size()));
        const bool gzip = head.size() >= 2 && head[0] == '\x1f' && head[1] == '\x8b';
        const bool tar = looks_like_tar(head);
        FileSource raw(file, head);

        std::optional<GzipSource> gunzip;
        ArchivePtr filter;
        CallbackContext filter_ctx{&raw, nullptr, nullptr};
        std::optional<FilterSource> unfilter;
        ByteSource* source = nullptr;  // what the members are read from; null: the file itself
        if (gzip) {
            gunzip.emplace(raw, m_path);
            source = &*gunzip;
        } else {
            filter.reset(archive_read_new());
            archive_read_support_filter_all(filter.get());
            archive_read_support_format_raw(filter.get());
            archive_read_support_format_empty(filter.get());
            if (archive_read_open(filter.get(), &filter_ctx, nullptr, read_callback, nullptr) != ARCHIVE_OK)
                fail(filter.get(), filter_ctx, "not a readable archive");
            archive_entry* entry = nullptr;
            const int r = archive_read_next_header(filter.get(), &entry);
            if (r == ARCHIVE_EOF) return {};  // an empty file
            if (r != ARCHIVE_OK) fail(filter.get(), filter_ctx, "not a readable archive");
            const bool compressed = archive_filter_count(filter.get()) > 1;
            if (compressed || tar || !file.regular()) {
                unfilter.emplace(filter.get(), m_path, filter_ctx);
                source = &*unfilter;
            }
        }

        ArchivePtr ar(archive_read_new());
        archive_read_support_format_all(ar.get());
        // Archives written one after the other (cat a.tar b.tar) are all read, as GNU tar -i
        // does, rather than stopping at the first end marker with the rest unread.
        archive_read_set_format_option(ar.get(), "tar", "read_concatenated_archives", "1");
        CallbackContext ctx{source, &budget, nullptr};
        if (source) {
            if (archive_read_open(ar.get(), &ctx, nullptr, read_callback, nullptr) != ARCHIVE_OK)
                fail(ar.get(), ctx, "not a readable archive");
        } else {
            // Neither compressed nor tar (a zip, say): libarchive reads the file itself, seeking
            // to a zip's central directory. Its members are charged to the budget as read.
            filter.reset();
            if (::lseek(file.fd(), 0, SEEK_SET) != 0)
                throw IoError("cannot read " + m_path + ": " + std::strerror(errno));
            if (archive_read_open_fd(ar.get(), file.fd(), 1 << 20) != ARCHIVE_OK)
                fail(ar.get(), ctx, "not a readable archive");
        }
        read_members(ar.get(), ctx, source ? nullptr : &budget);
        const int closed = archive_read_close(ar.get());
        if (closed != ARCHIVE_OK) fail(ar.get(), ctx, std::string(status_meaning(closed)) + " at its end");
        if (source) drain(*source, budget);
        return std::move(m_files);
    }

private:
    // what: the failure and where it happened, e.g. "damaged archive after member 'a/1'".
    [[noreturn]] void fail(archive* a, const CallbackContext& ctx, const std::string& what) const {
        if (ctx.error) std::rethrow_exception(ctx.error);
        const char* msg = archive_error_string(a);
        throw ParseError(m_path, 0, what + ": " + printable(msg ? msg : "no reason given"));
    }

    std::string after_last() const {
        return m_last.empty() ? std::string("at the first member") : "after member '" + printable(m_last) + "'";
    }

    void read_members(archive* a, CallbackContext& ctx, Budget* member_budget) {
        archive_entry* entry = nullptr;
        while (true) {
            const int r = archive_read_next_header(a, &entry);
            if (r == ARCHIVE_EOF) break;
            if (r != ARCHIVE_OK && !(r == ARCHIVE_WARN && name_conversion_warning(a)))
                fail(a, ctx, std::string(status_meaning(r)) + " " + after_last());
            const char* name = archive_entry_pathname(entry);
            if (!name) name = archive_entry_pathname_utf8(entry);
            if (!name) fail(a, ctx, "a member without a name " + after_last());
            m_last = name;
            const auto type = archive_entry_filetype(entry);
            if (type == AE_IFDIR) {
                skip(a, ctx);
                continue;
            }
            auto kept = m_selector.classify(name);
            if (!kept) {
                skip(a, ctx);
                continue;
            }
            if (type == AE_IFLNK || archive_entry_hardlink(entry)) {
                ++m_skipped.archive_links;
                skip(a, ctx);
                continue;
            }
            if (type != AE_IFREG) {
                ++m_skipped.special_files;
                skip(a, ctx);
                continue;
            }
            check_line_free(m_path, *kept);
            kept->bytes = read_member(a, ctx, entry);
            if (member_budget) member_budget->charge(kept->bytes.size());
            if (!prepare_document(kept->bytes, kept->path, m_path + ": member '" + printable(m_last) + "'", m_options,
                                  *m_budget, m_skipped))
                continue;
            m_files.push_back(std::move(*kept));
        }
    }

    void skip(archive* a, CallbackContext& ctx) const {
        const int r = archive_read_data_skip(a);
        if (r != ARCHIVE_OK) fail(a, ctx, std::string(status_meaning(r)) + " in member '" + printable(m_last) + "'");
    }

    // The member's bytes in chunks. Its declared size is a hint, bounded by the limit: a tar
    // member's data is exactly that long, so a size above the limit fails at once; a lie below
    // it costs at most one allocation of the limit, given back once the bytes are read.
    std::string read_member(archive* a, CallbackContext& ctx, archive_entry* entry) const {
        std::string bytes;
        const std::uint64_t limit = m_options.max_document_bytes;
        const std::string where = m_path + ": member '" + printable(m_last) + "'";
        if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) {
            const auto declared = static_cast<std::uint64_t>(archive_entry_size(entry));
            if (declared > limit) document_too_large(where, limit);
            bytes.reserve(static_cast<std::size_t>(declared));
        }
        char buf[k_chunk];
        while (true) {
            const la_ssize_t got = archive_read_data(a, buf, sizeof buf);
            if (got == 0) break;
            // Any status, ARCHIVE_WARN included (a zip member's bad CRC), means the bytes are wrong.
            if (got < 0)
                fail(a, ctx,
                     std::string(status_meaning(static_cast<int>(got))) + " in member '" + printable(m_last) + "'");
            const auto n = static_cast<std::size_t>(got);
            if (n > limit - bytes.size()) document_too_large(where, limit);
            bytes.append(buf, n);
        }
        if (bytes.capacity() > 2 * bytes.size() + k_chunk) bytes.shrink_to_fit();
        return bytes;
    }

    // Reads what follows the archive's end marker to the end of the stream, so that the
    // compression's checksums are verified; only zero padding may be there.
    void drain(ByteSource& source, Budget& budget) const {
        std::uint64_t extra = 0;
        const char* data = nullptr;
        while (const std::size_t n = source.next(data)) {
            budget.charge(n);
            if (std::any_of(data, data + n, [](char c) { return c != 0; })) extra += n;
        }
        if (extra > 0)
            throw ParseError(m_path, 0,
                             "data after the end of the archive (a second archive appended, or damage): not read");
    }

    std::string m_path;
    Selector& m_selector;
    const CorpusOptions& m_options;
    CorpusSkipped& m_skipped;
    std::vector<RawFile> m_files;
    std::string m_last;
    Budget* m_budget = nullptr;  // the corpus budget of run()
};

// ---------------------------------------------------------------------------------------------
// Compressed files
//
// A single-file corpus, and each file of a folder or archive, may be compressed. Its name says
// so (x.jsonl.gz), or its first bytes do (a gzip file named x.txt is still gzip, never a page of
// gzip bytes read as text). gzip goes through GzipSource (its CRCs), the others through a
// libarchive "raw" reader (their own checks); damage anywhere is an error naming the file.

enum class Compression { None, Gzip, Bzip2, Xz, Zstd };

const char* compression_name(Compression c) {
    switch (c) {
        case Compression::Gzip:
            return "gzip";
        case Compression::Bzip2:
            return "bzip2";
        case Compression::Xz:
            return "xz";
        case Compression::Zstd:
            return "zstd";
        case Compression::None:
            break;
    }
    return "uncompressed";
}

// The compression suffix of a name (".gz", ...) and what it means; None and 0 when it has none.
std::pair<Compression, std::size_t> compression_suffix(std::string_view name) {
    const std::string lower = lowercase_ascii(std::string(name));
    for (const auto& [ext, c] : {std::pair<std::string_view, Compression>{".gz", Compression::Gzip},
                                 {".bz2", Compression::Bzip2},
                                 {".xz", Compression::Xz},
                                 {".zst", Compression::Zstd}})
        if (ends_with(lower, ext)) return {c, ext.size()};
    return {Compression::None, 0};
}

// The compression the first bytes announce. bzip2's "BZh" is followed by a block size digit and
// a block or end-of-stream magic, so that text starting "BZh" is not taken for it.
Compression sniff_compression(std::string_view head) {
    using namespace std::string_view_literals;
    auto starts = [&](std::string_view p) { return head.substr(0, p.size()) == p; };
    if (starts("\x1f\x8b"sv)) return Compression::Gzip;
    if (starts("\xfd\x37\x7a\x58\x5a\x00"sv)) return Compression::Xz;
    if (starts("\x28\xb5\x2f\xfd"sv)) return Compression::Zstd;
    if (head.size() >= 10 && starts("BZh"sv) && head[3] >= '1' && head[3] <= '9' &&
        (head.substr(4, 6) == "\x31\x41\x59\x26\x53\x59"sv || head.substr(4, 6) == "\x17\x72\x45\x38\x50\x90"sv))
        return Compression::Bzip2;
    return Compression::None;
}

// What a file is compressed with: its name and its bytes must agree, or it is damaged (or
// misnamed) and is refused rather than read as text.
Compression resolve_compression(const std::string& where, std::string_view name, std::string_view head) {
    const Compression by_name = compression_suffix(name).first;
    const Compression by_bytes = sniff_compression(head);
    if (by_name != Compression::None && by_bytes != by_name)
        throw ParseError(
            where, 0,
            std::string("not ") + compression_name(by_name) + " data, although its name says so (" +
                (by_bytes == Compression::None ? std::string("damaged, or not compressed")
                                               : std::string("it starts as ") + compression_name(by_bytes) + " data") +
                ")");
    return by_bytes;
}

// Bytes held in memory, as one piece.
class StringSource final : public ByteSource {
public:
    explicit StringSource(std::string_view bytes) : m_bytes(bytes) {}
    std::size_t next(const char*& data) override {
        data = m_bytes.data();
        const std::size_t n = m_bytes.size();
        m_bytes = {};
        return n;
    }

private:
    std::string_view m_bytes;
};

// The decompressed bytes of a source, read to the end of the compressed stream.
class Decompressed final : public ByteSource {
public:
    Decompressed(ByteSource& in, Compression c, const std::string& where) {
        if (c == Compression::Gzip) {
            m_gzip.emplace(in, where);
            m_top = &*m_gzip;
            return;
        }
        m_ctx.source = &in;
        m_filter.reset(archive_read_new());
        archive_read_support_filter_all(m_filter.get());
        archive_read_support_format_raw(m_filter.get());
        archive_read_support_format_empty(m_filter.get());
        const std::string what = std::string("corrupt ") + compression_name(c) + " data";
        auto fail = [&](int r) {
            if (m_ctx.error) std::rethrow_exception(m_ctx.error);
            const char* msg = archive_error_string(m_filter.get());
            throw ParseError(where, 0, what + ": " + printable(msg ? msg : status_meaning(r)));
        };
        if (const int r = archive_read_open(m_filter.get(), &m_ctx, nullptr, read_callback, nullptr); r != ARCHIVE_OK)
            fail(r);
        archive_entry* entry = nullptr;
        const int r = archive_read_next_header(m_filter.get(), &entry);
        if (archive_filter_count(m_filter.get()) <= 1)
            throw ParseError(where, 0, what + ": the decoder does not recognise it");
        if (r == ARCHIVE_EOF) return;  // a compressed empty stream
        if (r != ARCHIVE_OK) fail(r);
        m_unfilter.emplace(m_filter.get(), where, m_ctx);
        m_top = &*m_unfilter;
    }

    std::size_t next(const char*& data) override { return m_top ? m_top->next(data) : 0; }

private:
    CallbackContext m_ctx;
    std::optional<GzipSource> m_gzip;
    ArchivePtr m_filter;
    std::optional<FilterSource> m_unfilter;
    ByteSource* m_top = nullptr;
};

// A file of a folder or a member of an archive, decompressed when it is compressed (the result
// within the document limit, and charged to the corpus budget beyond what its raw bytes were).
void decompress_document(std::string& bytes, const std::string& name, const std::string& where, std::uint64_t limit,
                         Budget& budget) {
    const Compression c = resolve_compression(where, name, std::string_view(bytes).substr(0, 16));
    if (c == Compression::None) return;
    StringSource raw(bytes);
    Decompressed source(raw, c, where);
    std::string out;
    const char* data = nullptr;
    while (const std::size_t n = source.next(data)) {
        if (n > limit - out.size()) document_too_large(where, limit);
        out.append(data, n);
    }
    if (out.size() > bytes.size()) budget.charge(out.size() - bytes.size());
    bytes = std::move(out);
}

// Decompresses a file of a folder or archive and decides whether it is text. Returns false for a
// binary file that is skipped (and counted); throws for one that options make an error.
bool prepare_document(std::string& bytes, const std::string& name, const std::string& where,
                      const CorpusOptions& options, Budget& budget, CorpusSkipped& skipped) {
    decompress_document(bytes, name, where, options.max_document_bytes, budget);
    if (!is_binary(bytes)) return true;
    if (options.binary_files.value_or(BinaryFiles::Skip) == BinaryFiles::Error)
        throw DataError(where + ": a binary file (it holds a NUL byte), not text (--binary-files skip leaves it out)");
    ++skipped.binary_files;
    return false;
}

// A single-file corpus (or standard input) as decompressed bytes.
class CorpusFile final : public ByteSource {
public:
    // open: what to open ("/dev/stdin" for "-"); where: the name messages use, whose suffix
    // also says whether it is compressed.
    CorpusFile(const std::string& open, const std::string& where) : m_file(open) {
        std::string head(16, '\0');
        head.resize(m_file.read_full(head.data(), head.size()));
        const Compression c = resolve_compression(where, where, head);
        m_raw.emplace(m_file, std::move(head));
        if (c == Compression::None) {
            m_top = &*m_raw;
        } else {
            m_decompressed.emplace(*m_raw, c, where);
            m_top = &*m_decompressed;
        }
    }
    std::size_t next(const char*& data) override { return m_top->next(data); }
    std::uint64_t size_on_disk() const noexcept { return m_file.size(); }

private:
    InputFile m_file;
    std::optional<FileSource> m_raw;
    std::optional<Decompressed> m_decompressed;
    ByteSource* m_top = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Documents, lines and JSON Lines

// scikit-learn's cleaners are written for 20 Newsgroups posts; on other text they cut real
// content (a man page's first paragraph is a "header", an indented line a "quote").
void check_cleaners(const Corpus& corpus, const CorpusOptions& options) {
    if (options.remove.any() && corpus.layout != "20newsgroups")
        throw InvalidArgument("--remove does not apply to " + corpus.source + ", " +
                              (corpus.layout == "archive" ? "an archive" : "a folder") +
                              " without the 20 Newsgroups by-date layout (20news-bydate-train/, "
                              "20news-bydate-test/): its cleaners are written for those posts");
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
            throw DataError(corpus.source + ": " + printable(files[i].path) + ": " + e.what());
        }
        text = clean(std::move(text), options.remove);
        corpus.texts[i] = std::move(text);
        corpus.ids[i] = std::move(files[i].path);
        corpus.labels[i] = std::move(files[i].label);
    });
}

// The lines of a text file, read in chunks: no line (document) is held beyond
// max_document_bytes, and the file is never held twice. A UTF-16 file (by its byte-order mark)
// is decoded as it is read; other bytes are kept as they are, with `utf8` saying whether every
// line is valid UTF-8, so that Encoding::Auto decides for the whole file as before.
struct RawLines {
    std::vector<std::string> lines;
    bool utf8 = true;
    std::uint64_t bytes = 0;  // raw bytes of the file
};

RawLines read_raw_lines(const std::string& open, const std::string& path, const CorpusOptions& options) {
    CorpusFile file(open, path);
    Budget budget(path, options, file.size_on_disk());
    RawLines out;
    std::string line;
    const std::uint64_t limit = options.max_document_bytes;
    const bool check_utf8 = options.encoding != Encoding::Latin1;

    auto end_line = [&] {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (check_utf8 && out.utf8 && !utf8_valid(line)) {
            if (options.encoding == Encoding::Utf8)
                throw DataError(path + ":" + std::to_string(out.lines.size() + 1) +
                                ": not valid UTF-8 (use --encoding auto or latin-1)");
            out.utf8 = false;
        }
        out.lines.push_back(std::move(line));
        line = std::string();
    };
    auto take = [&](std::string_view text) {
        while (!text.empty()) {
            const std::size_t nl = text.find('\n');
            const std::string_view piece = text.substr(0, nl);
            if (piece.size() > limit - line.size())
                document_too_large(path + ":" + std::to_string(out.lines.size() + 1), limit);
            line.append(piece);
            if (nl == std::string_view::npos) break;
            end_line();
            text.remove_prefix(nl + 1);
        }
    };

    // The first bytes, enough for a byte-order mark (a pipe or a decompressor may give fewer).
    std::string head;
    const char* data = nullptr;
    while (head.size() < 4)
        if (const std::size_t got = file.next(data)) {
            budget.charge(got);
            head.append(data, got);
        } else {
            break;
        }
    out.bytes = head.size();
    Bom bom = Bom::None;
    try {
        bom = effective_bom(head, options.encoding);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    const std::size_t skip = bom_size(bom);
    std::optional<Utf16Decoder> utf16;
    if (bom == Bom::Utf16Le || bom == Bom::Utf16Be) utf16.emplace(bom == Bom::Utf16Be, skip);
    // A NUL byte is not in text (UTF-16 aside): a binary file given as a corpus is refused
    // rather than turned into documents of its bytes.
    auto check_text = [&](std::string_view bytes, std::uint64_t offset) {
        if (utf16) return;
        const auto nul = bytes.find('\0');
        if (nul != std::string_view::npos)
            throw DataError(path + ": binary data (a NUL byte at byte " + std::to_string(offset + nul) +
                            "), not a text file");
    };
    std::string decoded;
    auto feed = [&](std::string_view bytes) {
        if (!utf16) return take(bytes);
        decoded.clear();
        try {
            utf16->feed(bytes, decoded);
        } catch (const DataError& e) {
            throw DataError(path + ": " + e.what());
        }
        take(decoded);
    };
    check_text(head, 0);
    feed(std::string_view(head).substr(skip));
    while (const std::size_t got = file.next(data)) {
        budget.charge(got);
        check_text(std::string_view(data, got), out.bytes);
        out.bytes += got;
        feed(std::string_view(data, got));
    }
    if (utf16) {
        try {
            utf16->finish();
        } catch (const DataError& e) {
            throw DataError(path + ": " + e.what());
        }
    }
    if (!line.empty()) end_line();
    return out;
}

void read_lines(Corpus& corpus, const std::string& open, const std::string& path, const CorpusOptions& options) {
    RawLines raw = read_raw_lines(open, path, options);
    corpus.bytes_read = raw.bytes;
    const bool latin1 = options.encoding == Encoding::Latin1 || !raw.utf8;
    std::size_t number = 0;
    corpus.texts.reserve(raw.lines.size());
    for (auto& line : raw.lines) {
        ++number;
        std::string doc = latin1 ? latin1_to_utf8(line) : std::move(line);
        line = std::string();
        corpus.texts.push_back(std::move(doc));
        corpus.ids.push_back("line " + std::to_string(number));
        corpus.labels.emplace_back();
    }
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, "
// prefix: the line is ours to give, and the column is what is left.
std::string json_reason(const nlohmann::json::exception& e) {
    std::string what = e.what();
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what.erase(0, bracket + 2);
    for (const std::string_view prefix : {"parse error at line 1, ", "parse error: "})
        if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
    return what;
}

// "an object", "a number", ... for messages.
std::string json_kind(const nlohmann::json& value) {
    const std::string name = value.type_name();
    if (value.is_null()) return name;
    return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name;
}

// The records of a JSON Lines or CSV file become documents here, whatever their syntax: the
// label, id and date fields are checked the same way, and --categories selects by label.
class Records {
public:
    Records(Corpus& corpus, const std::string& path, const CorpusOptions& options)
        : m_corpus(corpus), m_path(path), m_options(options) {
        m_wanted.insert(options.categories.begin(), options.categories.end());
    }

    // The fields not asked for are nullopt; a date may be "" (none).
    void add(std::size_t line, std::string text, std::optional<std::string> label, std::optional<std::string> id,
             std::optional<std::string> date) {
        if (label) {
            if (has_line_break(*label))
                throw ParseError(m_path, line, "a label with a line break (labels are written one per line)");
            m_seen.insert(*label);
        }
        if (date) {
            if (!date->empty() && !is_valid_date(*date))
                throw ParseError(m_path, line,
                                 "'" + printable(*date) + "' (--date-field " + m_options.date_field +
                                     "): not a date (YYYY, YYYY-MM, YYYY-MM-DD or an ISO date and time)");
            if (!date->empty()) m_dated = true;
        }
        if (!m_wanted.empty() && !m_wanted.count(label.value_or(""))) return;
        if (id) {
            if (id->empty()) throw ParseError(m_path, line, "an empty id (--id-field " + m_options.id_field + ")");
            if (has_line_break(*id))
                throw ParseError(m_path, line, "an id with a line break (ids are written one per line)");
            const auto [it, fresh] = m_id_lines.emplace(*id, line);
            if (!fresh)
                throw ParseError(m_path, line,
                                 "id '" + printable(*id) + "' (--id-field " + m_options.id_field +
                                     ") was already given on line " + std::to_string(it->second) +
                                     ": ids must be unique");
        }
        m_corpus.texts.push_back(std::move(text));
        m_corpus.ids.push_back(id ? std::move(*id) : "line " + std::to_string(line));
        m_corpus.labels.push_back(label ? std::move(*label) : std::string());
        if (date) m_corpus.dates.push_back(std::move(*date));
    }

    void finish() const {
        for (const auto& c : m_options.categories)
            if (!m_seen.count(c))
                throw DataError("unknown category '" + c + "' in " + m_path +
                                "; its labels are: " + (m_seen.empty() ? std::string("(none)") : join(m_seen)));
        // A misspelt member name would otherwise give a corpus without dates, silently.
        if (!m_options.date_field.empty() && !m_dated && !m_corpus.texts.empty())
            throw DataError(m_path + ": no document has a date in \"" + m_options.date_field + "\" (--date-field)");
    }

private:
    Corpus& m_corpus;
    const std::string& m_path;
    const CorpusOptions& m_options;
    std::set<std::string> m_wanted;
    std::set<std::string> m_seen;
    std::map<std::string, std::size_t> m_id_lines;
    bool m_dated = false;
};

// A JSON member as a label, id or date: a string, or a number or boolean as JSON writes it.
// Absent or null is nullopt.
std::optional<std::string> json_scalar(const std::string& path, std::size_t line, const nlohmann::json& object,
                                       const std::string& member, const char* what) {
    const auto it = object.find(member);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number() || it->is_boolean()) return it->dump();
    throw ParseError(
        path, line,
        "member \"" + member + "\" is " + json_kind(*it) + ": " + what + " is a string, a number or a boolean");
}

void read_jsonl(Corpus& corpus, const std::string& open, const std::string& path, const CorpusOptions& options) {
    RawLines raw = read_raw_lines(open, path, options);
    corpus.bytes_read = raw.bytes;
    const bool latin1 = options.encoding == Encoding::Latin1 || !raw.utf8;
    const std::string text_field = options.text_field.empty() ? "text" : options.text_field;
    Records records(corpus, path, options);
    std::size_t number = 0;
    for (auto& raw_line : raw.lines) {
        ++number;
        const std::string line = latin1 ? latin1_to_utf8(raw_line) : std::move(raw_line);
        raw_line = std::string();
        if (python_strip(line).empty()) continue;
        if (json_depth(line, k_max_json_depth) > k_max_json_depth)
            throw ParseError(path, number, "JSON nested deeper than " + std::to_string(k_max_json_depth) + " levels");
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
            const std::string reason = json_reason(e);
            throw ParseError(path, number,
                             (reason.rfind("column ", 0) == 0 ? "invalid JSON at " : "invalid JSON: ") + reason);
        }
        if (!value.is_object()) throw ParseError(path, number, "expected a JSON object, found " + json_kind(value));
        const auto field = value.find(text_field);
        if (field == value.end()) throw ParseError(path, number, "no member \"" + text_field + "\" (set --text-field)");
        if (!field->is_string())
            throw ParseError(path, number, "member \"" + text_field + "\" is " + json_kind(*field) + ", not a string");
        std::optional<std::string> label, id, date;
        if (!options.label_field.empty()) {
            label = json_scalar(path, number, value, options.label_field, "a label");
            if (!label) throw ParseError(path, number, "no member \"" + options.label_field + "\" (the --label-field)");
        }
        if (!options.id_field.empty()) {
            id = json_scalar(path, number, value, options.id_field, "an id");
            if (!id) throw ParseError(path, number, "no member \"" + options.id_field + "\" (the --id-field)");
        }
        if (!options.date_field.empty())
            date = json_scalar(path, number, value, options.date_field, "a date").value_or("");
        records.add(number, field->get<std::string>(), std::move(label), std::move(id), std::move(date));
    }
    records.finish();
}

// CSV (delimiter ',') or TSV ('\t'): a header row naming the columns, then one document per
// record. The file is decoded as a whole (byte-order mark, UTF-16, UTF-8 else latin-1), then split.
void read_csv(Corpus& corpus, const std::string& open, const std::string& path, const CorpusOptions& options,
              char delimiter) {
    CorpusFile file(open, path);
    Budget budget(path, options, file.size_on_disk());
    std::string bytes;
    const char* data = nullptr;
    while (const std::size_t got = file.next(data)) {
        budget.charge(got);
        bytes.append(data, got);
    }
    if (is_binary(bytes))
        throw DataError(path + ": binary data (a NUL byte at byte " + std::to_string(bytes.find('\0')) +
                        "), not a text file");
    corpus.bytes_read = bytes.size();
    std::string text;
    try {
        text = decode_text(std::move(bytes), options.encoding);
    } catch (const DataError& e) {
        throw DataError(path + ": " + e.what());
    }
    std::vector<CsvRecord> rows = parse_csv(text, delimiter, path, options.max_document_bytes);
    text = std::string();
    if (rows.empty()) throw DataError(path + ": no header row (the file is empty)");
    const std::vector<std::string>& header = rows[0].fields;
    std::string columns;
    for (const auto& h : header) columns += (columns.empty() ? "\"" : ", \"") + printable(h) + "\"";
    // The column named by an option; -1 when name is empty.
    auto column = [&](const std::string& name, const char* option) -> std::ptrdiff_t {
        if (name.empty()) return -1;
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            throw DataError(path + ": no column \"" + printable(name) + "\" (" + option + "); its header (line " +
                            std::to_string(rows[0].line) + ") has " + columns);
        if (std::find(it + 1, header.end(), name) != header.end())
            throw DataError(path + ": the header has two columns named \"" + printable(name) + "\" (" + option +
                            " cannot tell them apart)");
        return it - header.begin();
    };
    std::ptrdiff_t text_col = column(options.text_field, "--text-field");
    if (text_col < 0) {
        if (header.size() == 1)
            text_col = 0;
        else if (std::count(header.begin(), header.end(), "text") == 1)
            text_col = column("text", "--text-field");
        else
            throw InvalidArgument(path + ": which column holds the text? Its header has " +
                                  std::to_string(header.size()) + " columns (" + columns +
                                  "): name one with --text-field");
    }
    const std::ptrdiff_t label_col = column(options.label_field, "--label-field");
    const std::ptrdiff_t id_col = column(options.id_field, "--id-field");
    const std::ptrdiff_t date_col = column(options.date_field, "--date-field");
    Records records(corpus, path, options);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        auto& f = rows[r].fields;
        if (f.size() != header.size())
            throw ParseError(path, rows[r].line,
                             std::to_string(f.size()) + (f.size() == 1 ? " field" : " fields") +
                                 ", but the header has " + std::to_string(header.size()) +
                                 " (a delimiter inside an unquoted field?)");
        auto take = [&](std::ptrdiff_t c) {
            return c < 0 ? std::nullopt : std::optional<std::string>(std::move(f[static_cast<std::size_t>(c)]));
        };
        std::optional<std::string> label = take(label_col), id = take(id_col), date = take(date_col);
        records.add(rows[r].line, std::move(f[static_cast<std::size_t>(text_col)]), std::move(label), std::move(id),
                    std::move(date));
        f = {};
    }
    records.finish();
}

CorpusFormat detect_format(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return CorpusFormat::Folder;
    const std::string lower = lowercase_ascii(path);
    for (const char* ext : {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".zip"})
        if (ends_with(lower, ext)) return CorpusFormat::Archive;
    // x.jsonl.gz is JSON Lines: the format is the name's under its compression suffix.
    const std::string name = lower.substr(0, lower.size() - compression_suffix(lower).second);
    if (ends_with(name, ".jsonl") || ends_with(name, ".ndjson")) return CorpusFormat::Jsonl;
    if (ends_with(name, ".csv")) return CorpusFormat::Csv;
    if (ends_with(name, ".tsv") || ends_with(name, ".tab")) return CorpusFormat::Tsv;
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

std::size_t CorpusSkipped::total() const noexcept {
    return links_outside + broken_links + repeated_folders + special_files + archive_links + binary_files;
}

std::string describe(const CorpusSkipped& s) {
    std::string out;
    auto add = [&](std::size_t n, const char* one, const char* many) {
        if (n == 0) return;
        out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
    };
    add(s.links_outside, "link outside the corpus", "links outside the corpus");
    add(s.broken_links, "broken link", "broken links");
    add(s.repeated_folders, "link to a folder already read", "links to folders already read");
    add(s.special_files, "special file (pipe, socket or device)", "special files (pipes, sockets or devices)");
    add(s.archive_links, "link member of the archive", "link members of the archive");
    add(s.binary_files, "binary file", "binary files");
    return out;
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
    if (max_document_bytes < 1) throw InvalidArgument("max_document_bytes = 0: must be at least 1");
    if (max_corpus_bytes && *max_corpus_bytes < 1) throw InvalidArgument("max_corpus_bytes = 0: must be at least 1");
}

std::string decode_text(std::string bytes, Encoding encoding) {
    const Bom bom = effective_bom(bytes, encoding);
    if (bom == Bom::Utf16Le || bom == Bom::Utf16Be) {
        Utf16Decoder decoder(bom == Bom::Utf16Be, 2);
        std::string out;
        out.reserve(bytes.size());
        decoder.feed(std::string_view(bytes).substr(2), out);
        decoder.finish();
        return out;
    }
    if (bom == Bom::Utf8) bytes.erase(0, 3);
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

bool is_valid_date(std::string_view t) {
    const std::size_t size = t.size();
    auto number = [&](std::size_t at, std::size_t n, int& value) {
        if (at + n > size) return false;
        value = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return false;
            value = value * 10 + (t[i] - '0');
        }
        return true;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!number(0, 4, year)) return false;
    if (size == 4) return true;
    if (t[4] != '-' || !number(5, 2, month) || month < 1 || month > 12) return false;
    if (size == 7) return true;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int month_days = days[month - 1] + (month == 2 && leap ? 1 : 0);
    if (size < 10 || t[7] != '-' || !number(8, 2, day) || day < 1 || day > month_days) return false;
    if (size == 10) return true;
    if (t[10] != 'T' && t[10] != ' ') return false;
    if (!number(11, 2, hour) || hour > 23 || size < 16 || t[13] != ':' || !number(14, 2, minute) || minute > 59)
        return false;
    std::size_t at = 16;
    if (at < size && t[at] == ':') {
        if (!number(at + 1, 2, second) || second > 60) return false;  // 60: a leap second
        at += 3;
        if (at < size && (t[at] == '.' || t[at] == ',')) {
            const std::size_t digits = ++at;
            while (at < size && t[at] >= '0' && t[at] <= '9') ++at;
            if (at == digits) return false;
        }
    }
    if (at == size) return true;
    if (t[at] == 'Z') return at + 1 == size;
    if (t[at] != '+' && t[at] != '-') return false;
    int oh = 0, om = 0;
    if (!number(at + 1, 2, oh) || oh > 23) return false;
    at += 3;
    if (at == size) return true;
    if (t[at] == ':') ++at;
    return number(at, 2, om) && om <= 59 && at + 2 == size;
}

bool is_binary(std::string_view bytes) {
    const Bom bom = detect_bom(bytes);
    if (bom == Bom::Utf16Le || bom == Bom::Utf16Be) return false;
    return bytes.find('\0') != std::string_view::npos;
}

namespace {

const char* format_name(CorpusFormat f) {
    switch (f) {
        case CorpusFormat::Folder:
            return "a folder";
        case CorpusFormat::Archive:
            return "an archive";
        case CorpusFormat::Lines:
            return "a lines file";
        case CorpusFormat::Jsonl:
            return "a JSON Lines file";
        case CorpusFormat::Csv:
            return "a CSV file";
        case CorpusFormat::Tsv:
            return "a TSV file";
        case CorpusFormat::Auto:
            break;
    }
    return "a corpus";
}

// An option that does not apply to the input is refused, never ignored: it would otherwise
// read as if it had been applied.
void check_applicable(const std::string& path, CorpusFormat format, const CorpusOptions& o) {
    const bool records = format == CorpusFormat::Jsonl || format == CorpusFormat::Csv || format == CorpusFormat::Tsv;
    const bool tree = format == CorpusFormat::Folder || format == CorpusFormat::Archive;
    auto refuse = [&](const std::string& option, const std::string& why) {
        throw InvalidArgument(option + " does not apply to " + path + ", " + format_name(format) + ": " + why);
    };
    const char* fields = "it applies to JSON Lines, CSV and TSV files";
    if (!records) {
        if (!o.text_field.empty()) refuse("--text-field", fields);
        if (!o.label_field.empty()) refuse("--label-field", fields);
        if (!o.id_field.empty()) refuse("--id-field", fields);
        if (!o.date_field.empty()) refuse("--date-field", fields);
    }
    if (!tree) {
        const char* why =
            "the 20 Newsgroups by-date layout (20news-bydate-train/, 20news-bydate-test/) is a folder or "
            "an archive";
        if (o.subset) refuse("--subset", why);
        if (o.remove.any()) refuse("--remove", why);
        if (o.binary_files) refuse("--binary-files", "it applies to the files of a folder or an archive");
    }
    if (format != CorpusFormat::Folder && o.follow_links) refuse("--follow-links", "it applies to folders");
    if (format == CorpusFormat::Lines && !o.categories.empty())
        refuse("--categories", "a lines file has no labels to select");
    if (records && !o.categories.empty() && o.label_field.empty())
        refuse("--categories", "it selects by label: name the label's field with --label-field");
}

}  // namespace

Corpus read_corpus(const std::string& path_arg, const CorpusOptions& options) {
    options.validate();
    const bool stdin_input = path_arg == "-";
    // Messages name standard input as Python does; the user's "-" names nothing.
    const std::string path = stdin_input ? "<stdin>" : path_arg;
    const std::string open = stdin_input ? "/dev/stdin" : path_arg;
    std::error_code ec;
    if (!stdin_input && !fs::exists(path, ec)) throw IoError("cannot open " + path + ": no such file or directory");
    if (stdin_input && (options.format == CorpusFormat::Auto || options.format == CorpusFormat::Folder ||
                        options.format == CorpusFormat::Archive))
        throw InvalidArgument(
            "reading a corpus from standard input (-) needs --format lines, jsonl, csv or tsv (it has no name to "
            "tell the format by)");
    CorpusFormat format = options.format == CorpusFormat::Auto ? detect_format(path) : options.format;
    if (format == CorpusFormat::Folder && !fs::is_directory(path, ec))
        throw IoError("cannot read " + path + " as a folder: it is not a directory");
    if (format != CorpusFormat::Folder && !stdin_input && fs::is_directory(path, ec))
        throw IoError("cannot read " + path + ": it is a directory (only --format folder reads directories)");
    check_applicable(path, format, options);

    Corpus corpus;
    corpus.source = path;
    switch (format) {
        case CorpusFormat::Folder: {
            Selector selector(options);
            std::error_code canon_ec;
            const fs::path root = fs::canonical(path, canon_ec);
            if (canon_ec) throw IoError("cannot read " + path + ": " + canon_ec.message());
            Budget budget(path, options, std::nullopt);
            auto files = FolderWalk(root, path, selector, options, budget, corpus.skipped).run();
            corpus.layout = "folder";
            files = selector.finish(std::move(files), path, corpus.layout);
            check_cleaners(corpus, options);
            finish_documents(corpus, std::move(files), options);
            break;
        }
        case CorpusFormat::Archive: {
            Selector selector(options);
            auto files = ArchiveReader(path, selector, options, corpus.skipped).run();
            corpus.layout = "archive";
            files = selector.finish(std::move(files), path, corpus.layout);
            check_cleaners(corpus, options);
            finish_documents(corpus, std::move(files), options);
            break;
        }
        case CorpusFormat::Lines:
            corpus.layout = "lines";
            read_lines(corpus, open, path, options);
            break;
        case CorpusFormat::Jsonl:
            corpus.layout = "jsonl";
            read_jsonl(corpus, open, path, options);
            break;
        case CorpusFormat::Csv:
            corpus.layout = "csv";
            read_csv(corpus, open, path, options, ',');
            break;
        case CorpusFormat::Tsv:
            corpus.layout = "tsv";
            read_csv(corpus, open, path, options, '\t');
            break;
        case CorpusFormat::Auto:
            break;
    }
    if (corpus.size() == 0) throw DataError(path + ": no documents (the corpus, or the part of it selected, is empty)");
    return corpus;
}

}  // namespace factopic::text
