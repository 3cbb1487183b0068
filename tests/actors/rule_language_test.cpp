#include "actors/rule_language.hpp"

#include <string>

#include <gtest/gtest.h>

using namespace osprey::rules;

namespace {

// Joins pieces without `"literal" + std::string`, which g++ 12 flags with a
// false -Wrestrict at -O3.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  ((s += parts), ...);
  return s;
}

// Renders a subtree fully parenthesised, so precedence shows in the text.
std::string render(const parsed_rules& p, uint32_t id) {
  auto& n = p.nodes[id];
  switch (n.kind) {
  case node_kind::number: {
    auto s = std::to_string(n.number);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.')
      s.pop_back();
    return s;
  }
  case node_kind::percent: return n.name;
  case node_kind::name: return n.name;
  case node_kind::call: {
    std::string s = cat(n.name, "(");
    for (size_t k = 0; k < n.args.size(); ++k) {
      if (k)
        s += ", ";
      s += render(p, n.args[k]);
    }
    s += ")";
    return s;
  }
  case node_kind::member: return cat(render(p, n.args[0]), ".", n.name);
  case node_kind::lookback: return cat(render(p, n.args[0]), "[", std::to_string(n.bars), "]");
  case node_kind::negate: return cat("(-", render(p, n.args[0]), ")");
  case node_kind::logical_not: return cat("(not ", render(p, n.args[0]), ")");
  case node_kind::binary:
    return cat("(", render(p, n.args[0]), " ", to_string(n.op), " ", render(p, n.args[1]), ")");
  }
  return "?";
}

std::string tree(std::string_view text) {
  auto r = parse_rules(text);
  if (!r)
    return cat("error: ", r.error().text());
  return render(r.value(), r.value().sections.at(0).root);
}

std::string error_of(std::string_view text) {
  auto r = parse_rules(text);
  return r ? std::string{"(parsed)"} : r.error().text();
}

} // namespace

