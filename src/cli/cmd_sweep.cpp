// factopic sweep: the lecture's exercise — reconstruction error ‖A − A_k‖_F / ‖A‖_F against the
// number of topics k — as a table, JSON and a plot.
#include <fmt/core.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "outputs.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/plot/chart.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "svd_options.hpp"
#include "sweep.hpp"
#include "progress.hpp"

namespace factopic::cli {

using runtime::Clock;
using runtime::since;

namespace {

std::int64_t parse_k(const std::string& s, const std::string& spec) {
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
        throw InvalidArgument(
            fmt::format("-k {}: '{}' is not an integer (use START:STOP[:STEP] or a comma list)", spec, s));
    return v;
}

}  // namespace

KSpec parse_ks(const std::string& spec) {
    KSpec out;
    out.text = spec;
    if (spec.find(':') != std::string::npos) {
        std::vector<std::string> parts;
        std::size_t start = 0;
        for (;;) {
            const auto colon = spec.find(':', start);
            parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
        if (parts.size() > 3) throw InvalidArgument(fmt::format("-k {}: use START:STOP[:STEP]", spec));
        out.range = true;
        out.start = parse_k(parts[0], spec);
        out.stop = parse_k(parts[1], spec);
        out.step = parts.size() == 3 ? parse_k(parts[2], spec) : 1;
        if (out.step < 1) throw InvalidArgument(fmt::format("-k {}: the step must be at least 1", spec));
        if (out.stop < out.start) throw InvalidArgument(fmt::format("-k {}: no ranks in this range", spec));
    } else {
        std::size_t start = 0;
        for (;;) {
            const auto comma = spec.find(',', start);
            out.list.push_back(
                parse_k(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start), spec));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

std::vector<std::int64_t> KSpec::ranks(std::int64_t m, std::int64_t n) const {
    const std::int64_t r_max = std::min(m, n);
    const auto out_of_range = [&](std::int64_t k) {
        return InvalidArgument(
            fmt::format("k = {} is out of range: the matrix is {} x {}, so 1 <= k <= {}", k, m, n, r_max));
    };
    if (!range) {
        for (const auto k : list)
            if (k < 1 || k > r_max) throw out_of_range(k);
        return list;
    }
    if (start < 1 || start > r_max) throw out_of_range(start);
    // start >= 1 and stop >= start, so no difference below overflows.
    const std::int64_t last = start + (stop - start) / step * step;
    if (last > r_max) throw out_of_range(start + ((r_max - start) / step + 1) * step);
    std::vector<std::int64_t> ks;
    ks.reserve(static_cast<std::size_t>((last - start) / step + 1));
    for (std::int64_t k = start; k <= last; k += step) ks.push_back(k);
    return ks;
}

std::string sweep_method_name(const SvdMethodArgs& svd, const NmfMethodArgs& nmf_args, bool nmf) {
    return nmf ? "nmf (" + nmf_args.solver + ")" : decomp::to_string(chosen_method(svd));
}

template <typename T>
std::vector<SweepPoint> sweep_errors(const CsrMatrix<T>& x, const KSpec& spec, const SvdMethodArgs& svd,
                                     const NmfMethodArgs& nmf_args, bool nmf) {
    return sweep_errors(x, spec.ranks(x.rows, x.cols), svd, nmf_args, nmf);
}

template <typename T>
std::vector<SweepPoint> sweep_errors(const CsrMatrix<T>& x, const std::vector<std::int64_t>& ks,
                                     const SvdMethodArgs& svd, const NmfMethodArgs& nmf_args, bool nmf) {
    const std::int64_t r_max = std::min(x.rows, x.cols);
    for (const auto k : ks)
        if (k < 1 || k > r_max)
            throw InvalidArgument(fmt::format("k = {} is out of range: the matrix is {} x {}, so 1 <= k <= {}", k,
                                              x.rows, x.cols, r_max));
    std::vector<SweepPoint> points;
    if (nmf) {
        // One factorisation per k: NMF's rank-k solutions are not nested.
        for (const auto k : ks) {
            NmfMethodArgs na = nmf_args;
            na.seed = svd.seed;
            const auto r = fit_nmf(x, nmf_options(na, k));
            points.push_back({k, r.relative_error, r.seconds});
        }
    } else if (chosen_method(svd) == decomp::SvdMethod::rsvd) {
        // One randomized decomposition per k, as a user of randomized_svd would run it.
        for (const auto k : ks) {
            const auto tk = Clock::now();
            const auto r = decomp::truncated_svd(x, truncated_options(svd, k));
            const double fit_s = since(tk);
            points.push_back({k, decomp::truncation_errors(x, r, {k})[0], fit_s});
        }
    } else {
        // Exact singular triplets: one decomposition, every prefix of it is the best rank-k.
        const auto method = chosen_method(svd);
        const auto k_max = *std::max_element(ks.begin(), ks.end());
        const auto r = decomp::is_full(method) ? decomp::full_svd(x, {method})
                                               : decomp::truncated_svd(x, truncated_options(svd, k_max));
        const auto errors = decomp::truncation_errors(x, r, ks);
        for (std::size_t i = 0; i < ks.size(); ++i) points.push_back({ks[i], errors[i], r.seconds});
    }
    return points;
}

template std::vector<SweepPoint> sweep_errors(const CsrMatrix<float>&, const std::vector<std::int64_t>&,
                                              const SvdMethodArgs&, const NmfMethodArgs&, bool);
template std::vector<SweepPoint> sweep_errors(const CsrMatrix<double>&, const std::vector<std::int64_t>&,
                                              const SvdMethodArgs&, const NmfMethodArgs&, bool);
template std::vector<SweepPoint> sweep_errors(const CsrMatrix<float>&, const KSpec&, const SvdMethodArgs&,
                                              const NmfMethodArgs&, bool);
template std::vector<SweepPoint> sweep_errors(const CsrMatrix<double>&, const KSpec&, const SvdMethodArgs&,
                                              const NmfMethodArgs&, bool);

namespace {

struct SweepArgs {
    MatrixArgs input;
    SvdMethodArgs svd;
    NmfMethodArgs nmf;  ///< --method nmf: --solver, --init, --max-iter (tol: the solver's default)
    std::string ks = "2:40:2";
    std::string plot_path;
    bool json = false;
};

template <typename T>
void run_typed(const SweepArgs& a, const KSpec& spec, io::OutputFiles& outputs, Clock::time_point start) {
    const LoadedMatrix<T> in = load_matrix<T>(a.input);
    const CsrMatrix<T>& x = in.x;
    const std::vector<std::int64_t> ks = spec.ranks(x.rows, x.cols);
    const bool nmf = a.svd.method == "nmf";
    const std::string method_name = sweep_method_name(a.svd, a.nmf, nmf);
    const auto t0 = Clock::now();
    const std::vector<SweepPoint> points = sweep_errors(x, ks, a.svd, a.nmf, nmf);
    const double sweep_s = since(t0);
    if (outputs[0]) {
        plot::Chart chart;
        chart.title = fmt::format("Reconstruction error against k ({}, {} x {})", method_name, x.rows, x.cols);
        chart.x_label = "k (number of topics)";
        chart.y_label = "|A - A_k|_F / |A|_F";
        plot::Series s;
        s.name = method_name;
        for (const auto& p : points) {
            s.x.push_back(static_cast<double>(p.k));
            s.y.push_back(p.error);
        }
        chart.series.push_back(std::move(s));
        plot::write_chart(*outputs[0], chart);
    }
    outputs.commit();
    const double total_s = since(start);
    if (a.json) {
        nlohmann::json j = matrix_json(in, a.input);
        j["method"] = nmf ? "nmf" : method_name;
        if (nmf) j["solver"] = a.nmf.solver;
        j["points"] = nlohmann::json::array();
        for (const auto& p : points)
            j["points"].push_back({{"k", p.k}, {"relative_error", p.error}, {"seconds", p.seconds}});
        j["timings"] = {{"read", in.read_s}, {"vectorize", in.vectorize_s}, {"decompose", sweep_s}, {"total", total_s}};
        j["peak_memory_mb"] = peak_memory_mb();
        if (!a.plot_path.empty()) j["outputs"] = {{"plot", a.plot_path}};
        fmt::print("{}\n", j.dump(2));
        return;
    }
    fmt::print("matrix     {} x {}, {} non-zeros, {}\n", x.rows, x.cols, x.nnz(), in.description);
    fmt::print("sweep      {} over {} ranks in {:.3f} s (read {:.3f} s, vectorize {:.3f} s, peak memory {:.0f} MB)\n",
               method_name, ks.size(), sweep_s, in.read_s, in.vectorize_s, peak_memory_mb());
    fmt::print("  {:>5}  {:>18}  {:>9}\n", "k", "|A-A_k|_F/|A|_F", "seconds");
    for (const auto& p : points) fmt::print("  {:>5}  {:>18.6f}  {:>9.3f}\n", p.k, p.error, p.seconds);
    if (!a.plot_path.empty()) fmt::print("wrote      plot {}\n", a.plot_path);
}

void run(const SweepArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.input.corpus.quiet, a.json);
    const auto ks = parse_ks(a.ks);
    if (!(a.svd.tol > 0 && a.svd.tol < 1)) throw InvalidArgument(fmt::format("--tol {} must be in (0, 1)", a.svd.tol));
    validate(a.nmf);
    io::OutputFiles outputs({{"--plot", a.plot_path, true}}, matrix_inputs(a.input));
    keep_report_off_standard_output(outputs);
    with_dtype(a.input.vectorizer, [&]<typename T>() { run_typed<T>(a, ks, outputs, start); });
}

}  // namespace

void register_sweep(CLI::App& app) {
    auto args = std::make_shared<SweepArgs>();
    args->svd.method = "rsvd";
    auto* sub = app.add_subcommand("sweep", "Reconstruction error against the number of topics k");
    sub->footer(
        "rsvd fits one randomized SVD per k; krylov, gram and gesdd compute the exact leading triplets once,\n"
        "and every prefix of them is the best rank-k approximation (Eckart-Young); nmf fits one NMF per k\n"
        "(--solver, --init, --max-iter).\n"
        "Example:\n"
        "  factopic sweep X.mtx -k 2:40:2 --plot sweep.svg");
    add_matrix_options(*sub, args->input);
    sub->add_option("-k", args->ks, "Ranks: START:STOP[:STEP] (inclusive) or a comma list")->capture_default_str();
    add_svd_method_options(*sub, args->svd, false, true);
    sub->add_option("--solver", args->nmf.solver, "--method nmf: cd, mu, pgd or adam")
        ->check(CLI::IsMember({"cd", "mu", "pgd", "adam"}))
        ->capture_default_str();
    sub->add_option("--init", args->nmf.init, "--method nmf: random, nndsvd, nndsvda or nndsvdar")
        ->check(CLI::IsMember({"random", "nndsvd", "nndsvda", "nndsvdar"}))
        ->capture_default_str();
    sub->add_option("--max-iter", args->nmf.max_iter, "--method nmf: most iterations per fit, at least 1");
    sub->add_option("--plot", args->plot_path, "Draw the curve here: .svg or .png");
    sub->add_flag("--json", args->json, "Print one JSON object instead of the table");
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
