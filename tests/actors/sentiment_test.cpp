#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "actors/sentiment.hpp"

using namespace osprey::sentiment;

namespace {

// A tiny lexicon so each expected score can be derived by hand.
lexicon hand_lexicon() {
  std::string error;
  auto lex = lexicon::parse("good\t1.9\t0.9\t[2, 2]\n"
                            "bad\t-2.5\t0.7\t[-2, -3]\n"
                            "great\t3.1\t0.5\t[3, 3]\n"
                            ":)\t2.0\t0.6\t[2, 2]\n"
                            "no\t-1.2\t0.7\t[-1, -1]\n",
                            "hand", error);
  EXPECT_TRUE(lex) << error;
  return *lex;
}

double compound_of(double sum) { return sum / std::sqrt(sum * sum + 15.0); }

const std::string lexicon_path = OSPREY_SHARED_DATA "/lexicons/vader_lexicon.txt";

} // namespace

TEST(sentiment_lexicon, parses_vader_format_and_reports_bad_lines_with_origin_and_line) {
  std::string error;
  auto lex = lexicon::parse("good\t1.9\t0.9\t[2]\n\nbad\t-2.5\t0.7\t[-2]\n", "x.txt", error);
  ASSERT_TRUE(lex);
  EXPECT_EQ(lex->size(), 2u);
  ASSERT_NE(lex->find("good"), nullptr);
  EXPECT_DOUBLE_EQ(*lex->find("good"), 1.9);
  EXPECT_FALSE(lexicon::parse("good\t1.9\nbroken line\n", "x.txt", error));
  EXPECT_EQ(error, "x.txt:2: expected `token<TAB>mean<TAB>...`");
  EXPECT_FALSE(lexicon::parse("good\tabc\t0.1\n", "x.txt", error));
  EXPECT_EQ(error, "x.txt:1: mean valence is not a number");
  EXPECT_FALSE(lexicon::load("/nonexistent/lexicon.txt", error));
  EXPECT_EQ(error, "cannot open sentiment lexicon /nonexistent/lexicon.txt");
}

TEST(sentiment_vader, scores_a_single_sentiment_word_with_the_compound_normalisation) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // "The movie is good": sum = 1.9; compound = 1.9 / sqrt(1.9^2 + 15) = 0.44044.
  // pos_sum = 1.9 + 1 = 2.9, three neutral words: pos = 2.9 / 5.9, neu = 3 / 5.9.
  const scores s = a.score("The movie is good");
  EXPECT_NEAR(s.compound, 0.440440, 1e-5);
  EXPECT_NEAR(s.pos, 2.9 / 5.9, 1e-9);
  EXPECT_NEAR(s.neu, 3.0 / 5.9, 1e-9);
  EXPECT_DOUBLE_EQ(s.neg, 0.0);
}

TEST(sentiment_vader, negation_in_the_preceding_words_flips_and_dampens) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // "not good": 1.9 * -0.74 = -1.406; compound = -1.406 / sqrt(1.976836 + 15) = -0.34124.
  EXPECT_NEAR(a.score("The movie is not good").compound, -0.341242, 1e-5);
  // Three words back still negates: "isn't really that good".
  // "really" boosts by 0.293 * 0.95 (two back) -> 1.9 + 0.27835 = 2.17835,
  // then "isn't" three back negates: -1.611979; compound = -0.38410.
  EXPECT_NEAR(a.score("it isn't really that good").compound,
              compound_of(-(1.9 + 0.293 * 0.95) * 0.74), 1e-9);
  // Four words back does not: "not" is outside the window.
  EXPECT_GT(a.score("not the movie they said good").compound, 0.0);
  // "no good": "no" scores nothing itself and negates.
  EXPECT_NEAR(a.score("no good").compound, compound_of(1.9 * -0.74), 1e-9);
}

TEST(sentiment_vader, all_caps_word_is_emphasised_only_in_mixed_case_text) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // "GOOD" among lower-case words: 1.9 + 0.733 = 2.633; compound = 0.56222.
  EXPECT_NEAR(a.score("The movie is GOOD").compound, compound_of(2.633), 1e-9);
  EXPECT_NEAR(a.score("The movie is GOOD").compound, 0.562220, 1e-5);
  // A text that is all caps has no differential: plain 1.9.
  EXPECT_NEAR(a.score("THE MOVIE IS GOOD").compound, compound_of(1.9), 1e-9);
}

