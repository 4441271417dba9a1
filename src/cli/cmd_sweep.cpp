// factopic sweep: help choosing the number of topics k. For each k, the model topics fits, its
// reconstruction error ‖A − A_k‖_F / ‖A‖_F (the lecture's exercise), the coherence, diversity and
// stability of its topics, as a table, JSON and a plot; and the rule of topics -k auto.
#include <fmt/core.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/model/stability.hpp"
#include "factopic/plot/chart.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "outputs.hpp"
#include "progress.hpp"
#include "svd_options.hpp"
#include "sweep.hpp"
#include "topics_args.hpp"

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

void add_choose_k_options(CLI::App& app, ChooseKArgs& a, bool with_range) {
    if (with_range)
        a.range_opt =
            app.add_option("--k-range", a.range, "-k auto: the ranks to try, START:STOP[:STEP] or a comma list")
                ->capture_default_str();
    a.seeds_opt = app.add_option("--seeds", a.seeds,
                                 "Runs per k for the stability of the topics: N (seeds --seed, --seed+1, ...) or a "
                                 "comma list of seeds; 1: no stability")
                      ->capture_default_str();
    a.stability_init_opt =
        app.add_option("--stability-init", a.stability_init,
                       "nmf: the init of the stability runs (random: only random starts differ between seeds)")
            ->check(CLI::IsMember({"random", "nndsvd", "nndsvda", "nndsvdar"}))
            ->capture_default_str();
    a.min_stability_opt =
        app.add_option("--min-stability", a.min_stability, "-k auto: the least stability of a k it may choose")
            ->check(CLI::Range(0.0, 1.0))
            ->capture_default_str();
}

