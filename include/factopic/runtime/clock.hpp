// Wall-clock timing for the phase timings that results and reports carry.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace factopic::runtime {

using Clock = std::chrono::steady_clock;

/// Seconds from t0 to now.
inline double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Appends (name, seconds since the previous mark, or since it was made) to a result's phases.
class PhaseTimer {
public:
    explicit PhaseTimer(std::vector<std::pair<std::string, double>>& out) : m_out(out), m_t(Clock::now()) {}
    void mark(const char* name) {
        const auto now = Clock::now();
        m_out.emplace_back(name, std::chrono::duration<double>(now - m_t).count());
        m_t = now;
    }

private:
    std::vector<std::pair<std::string, double>>& m_out;
    Clock::time_point m_t;
};

}  // namespace factopic::runtime