TEST(sentiment_vader, boosters_and_dampeners_scale_the_next_sentiment_word) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // "very good": 1.9 + 0.293 = 2.193; compound = 2.193 / sqrt(4.809249 + 15) = 0.49272.
  EXPECT_NEAR(a.score("The movie is very good").compound, 0.492723, 1e-5);
  // "slightly good": 1.9 - 0.293.
  EXPECT_NEAR(a.score("slightly good").compound, compound_of(1.607), 1e-9);
  // A booster two words back counts 95%: "very much good" -> 1.9 + 0.293 * 0.95.
  EXPECT_NEAR(a.score("very much good").compound, compound_of(1.9 + 0.27835), 1e-9);
  // For a negative word the booster pushes further down: "very bad" -> -2.793.
  EXPECT_NEAR(a.score("very bad").compound, compound_of(-2.793), 1e-9);
  // An all-caps booster in mixed text adds the caps increment too: 0.293 + 0.733.
  EXPECT_NEAR(a.score("it is VERY good").compound, compound_of(1.9 + 1.026), 1e-9);
  // "kind of good": the dampener phrase lowers by 0.293 and "kind" scores nothing.
  EXPECT_NEAR(a.score("kind of good").compound, compound_of(1.607), 1e-9);
}

TEST(sentiment_vader, but_halves_what_comes_before_and_boosts_what_follows) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // good * 0.5 + bad * 1.5 = 0.95 - 3.75 = -2.8; compound = -2.8 / sqrt(7.84 + 15) = -0.58588.
  EXPECT_NEAR(a.score("The food is good but the service is bad").compound, -0.585881, 1e-5);
  // Without "but" the positive and negative nearly cancel: 1.9 - 2.5 = -0.6.
  EXPECT_NEAR(a.score("The food is good and the service is bad").compound, compound_of(-0.6),
              1e-9);
}

TEST(sentiment_vader, exclamation_marks_add_emphasis_up_to_four) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // "good!!": 1.9 + 2 * 0.292 = 2.484; compound = 2.484 / sqrt(6.170256 + 15) = 0.53987.
  EXPECT_NEAR(a.score("The movie is good!!").compound, 0.539868, 1e-5);
  // Ten marks count as four: 1.9 + 4 * 0.292 = 3.068.
  EXPECT_NEAR(a.score("good!!!!!!!!!!").compound, compound_of(3.068), 1e-9);
  // The emphasis follows the sign: "bad!!" -> -2.5 - 0.584.
  EXPECT_NEAR(a.score("bad!!").compound, compound_of(-3.084), 1e-9);
}

TEST(sentiment_vader, question_marks_add_emphasis_from_two_on) {
  auto a = analyzer::plain_vader(hand_lexicon());
  EXPECT_NEAR(a.score("good?").compound, compound_of(1.9), 1e-9);
  EXPECT_NEAR(a.score("good??").compound, compound_of(1.9 + 0.36), 1e-9);
  EXPECT_NEAR(a.score("good?????").compound, compound_of(1.9 + 0.96), 1e-9);
}

TEST(sentiment_vader, never_so_intensifies_and_least_negates) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // "never so good": "so" boosts (1.9 + 0.293), "never so" multiplies by 1.25 = 2.74125.
  EXPECT_NEAR(a.score("never so good").compound, compound_of(2.193 * 1.25), 1e-9);
  // "least good" negates; "at least good" does not.
  EXPECT_NEAR(a.score("the least good").compound, compound_of(1.9 * -0.74), 1e-9);
  EXPECT_NEAR(a.score("at least good").compound, compound_of(1.9), 1e-9);
}

TEST(sentiment_vader, emoticons_keep_their_punctuation_and_words_lose_theirs) {
  auto a = analyzer::plain_vader(hand_lexicon());
  EXPECT_NEAR(a.score("see you :)").compound, compound_of(2.0), 1e-9);
  // "good," and "(good)" are the word "good".
  EXPECT_NEAR(a.score("(good),").compound, compound_of(1.9), 1e-9);
}