std::vector<std::uint64_t> stability_seeds(const ChooseKArgs& a, std::uint64_t base) {
    const auto bad = [&](const std::string& part) {
        return InvalidArgument(fmt::format(
            "--seeds {}: '{}' is not a non-negative integer (use N runs, or a comma list of seeds such as 0,1,2)",
            a.seeds, part));
    };
    const auto number = [&](const std::string& part) {
        std::uint64_t v = 0;
        const auto r = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size()) throw bad(part);
        return v;
    };
    std::vector<std::uint64_t> seeds;
    if (a.seeds.find(',') == std::string::npos) {
        const std::uint64_t n = number(a.seeds);
        // Every run is a full fit per k: a count past a few hundred is a typo, not a request.
        if (n < 1 || n > 1000)
            throw InvalidArgument(fmt::format("--seeds {} is out of range: 1 <= N <= 1000 runs per k", a.seeds));
        for (std::uint64_t i = 0; i < n; ++i) seeds.push_back(base + i);
        return seeds;
    }
    std::size_t start = 0;
    for (;;) {
        const auto comma = a.seeds.find(',', start);
        seeds.push_back(number(a.seeds.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (seeds.size() > 1000)
        throw InvalidArgument(fmt::format("--seeds: {} seeds, at most 1000 runs per k", seeds.size()));
    return seeds;
}

std::string sweep_method_name(const std::string& method, const NmfMethodArgs& nmf_args) {
    if (method == "nmf") return fmt::format("nmf ({}, init {})", nmf_args.solver, nmf_args.init);
    if (method == "svd") return "svd (gram)";
    return method;
}

namespace {

/// Coherence and diversity exactly as topics measures them (model::topic_quality).
template <typename T>
void measure_quality(const CsrMatrix<T>& x, const linalg::Matrix<T>& terms, SweepPoint& p) {
    const model::TopicQuality q = model::topic_quality(x, terms);
    p.npmi = q.coherence.npmi_mean;
    p.umass = q.coherence.umass_mean;
    p.diversity = q.diversity;
}

/// The first k rows of a k_max × n factor (the rank-k topics of a nested decomposition).
template <typename T>
linalg::Matrix<T> leading_rows(const linalg::Matrix<T>& vt, std::int64_t k) {
    linalg::Matrix<T> out(k, vt.cols);
    for (std::int64_t j = 0; j < vt.cols; ++j)
        for (std::int64_t t = 0; t < k; ++t) out(t, j) = vt(t, j);
    return out;
}

}  // namespace

template <typename T>
std::vector<SweepPoint> sweep_topics(const CsrMatrix<T>& x, const std::vector<std::int64_t>& ks,
                                     const std::string& method, const SvdMethodArgs& svd_args,
                                     const NmfMethodArgs& nmf_args, const ChooseKArgs& choose) {
    const std::int64_t r_max = std::min(x.rows, x.cols);
    for (const auto k : ks)
        if (k < 1 || k > r_max)
            throw InvalidArgument(fmt::format("k = {} is out of range: the matrix is {} x {}, so 1 <= k <= {}", k,
                                              x.rows, x.cols, r_max));
    const std::vector<std::uint64_t> seeds = stability_seeds(choose, svd_args.options.seed);
    const bool stability = seeds.size() >= 2;
    std::vector<SweepPoint> points;
    if (method == "nmf") {
        // One factorisation per k and run: NMF's rank-k solutions are not nested.
        NmfMethodArgs model_args = nmf_args;
        model_args.options.seed = svd_args.options.seed;
        int stopped = 0, fits = 0;
        const auto fit = [&](const NmfMethodArgs& na, std::int64_t k) {
            auto r = fit_nmf(x, nmf_options(na, k));
            ++fits;
            if (r.status == decomp::Status::max_iterations && r.tol > 0) ++stopped;
            return r;
        };
        for (const auto k : ks) {
            const auto t0 = Clock::now();
            auto r = fit(model_args, k);
            SweepPoint p{k, r.relative_error, 0};
            measure_quality(x, r.h, p);
            if (stability) {
                // Stability needs runs that can differ: the deterministic inits differ between
                // seeds only through their SVD's start block, so by default the runs start at
                // random, as in Greene et al. 2014 and Brunet et al. 2004.
                std::vector<linalg::Matrix<T>> runs;
                for (std::size_t i = 0; i < seeds.size(); ++i) {
                    const std::uint64_t seed = seeds[i];
                    // A seed given twice gives the same fit (the solvers do not depend on the
                    // thread count): copy it rather than fit it again.
                    const auto first = std::find(seeds.begin(), seeds.begin() + static_cast<std::ptrdiff_t>(i), seed);
                    if (first != seeds.begin() + static_cast<std::ptrdiff_t>(i)) {
                        runs.push_back(runs[static_cast<std::size_t>(first - seeds.begin())]);
                        continue;
                    }
                    NmfMethodArgs na = nmf_args;
                    na.init = choose.stability_init;
                    na.w_init.clear();
                    na.h_init.clear();
                    na.options.seed = seed;
                    if (na.init == model_args.init && seed == model_args.options.seed)
                        runs.push_back(r.h);  // the model's own fit is one of the runs
                    else
                        runs.push_back(fit(na, k).h);
                }
                p.stability = model::topic_stability(runs, false);
            }
            p.seconds = since(t0);
            points.push_back(p);
        }
        if (stopped > 0)
            print_warning(
                fmt::format("warning: {} of the sweep's {} nmf fits stopped at --max-iter before converging: "
                            "raise --max-iter, or loosen --tol",
                            stopped, fits));
        return points;
    }
    SvdMethodArgs svd = svd_args;
    svd.full = false;
    svd.method = method == "svd" ? "gram" : method;
    const auto method_kind = chosen_method(svd);
    if (method_kind == decomp::SvdMethod::rsvd) {
        // One randomized decomposition per k and seed, as a user of randomized_svd would run it.
        for (const auto k : ks) {
            const auto t0 = Clock::now();
            const auto r = decomp::truncated_svd(x, truncated_options(svd, k));
            SweepPoint p{k, decomp::truncation_errors(x, r, {k})[0], 0};
            measure_quality(x, r.vt, p);
            if (stability) {
                std::vector<linalg::Matrix<T>> runs;
                for (const auto seed : seeds) {
                    SvdMethodArgs s = svd;
                    s.options.seed = seed;
                    runs.push_back(seed == svd.options.seed ? r.vt
                                                            : decomp::truncated_svd(x, truncated_options(s, k)).vt);
                }
                p.stability = model::topic_stability(runs, true);
            }
            p.seconds = since(t0);
            points.push_back(p);
        }
        return points;
    }
    // Exact triplets: one decomposition (per seed, for krylov's start block) at the largest k;
    // every prefix of it is the best rank-k approximation.
    const auto k_max = *std::max_element(ks.begin(), ks.end());
    const bool full = decomp::is_full(method_kind);
    const auto t0 = Clock::now();
    const auto r = full ? decomp::full_svd(x, {method_kind}) : decomp::truncated_svd(x, truncated_options(svd, k_max));
    const auto errors = decomp::truncation_errors(x, r, ks);
    std::vector<decomp::SvdResult<T>> others;
    if (stability && !full)
        for (const auto seed : seeds)
            if (seed != svd.options.seed) {
                SvdMethodArgs s = svd;
                s.options.seed = seed;
                others.push_back(decomp::truncated_svd(x, truncated_options(s, k_max)));
            }
    const double shared_s = since(t0) / static_cast<double>(ks.size());
    for (std::size_t i = 0; i < ks.size(); ++i) {
        const auto tk = Clock::now();
        const std::int64_t k = ks[i];
        SweepPoint p{k, errors[i], 0};
        const linalg::Matrix<T> terms = leading_rows(r.vt, k);
        measure_quality(x, terms, p);
        if (stability && !full) {
            std::vector<linalg::Matrix<T>> runs;
            for (const auto seed : seeds) {
                if (seed == svd.options.seed) {
                    runs.push_back(terms);
                    continue;
                }
                // The runs in others are in the order of their seeds, svd.options.seed's left out.
                std::size_t at = 0;
                for (const auto s : seeds) {
                    if (s == seed) break;
                    if (s != svd.options.seed) ++at;
                }
                runs.push_back(leading_rows(others[at].vt, k));
            }
            p.stability = model::topic_stability(runs, true);
        }
        p.seconds = shared_s + since(tk);
        points.push_back(p);
    }
    return points;
}

template std::vector<SweepPoint> sweep_topics(const CsrMatrix<float>&, const std::vector<std::int64_t>&,
                                              const std::string&, const SvdMethodArgs&, const NmfMethodArgs&,
                                              const ChooseKArgs&);
template std::vector<SweepPoint> sweep_topics(const CsrMatrix<double>&, const std::vector<std::int64_t>&,
                                              const std::string&, const SvdMethodArgs&, const NmfMethodArgs&,
                                              const ChooseKArgs&);

namespace {

/// The ks the rule chooses among: the stable enough ones, else the most stable.
std::vector<const SweepPoint*> eligible(const std::vector<SweepPoint>& points, double min_stability, bool& any_stable) {
    std::vector<const SweepPoint*> out;
    for (const auto& p : points)
        if (std::isnan(p.stability) || p.stability >= min_stability) out.push_back(&p);
    any_stable = !out.empty();
    if (any_stable) return out;
    double best = -1;
    for (const auto& p : points) best = std::max(best, p.stability);
    for (const auto& p : points)
        if (p.stability == best) out.push_back(&p);
    return out;
}

}  // namespace

std::int64_t choose_k(const std::vector<SweepPoint>& points, double min_stability) {
    if (points.empty()) throw InvalidArgument("choose_k: no ranks to choose from");
    bool any_stable = false;
    const SweepPoint* best = nullptr;
    for (const SweepPoint* p : eligible(points, min_stability, any_stable))
        if (best == nullptr || p->npmi > best->npmi || (p->npmi == best->npmi && p->k < best->k)) best = p;
    return best->k;
}

std::string choice_reason(const std::vector<SweepPoint>& points, double min_stability, std::int64_t k) {
    bool any_stable = false;
    const auto candidates = eligible(points, min_stability, any_stable);
    const bool measured =
        std::any_of(points.begin(), points.end(), [](const auto& p) { return !std::isnan(p.stability); });
    if (!measured)
        return fmt::format("k = {}: the highest mean NPMI (stability not measured: one run per k, or an exact SVD)", k);
    if (!any_stable)
        return fmt::format("k = {}: no k reached stability {:g}, so the most stable one (highest NPMI among ties)", k,
                           min_stability);
    return fmt::format("k = {}: the highest mean NPMI among the {} of {} ks whose stability is at least {:g}", k,
                       candidates.size(), points.size(), min_stability);
}

namespace {

std::string cell(double v, int width, int precision) {
    return std::isnan(v) ? fmt::format("{:>{}}", "-", width) : fmt::format("{:>{}.{}f}", v, width, precision);
}

nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

}  // namespace

void print_sweep_table(const std::vector<SweepPoint>& points) {
    fmt::print("  {:>5}  {:>10}  {:>7}  {:>8}  {:>9}  {:>9}  {:>9}\n", "k", "rel. error", "NPMI", "UMass", "diversity",
               "stability", "seconds");
    for (const auto& p : points)
        fmt::print("  {:>5}  {}  {}  {}  {}  {}  {:>9.3f}\n", p.k, cell(p.error, 10, 6), cell(p.npmi, 7, 4),
                   cell(p.umass, 8, 4), cell(p.diversity, 9, 3), cell(p.stability, 9, 3), p.seconds);
}

nlohmann::json sweep_points_json(const std::vector<SweepPoint>& points) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : points)
        out.push_back({{"k", p.k},
                       {"relative_error", p.error},
                       {"npmi", number_or_null(p.npmi)},
                       {"umass", number_or_null(p.umass)},
                       {"diversity", number_or_null(p.diversity)},
                       {"stability", number_or_null(p.stability)},
                       {"seconds", p.seconds}});
    return out;
}

