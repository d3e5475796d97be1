#pragma once
// An output directory that appears under its name only when complete: its
// contents are built in a sibling "<dir>.incomplete-<pid>" and renamed into place
// by commit(). Destruction without commit() removes the staging directory, and an
// interrupted process leaves only that directory, never `dir`.
#include <string>

namespace mmn::synth {

// Name of the marker file that says a directory is an `mmn synth` output.
inline constexpr const char* kSynthManifestName = "synth.json";

class StagedDirectory {
 public:
  // Fails when `dir` exists, unless `overwrite` and `dir` is an empty directory or an
  // earlier mmn synth output (holds synth.json): anything else is never replaced.
  // Creates missing parent directories.
  StagedDirectory(std::string dir, bool overwrite);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  const std::string& final_path() const { return dir_; }
  const std::string& staging_path() const { return staging_; }
  std::string staged(const std::string& name) const;  // staging_path() / name
  // Moves the staging directory into place (replacing an old output) and syncs the parent.
  void commit();

 private:
  std::string dir_;
  std::string staging_;
  bool overwrite_ = false;
  bool committed_ = false;
};

}  // namespace mmn::synth