TEST(sentiment_vader, compound_stays_within_bounds_for_extreme_text) {
  auto a = analyzer::plain_vader(hand_lexicon());
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "GREAT great ";
  const scores s = a.score(text + "!!!!");
  EXPECT_LE(s.compound, 1.0);
  EXPECT_GT(s.compound, 0.99);
  EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0, 1e-9);
}

TEST(sentiment_bad_input, empty_text_is_neutral) {
  auto a = analyzer::plain_vader(hand_lexicon());
  const scores s = a.score("");
  EXPECT_DOUBLE_EQ(s.compound, 0.0);
  EXPECT_DOUBLE_EQ(s.neu, 1.0);
  EXPECT_DOUBLE_EQ(s.pos, 0.0);
  EXPECT_DOUBLE_EQ(s.neg, 0.0);
  EXPECT_DOUBLE_EQ(a.score("   \t\n ").neu, 1.0);
}

TEST(sentiment_bad_input, punctuation_only_is_neutral) {
  auto a = analyzer::finance_model(hand_lexicon());
  const scores s = a.score("!!! ??? ... ,,, ---");
  EXPECT_DOUBLE_EQ(s.compound, 0.0);
  EXPECT_DOUBLE_EQ(s.neu, 1.0);
}

TEST(sentiment_bad_input, invalid_utf8_and_latin1_bytes_are_scored_without_harm) {
  auto a = analyzer::finance_model(hand_lexicon());
  // Latin-1 'ä' (0xe4), a lone continuation byte, a truncated sequence, NUL.
  const std::string text = std::string("Nokia\xe4 \x80\xbf good \xc3") + std::string(1, '\0') + "x";
  const scores s = a.score(text);
  EXPECT_NEAR(s.compound, compound_of(1.9), 1e-9);
  EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0, 1e-9);
}

TEST(sentiment_bad_input, very_long_text_is_truncated_to_the_limit) {
  auto a = analyzer::plain_vader(hand_lexicon());
  // Good words first, then enough neutral padding to pass the limit, then bad
  // words that fall beyond it and must not count.
  std::string text = "good good ";
  while (text.size() < max_text_bytes)
    text += "padding ";
  for (int i = 0; i < 1000; ++i)
    text += "bad ";
  const scores s = a.score(text);
  EXPECT_NEAR(s.compound, compound_of(3.8), 1e-9);
  EXPECT_DOUBLE_EQ(s.neg, 0.0);
}

TEST(sentiment_classify, applies_the_neutral_band_symmetrically) {
  EXPECT_EQ(classify(0.2, 0.3), polarity::neutral);
  EXPECT_EQ(classify(-0.2, 0.3), polarity::neutral);
  EXPECT_EQ(classify(0.3, 0.3), polarity::positive);
  EXPECT_EQ(classify(-0.31, 0.3), polarity::negative);
  EXPECT_EQ(classify(0.0, 0.0), polarity::neutral);
  EXPECT_EQ(to_string(polarity::negative), "negative");
}

TEST(sentiment_vader_file, matches_hand_derived_scores_with_the_real_lexicon) {
  if (!std::filesystem::exists(lexicon_path))
    FAIL() << "VADER lexicon not found at " << lexicon_path;
  std::string error;
  auto lex = lexicon::load(lexicon_path, error);
  ASSERT_TRUE(lex) << error;
  EXPECT_GT(lex->size(), 7000u);
  auto a = analyzer::plain_vader(*lex);
  // smart 1.7 + handsome 2.2 + funny 1.9 = 5.8; compound = 5.8 / sqrt(33.64 + 15) = 0.83163.
  EXPECT_NEAR(a.score("VADER is smart, handsome, and funny.").compound, 0.831632, 1e-5);
  // One "!" adds 0.292: 6.092 / sqrt(37.112464 + 15) = 0.84390.
  EXPECT_NEAR(a.score("VADER is smart, handsome, and funny!").compound, 0.843896, 1e-5);
  // The file lists "lol" twice (2.9, then 1.8 further down); the later line
  // wins, as it does when the file is read into a dictionary.
  ASSERT_NE(lex->find("lol"), nullptr);
  EXPECT_DOUBLE_EQ(*lex->find("lol"), 1.8);
}