void resolve_k(TopicsArgs& a) {
    const ChooseKArgs& c = a.choose;
    if (a.k_text == "auto") {
        a.k_auto = true;
        (void)parse_ks(c.range);  // a bad range fails before any work
    } else {
        std::int64_t k = 0;
        const auto r = std::from_chars(a.k_text.data(), a.k_text.data() + a.k_text.size(), k);
        if (a.k_text.empty() || r.ec != std::errc() || r.ptr != a.k_text.data() + a.k_text.size())
            throw InvalidArgument(fmt::format("-k {}: not a number of topics (give an integer, or auto)", a.k_text));
        a.k = k;
        for (const auto* opt : {c.range_opt, c.min_stability_opt})
            if (opt != nullptr && opt->count() > 0)
                throw InvalidArgument(fmt::format("{} applies to -k auto, not -k {}", opt->get_name(), a.k_text));
        if (a.sweep.empty())
            for (const auto* opt : {c.seeds_opt, c.stability_init_opt})
                if (opt != nullptr && opt->count() > 0)
                    throw InvalidArgument(
                        fmt::format("{} applies to -k auto and report --sweep, not -k {}", opt->get_name(), a.k_text));
    }
    if (a.method != "nmf" && c.stability_init_opt != nullptr && c.stability_init_opt->count() > 0)
        throw InvalidArgument(fmt::format("--stability-init applies to --method nmf, not {}", a.method));
    (void)stability_seeds(c, a.svd.options.seed);
}

