// Line charts through PLplot's C API (https://plplot.sourceforge.net/docbook-manual/): one new
// stream per chart (plmkstrm ... plend1), the "svg" driver or the "pngcairo" driver of
// plplot-driver-cairo, and the output handed to PLplot as an open_memstream FILE (plsfile), so
// that PLplot never opens a file itself and the bytes reach disk through io::AtomicFile.
#include "factopic/plot/chart.hpp"

#include <plplot.h>
#include <stdio.h>  // open_memstream (POSIX)

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "factopic/core/error.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/text/unicode.hpp"

namespace factopic::plot {
namespace {

enum class Format { svg, png };

constexpr int k_min_size = 100;
constexpr int k_max_size = 10000;

// cmap0: 0 background, 1 axes and text, 2 grid, then the series colours (matplotlib's "tab10",
// chosen to stay distinguishable, also for the common forms of colour blindness).
constexpr int k_color_background = 0;
constexpr int k_color_foreground = 1;
constexpr int k_color_grid = 2;
constexpr int k_first_series_color = 3;
constexpr std::array<std::array<PLINT, 3>, 13> k_palette{{{255, 255, 255},
                                                          {0, 0, 0},
                                                          {222, 222, 222},
                                                          {31, 119, 180},
                                                          {255, 127, 14},
                                                          {44, 160, 44},
                                                          {214, 39, 40},
                                                          {148, 103, 189},
                                                          {140, 86, 75},
                                                          {227, 119, 194},
                                                          {127, 127, 127},
                                                          {188, 189, 34},
                                                          {23, 190, 207}}};
constexpr int k_series_colors = static_cast<int>(k_palette.size()) - k_first_series_color;

// Marker glyphs (UTF-8), drawn by the drivers' own fonts: circle, square, triangle, diamond,
// down triangle.
constexpr std::array<const char*, 5> k_markers{"\u25CF", "\u25A0", "\u25B2", "\u25C6", "\u25BC"};

constexpr double k_text_scale = 1.1;     // character height, relative to PLplot's default
constexpr double k_marker_scale = 0.55;  // marker glyphs, relative to the text
constexpr double k_line_width = 1.6;
constexpr double k_legend_sample = 0.07;  // length of a legend's line sample, viewport fraction
constexpr double k_legend_inset = 0.02;   // legend's distance from the plot box, viewport fraction

Format format_of(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".svg") return Format::svg;
    if (ext == ".png") return Format::png;
    throw InvalidArgument("chart " + path + ": the file name must end in .svg or .png (any case)");
}

std::string series_label(const Series& s, std::size_t i) {
    return "series " + std::to_string(i) + (s.name.empty() ? "" : " (\"" + s.name + "\")");
}

// PLplot reads '#' as the start of an escape sequence (#u superscript, #(nnn) glyph, ...); "##"
// is a literal '#'.
std::string plplot_text(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        out += c;
        if (c == '#') out += '#';
    }
    return out;
}

