// factopic svd: the full SVD (exact, checkable) or a truncated one of a corpus's document–term
// matrix or of any Matrix Market matrix; writes U, s and Vᵀ, plots the singular values and reads
// the signed topics off the rows of Vᵀ.
#include <fmt/core.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/npy.hpp"
#include "factopic/plot/chart.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "outputs.hpp"
#include "progress.hpp"
#include "svd_options.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

struct SvdArgs {
    MatrixArgs input;
    SvdMethodArgs svd;
    bool check = false;
    std::string u_path, s_path, vt_path, plot_path;
    int top = 10;
    int topics = 10;
    bool json = false;
};

template <typename T>
void write_singular_values(io::AtomicFile& file, const std::vector<T>& s) {
    std::string text;
    for (const T v : s) text += fmt::format("{}\n", v);
    file.write(text);
}

template <typename T>
void plot_singular_values(const std::vector<T>& s, const std::string& title, io::AtomicFile& file) {
    plot::Chart chart;
    chart.title = title;
    chart.x_label = "index i";
    chart.y_label = "singular value (log scale)";
    chart.log_y = true;
    plot::Series series;
    series.name = "singular values";
    series.markers = s.size() <= 60;
    for (std::size_t i = 0; i < s.size(); ++i) {
        series.x.push_back(static_cast<double>(i + 1));
        series.y.push_back(static_cast<double>(s[i]));
    }
    chart.series.push_back(std::move(series));
    plot::write_chart(file, chart);
}

template <typename T>
void run_typed(const SvdArgs& a, io::OutputFiles& outputs, Clock::time_point start) {
    const LoadedMatrix<T> in = load_matrix<T>(a.input);
    const CsrMatrix<T>& x = in.x;

    const decomp::SvdResult<T> r = decompose(x, a.svd);
    std::optional<decomp::SvdCheck> check;
    if (a.check) check = decomp::check_svd(x, r);

    const auto t_write = Clock::now();
    if (outputs[0]) io::write_npy(*outputs[0], r.u);
    if (outputs[1]) write_singular_values(*outputs[1], r.s);
    if (outputs[2]) io::write_npy(*outputs[2], r.vt);
    if (outputs[3])
        plot_singular_values(
            r.s, fmt::format("Singular values of the {} x {} matrix ({})", x.rows, x.cols, decomp::to_string(r.method)),
            *outputs[3]);
    outputs.commit();
    const double write_s = since(t_write);
    const double total_s = since(start);

    std::vector<decomp::Topic> topics;
    if (!in.vocabulary.empty() && a.top > 0) topics = decomp::topics_from_rows(r.vt, a.topics, a.top, true);

    if (a.json) {
        nlohmann::json j = matrix_json(in, a.input);
        j["k"] = r.s.size();
        j["full"] = decomp::is_full(r.method);
        j["method"] = decomp::to_string(r.method);
        j["iterations"] = r.iterations;
        j["status"] = decomp::to_string(r.status);
        if (r.method == decomp::SvdMethod::krylov) j["unconverged"] = r.unconverged;
        if (r.method == decomp::SvdMethod::gram) j["refined"] = r.refined;
        j["singular_values"] = r.s;
        nlohmann::json timings = {{"read", in.read_s}, {"vectorize", in.vectorize_s}, {"decompose", r.seconds}};
        if (check) timings["check"] = check->seconds;
        timings["write"] = write_s;
        timings["total"] = total_s;
        j["timings"] = timings;
        nlohmann::json phases = nlohmann::json::object();
        for (const auto& [name, s] : r.phases) phases[name] = s;
        j["phases"] = phases;
        if (check) {
            j["reconstruction_error"] = check->reconstruction_error;
            j["u_orthogonality_error"] = check->u_orthogonality_error;
            j["v_orthogonality_error"] = check->v_orthogonality_error;
        }
        j["peak_memory_mb"] = peak_memory_mb();
        if (!topics.empty()) j["topics"] = topics_json(topics, in.vocabulary);
        nlohmann::json written = nlohmann::json::object();
        if (!a.u_path.empty()) written["u"] = a.u_path;
        if (!a.s_path.empty()) written["s"] = a.s_path;
        if (!a.vt_path.empty()) written["vt"] = a.vt_path;
        if (!a.plot_path.empty()) written["plot"] = a.plot_path;
        j["outputs"] = written;
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    fmt::print("matrix     {} x {}, {} non-zeros, {} ({})\n", x.rows, x.cols, x.nnz(), in.description,
               a.input.vectorizer.dtype);
    std::string phases;
    for (const auto& [name, s] : r.phases) phases += fmt::format("{}{} {:.3f}", phases.empty() ? "" : ", ", name, s);
    std::string detail = decomp::is_full(r.method) ? "full" : fmt::format("k = {}", r.s.size());
    if (r.method == decomp::SvdMethod::gram) detail += fmt::format(", {} refined", r.refined);
    if (r.method == decomp::SvdMethod::rsvd) detail += fmt::format(", {} power iterations", r.iterations);
    if (r.method == decomp::SvdMethod::krylov) {
        if (r.status == decomp::Status::converged)
            detail += fmt::format(", {} blocks", r.iterations);
        else
            detail += fmt::format(", not converged: {} of {} pairs above tol after {} blocks", r.unconverged,
                                  r.s.size(), r.iterations);
    }
    fmt::print("svd        {} ({}) in {:.3f} s: {}\n", decomp::to_string(r.method), detail, r.seconds, phases);
    std::string head;
    for (std::size_t i = 0; i < std::min<std::size_t>(r.s.size(), 8); ++i) head += fmt::format(" {:.6g}", r.s[i]);
    fmt::print("sigma     {}{}  (smallest {:.6g})\n", head, r.s.size() > 8 ? " ..." : "",
               r.s.empty() ? 0.0 : double(r.s.back()));
    if (check)
        fmt::print(
            "check      |A - U S Vt|_F / |A|_F = {:.3g}, max|UtU - I| = {:.3g}, max|VtV - I| = {:.3g} ({:.3f} s)\n",
            check->reconstruction_error, check->u_orthogonality_error, check->v_orthogonality_error, check->seconds);
    fmt::print(
        "timings    read {:.3f} s, vectorize {:.3f} s, decompose {:.3f} s, write {:.3f} s, total {:.3f} s ({} "
        "threads), "
        "peak memory {:.0f} MB\n",
        in.read_s, in.vectorize_s, r.seconds, write_s, total_s, runtime::max_threads(), peak_memory_mb());
    for (const auto& [label, path] :
         {std::pair{"U", a.u_path}, {"s", a.s_path}, {"Vt", a.vt_path}, {"plot", a.plot_path}})
        if (!path.empty()) fmt::print("wrote      {} {}\n", label, path);
    if (!topics.empty()) {
        fmt::print("topics     (rows of Vt: + largest weights, - most negative)\n");
        print_topics(topics, in.vocabulary, true);
    }
}

void run(const SvdArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.input.corpus.quiet, a.json);
    validate(a.svd);
    io::OutputFiles outputs(
        {{"--u", a.u_path, true}, {"--s", a.s_path}, {"--vt", a.vt_path, true}, {"--plot", a.plot_path, true}},
        matrix_inputs(a.input));
    keep_report_off_standard_output(outputs);
    with_dtype(a.input.vectorizer, [&]<typename T>() { run_typed<T>(a, outputs, start); });
}

}  // namespace

