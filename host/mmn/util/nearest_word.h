#pragma once
// The candidate nearest to a word, for "did you mean ...?" in messages.
#include <cstddef>
#include <string>
#include <vector>

namespace mmn {

// Optimal string alignment distance (Levenshtein with adjacent transpositions).
std::size_t edit_distance(const std::string& a, const std::string& b);
// The first candidate at the least edit distance from `word`; "" when there are none.
std::string nearest_word(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace mmn