template <typename T>
TopicsArgs with_chosen_k(const CsrMatrix<T>& x, const TopicsArgs& given) {
    TopicsArgs a = given;
    if (!a.k_auto) return a;
    a.k_curve = sweep_topics(x, parse_ks(a.choose.range).ranks(x.rows, x.cols), a.method, a.svd, a.nmf, a.choose);
    a.k = choose_k(a.k_curve, a.choose.min_stability);
    return a;
}

template TopicsArgs with_chosen_k(const CsrMatrix<float>&, const TopicsArgs&);
template TopicsArgs with_chosen_k(const CsrMatrix<double>&, const TopicsArgs&);

void print_k_choice(const TopicsArgs& a) {
    const auto seeds = stability_seeds(a.choose, a.svd.options.seed);
    fmt::print("choose k   {} at k = {}; stability over {} run{} per k{}\n", sweep_method_name(a.method, a.nmf),
               a.choose.range, seeds.size(), seeds.size() == 1 ? "" : "s",
               a.method == "nmf" && seeds.size() > 1 ? fmt::format(" (init {})", a.choose.stability_init) : "");
    print_sweep_table(a.k_curve);
    fmt::print("chosen     {}\n\n", choice_reason(a.k_curve, a.choose.min_stability, a.k));
}

nlohmann::json k_choice_json(const TopicsArgs& a) {
    const auto seeds = stability_seeds(a.choose, a.svd.options.seed);
    return {{"k", a.k},
            {"range", a.choose.range},
            {"min_stability", a.choose.min_stability},
            {"seeds", seeds},
            {"stability_init", a.method == "nmf" ? nlohmann::json(a.choose.stability_init) : nlohmann::json(nullptr)},
            {"rule", fmt::format("the highest mean NPMI among the ks whose stability is at least {:g} (every k when "
                                 "stability is not measured; the most stable k when none is), the smaller k on a tie",
                                 a.choose.min_stability)},
            {"reason", choice_reason(a.k_curve, a.choose.min_stability, a.k)},
            {"points", sweep_points_json(a.k_curve)}};
}