void register_svd(CLI::App& app) {
    auto args = std::make_shared<SvdArgs>();
    auto* sub = app.add_subcommand("svd", "Singular value decomposition: full and exact, or the k leading triplets");
    sub->footer(
        "Methods: full (--full): gram (default; Gram matrix + selective refinement, exact to working precision)\n"
        "         or gesdd (LAPACK on the dense matrix); truncated (-k K): krylov (default; block Krylov with a\n"
        "         residual stop, --tol) or rsvd (randomized range finder, as scikit-learn's randomized_svd).\n"
        "Example:\n"
        "  factopic svd data/20news-4cat.tar.gz --subset train \\\n"
        "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
        "      --remove headers,footers,quotes --full --check --plot sv.svg");
    add_matrix_options(*sub, args->input);
    add_svd_method_options(*sub, args->svd);
    sub->add_flag("--check", args->check, "Measure |A - U S Vt|_F / |A|_F, max|UtU - I| and max|VtV - I|");
    sub->add_option("--u", args->u_path, "Write U (documents x k) here, as .npy");
    sub->add_option("--s", args->s_path, "Write the singular values here, one per line");
    sub->add_option("--vt", args->vt_path, "Write Vt (k x terms) here, as .npy");
    sub->add_option("--plot", args->plot_path, "Draw the singular values (log scale) here: .svg or .png");
    sub->add_option("--top", args->top, "Words per topic (0: no topics)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub->add_option("--topics", args->topics, "How many topics (rows of Vt) to print")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub->add_flag("--json", args->json, "Print one JSON object instead of the summary");
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