TEST(rule_language, multiplication_binds_tighter_than_addition) {
  EXPECT_EQ(tree("1 + 2 * 3 - 4 / 5"), "((1 + (2 * 3)) - (4 / 5))");
  EXPECT_EQ(tree("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(tree("-close * 2"), "((-close) * 2)");
}

TEST(rule_language, and_binds_tighter_than_or_and_not_tighter_than_and) {
  EXPECT_EQ(tree("a < 1 or b > 2 and not c == 3"), "((a < 1) or ((b > 2) and (not (c == 3))))");
  EXPECT_EQ(tree("not not a < b"), "(not (not (a < b)))");
}

TEST(rule_language, comparisons_bind_looser_than_arithmetic) {
  EXPECT_EQ(tree("volume > 2 * avg(volume, 20)"), "(volume > (2 * avg(volume, 20)))");
  EXPECT_EQ(tree("a + 1 <= b - 1"), "((a + 1) <= (b - 1))");
  EXPECT_EQ(tree("a != b"), "(a != b)");
}

TEST(rule_language, reads_calls_members_and_lookbacks) {
  EXPECT_EQ(tree("macd(12,26,9).signal[2] > 0"), "(macd(12, 26, 9).signal[2] > 0)");
  EXPECT_EQ(tree("close > highest(high, 20)[1]"), "(close > highest(high, 20)[1])");
  EXPECT_EQ(tree("rsi(14)[1][2]"), "rsi(14)[1][2]");
  EXPECT_EQ(tree("obv() > 0"), "(obv() > 0)");
  EXPECT_EQ(tree("stop_loss3"), "stop_loss3");
}

TEST(rule_language, reads_numbers_and_percents) {
  EXPECT_EQ(tree("1.5 + .25"), "(1.5 + 0.25)");
  auto r = parse_rules("stop: 3%");
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r.value().nodes[r.value().sections[0].root].number, 0.03);
}

TEST(rule_language, reads_sections_with_comments_and_sizing) {
  auto r = parse_rules(
    "# breakout\n"
    "entry: close > highest(high, 20)[1]\n"
    "   and volume > 2 * avg(volume, 20)\n"
    "exit: close < lowest(low, 10)[1]\n"
    "size: 10% equity\n"
    "stop: 2 * atr(14)\n"
    "target: 3 * atr(14)\n");
  ASSERT_TRUE(r.ok()) << r.error().text();
  auto& p = r.value();
  ASSERT_EQ(p.sections.size(), 5u);
  EXPECT_EQ(p.sections[0].kind, section_kind::entry);
  EXPECT_EQ(p.sections[0].pos.line, 2u);
  EXPECT_EQ(render(p, p.sections[0].root),
            "((close > highest(high, 20)[1]) and (volume > (2 * avg(volume, 20))))");
  ASSERT_TRUE(p.size);
  EXPECT_EQ(p.size->kind, sizing_kind::percent_of_equity);
  EXPECT_DOUBLE_EQ(p.size->amount, 0.10);
  EXPECT_NE(p.find(section_kind::target), nullptr);
  EXPECT_EQ(p.find(section_kind::short_entry), nullptr);
}

TEST(rule_language, reads_every_size_form) {
  auto size_of = [](std::string_view text) {
    auto r = parse_rules(text);
    EXPECT_TRUE(r.ok()) << r.error().text();
    return *r.value().size;
  };
  EXPECT_EQ(size_of("entry: a > 1\nsize: 100 shares").kind, sizing_kind::shares);
  EXPECT_DOUBLE_EQ(size_of("entry: a > 1\nsize: 100 shares").amount, 100);
  EXPECT_EQ(size_of("entry: a > 1\nsize: $5000").kind, sizing_kind::notional);
  EXPECT_DOUBLE_EQ(size_of("entry: a > 1\nsize: $5000").amount, 5000);
  EXPECT_EQ(size_of("entry: a > 1\nsize: risk 1%").kind, sizing_kind::risk_percent);
  EXPECT_DOUBLE_EQ(size_of("entry: a > 1\nsize: risk 1%").amount, 0.01);
}

TEST(rule_language, nodes_know_their_source_span) {
  auto r = parse_rules("rsi(14) < 30 and (close > open)");
  ASSERT_TRUE(r.ok());
  auto& p = r.value();
  auto& root = p.nodes[p.sections[0].root];
  auto& left = p.nodes[root.args[0]];
  auto& right = p.nodes[root.args[1]];
  EXPECT_EQ(p.source.substr(left.begin, left.end - left.begin), "rsi(14) < 30");
  EXPECT_EQ(p.source.substr(right.begin, right.end - right.begin), "(close > open)");
  EXPECT_EQ(root.pos.column, 14u);
}

TEST(rule_language, errors_point_at_the_spot_with_a_caret) {
  EXPECT_EQ(error_of(""), "1:1: the rule is empty\n\n^");
  EXPECT_EQ(error_of("   # only a comment"), "1:20: the rule is empty\n   # only a comment\n                   ^");
  EXPECT_EQ(error_of("close > "), "1:9: expected a value (a number, a field, or a function call), found the end of the rule\nclose > \n        ^");
  EXPECT_EQ(error_of("close >> 3"), "1:8: expected a value (a number, a field, or a function call), found \">\"\nclose >> 3\n       ^");
  EXPECT_EQ(error_of("close = 3"), "1:7: unexpected \"=\" (compare with ==)\nclose = 3\n      ^");
  EXPECT_EQ(error_of("close ! 3"), "1:7: unexpected \"!\" (write not, or != to compare)\nclose ! 3\n      ^");
  EXPECT_EQ(error_of("close @ 3"), "1:7: unexpected character \"@\"\nclose @ 3\n      ^");
  EXPECT_EQ(error_of("1 < 2 < 3"), "1:7: comparisons do not chain: write a < b and b < c\n1 < 2 < 3\n      ^");
  EXPECT_EQ(error_of("(close > 1"), "1:11: expected \")\", found the end of the rule\n(close > 1\n          ^");
  EXPECT_EQ(error_of("rsi(14 > 3"), "1:11: expected \",\" or \")\" in the arguments of rsi, found the end of the rule\nrsi(14 > 3\n          ^");
  EXPECT_EQ(error_of("close close"), "1:7: unexpected \"close\" after a complete expression\nclose close\n      ^");
  EXPECT_EQ(error_of("close and > 1"), "1:11: expected a value (a number, a field, or a function call), found \">\"\nclose and > 1\n          ^");
  EXPECT_EQ(error_of("and"), "1:1: expected a value, found \"and\"\nand\n^");
  EXPECT_EQ(error_of("1.2.3 > 1"), "1:1: \"1.2.3\" is not a number\n1.2.3 > 1\n^");
  EXPECT_EQ(error_of("macd(1,2,3). > 1"), "1:14: expected a column name after \".\", like macd(12, 26, 9).signal\nmacd(1,2,3). > 1\n             ^");
}

TEST(rule_language, look_back_errors_name_the_limit) {
  EXPECT_EQ(error_of("close[1.5] > 1"), "1:7: a look-back is a whole number of bars, like close[1]\nclose[1.5] > 1\n      ^");
  EXPECT_EQ(error_of("close[x] > 1"), "1:7: a look-back is a whole number of bars, like close[1]\nclose[x] > 1\n      ^");
  EXPECT_EQ(error_of("close[1001] > 1"), "1:7: a look-back of 1001 bars is beyond the limit of 1000\nclose[1001] > 1\n      ^");
  EXPECT_EQ(error_of("close[1 > 1"), "1:9: expected \"]\" to close the look-back, found \">\"\nclose[1 > 1\n        ^");
}

TEST(rule_language, section_errors_name_the_section) {
  EXPECT_EQ(error_of("entry: a > 1\nentry: b > 1"),
            "2:1: duplicate entry: section (the first is at 1:1)\nentry: b > 1\n^");
  EXPECT_EQ(error_of("entry:\nexit: a > 1"), "1:1: the entry section is empty\nentry:\n^");
  EXPECT_EQ(error_of("entry: a > 1\nsize: 10% equity\nsize: 5 shares"),
            "3:1: duplicate size: section (the first is at 2:1)\nsize: 5 shares\n^");
  EXPECT_EQ(error_of("entry: a > 1\nsize: 10% equity 100 shares"),
            "2:18: a size takes one form only (10% equity, 100 shares, $5000, risk 1% or all cash); found \"100\" after it\nsize: 10% equity 100 shares\n                 ^");
  EXPECT_EQ(error_of("entry: a > 1\nsize: 10 equity"),
            "2:7: expected a size: 10% equity, 100 shares, $5000, risk 1% or all cash\nsize: 10 equity\n      ^");
  EXPECT_EQ(error_of("entry: a > 1\nsize: 150% equity"),
            "2:7: a percent of equity must be above 0% and at most 100%\nsize: 150% equity\n      ^");
  EXPECT_EQ(error_of("entry: a > 1\nsize: 1.5 shares"),
            "2:7: a share count must be a whole number >= 1\nsize: 1.5 shares\n      ^");
  EXPECT_EQ(error_of("entry: a > 1\nenter: b"),
            "2:1: unknown section \"enter\" (sections are entry: exit: short_entry: short_exit: size: stop: target:)\nenter: b\n^");
  EXPECT_EQ(error_of("entry: a > 1 b"),
            "1:14: unexpected \"b\" after a complete expression\nentry: a > 1 b\n             ^");
}

TEST(rule_language, refuses_text_beyond_the_limits) {
  std::string long_text(4097, ' ');
  EXPECT_EQ(error_of(long_text).substr(0, 66),
            "1:1: the rule text is 4097 bytes, more than the limit of 4096\n    ");
  std::string deep(70, '(');
  deep += "1";
  deep += std::string(70, ')');
  auto e = error_of(deep);
  EXPECT_EQ(e.substr(0, e.find('\n')),
            "1:65: the expression is nested too deeply (the limit is 64 levels)");
  std::string negs(70, '-');
  negs += "1 > 0";
  e = error_of(negs);
  EXPECT_EQ(e.substr(0, e.find('\n')),
            "1:64: the expression is nested too deeply (the limit is 64 levels)");
  std::string ok_depth(62, '(');
  ok_depth += "1";
  ok_depth += std::string(62, ')');
  EXPECT_EQ(error_of(ok_depth), "(parsed)");
}

TEST(rule_language, names_bytes_outside_ascii) {
  EXPECT_EQ(error_of("close > 1 \xC3\xA9"), "1:11: unexpected byte 0xC3 (rules are plain ASCII)\nclose > 1 \xC3\xA9\n          ^");
}