namespace {

struct SweepArgs {
    TopicsArgs model;
    std::string ks = k_default_range;
    std::string plot_path;
    bool json = false;
};

template <typename T>
void run_typed(const SweepArgs& a, const KSpec& spec, io::OutputFiles& outputs, Clock::time_point start) {
    const TopicsArgs& m = a.model;
    const LoadedMatrix<T> in = load_matrix<T>(m.input);
    const CsrMatrix<T>& x = in.x;
    const std::vector<std::int64_t> ks = spec.ranks(x.rows, x.cols);
    const std::string method_name = sweep_method_name(m.method, m.nmf);
    const auto t0 = Clock::now();
    const std::vector<SweepPoint> points = sweep_topics(x, ks, m.method, m.svd, m.nmf, m.choose);
    const double sweep_s = since(t0);
    const std::int64_t chosen = choose_k(points, m.choose.min_stability);
    const std::string reason = choice_reason(points, m.choose.min_stability, chosen);
    const std::vector<std::uint64_t> seeds = stability_seeds(m.choose, m.svd.options.seed);
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
        nlohmann::json j = matrix_json(in, m.input);
        j["method"] = m.method == "nmf" ? "nmf" : method_name;
        if (m.method == "nmf") {
            j["solver"] = m.nmf.solver;
            j["init"] = m.nmf.init;
        }
        j["points"] = sweep_points_json(points);
        j["coherence"] = {{"top", k_coherence_top}, {"cooccurrence", "document"}};
        j["diversity"] = {{"top", k_diversity_top}};
        j["stability"] = {
            {"runs", seeds.size()},
            {"seeds", seeds},
            {"init", m.method == "nmf" ? nlohmann::json(m.choose.stability_init) : nlohmann::json(nullptr)},
            {"measure", "mean cosine similarity of Hungarian-matched topics, over pairs of runs"}};
        j["choice"] = {{"k", chosen}, {"min_stability", m.choose.min_stability}, {"reason", reason}};
        j["timings"] = {{"read", in.read_s}, {"vectorize", in.vectorize_s}, {"decompose", sweep_s}, {"total", total_s}};
        j["peak_memory_mb"] = peak_memory_mb();
        if (!a.plot_path.empty()) j["outputs"] = {{"plot", a.plot_path}};
        fmt::print("{}\n", j.dump(2));
        return;
    }
    fmt::print("matrix     {} x {}, {} non-zeros, {}\n", x.rows, x.cols, x.nnz(), in.description);
    fmt::print("sweep      {} over {} ranks in {:.3f} s (read {:.3f} s, vectorize {:.3f} s, peak memory {:.0f} MB)\n",
               method_name, ks.size(), sweep_s, in.read_s, in.vectorize_s, peak_memory_mb());
    fmt::print("measures   coherence of the top {} words, diversity of the top {}, stability over {} run{} per k{}\n",
               k_coherence_top, k_diversity_top, seeds.size(), seeds.size() == 1 ? "" : "s",
               m.method == "nmf" && seeds.size() > 1 ? fmt::format(" (init {})", m.choose.stability_init) : "");
    print_sweep_table(points);
    fmt::print("-k auto    {}\n", reason);
    if (!a.plot_path.empty()) fmt::print("wrote      plot {}\n", a.plot_path);
}