std::size_t utf8_length(const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A series in plot coordinates (log10 of y on a log axis): its points, split into runs of
// consecutive plottable points so that the line breaks where a point was left out.
struct Line {
    std::vector<double> x, y;
    std::vector<std::size_t> run_starts;  // into x and y, ascending; a run ends where the next starts
};

struct Range {
    double lo, hi;
};

std::vector<Line> to_lines(const Chart& chart, const std::string& path) {
    std::vector<Line> lines;
    lines.reserve(chart.series.size());
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
        const Series& s = chart.series[i];
        if (s.x.size() != s.y.size())
            throw InvalidArgument("chart " + path + ": " + series_label(s, i) + " has " + std::to_string(s.x.size()) +
                                  " x values and " + std::to_string(s.y.size()) + " y values: they must match");
        if (s.x.empty()) throw InvalidArgument("chart " + path + ": " + series_label(s, i) + " has no points");
        Line line;
        bool in_run = false;
        for (std::size_t j = 0; j < s.x.size(); ++j) {
            for (const auto& [v, axis] : {std::pair{s.x[j], "x"}, std::pair{s.y[j], "y"}})
                if (!std::isfinite(v))
                    throw InvalidArgument("chart " + path + ": " + series_label(s, i) + ": " + axis + "[" +
                                          std::to_string(j) + "] = " + std::to_string(v) + ": must be finite");
            if (chart.log_y && s.y[j] <= 0) {
                in_run = false;
                continue;
            }
            if (!in_run) line.run_starts.push_back(line.x.size());
            in_run = true;
            line.x.push_back(s.x[j]);
            line.y.push_back(chart.log_y ? std::log10(s.y[j]) : s.y[j]);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

// An axis for values in [lo, hi], widened by a margin (and to whole decades on a log axis, so that
// the axis has labelled ticks); a single value gets a range around it.
Range axis_range(double lo, double hi, bool log, double margin, const char* axis, const std::string& path) {
    if (hi == lo) {
        const double half = log ? 0.5 : (lo == 0 ? 1.0 : std::abs(lo) * 0.1);
        lo -= half;
        hi += half;
    } else {
        const double pad = (hi - lo) * margin;
        lo -= pad;
        hi += pad;
    }
    if (log) {
        lo = std::floor(lo);
        hi = std::ceil(hi);
    }
    if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(hi - lo))
        throw InvalidArgument("chart " + path + ": the " + axis + " values span too wide a range to plot");
    return {lo, hi};
}

void validate(const Chart& chart, const std::string& path) {
    for (const auto& [v, name] : {std::pair{chart.width, "width"}, std::pair{chart.height, "height"}})
        if (v < k_min_size || v > k_max_size)
            throw InvalidArgument("chart " + path + ": " + name + " = " + std::to_string(v) + ": must satisfy " +
                                  std::to_string(k_min_size) + " <= " + name + " <= " + std::to_string(k_max_size));
    if (chart.series.empty()) throw InvalidArgument("chart " + path + ": no series to draw");
    // PLplot would stop drawing at a malformed string and say only that it did.
    const auto check_text = [&](const std::string& text, const std::string& field) {
        if (!text::utf8_valid(text)) throw InvalidArgument("chart " + path + ": " + field + " is not valid UTF-8");
    };
    check_text(chart.title, "title");
    check_text(chart.x_label, "x_label");
    check_text(chart.y_label, "y_label");
    for (std::size_t i = 0; i < chart.series.size(); ++i)
        check_text(chart.series[i].name, "the name of series " + std::to_string(i));
}

// The output buffer PLplot writes into. Once plinit has run, PLplot owns the FILE and closes it in
// plend1; before that (or if plinit never ran) it is ours to close.
class MemoryFile {
public:
    explicit MemoryFile(const std::string& path) : m_file(open_memstream(&m_data, &m_size)) {
        if (!m_file) throw IoError("cannot draw chart " + path + ": no memory for the output buffer");
    }
    ~MemoryFile() {
        if (m_file && !m_handed_over) std::fclose(m_file);
        std::free(m_data);
    }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    std::FILE* file() const noexcept { return m_file; }
    void hand_over() noexcept { m_handed_over = true; }
    /// The bytes written; valid once the FILE was closed (by PLplot's plend1).
    std::string bytes() const { return m_data ? std::string(m_data, m_size) : std::string(); }

private:
    char* m_data = nullptr;
    std::size_t m_size = 0;
    std::FILE* m_file = nullptr;
    bool m_handed_over = false;
};

// A PLplot stream of our own, current while it lives; PLplot's abort messages go to m_message
// instead of stderr. Ending it frees it and makes the caller's stream current again.
class Stream {
public:
    explicit Stream(const std::string& path) {
        plgstrm(&m_previous);
        plmkstrm(&m_id);
        if (m_id < 0) {
            plsstrm(m_previous);
            throw IoError("cannot draw chart " + path + ": PLplot has no free stream");
        }
        plsError(&m_error, m_message.data());
    }
    ~Stream() { end(); }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    void end() noexcept {
        if (m_ended) return;
        m_ended = true;
        plsstrm(m_id);
        plend1();
        plsstrm(m_previous);
    }
    bool failed() const noexcept { return m_error != 0; }
    std::string message() const {
        const std::string m(m_message.data());
        const std::size_t first = m.find_first_not_of('\n');
        return first == std::string::npos ? std::string() : m.substr(first, m.find_last_not_of('\n') + 1 - first);
    }

private:
    PLINT m_previous = 0;
    PLINT m_id = -1;
    PLINT m_error = 0;
    std::array<char, 4096> m_message{};  // plabort writes at most a few hundred bytes
    bool m_ended = false;
};

// plgDevs, not plgFileDevs: Debian's svg.driver_info does not mark svg as file-oriented.
bool has_driver(const char* name) {
    constexpr int capacity = 256;
    std::vector<const char*> menus(capacity), names(capacity);
    const char** menus_p = menus.data();
    const char** names_p = names.data();
    int n = capacity;
    plgDevs(&menus_p, &names_p, &n);
    for (int i = 0; i < n; ++i)
        if (names[static_cast<std::size_t>(i)] && std::string(names[static_cast<std::size_t>(i)]) == name) return true;
    return false;
}

// Where the legend goes: the inside corner of the plot box that covers the fewest data (points and
// points along the lines), top right when tied. Its size is estimated from the character height,
// since PLplot measures a legend only while drawing it.
PLINT legend_corner(const Chart& chart, const std::vector<Line>& lines, Range xr, Range yr) {
    PLFLT def_mm = 0, char_mm = 0, vx0 = 0, vx1 = 0, vy0 = 0, vy1 = 0, sx0 = 0, sx1 = 0, sy0 = 0, sy1 = 0;
    plgchr(&def_mm, &char_mm);
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    plgspa(&sx0, &sx1, &sy0, &sy1);
    const double vp_w = (vx1 - vx0) * (sx1 - sx0), vp_h = (vy1 - vy0) * (sy1 - sy0);
    std::size_t longest = 0;
    for (const Series& s : chart.series) longest = std::max(longest, utf8_length(s.name));
    const double w = k_legend_inset + k_legend_sample + (2.5 + 0.6 * static_cast<double>(longest)) * char_mm / vp_w;
    const double h = k_legend_inset + (2.0 * static_cast<double>(chart.series.size()) + 1.0) * char_mm / vp_h;

    constexpr std::array<PLINT, 4> corners{PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_LEFT,
                                           PL_POSITION_BOTTOM | PL_POSITION_RIGHT,
                                           PL_POSITION_BOTTOM | PL_POSITION_LEFT};
    std::array<std::size_t, 4> covered{};
    const auto count = [&](double x, double y) {
        const double u = (x - xr.lo) / (xr.hi - xr.lo), v = (y - yr.lo) / (yr.hi - yr.lo);
        for (std::size_t c = 0; c < corners.size(); ++c) {
            const bool right = corners[c] & PL_POSITION_RIGHT, top = corners[c] & PL_POSITION_TOP;
            if ((right ? u >= 1 - w : u <= w) && (top ? v >= 1 - h : v <= h)) ++covered[c];
        }
    };
    constexpr int samples = 8;  // per line segment, so that a line crossing a corner counts too
    for (const Line& l : lines)
        for (std::size_t r = 0; r < l.run_starts.size(); ++r) {
            const std::size_t end = r + 1 < l.run_starts.size() ? l.run_starts[r + 1] : l.x.size();
            for (std::size_t j = l.run_starts[r]; j < end; ++j) {
                count(l.x[j], l.y[j]);
                if (j + 1 < end)
                    for (int k = 1; k < samples; ++k) {
                        const double t = k / static_cast<double>(samples);
                        count(l.x[j] + t * (l.x[j + 1] - l.x[j]), l.y[j] + t * (l.y[j + 1] - l.y[j]));
                    }
            }
        }
    return corners[static_cast<std::size_t>(std::min_element(covered.begin(), covered.end()) - covered.begin())];
}

void draw_legend(const Chart& chart, const std::vector<Line>& lines, Range xr, Range yr) {
    const std::size_t n = chart.series.size();
    std::vector<std::string> names;
    std::vector<const char*> text, symbols;
    std::vector<PLINT> opts, colors, styles, symbol_numbers;
    std::vector<PLFLT> widths, symbol_scales;
    names.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const Series& s = chart.series[i];
        names.push_back(plplot_text(s.name));
        opts.push_back(PL_LEGEND_LINE | (s.markers ? PL_LEGEND_SYMBOL : 0));
        colors.push_back(k_first_series_color + static_cast<PLINT>(i % k_series_colors));
        styles.push_back(1);
        widths.push_back(k_line_width);
        symbols.push_back(k_markers[i % k_markers.size()]);
        symbol_numbers.push_back(1);
        symbol_scales.push_back(k_marker_scale);
    }
    for (const std::string& s : names) text.push_back(s.c_str());
    const std::vector<PLINT> text_colors(n, k_color_foreground);
    PLFLT legend_w = 0, legend_h = 0;
    pllegend(&legend_w, &legend_h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_INSIDE | PL_POSITION_VIEWPORT | legend_corner(chart, lines, xr, yr), k_legend_inset,
             k_legend_inset, k_legend_sample, k_color_background, k_color_foreground, 1, 0, 0, static_cast<PLINT>(n),
             opts.data(), 0.6, 1.0, 2.0, 0.0, text_colors.data(), text.data(), nullptr, nullptr, nullptr, nullptr,
             colors.data(), styles.data(), widths.data(), colors.data(), symbol_scales.data(), symbol_numbers.data(),
             symbols.data());
}

// What is drawn, checked and in plot coordinates.
struct Plan {
    Format format;
    std::vector<Line> lines;
    Range xr, yr;
};

Plan plan(const Chart& chart, const std::string& path) {
    Plan p{format_of(path), {}, {}, {}};
    validate(chart, path);
    p.lines = to_lines(chart, path);
    bool any_markers = false;
    for (const Series& s : chart.series) any_markers = any_markers || s.markers;
    double x_lo = HUGE_VAL, x_hi = -HUGE_VAL, y_lo = HUGE_VAL, y_hi = -HUGE_VAL;
    for (const Series& s : chart.series) {
        const auto [min_x, max_x] = std::minmax_element(s.x.begin(), s.x.end());
        x_lo = std::min(x_lo, *min_x);
        x_hi = std::max(x_hi, *max_x);
    }
    for (const Line& l : p.lines)
        for (double y : l.y) {
            y_lo = std::min(y_lo, y);
            y_hi = std::max(y_hi, y);
        }
    if (!(y_lo <= y_hi))
        throw InvalidArgument("chart " + path + ": log_y is set but no point has y > 0 (points with y <= 0 are " +
                              "left out on a log axis)");
    // x spans every point, also those left out on a log axis, so that the curve visibly stops short.
    p.xr = axis_range(x_lo, x_hi, false, any_markers ? 0.02 : 0.0, "x", path);
    p.yr = axis_range(y_lo, y_hi, chart.log_y, chart.log_y ? 0.03 : 0.05, "y", path);
    return p;
}

std::string render(const Chart& chart, const Plan& plan, const std::string& path) {
    // PLplot keeps its streams, the current stream and its handlers in process-wide variables.
    static std::mutex plplot_mutex;
    const std::lock_guard lock(plplot_mutex);
    const auto& [format, lines, xr, yr] = plan;

    MemoryFile out(path);  // before the stream: it must outlive plend1, which closes it
    Stream stream(path);
    const char* device = format == Format::svg ? "svg" : "pngcairo";
    // Checked here because plinit, given a device it does not know, prompts on stdout and stdin.
    if (!has_driver(device))
        throw IoError("cannot draw chart " + path + ": PLplot has no \"" + device + "\" driver" +
                      (format == Format::png ? " (Debian package plplot-driver-cairo)" : "") +
                      (stream.failed() ? ": " + stream.message() : ""));

    plsdev(device);
    plsfile(out.file());
    plspage(0, 0, chart.width, chart.height, 0, 0);
    std::array<PLINT, k_palette.size()> red{}, green{}, blue{};
    for (std::size_t i = 0; i < k_palette.size(); ++i) {
        red[i] = k_palette[i][0];
        green[i] = k_palette[i][1];
        blue[i] = k_palette[i][2];
    }
    plscmap0(red.data(), green.data(), blue.data(), static_cast<PLINT>(k_palette.size()));
    plinit();
    PLINT level = 0;
    plglevel(&level);
    if (level > 0) out.hand_over();
    if (stream.failed() || level == 0)
        throw IoError("cannot draw chart " + path + ": PLplot could not start the \"" + device + "\" driver" +
                      (stream.failed() ? ": " + stream.message() : ""));

    pladv(0);
    plschr(0, k_text_scale);
    plvsta();
    plwind(xr.lo, xr.hi, yr.lo, yr.hi);
    const char* y_grid = chart.log_y ? "gl" : "g";
    const char* y_axis = chart.log_y ? "bcnstlv" : "bcnstv";
    plcol0(k_color_grid);
    plwidth(1);
    plbox("g", 0, 0, y_grid, 0, 0);
    plcol0(k_color_foreground);
    plbox("bcnst", 0, 0, y_axis, 0, 0);
    pllab(plplot_text(chart.x_label).c_str(), plplot_text(chart.y_label).c_str(), plplot_text(chart.title).c_str());

    for (std::size_t i = 0; i < lines.size(); ++i) {
        const Line& l = lines[i];
        plcol0(k_first_series_color + static_cast<PLINT>(i % k_series_colors));
        plwidth(k_line_width);
        for (std::size_t r = 0; r < l.run_starts.size(); ++r) {
            const std::size_t begin = l.run_starts[r];
            const std::size_t end = r + 1 < l.run_starts.size() ? l.run_starts[r + 1] : l.x.size();
            plline(static_cast<PLINT>(end - begin), l.x.data() + begin, l.y.data() + begin);
        }
        if (chart.series[i].markers && !l.x.empty()) {
            plschr(0, k_text_scale * k_marker_scale);
            plstring(static_cast<PLINT>(l.x.size()), l.x.data(), l.y.data(), k_markers[i % k_markers.size()]);
            plschr(0, k_text_scale);
        }
    }
    plwidth(1);
    if (chart.series.size() > 1) draw_legend(chart, lines, xr, yr);

    stream.end();
    if (stream.failed()) throw IoError("cannot draw chart " + path + ": PLplot: " + stream.message());
    std::string bytes = out.bytes();
    if (bytes.empty()) throw IoError("cannot draw chart " + path + ": PLplot wrote nothing");
    return bytes;
}

}  // namespace

void write_chart(io::AtomicFile& file, const Chart& chart) {
    const Plan p = plan(chart, file.path());
    file.write(render(chart, p, file.path()));
}

void save_chart(const Chart& chart, const std::string& path) {
    const Plan p = plan(chart, path);
    io::AtomicFile file(path);  // an unwritable directory fails here, before any drawing
    file.write(render(chart, p, path));
    file.commit();
}

}  // namespace factopic::plot
