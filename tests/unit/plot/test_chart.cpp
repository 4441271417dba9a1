// Charts through PLplot: real SVG and PNG files of the requested size, every documented error
// raised before anything is written, nothing printed, and nothing carried from one chart to the
// next.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "../support.hpp"
#include "factopic/core/error.hpp"
#include "factopic/plot/chart.hpp"

// Pango's fontconfig (behind PLplot's pngcairo driver) keeps its font cache until exit, by design;
// LeakSanitizer would report it at the end of every PNG test under `make test`'s ASan run.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

namespace fs = std::filesystem;
using namespace factopic;
using factopic::plot::Chart;
using factopic::plot::save_chart;
using factopic::plot::Series;
using factopic::test_support::slurp;
using factopic::test_support::TempDir;

namespace {

// PLplot's svg driver writes every character of a text as a numeric character reference.
std::string decode_char_refs(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s.compare(i, 2, "&#") == 0) {
            const std::size_t end = s.find(';', i);
            const bool hex = s[i + 2] == 'x';
            const unsigned long cp =
                std::stoul(s.substr(i + (hex ? 3 : 2), end - i - (hex ? 3 : 2)), nullptr, hex ? 16 : 10);
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xC0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                out += static_cast<char>(0xE0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            }
            i = end;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::uint32_t big_endian_u32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    return v;
}

// Width and height from a PNG's IHDR chunk, after checking the signature.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
    EXPECT_GE(png.size(), 24u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    return {big_endian_u32(png, 16), big_endian_u32(png, 20)};
}

// A singular-value curve: 2034 decreasing values, the last ones exactly zero.
Chart spectrum() {
    Chart c;
    c.title = "Spectrum of A (#1)";
    c.x_label = "index i";
    c.y_label = "sigma_i";
    c.log_y = true;
    Series s;
    s.name = "sigma";
    s.markers = false;
    for (int i = 0; i < 2034; ++i) {
        s.x.push_back(i);
        s.y.push_back(i >= 2030 ? 0.0 : 50.0 * std::exp(-i / 250.0));
    }
    c.series.push_back(std::move(s));
    return c;
}

Chart two_series() {
    Chart c;
    c.title = "Loss";
    c.x_label = "iteration";
    c.y_label = "relative loss";
    Series a{"cd", {}, {}}, b{"mu", {}, {}};
    for (int i = 0; i < 20; ++i) {
        a.x.push_back(i);
        a.y.push_back(0.5 + 0.5 * std::exp(-i / 3.0));
        b.x.push_back(i);
        b.y.push_back(0.6 + 0.4 * std::exp(-i / 8.0));
    }
    c.series = {a, b};
    return c;
}

template <class E>
std::string error_of(const Chart& c, const std::string& path) {
    try {
        save_chart(c, path);
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "no exception of the expected type for " << path;
    return {};
}

}  // namespace

TEST(Chart, SvgHasTitleLabelsAndLegend) {
    TempDir dir;
    const fs::path out = dir.path / "loss.svg";
    Chart c = two_series();
    save_chart(c, out.string());
    const std::string svg = slurp(out);
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_NE(svg.find("width=\"900pt\""), std::string::npos);
    EXPECT_NE(svg.find("height=\"560pt\""), std::string::npos);
    const std::string text = decode_char_refs(svg);
    for (const char* s : {"Loss", "iteration", "relative loss", ">cd<", ">mu<"})
        EXPECT_NE(text.find(s), std::string::npos) << s;
    EXPECT_EQ(dir.entries(), 1u);
}

TEST(Chart, PngHasSignatureAndRequestedSize) {
    TempDir dir;
    const fs::path out = dir.path / "loss.png";
    Chart c = two_series();
    c.width = 640;
    c.height = 400;
    save_chart(c, out.string());
    const auto [w, h] = png_size(slurp(out));
    EXPECT_EQ(w, 640u);
    EXPECT_EQ(h, 400u);
    EXPECT_EQ(dir.entries(), 1u);
}

TEST(Chart, ExtensionIsCaseInsensitive) {
    TempDir dir;
    save_chart(two_series(), (dir.path / "a.PNG").string());
    save_chart(two_series(), (dir.path / "b.Svg").string());
    EXPECT_EQ(png_size(slurp(dir.path / "a.PNG")).first, 900u);
    EXPECT_NE(slurp(dir.path / "b.Svg").find("<svg"), std::string::npos);
}

TEST(Chart, LogAxisDropsZerosAndEscapesHash) {
    TempDir dir;
    save_chart(spectrum(), (dir.path / "sv.svg").string());
    save_chart(spectrum(), (dir.path / "sv.png").string());
    const std::string text = decode_char_refs(slurp(dir.path / "sv.svg"));
    EXPECT_NE(text.find("Spectrum of A (#1)"), std::string::npos);
    EXPECT_EQ(png_size(slurp(dir.path / "sv.png")), std::make_pair(900u, 560u));
    EXPECT_EQ(dir.entries(), 2u);
}

TEST(Chart, LogAxisWithNegativeValuesAndMarkers) {
    TempDir dir;
    Chart c;
    c.log_y = true;
    c.series = {Series{"a", {0, 1, 2, 3, 4}, {10, -1, 0, 1e-3, 2}}, Series{"b", {0, 4}, {0, 5}}};
    save_chart(c, (dir.path / "x.png").string());
    EXPECT_EQ(png_size(slurp(dir.path / "x.png")), std::make_pair(900u, 560u));
}

TEST(Chart, ChartsInARowDoNotShareState) {
    TempDir dir;
    Chart small = spectrum();
    small.width = 320;
    small.height = 240;
    save_chart(small, (dir.path / "1.png").string());
    save_chart(two_series(), (dir.path / "2.png").string());
    save_chart(two_series(), (dir.path / "3.svg").string());
    save_chart(small, (dir.path / "4.png").string());
    EXPECT_EQ(png_size(slurp(dir.path / "1.png")), std::make_pair(320u, 240u));
    EXPECT_EQ(png_size(slurp(dir.path / "2.png")), std::make_pair(900u, 560u));
    EXPECT_NE(slurp(dir.path / "3.svg").find("width=\"900pt\""), std::string::npos);
    EXPECT_EQ(slurp(dir.path / "1.png"), slurp(dir.path / "4.png"));
}

TEST(Chart, PrintsNothing) {
    TempDir dir;
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    save_chart(two_series(), (dir.path / "a.svg").string());
    save_chart(spectrum(), (dir.path / "b.png").string());
    std::fflush(nullptr);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}

TEST(Chart, BadExtensionIsInvalidArgumentAndWritesNothing) {
    TempDir dir;
    for (const char* name : {"chart.pdf", "chart", "chart.svg.txt"}) {
        const std::string path = (dir.path / name).string();
        const std::string what = error_of<InvalidArgument>(two_series(), path);
        EXPECT_NE(what.find(path), std::string::npos) << what;
        EXPECT_NE(what.find(".svg"), std::string::npos) << what;
        EXPECT_NE(what.find(".png"), std::string::npos) << what;
    }
    EXPECT_EQ(dir.entries(), 0u);
}

TEST(Chart, MissingDirectoryIsIoErrorNamingThePath) {
    TempDir dir;
    const std::string path = (dir.path / "no-such-dir" / "chart.png").string();
    const std::string what = error_of<IoError>(two_series(), path);
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_EQ(dir.entries(), 0u);
}

TEST(Chart, UnwritableDirectoryIsIoErrorAndLeavesNothing) {
    TempDir dir;
    const fs::path locked = dir.path / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    if (::access(locked.c_str(), W_OK) == 0) GTEST_SKIP() << "running with permission to write anywhere (root)";
    const std::string path = (locked / "chart.svg").string();
    const std::string what = error_of<IoError>(two_series(), path);
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_TRUE(fs::is_empty(locked));
}

TEST(Chart, InvalidChartsAreRejectedBeforeWriting) {
    TempDir dir;
    const std::string path = (dir.path / "c.svg").string();
    std::ofstream(path) << "old";
    const auto expect_rejected = [&](const Chart& c, const std::string& needle) {
        const std::string what = error_of<InvalidArgument>(c, path);
        EXPECT_NE(what.find(needle), std::string::npos) << what;
        EXPECT_NE(what.find(path), std::string::npos) << what;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    expect_rejected(Chart{}, "no series");
    Chart c = two_series();
    c.series[1].y[2] = nan;
    expect_rejected(c, "series 1 (\"mu\"): y[2] = nan: must be finite");
    c = two_series();
    c.series[0].x[0] = inf;
    expect_rejected(c, "x[0] = inf");
    c = two_series();
    c.series[0].y.pop_back();
    expect_rejected(c, "20 x values and 19 y values");
    c = two_series();
    c.series[0].x.clear();
    c.series[0].y.clear();
    expect_rejected(c, "no points");
    c = two_series();
    c.width = 50;
    expect_rejected(c, "width = 50");
    c = two_series();
    c.height = 20000;
    expect_rejected(c, "height = 20000");
    c = two_series();
    c.log_y = true;
    for (auto& s : c.series)
        for (double& y : s.y) y = -y;
    expect_rejected(c, "no point has y > 0");
    c = two_series();
    c.series[1].name = "mu \xc3";
    expect_rejected(c, "the name of series 1 is not valid UTF-8");
    c = two_series();
    c.y_label = "\xff";
    expect_rejected(c, "y_label is not valid UTF-8");

    EXPECT_EQ(slurp(path), "old");
    EXPECT_EQ(dir.entries(), 1u);
}

TEST(Chart, SinglePointAndFlatSeries) {
    TempDir dir;
    Chart c;
    c.series = {Series{"one", {3}, {7}}};
    save_chart(c, (dir.path / "one.png").string());
    c.series = {Series{"flat", {0, 1, 2}, {0, 0, 0}, false}};
    save_chart(c, (dir.path / "flat.svg").string());
    c.log_y = true;
    c.series = {Series{"flat", {0, 1, 2}, {5, 5, 5}}};
    save_chart(c, (dir.path / "flat-log.svg").string());
    EXPECT_EQ(dir.entries(), 3u);
}
