#include "service/catalog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>

#include "common/temp_dir.h"
#include "unit/service/catalog_test_rows.h"

namespace mimeo::service {
namespace {

using testing::handed_out;
using testing::sample_clone;
using testing::sample_hand_out;
using testing::sample_template;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Catalog::open(path_);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    catalog_.emplace(std::move(opened).value());
  }

  void reopen() {
    catalog_.reset();
    auto opened = Catalog::open(path_);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    catalog_.emplace(std::move(opened).value());
  }

  Catalog& catalog() { return *catalog_; }

  mimeo::testing::TempDir dir_;
  std::string path_ = dir_.file("catalog.db");
  std::optional<Catalog> catalog_;
};

TEST_F(CatalogTest, NewFileIsPrivateAndEmpty) {
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(catalog().templates()->empty());
  EXPECT_TRUE(catalog().clones()->empty());
}

TEST_F(CatalogTest, TemplatesRoundTrip) {
  TemplateRecord alpine = sample_template("alpine");
  TemplateRecord debian = sample_template("debian-12.1");
  ASSERT_OK(catalog().add_template(alpine));
  ASSERT_OK(catalog().add_template(debian));
  EXPECT_EQ(catalog().find_template("alpine").value(), alpine);
  EXPECT_EQ(catalog().find_template("nope").value(), std::nullopt);

  ASSERT_OK(catalog().set_template_status("alpine", TemplateStatus::kReady));
  ASSERT_OK(catalog().set_pool_size("alpine", 7));
  alpine.status = TemplateStatus::kReady;
  alpine.pool_size = 7;
  EXPECT_EQ(catalog().templates().value(), (std::vector{alpine, debian}));

  ASSERT_OK(catalog().remove_template("debian-12.1"));
  EXPECT_EQ(catalog().templates().value(), std::vector{alpine});
}

TEST_F(CatalogTest, LargeValuesKeepEveryBit) {
  TemplateRecord big = sample_template("big");
  big.memory_bytes = uint64_t{1} << 62;
  big.created_unix = -1;
  big.dir = std::string(10000, 'd') + "\xc3\xa9";
  ASSERT_OK(catalog().add_template(big));
  EXPECT_EQ(catalog().find_template("big").value(), big);
}

TEST_F(CatalogTest, MissingRowsAreNotFound) {
  for (Status status :
       {catalog().set_template_status("x", TemplateStatus::kReady), catalog().set_pool_size("x", 1),
        catalog().remove_template("x"),
        catalog().set_clone_state("0123456789ab", CloneRecordState::kLost, {}),
        catalog().set_clone_pid("0123456789ab", 5), catalog().remove_clone("0123456789ab"),
        catalog().hand_out_clone("0123456789ab", sample_hand_out("x"))}) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().err, ENOENT) << status.error().describe();
  }
}

TEST_F(CatalogTest, DuplicateTemplateNameExists) {
  ASSERT_OK(catalog().add_template(sample_template("alpine")));
  TemplateRecord again = sample_template("alpine");
  again.dir = "/elsewhere";
  Status added = catalog().add_template(again);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().err, EEXIST);
  EXPECT_EQ(added.error().message, "template \"alpine\" exists");
  EXPECT_EQ(catalog_service_error(added.error()).kind, ErrorKind::kConflict);
  EXPECT_EQ(catalog().find_template("alpine").value(), sample_template("alpine"));
}

TEST_F(CatalogTest, ClonesRoundTrip) {
  ASSERT_OK(catalog().add_template(sample_template("alpine")));
  CloneRecord warm = sample_clone("aaaaaaaaaaaa", "alpine");
  CloneRecord other = sample_clone("bbbbbbbbbbbb", "alpine");
  ASSERT_OK(catalog().add_clone(warm));
  ASSERT_OK(catalog().add_clone(other));
  EXPECT_EQ(catalog().find_clone("aaaaaaaaaaaa").value(), warm);
  EXPECT_EQ(catalog().count_clones_of("alpine").value(), 0u);  // warm ones do not count

  ASSERT_OK(catalog().hand_out_clone("aaaaaaaaaaaa", sample_hand_out("aaaaaaaaaaaa")));
  CloneRecord running = handed_out(warm);
  EXPECT_EQ(catalog().find_clone("aaaaaaaaaaaa").value(), running);
  EXPECT_EQ(catalog().find_clone("clone-aaaaaaaaaaaa").value(), running);  // by name
  EXPECT_EQ(catalog().count_clones_of("alpine").value(), 1u);

  ASSERT_OK(catalog().set_clone_state("aaaaaaaaaaaa", CloneRecordState::kExited,
                                      std::string("guest shut down")));
  ASSERT_OK(catalog().set_clone_pid("bbbbbbbbbbbb", 4242));
  running.state = CloneRecordState::kExited;
  running.reason = "guest shut down";
  other.pid = 4242;
  EXPECT_EQ(catalog().clones().value(), (std::vector{running, other}));

  ASSERT_OK(catalog().set_clone_state("aaaaaaaaaaaa", CloneRecordState::kPaused, std::nullopt));
  EXPECT_EQ(catalog().find_clone("aaaaaaaaaaaa").value()->reason, std::nullopt);

  ASSERT_OK(catalog().remove_clone("bbbbbbbbbbbb"));
  EXPECT_EQ(catalog().find_clone("bbbbbbbbbbbb").value(), std::nullopt);
  EXPECT_EQ(catalog().clones()->size(), 1u);
}

