#include "progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

namespace factopic::cli {
namespace {

bool g_enabled = false;
constexpr int k_width = 24;

}  // namespace

void configure_progress(bool quiet, bool json) { g_enabled = !quiet && !json && ::isatty(STDERR_FILENO) == 1; }

bool progress_enabled() { return g_enabled; }

Progress::Progress(std::string label) : m_label(std::move(label)), m_start(std::chrono::steady_clock::now()) {
    if (!g_enabled) return;
    m_ticker = std::thread([this] {
        while (!m_stop.load(std::memory_order_relaxed)) {
            draw(false);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
}

Progress::~Progress() {
    if (!m_ticker.joinable()) return;
    m_stop = true;
    m_ticker.join();
    std::fputs("\r\x1b[K", stderr);  // the line is the stage's only while it runs
    std::fflush(stderr);
}

void Progress::update(std::int64_t done, std::int64_t total) noexcept {
    m_total.store(total, std::memory_order_relaxed);
    m_done.store(done, std::memory_order_relaxed);
}

void Progress::draw(bool) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const std::int64_t total = m_total.load(std::memory_order_relaxed), done = m_done.load(std::memory_order_relaxed);
    std::string bar(k_width, ' ');
    std::string tail;
    if (total > 0) {
        const double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        const int filled = static_cast<int>(f * k_width);
        for (int i = 0; i < filled; ++i) bar[static_cast<std::size_t>(i)] = '#';
        tail = fmt::format("{:>3.0f}%  {}/{}", 100 * f, done, total);
    } else {
        // No measure of how far: a block that moves, so that the run is seen to be alive.
        const int pos = static_cast<int>(seconds * 10) % (2 * (k_width - 4));
        const int at = pos < k_width - 4 ? pos : 2 * (k_width - 4) - pos;
        for (int i = 0; i < 4; ++i) bar[static_cast<std::size_t>(at + i)] = '=';
    }
    // fputs, not fmt::print: a terminal that refuses a write must not throw out of the ticker thread.
    std::fputs(fmt::format("\r\x1b[K{:<12} [{}] {} {:.1f} s", m_label, bar, tail, seconds).c_str(), stderr);
    std::fflush(stderr);
}

}  // namespace factopic::cli
