// The model file: decode, and with a model that decodes, what transform does with it (the
// vectorizer it holds, documents embedded with its options), the header shown by inspect, and an
// encode/decode round trip.
//
// The file ends in a CRC-64 of everything before it, which random mutations almost never keep
// right; when the option byte's low bit is set, the input is the file without its checksum and
// the target fixes the payload length and appends the checksum, so the fuzzer reaches the payload.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "factopic/model/model.hpp"
#include "fuzz_common.hpp"

using namespace factopic;

namespace {

constexpr std::size_t k_header = 24;  // magic, version, reserved, payload length

std::string with_checksum(std::string_view bytes) {
    std::string file(bytes);
    if (file.size() < k_header) return file;
    const std::uint64_t length = file.size() - k_header;
    std::memcpy(file.data() + 16, &length, sizeof length);
    const std::uint64_t crc = model::crc64(file);
    file.append(reinterpret_cast<const char*>(&crc), sizeof crc);
    return file;
}

void use(const model::TopicModel& m) {
    (void)model::header_json(m);
    const auto again = model::decode(model::encode(m), "re-encoded");
    if (again.vocabulary != m.vocabulary || again.terms.rows != m.terms.rows || again.terms.cols != m.terms.cols ||
        again.method != m.method)
        fuzz::broken("encode/decode does not round-trip");
    const auto vectorizer = model::vectorizer_of(m);
    std::vector<std::string> documents{"", "no model terms here"};
    std::string all;
    for (std::size_t t = 0; t < m.vocabulary.size() && t < 16; ++t) all += m.vocabulary[t] + " ";
    documents.push_back(all);
    const auto x = vectorizer.transform<double>(documents);
    // A model may legitimately ask for long solves; the fuzzer looks for crashes, not patience.
    if (m.method == "nmf" && (m.nmf.max_iter > 1000 || m.k() > 64)) return;
    const auto w = model::embed(m, x);
    if (w.rows != x.rows || w.cols != m.k()) fuzz::broken("embed's shape is not documents x k");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::split_options(data, size);
    const std::string bytes = (in.options & 1u) ? with_checksum(in.bytes) : std::string(in.bytes);
    try {
        use(model::decode(bytes, "fuzz.ftm"));
    } catch (const Error&) {
    }
    return 0;
}
