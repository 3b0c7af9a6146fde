package monitor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroupRoot is where the cgroup file systems are mounted; tests point it
// at a fake tree.
var cgroupRoot = "/sys/fs/cgroup"

// cgroupSelf is the process's cgroup membership file.
var cgroupSelf = "/proc/self/cgroup"

// cgroupStats is Logstash's os.cgroup section: CPU usage, quota and
// throttling of the process's cgroup (v1 cpu and cpuacct controllers, or
// the v2 unified hierarchy). ok is false outside cgroups.
func cgroupStats() (stats obj, ok bool) {
	data, err := os.ReadFile(cgroupSelf)
	if err != nil {
		return nil, false
	}
	groups := map[string]string{} // controller -> group path; "" is the v2 unified group
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			groups[c] = parts[2]
		}
	}
	if cpuGroup, v1 := groups["cpu"]; v1 {
		acctGroup := groups["cpuacct"]
		cpuDir := groupDir("cpu", cpuGroup)
		acctDir := groupDir("cpuacct", acctGroup)
		usage, err1 := readInt(filepath.Join(acctDir, "cpuacct.usage"))
		period, err2 := readInt(filepath.Join(cpuDir, "cpu.cfs_period_us"))
		quota, err3 := readInt(filepath.Join(cpuDir, "cpu.cfs_quota_us"))
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, false
		}
		stat := readKeyValues(filepath.Join(cpuDir, "cpu.stat"))
		return cgroupSection(acctGroup, usage, cpuGroup, period, quota, stat["nr_periods"], stat["nr_throttled"], stat["throttled_time"]), true
	}
	group, v2 := groups[""]
	if !v2 {
		return nil, false
	}
	dir := groupDir("", group)
	stat := readKeyValues(filepath.Join(dir, "cpu.stat"))
	usage, hasUsage := stat["usage_usec"]
	if !hasUsage {
		return nil, false
	}
	quota, period := int64(-1), int64(100000)
	if limits, err := os.ReadFile(filepath.Join(dir, "cpu.max")); err == nil {
		f := strings.Fields(string(limits))
		if len(f) == 2 {
			if q, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				quota = q
			}
			if p, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				period = p
			}
		}
	}
	return cgroupSection(group, usage*1000, group, period, quota, stat["nr_periods"], stat["nr_throttled"], stat["throttled_usec"]*1000), true
}

func cgroupSection(acctGroup string, usageNanos int64, cpuGroup string, period, quota, periods, throttled, throttledNanos int64) obj {
	return obj{
		{"cpuacct", obj{{"control_group", acctGroup}, {"usage_nanos", usageNanos}}},
		{"cpu", obj{{"control_group", cpuGroup}, {"cfs_period_micros", period}, {"cfs_quota_micros", quota},
			{"stat", obj{{"number_of_elapsed_periods", periods}, {"number_of_times_throttled", throttled},
				{"time_throttled_nanos", throttledNanos}}}}},
	}
}

// groupDir is a cgroup's directory under a controller's mount. Inside a
// container the group path names the host's hierarchy, which is not
// mounted there; the container's own group is then the mount's root.
func groupDir(controller, group string) string {
	dir := filepath.Join(cgroupRoot, controller, group)
	if controller == "" {
		dir = filepath.Join(cgroupRoot, group)
	}
	if _, err := os.Stat(dir); err != nil {
		return filepath.Join(cgroupRoot, controller)
	}
	return dir
}

func readInt(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
}

// readKeyValues reads "key value" lines (cpu.stat).
func readKeyValues(path string) map[string]int64 {
	out := map[string]int64{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[k] = n
			}
		}
	}
	return out
}
