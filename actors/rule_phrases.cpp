#include "actors/rule_phrases.hpp"
