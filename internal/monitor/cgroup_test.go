package monitor

import (
	"os"
	"path/filepath"
	"testing"
)

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fakeCgroups(t *testing.T, self string, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	writeTree(t, dir, map[string]string{"self": self})
	oldRoot, oldSelf := cgroupRoot, cgroupSelf
	cgroupRoot, cgroupSelf = filepath.Join(dir, "fs"), filepath.Join(dir, "self")
	t.Cleanup(func() { cgroupRoot, cgroupSelf = oldRoot, oldSelf })
}

func TestCgroupV1(t *testing.T) {
	// The group named in /proc/self/cgroup is the host's; inside the
	// container only the mount root exists, and is used.
	fakeCgroups(t, "12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n", map[string]string{
		"fs/cpu/cpu.cfs_period_us":  "100000\n",
		"fs/cpu/cpu.cfs_quota_us":   "150000\n",
		"fs/cpu/cpu.stat":           "nr_periods 10\nnr_throttled 2\nthrottled_time 3000\n",
		"fs/cpuacct/cpuacct.usage":  "123456789\n",
		"fs/memory/memory.usage_in": "1\n",
	})
	got, ok := cgroupStats()
	want := `{"cpuacct":{"control_group":"/docker/abc","usage_nanos":123456789},"cpu":{"control_group":"/docker/abc","cfs_period_micros":100000,"cfs_quota_micros":150000,"stat":{"number_of_elapsed_periods":10,"number_of_times_throttled":2,"time_throttled_nanos":3000}}}`
	if !ok || string(appendJSON(nil, got, false)) != want {
		t.Errorf("got %s %v\nwant %s", appendJSON(nil, got, false), ok, want)
	}
}

func TestCgroupV2(t *testing.T) {
	fakeCgroups(t, "0::/user.slice/gostash\n", map[string]string{
		"fs/user.slice/gostash/cpu.stat": "usage_usec 2000\nuser_usec 1500\nnr_periods 5\nnr_throttled 1\nthrottled_usec 7\n",
		"fs/user.slice/gostash/cpu.max":  "max 100000\n",
	})
	got, ok := cgroupStats()
	want := `{"cpuacct":{"control_group":"/user.slice/gostash","usage_nanos":2000000},"cpu":{"control_group":"/user.slice/gostash","cfs_period_micros":100000,"cfs_quota_micros":-1,"stat":{"number_of_elapsed_periods":5,"number_of_times_throttled":1,"time_throttled_nanos":7000}}}`
	if !ok || string(appendJSON(nil, got, false)) != want {
		t.Errorf("got %s %v\nwant %s", appendJSON(nil, got, false), ok, want)
	}
}

func TestNoCgroups(t *testing.T) {
	fakeCgroups(t, "", map[string]string{})
	if got, ok := cgroupStats(); ok {
		t.Errorf("no cgroups: %v", got)
	}
}
