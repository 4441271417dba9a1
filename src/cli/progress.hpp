// Progress on stderr while a stage runs (reading, vectorizing, decomposing): a bar when the
// stage knows how far it is (NMF iterations), a moving block and the elapsed time otherwise.
// Drawn only when stderr is a terminal, and neither --quiet nor --json was given, so that
// nothing is ever mixed into piped, logged or machine-read output. The line is cleared when the
// stage ends.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace factopic::cli {

/// Decides, once per command, whether Progress draws anything.
void configure_progress(bool quiet, bool json);
bool progress_enabled();

class Progress {
public:
    explicit Progress(std::string label);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// done of total (total > 0); safe from any thread.
    void update(std::int64_t done, std::int64_t total) noexcept;

private:
    void draw(bool final);
    std::string m_label;
    std::atomic<std::int64_t> m_done{0}, m_total{0};
    std::atomic<bool> m_stop{false};
    std::chrono::steady_clock::time_point m_start;
    std::thread m_ticker;
};

}  // namespace factopic::cli
