#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actors/news_events.hpp"

using namespace osprey::sentiment;

namespace {

// Returns the confidence of `tag` in `text`, or 0 when it is not tagged.
double tagged(const std::string& text, event_tag tag) {
  for (const auto& h : detect_events(text))
    if (h.tag == tag)
      return h.confidence;
  return 0.0;
}

struct case_t {
  const char* text;
  event_tag tag;
};

} // namespace

TEST(sentiment_events, tags_real_looking_headlines_for_every_event) {
  const case_t cases[] = {
    {"Apple beats Wall Street estimates on strong iPhone sales", event_tag::earnings_beat},
    {"Nvidia tops consensus as data-center revenue soars", event_tag::earnings_beat},
    {"Intel Q3 earnings beat; shares jump", event_tag::earnings_beat},
    {"Target misses profit expectations, cuts forecast", event_tag::earnings_miss},
    {"Snap falls short of revenue estimates", event_tag::earnings_miss},
    {"Netflix fails to beat subscriber estimates", event_tag::earnings_miss},
    {"Microsoft raises full-year guidance", event_tag::guidance_raised},
    {"Ford guidance raised after strong truck demand", event_tag::guidance_raised},
    {"FedEx cuts its fiscal 2024 outlook", event_tag::guidance_cut},
    {"Daimler issues profit warning", event_tag::guidance_cut},
    {"FDA approves Vertex's sickle cell therapy", event_tag::fda_approval},
    {"Biogen wins FDA approval for Alzheimer's drug", event_tag::fda_approval},
    {"FDA rejects Spectrum's lung cancer drug", event_tag::fda_rejection},
    {"Company receives complete response letter from FDA", event_tag::fda_rejection},
    {"Microsoft to acquire Activision Blizzard for $69 billion", event_tag::merger_acquisition},
    {"Pfizer agrees to buy Seagen", event_tag::merger_acquisition},
    {"Exxon, Pioneer announce merger", event_tag::merger_acquisition},
    {"Rivian prices $1.5 billion secondary share offering", event_tag::share_offering},
    {"AMC stock sinks on dilution fears", event_tag::share_offering},
    {"Apple announces $90 billion buyback", event_tag::buyback},
    {"Meta to buy back an extra $50 billion of shares", event_tag::buyback},
    {"Tesla sued by shareholders over Autopilot claims", event_tag::lawsuit_investigation},
    {"SEC opens probe into Nikola", event_tag::lawsuit_investigation},
    {"Goldman upgrades Boeing to buy", event_tag::analyst_upgrade},
    {"Morgan Stanley raises price target on Nvidia", event_tag::analyst_upgrade},
    {"Moody's downgrades Credit Suisse to junk", event_tag::analyst_downgrade},
    {"Intel downgraded to sell at Bank of America", event_tag::analyst_downgrade},
    {"Hindenburg Research publishes report on Adani", event_tag::short_report},
    {"Shares fall after short seller report alleges accounting fraud", event_tag::short_report},
  };
  for (const auto& c : cases)
    EXPECT_GE(tagged(c.text, c.tag), 0.5) << c.text << " should be " << to_string(c.tag);
}

TEST(sentiment_events, leaves_near_misses_untagged) {
  const case_t cases[] = {
    {"Lakers beat Celtics in overtime", event_tag::earnings_beat},
    {"Beats headphones get a new color", event_tag::earnings_beat},
    {"Fans will miss the old design", event_tag::earnings_miss},
    {"Company raises prices on subscriptions", event_tag::guidance_raised},
    {"Startup raises $50 million in funding", event_tag::guidance_raised},
    {"Analysts cut price target on Tesla", event_tag::guidance_cut},
    {"Company seeks FDA approval for new drug", event_tag::fda_approval},
    {"Awaiting FDA approval, shares drift", event_tag::fda_approval},
    {"FDA approval decision expected in May", event_tag::fda_approval},
    {"Company denies merger talks", event_tag::merger_acquisition},
    {"Analysts say buy the dip", event_tag::merger_acquisition},
    {"Company calls off merger with rival", event_tag::merger_acquisition},
    {"New product offering for small businesses", event_tag::share_offering},
    {"Bank suspends buyback amid capital concerns", event_tag::buyback},
    {"NASA's space probe reaches Jupiter", event_tag::lawsuit_investigation},
    {"Regulator finds no investigation needed", event_tag::lawsuit_investigation},
    {"Microsoft upgrades Windows security features", event_tag::analyst_upgrade},
    {"City downgrades storm warning", event_tag::analyst_downgrade},
    {"Short-term yields rise", event_tag::short_report},
    {"Revenue falls short of nothing; short interest steady", event_tag::short_report},
  };
  for (const auto& c : cases)
    EXPECT_EQ(tagged(c.text, c.tag), 0.0) << c.text << " must not be " << to_string(c.tag);
}

TEST(sentiment_events, negation_suppresses_tags_or_turns_a_beat_into_a_miss) {
  EXPECT_EQ(tagged("Company did not raise guidance", event_tag::guidance_raised), 0.0);
  EXPECT_EQ(tagged("Company has no plans to acquire rivals", event_tag::merger_acquisition), 0.0);
  EXPECT_EQ(tagged("FDA did not approve the drug", event_tag::fda_approval), 0.0);
  EXPECT_GE(tagged("FDA did not approve the drug", event_tag::fda_rejection), 0.5);
  EXPECT_EQ(tagged("Company didn't beat estimates", event_tag::earnings_beat), 0.0);
  EXPECT_GE(tagged("Company didn't beat estimates", event_tag::earnings_miss), 0.5);
}

TEST(sentiment_events, confidence_is_higher_for_specific_evidence) {
  const double deal = tagged("Microsoft to acquire Activision", event_tag::merger_acquisition);
  const double rumour = tagged("Microsoft in talks to acquire Activision", event_tag::merger_acquisition);
  EXPECT_GT(deal, rumour);
  EXPECT_GT(rumour, 0.0);
  EXPECT_GT(tagged("Apple beats estimates", event_tag::earnings_beat),
            tagged("Apple earnings beat", event_tag::earnings_beat) - 1e-12);
}

TEST(sentiment_events, one_headline_can_carry_several_tags_each_once) {
  const auto hits =
    detect_events("Target misses estimates, cuts outlook; misses again on revenue expectations");
  int misses = 0, cuts = 0;
  for (const auto& h : hits) {
    misses += h.tag == event_tag::earnings_miss;
    cuts += h.tag == event_tag::guidance_cut;
    EXPECT_GT(h.confidence, 0.0);
    EXPECT_LE(h.confidence, 1.0);
  }
  EXPECT_EQ(misses, 1);
  EXPECT_EQ(cuts, 1);
}

TEST(sentiment_events, bad_input_gives_no_tags) {
  EXPECT_TRUE(detect_events("").empty());
  EXPECT_TRUE(detect_events("!!! ??? ...").empty());
  EXPECT_TRUE(detect_events(std::string("\xff\xfe\x80 \xc3")).empty());
  std::string long_text;
  for (int i = 0; i < 20000; ++i)
    long_text += "lorem ipsum ";
  EXPECT_TRUE(detect_events(long_text).empty());
}