TEST(sentiment_finance, overrides_words_general_lexicons_get_wrong) {
  auto general = hand_lexicon();
  general.set("gross", -2.1); // as in the VADER lexicon
  auto plain = analyzer::plain_vader(general);
  auto fin = analyzer::finance_model(general);
  // "gross" margin is not disgusting.
  EXPECT_LT(plain.score("gross margin").compound, 0.0);
  EXPECT_DOUBLE_EQ(fin.score("gross margin").compound, 0.0);
  // Missing from the general lexicon, present in the finance one.
  EXPECT_DOUBLE_EQ(plain.score("Analyst downgrade").compound, 0.0);
  EXPECT_LT(fin.score("Analyst downgrade").compound, -0.3);
  EXPECT_LT(fin.score("Company files for bankruptcy").compound, -0.5);
  EXPECT_GT(fin.score("Shares surge after upgrade").compound, 0.5);
}

TEST(sentiment_finance, phrase_rules_give_estimates_and_guidance_their_direction) {
  auto fin = analyzer::finance_model(hand_lexicon());
  // Verb + object phrases score 2.0: compound = 2 / sqrt(4 + 15) = 0.45883.
  EXPECT_NEAR(fin.score("Acme beat estimates").compound, compound_of(2.0), 1e-9);
  EXPECT_NEAR(fin.score("Acme missed expectations").compound, compound_of(-2.0), 1e-9);
  EXPECT_NEAR(fin.score("Acme cut guidance").compound, compound_of(-2.0), 1e-9);
  EXPECT_NEAR(fin.score("Acme raised guidance").compound, compound_of(2.0), 1e-9);
  EXPECT_NEAR(fin.score("Acme guidance raised").compound, compound_of(2.0), 1e-9);
  EXPECT_NEAR(fin.score("record revenue").compound, compound_of(2.0), 1e-9);
  // Negation still applies on top: "did not beat estimates" -> 2.0 * -0.74.
  EXPECT_NEAR(fin.score("Acme did not beat estimates").compound, compound_of(-1.48), 1e-9);
}

TEST(sentiment_finance, direction_verbs_take_their_sign_from_the_subject) {
  auto fin = analyzer::finance_model(hand_lexicon());
  // A plain move: "rose" scores at least 1.5; a percentage adds 0.5.
  EXPECT_NEAR(fin.score("Net sales rose").compound, compound_of(1.5), 1e-9);
  EXPECT_NEAR(fin.score("Net sales rose 12 %").compound, compound_of(2.0), 1e-9);
  EXPECT_NEAR(fin.score("Net sales rose 12%").compound, compound_of(2.0), 1e-9);
  EXPECT_NEAR(fin.score("Operating profit fell 5 percent").compound, compound_of(-2.0), 1e-9);
  // A loss or a cost going down is good news; going up is bad news.
  EXPECT_GT(fin.score("Operating loss decreased to EUR 1.2 mn").compound, 0.3);
  EXPECT_GT(fin.score("Metsaliitto narrowed its net loss").compound, 0.3);
  EXPECT_LT(fin.score("Costs increased sharply").compound, -0.3);
  // Moving into a loss is bad whatever the verb: "slipped to a net loss".
  EXPECT_LT(fin.score("Comptel slipped to a net loss of EUR2.1m from a profit of EUR6.6m").compound,
            -0.3);
  // The baseline after "from" is not news: "up from the loss of EUR0.02".
  EXPECT_GT(fin.score("EPS amounted to EUR0.98 , up from the loss of EUR0.02").compound, 0.3);
}

TEST(sentiment_finance, scoring_twice_gives_the_same_result) {
  auto fin = analyzer::finance_model(hand_lexicon());
  const scores a = fin.score("Operating loss narrowed but guidance was cut!!");
  fin.score("something else entirely, very good");
  const scores b = fin.score("Operating loss narrowed but guidance was cut!!");
  EXPECT_DOUBLE_EQ(a.compound, b.compound);
  EXPECT_DOUBLE_EQ(a.pos, b.pos);
}
