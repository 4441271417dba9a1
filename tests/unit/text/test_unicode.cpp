// Character classes, case mapping and decoding against values read off Python 3.11.
#include <gtest/gtest.h>

#include "factopic/text/unicode.hpp"

using namespace factopic::text;

TEST(Unicode, WordCharactersFollowPythonIsalnum) {
    EXPECT_TRUE(is_word(U'a'));
    EXPECT_TRUE(is_word(U'Z'));
    EXPECT_TRUE(is_word(U'7'));
    EXPECT_TRUE(is_word(U'_'));
    EXPECT_FALSE(is_word(U'-'));
    EXPECT_FALSE(is_word(U' '));
    EXPECT_TRUE(is_word(U'\u00e9'));       // é
    EXPECT_TRUE(is_word(U'\u00b2'));       // superscript two: isdigit
    EXPECT_TRUE(is_word(U'\u00bd'));       // one half: isnumeric
    EXPECT_TRUE(is_word(U'\u2160'));       // Roman numeral one (Nl)
    EXPECT_TRUE(is_word(U'\u4e2d'));       // CJK
    EXPECT_TRUE(is_word(U'\u0660'));       // Arabic-Indic zero
    EXPECT_FALSE(is_word(U'\u0301'));      // combining acute (Mn) is not \w in Python
    EXPECT_FALSE(is_word(U'\U0001F600'));  // emoji
    EXPECT_FALSE(is_word(0x110000));
}

TEST(Unicode, SpacesFollowPythonIsspace) {
    for (char32_t c : {U' ', U'\t', U'\n', U'\r', U'\v', U'\f', U'\u001c', U'\u0085', U'\u00a0', U'\u2003', U'\u3000'})
        EXPECT_TRUE(is_space(c)) << static_cast<unsigned>(c);
    for (char32_t c : {U'a', U'\u200b', U'-'}) EXPECT_FALSE(is_space(c)) << static_cast<unsigned>(c);
}

TEST(Unicode, LowerIsFullCaseMapping) {
    char32_t out[3];
    ASSERT_EQ(lower_full(U'A', out), 1);
    EXPECT_EQ(out[0], U'a');
    ASSERT_EQ(lower_full(U'\u0130', out), 2);  // İ → i + combining dot above
    EXPECT_EQ(out[0], U'i');
    EXPECT_EQ(out[1], U'\u0307');
    ASSERT_EQ(lower_full(U'\u1e9e', out), 1);  // capital sharp s
    EXPECT_EQ(out[0], U'\u00df');
    ASSERT_EQ(lower_full(U'\u01c5', out), 1);  // titlecase Dž
    EXPECT_EQ(out[0], U'\u01c6');
    ASSERT_EQ(lower_full(U'\u4e2d', out), 1);
    EXPECT_EQ(out[0], U'\u4e2d');
}

TEST(Unicode, FinalSigmaDependsOnContext) {
    EXPECT_EQ(lower_utf8("\u039f\u0394\u039f\u03a3"), "\u03bf\u03b4\u03bf\u03c2");  // ΟΔΟΣ → οδος
    EXPECT_EQ(lower_utf8("\u03a3\u0391"), "\u03c3\u03b1");                          // ΣΑ → σα
    EXPECT_EQ(lower_utf8("\u03a3"), "\u03c3");                                      // alone: σ
    EXPECT_EQ(lower_utf8("A\u03a3."), "a\u03c2.");
    EXPECT_EQ(lower_utf8("A\u03a3'B"), "a\u03c3'b");  // apostrophe is case-ignorable
    EXPECT_TRUE(is_cased(U'A'));
    EXPECT_TRUE(is_case_ignorable(U'\''));
    EXPECT_FALSE(is_cased(U'1'));
}

TEST(Unicode, StrictUtf8Validation) {
    EXPECT_TRUE(utf8_valid(""));
    EXPECT_TRUE(utf8_valid("plain ascii text, long enough for the 8-byte path"));
    EXPECT_TRUE(utf8_valid("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"));
    EXPECT_FALSE(utf8_valid("caf\xe9"));           // latin-1 é
    EXPECT_FALSE(utf8_valid("\xc0\x80"));          // overlong NUL
    EXPECT_FALSE(utf8_valid("\xe0\x80\x80"));      // overlong
    EXPECT_FALSE(utf8_valid("\xed\xa0\x80"));      // surrogate D800
    EXPECT_FALSE(utf8_valid("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(utf8_valid("\xc3"));              // truncated
    EXPECT_FALSE(utf8_valid("abcdefgh\xe4\xb8"));  // truncated after the fast path
    EXPECT_FALSE(utf8_valid("\x80"));              // lone continuation
}

TEST(Unicode, Latin1BecomesUtf8) {
    EXPECT_EQ(latin1_to_utf8("caf\xe9"), "caf\xc3\xa9");
    EXPECT_EQ(latin1_to_utf8("\xa0\xff"), "\xc2\xa0\xc3\xbf");
    std::string s;
    utf8_append(s, U'\U0001F600');
    std::size_t i = 0;
    EXPECT_EQ(utf8_next(s, i), U'\U0001F600');
    EXPECT_EQ(i, 4u);
}