TEST_F(CatalogTest, AnIdWinsOverAnotherClonesNameThatLooksTheSame) {
  ASSERT_OK(catalog().add_template(sample_template("t")));
  CloneRecord named = sample_clone("aaaaaaaaaaaa", "t");
  named.name = "bbbbbbbbbbbb";
  ASSERT_OK(catalog().add_clone(named));
  ASSERT_OK(catalog().add_clone(sample_clone("bbbbbbbbbbbb", "t")));
  EXPECT_EQ(catalog().find_clone("bbbbbbbbbbbb").value()->id, "bbbbbbbbbbbb");
}

TEST_F(CatalogTest, DuplicateCloneNameOrIdExists) {
  ASSERT_OK(catalog().add_template(sample_template("t")));
  ASSERT_OK(catalog().add_clone(sample_clone("aaaaaaaaaaaa", "t")));
  ASSERT_OK(catalog().add_clone(sample_clone("bbbbbbbbbbbb", "t")));
  HandOut web{"web", "uuid-1", 3.5, true, 1800000000};
  ASSERT_OK(catalog().hand_out_clone("aaaaaaaaaaaa", web));

  Status taken = catalog().hand_out_clone("bbbbbbbbbbbb", web);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().err, EEXIST);
  EXPECT_EQ(taken.error().message, "clone name \"web\" is taken");
  EXPECT_EQ(catalog().find_clone("bbbbbbbbbbbb").value(), sample_clone("bbbbbbbbbbbb", "t"));

  CloneRecord named = sample_clone("cccccccccccc", "t");
  named.name = "web";
  Status added = catalog().add_clone(named);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().message, "clone name \"web\" is taken");
  EXPECT_EQ(added.error().err, EEXIST);

  Status same_id = catalog().add_clone(sample_clone("aaaaaaaaaaaa", "t"));
  ASSERT_FALSE(same_id.ok());
  EXPECT_EQ(same_id.error().message, "clone id aaaaaaaaaaaa exists");
  EXPECT_EQ(same_id.error().err, EEXIST);

  // Clones without names do not collide: NULL is not a duplicate.
  ASSERT_OK(catalog().add_clone(sample_clone("dddddddddddd", "t")));
}

TEST_F(CatalogTest, OnlyWarmClonesAreHandedOut) {
  ASSERT_OK(catalog().add_template(sample_template("t")));
  ASSERT_OK(catalog().add_clone(sample_clone("aaaaaaaaaaaa", "t")));
  ASSERT_OK(catalog().hand_out_clone("aaaaaaaaaaaa", sample_hand_out("aaaaaaaaaaaa")));
  Status again = catalog().hand_out_clone("aaaaaaaaaaaa", sample_hand_out("aaaaaaaaaaaa"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "clone aaaaaaaaaaaa is running, not warm");
}

TEST_F(CatalogTest, CloneOfUnknownTemplateIsRefused) {
  Status added = catalog().add_clone(sample_clone("aaaaaaaaaaaa", "ghost"));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().err, ENOENT);
  EXPECT_EQ(added.error().message, "no template \"ghost\"");
}

TEST_F(CatalogTest, TemplateWithClonesIsNotRemoved) {
  ASSERT_OK(catalog().add_template(sample_template("t")));
  ASSERT_OK(catalog().add_clone(sample_clone("aaaaaaaaaaaa", "t")));  // warm ones count here
  Status removed = catalog().remove_template("t");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().err, EBUSY);
  EXPECT_EQ(removed.error().message, "template \"t\" has 1 clone");
  EXPECT_EQ(catalog_service_error(removed.error()).kind, ErrorKind::kConflict);
  EXPECT_TRUE(catalog().find_template("t").value().has_value());

  ASSERT_OK(catalog().remove_clone("aaaaaaaaaaaa"));
  ASSERT_OK(catalog().remove_template("t"));
  EXPECT_FALSE(catalog().find_template("t").value().has_value());
}

TEST_F(CatalogTest, ReopenKeepsEverything) {
  TemplateRecord t = sample_template("t");
  t.status = TemplateStatus::kReady;
  ASSERT_OK(catalog().add_template(t));
  ASSERT_OK(catalog().add_template(sample_template("u")));
  CloneRecord lost = handed_out(sample_clone("aaaaaaaaaaaa", "t"));
  lost.state = CloneRecordState::kLost;
  lost.reason = "the daemon was not running";
  ASSERT_OK(catalog().add_clone(lost));
  ASSERT_OK(catalog().add_clone(sample_clone("bbbbbbbbbbbb", "u")));

  reopen();
  EXPECT_EQ(catalog().templates().value(), (std::vector{t, sample_template("u")}));
  EXPECT_EQ(catalog().clones().value(), (std::vector{lost, sample_clone("bbbbbbbbbbbb", "u")}));
  // The constraints still hold after reopening (foreign keys are per connection).
  EXPECT_EQ(catalog().remove_template("u").error().err, EBUSY);
  EXPECT_EQ(catalog().add_template(sample_template("t")).error().err, EEXIST);
}

TEST_F(CatalogTest, MovedCatalogKeepsWorking) {
  ASSERT_OK(catalog().add_template(sample_template("t")));
  Catalog moved = std::move(*catalog_);
  catalog_.reset();
  EXPECT_TRUE(moved.find_template("t").value().has_value());
  ASSERT_OK(moved.add_template(sample_template("u")));
  EXPECT_EQ(moved.templates()->size(), 2u);
}

TEST(CatalogStateTest, PublicStatesMapBothWays) {
  EXPECT_EQ(public_clone_state(CloneRecordState::kWarm), std::nullopt);
  for (CloneState state : {CloneState::kRunning, CloneState::kPaused, CloneState::kExited,
                           CloneState::kCrashed, CloneState::kLost}) {
    EXPECT_EQ(public_clone_state(record_clone_state(state)), state);
    EXPECT_STREQ(clone_record_state_name(record_clone_state(state)), clone_state_name(state));
  }
}

}  // namespace
}  // namespace mimeo::service
