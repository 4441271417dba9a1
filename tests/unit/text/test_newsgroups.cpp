// The 20 Newsgroups cleaners on crafted posts; expected strings were printed by scikit-learn
// 1.2.1's strip_newsgroup_header / _footer / _quoting.
#include <gtest/gtest.h>

#include "factopic/text/newsgroups.hpp"

using namespace factopic::text;

TEST(Newsgroups, HeaderIsEverythingBeforeTheFirstBlankLine) {
    EXPECT_EQ(newsgroup_strip_header("From: a\nSubject: b\n\nBody line\nmore"), "Body line\nmore");
    EXPECT_EQ(newsgroup_strip_header("no blank line here\nat all"), "");
    EXPECT_EQ(newsgroup_strip_header("  \n\nbody\n---\nsig  \n\n"), "body\n---\nsig  \n\n");
}

TEST(Newsgroups, FooterIsCutAtTheLastBlankOrDashLine) {
    EXPECT_EQ(newsgroup_strip_footer("text\nmore text\n\n-- \nJohn Doe\njohn@x"), "text\nmore text\n");
    EXPECT_EQ(newsgroup_strip_footer("From: a\nSubject: b\n\nBody line\nmore"), "From: a\nSubject: b");
    EXPECT_EQ(newsgroup_strip_footer("  \n\nbody\n---\nsig  \n\n"), "body");
    EXPECT_EQ(newsgroup_strip_footer("only\n"), "only\n");          // no separator: unchanged
    EXPECT_EQ(newsgroup_strip_footer("-----\nsig"), "-----\nsig");  // separator is the first line
    EXPECT_EQ(newsgroup_strip_footer("a\n\u00a0\nb"), "a");         // NBSP is whitespace to Python
    EXPECT_EQ(newsgroup_strip_footer(""), "");
}

TEST(Newsgroups, QuotingDropsAttributionsAndQuotedLines) {
    EXPECT_EQ(newsgroup_strip_quoting("From: x\n\nIn article <1@x> bob writes:\n> quoted\n| also\nkept line\n"
                                      "He said: no\nQuoted from foo\nend"),
              "From: x\n\nkept line\nend");
    EXPECT_EQ(newsgroup_strip_quoting(" > not at start\nwrote: anywhere"), " > not at start");
    EXPECT_EQ(newsgroup_strip_quoting("He writes inside\nrewrites: x\nwrote : no\nsays:yes\nsaid\nkeep writes\n"
                                      "keep: said nothing\nwritesin"),
              "wrote : no\nsaid\nkeep writes\nkeep: said nothing\nwritesin");
    EXPECT_EQ(newsgroup_strip_quoting(""), "");
}

TEST(Newsgroups, PythonStripUsesUnicodeWhitespace) {
    EXPECT_EQ(python_strip(" \t\u00a0x y\u2003\n"), "x y");
    EXPECT_EQ(python_strip("\u3000"), "");
    EXPECT_EQ(python_strip("\u00e9"), "\u00e9");
}