void run(SweepArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.model.input.corpus.quiet, a.json);
    const auto ks = parse_ks(a.ks);
    // Coherence reads the matrix's columns, not their names: a vocabulary would be read and ignored.
    if (!a.model.input.vocabulary_file.empty())
        throw InvalidArgument("--vocabulary: sweep shows no terms (topics, fit and report use it)");
    validate(a.model.nmf);
    (void)stability_seeds(a.model.choose, a.model.svd.options.seed);  // a bad --seeds fails before any work
    if (a.model.method != "nmf" && a.model.choose.stability_init_opt->count() > 0)
        throw InvalidArgument(fmt::format("--stability-init applies to --method nmf, not {}", a.model.method));
    io::OutputFiles outputs({{"--plot", a.plot_path, true}}, matrix_inputs(a.model.input, a.model.nmf));
    keep_report_off_standard_output(outputs);
    with_dtype(a.model.input.vectorizer, [&]<typename T>() { run_typed<T>(a, ks, outputs, start); });
}

}  // namespace

void register_sweep(CLI::App& app) {
    auto args = std::make_shared<SweepArgs>();
    auto* sub = app.add_subcommand("sweep", "Error, coherence, diversity and stability against the number of topics k");
    sub->footer(
        "Fits, for each k, the model topics fits (the same --method, weighting and solver options) and\n"
        "prints its relative error |A - A_k|_F / |A|_F, the mean coherence of its topics (NPMI and UMass of\n"
        "the top 10 words over the documents), their diversity (distinct share of the top 25 words) and\n"
        "their stability: --seeds runs (nmf: started with --stability-init), each pair of runs' topics\n"
        "matched one-to-one by cosine similarity (Hungarian method), the mean similarity of the matches\n"
        "averaged over the pairs (1: every run finds the same topics). The last line is the k that\n"
        "`topics -k auto` would choose from this table (README, \"Choosing k\").\n"
        "svd, gram, gesdd and krylov decompose once at the largest k: every prefix of the triplets is the\n"
        "best rank-k approximation (Eckart-Young); rsvd and nmf fit once per k and run.\n"
        "Example:\n"
        "  factopic sweep data/20news-4cat.tar.gz -k 2:12:2 --seeds 3 --plot sweep.svg");
    add_model_options(*sub, args->model, true);
    sub->add_option("-k", args->ks, "Ranks: START:STOP[:STEP] (inclusive) or a comma list")->capture_default_str();
    add_choose_k_options(*sub, args->model.choose, false);
    sub->add_option("--plot", args->plot_path, "Draw the error curve here: .svg or .png");
    sub->add_flag("--json", args->json, "Print one JSON object instead of the table");
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
