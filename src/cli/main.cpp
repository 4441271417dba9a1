// factopic's entry point: parse, run the chosen sub-command, map errors to exit codes
// (2: usage, 1: runtime or input errors), and make sure what went to standard output arrived.
#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string_view>
#include <system_error>

#include "allocator.hpp"
#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/io/atomic_file.hpp"
#include "usage.hpp"

namespace {

// Run from cron, a daemon or with `2>&-`, a standard descriptor can be closed; the first file
// factopic opens would then take its number, and a warning meant for stderr would land in W.npy.
// Each closed one becomes /dev/null (or, without /dev/null, a descriptor that refuses writes), so
// the numbers are taken before anything else opens a file.
void open_standard_descriptors() noexcept {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (got < 0) got = ::open("/", O_PATH);
        if (got >= 0 && got != fd) {
            ::dup2(got, fd);
            ::close(got);
        }
    }
}

// Writing to stderr may itself fail (a closed or full stderr): never let that throw or abort.
void print_error(std::string_view message, std::string_view detail = {}) noexcept {
    std::fputs("factopic: error: ", stderr);
    std::fwrite(message.data(), 1, message.size(), stderr);
    std::fwrite(detail.data(), 1, detail.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

// An interrupted run removes its temporary output files (waiting, if a set of outputs is being
// renamed into place, until the whole set is), then dies of the same signal.
std::atomic<int> g_fatal_signal{0};

void on_fatal_signal(int sig) {
    g_fatal_signal.store(sig);
    factopic::io::remove_pending_temporaries();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void install_signal_handlers() {
    constexpr int k_fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2};
    struct sigaction action {};
    action.sa_handler = on_fatal_signal;
    action.sa_flags = SA_RESTART;
    // One handler at a time per thread: a second signal must not interrupt the first one's
    // clean-up (remove_pending_temporaries would wait for itself).
    sigemptyset(&action.sa_mask);
    for (const int sig : k_fatal) sigaddset(&action.sa_mask, sig);
    for (const int sig : k_fatal) {
        struct sigaction old {};
        // A signal ignored by whoever started us (nohup, a background job) stays ignored.
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        ::sigaction(sig, &action, nullptr);
    }
    // Over a file-size limit (ulimit -f) the kernel would kill the process outright, leaving its
    // temporaries; ignored, the write fails with EFBIG and the run ends like any failed write.
    std::signal(SIGXFSZ, SIG_IGN);
}

int run(int argc, char** argv) {
    CLI::App app{"factopic: topics from text by matrix factorization", "factopic"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("--version", factopic::cli::version_text, "Print the version and build details, then exit");
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
        // --help and --version are "errors" that succeed: CLI11 prints them.
        if (e.get_exit_code() == 0) return app.exit(e);
        print_error(factopic::cli::usage_message(app, e, argc, argv));
        return 2;
    } catch (const factopic::InvalidArgument& e) {
        print_error(e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        print_error("out of memory");
        return 1;
    } catch (const std::system_error& e) {
        // fmt::print throws this when standard output refuses a write (a full disk, /dev/full).
        if (std::ferror(stdout))
            print_error("writing standard output: ", std::strerror(e.code().value()));
        else
            print_error(e.what());
        return 1;
    } catch (const std::exception& e) {
        print_error(e.what());
        return 1;
    } catch (...) {
        print_error("unexpected internal error");
        return 1;
    }
    return 0;
}

// Standard output is buffered: a write that fails (/dev/full, a full disk, a closed pipe) may only
// show when it is flushed at exit, after the run has already said 0. Flushed and closed here, a
// lost report is an error (a run that failed already has its message and its code). fclose on glibc's stdout leaves the
// FILE object in place, so the flush that iostream's teardown does later finds nothing to write and no freed memory.
int close_standard_output(int code) noexcept {
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;  // first: a second flush no longer sees the error
    int err = errno;
    std::cout.flush();
    const bool failed_before = std::ferror(stdout) != 0 || std::cout.bad();
    const bool closed = std::fclose(stdout) == 0;
    if (flushed && !closed) err = errno;
    if (code != 0 || (closed && flushed && !failed_before)) return code;
    print_error("writing standard output: ", err != 0 ? std::strerror(err) : "write error");
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    open_standard_descriptors();  // before the re-execution below, which inherits them
    factopic::cli::tune_allocator(argv);
    install_signal_handlers();
    const int code = close_standard_output(run(argc, argv));
    // A signal that arrived while a set of outputs was renamed is handled on another thread, which
    // waits for the set; this thread, done meanwhile, must not exit 0 before that one dies of it.
    if (const int sig = g_fatal_signal.load()) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
    return code;
}
