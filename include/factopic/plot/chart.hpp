// Line charts written to SVG or PNG: the singular-value curve, loss histories, timings. PLplot
// (Debian's libplplot-dev, with plplot-driver-cairo for PNG) draws the axes, labels, lines,
// markers and legend; this module only describes the chart and hands it to PLplot.
#pragma once

#include <string>
#include <vector>

#include "factopic/io/atomic_file.hpp"

namespace factopic::plot {

/// One line of a chart: y[i] is plotted against x[i].
struct Series {
    /// The legend entry, UTF-8 (the legend is drawn only when a chart has more than one series).
    std::string name;
    /// Same length, at least 1; every value finite.
    std::vector<double> x, y;
    /// Draw a marker at each point as well as the line (leave off for thousands of points).
    bool markers = true;
};

/// A chart: one plot box, its labels and its series.
struct Chart {
    /// UTF-8, drawn as written (a '#' is a '#', not one of PLplot's text escapes); may be empty.
    std::string title, x_label, y_label;
    /// Logarithmic y axis. Points with y <= 0 (exact zeros of a singular-value curve, say) cannot
    /// be placed on it and are left out: the line breaks there. At least one point of the chart
    /// must have y > 0.
    bool log_y = false;
    /// At least one series. Colours follow a 10-colour palette (then repeat); markers cycle
    /// through 5 shapes.
    std::vector<Series> series;
    /// Size of the picture, each in [100, 10000]: pixels for PNG, points (1/72 inch, the
    /// svg element's width and height) for SVG.
    int width = 900, height = 560;
};

/// Draws chart into path. The format comes from path's extension: ".svg" or ".png", in any case.
///
/// The file appears whole or not at all (written through io::AtomicFile: a temporary beside path,
/// renamed over it at the end). Nothing is printed: PLplot's error messages are captured into the
/// exception (only its warnings, which these charts do not trigger, would reach stderr).
/// Serialised by a lock, since PLplot keeps its streams in process-wide state; each call makes
/// and ends its own stream, so nothing carries over from one chart to the next, and a stream the
/// caller was using is current again afterwards.
///
/// Throws InvalidArgument, before any file is created, for another extension, a width or height
/// out of range, no series, a series with no points or with x and y of different lengths, a NaN
/// or infinite value, log_y with no positive y, or a title, label or name that is not UTF-8.
/// Throws IoError naming path when the temporary cannot be created (a missing or unwritable
/// directory), again before any drawing; when PLplot lacks the driver (svg, or pngcairo from
/// plplot-driver-cairo) or reports an error while drawing; and when the file cannot be written or
/// renamed.
void save_chart(const Chart& chart, const std::string& path);

/// Draws chart into an open atomic file (one of a run's io::OutputFiles, say), in the format
/// of the file's target path; the caller commits it. The same errors as save_chart.
void write_chart(io::AtomicFile& file, const Chart& chart);

}  // namespace factopic::plot
