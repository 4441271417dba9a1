// factopic's entry point: parse, run the chosen sub-command, map errors to exit codes
// (2: usage, 1: runtime or input errors).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <new>

#include "allocator.hpp"
#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/io/atomic_file.hpp"

namespace {

// An interrupted run removes its temporary output files, then dies of the same signal.
void on_fatal_signal(int sig) {
    factopic::io::remove_pending_temporaries();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
    factopic::cli::tune_allocator(argv);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_fatal_signal);
    CLI::App app{"factopic: topics from text by matrix factorization", "factopic"};
    app.require_subcommand(1);
    app.fallthrough();
    factopic::cli::register_vectorize(app);
    factopic::cli::register_svd(app);
    factopic::cli::register_nmf(app);
    factopic::cli::register_sweep(app);
    factopic::cli::register_topics(app);
    factopic::cli::register_fit(app);
    factopic::cli::register_transform(app);
    factopic::cli::register_inspect(app);
    factopic::cli::register_report(app);
    factopic::cli::register_version(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    } catch (const factopic::InvalidArgument& e) {
        fmt::print(stderr, "factopic: error: {}\n", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        fmt::print(stderr, "factopic: error: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "factopic: error: {}\n", e.what());
        return 1;
    }
    return 0;
}
