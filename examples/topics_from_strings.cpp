// Topics of a list of strings through factopic's public headers alone: the library call every
// binding makes (model::fit_topic_model), with a per-call execution context (two threads) and a
// callback that stops the fit once a time budget is spent, as Ctrl-C in a notebook would.
//
//   topics_from_strings [BUDGET_MS]     (default 10000; 0 stops the fit after its first iteration)
//
// Prints each topic's top words, the status of the fit (converged, or cancelled by the budget)
// and how the documents spread over the topics.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "factopic/model/fit.hpp"
#include "factopic/runtime/context.hpp"

namespace {

/// Short documents on three subjects, each said a few ways.
std::vector<std::string> documents() {
    const std::vector<std::string> space = {"the shuttle launch put the satellite in orbit around the earth",
                                            "nasa plans a mission to the moon with a new rocket and crew",
                                            "the orbit of the planet was measured by the space telescope",
                                            "astronauts on the station watched the rocket launch from orbit"};
    const std::vector<std::string> graphics = {
        "render the image with the graphics card and save it as a jpeg file",
        "the polygon mesh is shaded by the graphics pipeline before the image is drawn",
        "convert the gif image to a png file with the image tool",
        "a faster graphics card renders every polygon of the scene"};
    const std::vector<std::string> cooking = {"bake the bread in a hot oven and let the dough rise first",
                                              "the soup needs salt pepper and an onion cooked slowly",
                                              "whisk the eggs with sugar and flour then bake the cake",
                                              "slice the onion fry it in butter and add the soup stock"};
    std::vector<std::string> out;
    for (int copy = 0; copy < 5; ++copy)  // repeated with a numbered word, so each is its own document
        for (const auto* group : {&space, &graphics, &cooking})
            for (const auto& d : *group) out.push_back(d + " note" + std::to_string(copy));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace factopic;
    const long budget_ms = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 10000;
    const std::vector<std::string> docs = documents();

    model::TopicModelOptions options;
    options.k = 3;
    options.top = 5;
    options.nmf.max_iter = 500;
    options.nmf.tol = 1e-6;
    const auto start = std::chrono::steady_clock::now();
    options.nmf.on_iteration = [&](int iteration, int max_iter) {
        const auto spent = std::chrono::steady_clock::now() - start;
        (void)iteration;
        (void)max_iter;
        return spent < std::chrono::milliseconds(budget_ms);  // false: stop now, keep what there is
    };
    runtime::ExecutionContext context;
    context.threads = 2;

    try {
        const model::DocumentTopicModel fitted = model::fit_topic_model(docs, options, {}, context);
        const model::TopicModelFit<double>& fit = fitted.fit;
        std::printf("nmf: %s after %d iterations, relative error %.4f\n", decomp::to_string(fit.nmf->status).c_str(),
                    fit.nmf->iterations, fit.nmf->relative_error);
        const auto& vocabulary = fitted.vectorizer.vocabulary();
        for (std::size_t t = 0; t < fit.topics.size(); ++t) {
            std::printf("topic %zu (%lld documents):", t, static_cast<long long>(fit.sizes[t]));
            for (const auto& w : fit.topics[t].top)
                std::printf(" %s", vocabulary[static_cast<std::size_t>(w.term)].c_str());
            std::printf("\n");
        }
        std::printf("coherence NPMI %.3f, diversity %.2f\n", fit.quality.coherence.npmi_mean, fit.quality.diversity);
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "topics_from_strings: %s\n", e.what());
        return 1;
    }
}
