// The tokenizer against scikit-learn's analyzer: expected tokens were printed by
// CountVectorizer().build_analyzer() in Debian's Python 3.11 (tests/oracle re-checks every code point).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "factopic/text/tokenizer.hpp"

using factopic::text::tokenize;

namespace {
std::vector<std::string> tokens(const std::string& text) {
    std::vector<std::string> out;
    std::string scratch;
    tokenize(text, scratch, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST(Tokenizer, AsciiWordsOfTwoOrMoreCharacters) {
    EXPECT_EQ(tokens("Hello, World! hello"), (V{"hello", "world", "hello"}));
    EXPECT_EQ(tokens("a b cd e"), (V{"cd"}));
    EXPECT_EQ(tokens("snake_case 1,000 a1 __"), (V{"snake_case", "000", "a1", "__"}));
    EXPECT_EQ(tokens(""), V{});
    EXPECT_EQ(tokens("   \n\t"), V{});
    EXPECT_EQ(tokens("end"), (V{"end"}));
}

TEST(Tokenizer, AccentsAndCombiningMarks) {
    EXPECT_EQ(tokens("caf\u00e9 CAF\u00c9"), (V{"caf\u00e9", "caf\u00e9"}));
    EXPECT_EQ(tokens("cafe\u0301 x"), (V{"cafe"}));  // the combining mark ends the word
}

TEST(Tokenizer, DigitsSuperscriptsFractionsNumerals) {
    EXPECT_EQ(tokens("x\u00b2 \u00bd\u00bd 10\u00b3"), (V{"x\u00b2", "\u00bd\u00bd", "10\u00b3"}));
    EXPECT_EQ(tokens("\u0660\u0661 \u2160\u2161 \u00aa\u00ba"), (V{"\u0660\u0661", "\u2170\u2171", "\u00aa\u00ba"}));
}

TEST(Tokenizer, CjkAndEmoji) {
    EXPECT_EQ(tokens("\u4e2d\u6587 \u65e5\u672c\u8a9e"), (V{"\u4e2d\u6587", "\u65e5\u672c\u8a9e"}));
    EXPECT_EQ(tokens("\U0001F600\U0001F600ab\U0001F600cd"), (V{"ab", "cd"}));
}

TEST(Tokenizer, CaseMappingThatChangesLength) {
    EXPECT_EQ(tokens("\u0130stanbul \u0130I"), (V{"stanbul"}));  // İ → i + U+0307 splits the word
    EXPECT_EQ(tokens("STRASSE stra\u00dfe \u1e9e\u1e9e"), (V{"strasse", "stra\u00dfe", "\u00df\u00df"}));
    EXPECT_EQ(tokens("\u01c5\u01c5 \u1f88\u1f88"), (V{"\u01c6\u01c6", "\u1f80\u1f80"}));
}

TEST(Tokenizer, FinalSigma) {
    EXPECT_EQ(tokens("\u039f\u0394\u039f\u03a3 \u03a3\u0391 \u039f\u0394\u039f\u03a3."),
              (V{"\u03bf\u03b4\u03bf\u03c2", "\u03c3\u03b1", "\u03bf\u03b4\u03bf\u03c2"}));
}

TEST(Tokenizer, UnicodeWhitespaceSeparates) {
    EXPECT_EQ(tokens("tab\tsep\u00a0nbsp\u2003em"), (V{"tab", "sep", "nbsp", "em"}));
}

TEST(Tokenizer, InvalidUtf8NeverReadsPastTheEnd) {
    // The readers always hand over valid UTF-8; a library caller may not. Bad bytes act as
    // U+FFFD, which is not a word character.
    EXPECT_EQ(tokens("ab\xE2"), (V{"ab"}));
    EXPECT_EQ(tokens("ab\xF0\x9F\x98"), (V{"ab"}));
    EXPECT_EQ(tokens("ab\xC3"
                     "cd"),
              (V{"ab", "cd"}));
    EXPECT_EQ(tokens("\xED\xA0\x80xy"), (V{"xy"}));
}
