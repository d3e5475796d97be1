#pragma once
// The parsers under test read files: each fuzz input is written to one scratch file per
// process (in /dev/shm when there is one), reused for every input.
#include <cstddef>
#include <cstdint>
#include <string>

namespace mmn::fuzz {

// Writes `data` to the scratch file named `name` and returns its path.
const std::string& write_input_file(const std::string& name, const std::uint8_t* data, std::size_t size);

}  // namespace mmn::fuzz
