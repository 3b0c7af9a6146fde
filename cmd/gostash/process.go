package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/gostash/gostash/internal/filelock"
	"github.com/gostash/gostash/internal/settings"
)

// checkSuperuser applies allow_superuser when it is set: false refuses to
// run as root, as Logstash does, and true runs with Logstash's warning.
// gostash does not refuse root when the setting is left out, where Logstash
// would: existing gostash installs and containers run as root.
func checkSuperuser(st *settings.Settings, runner *slog.Logger) error {
	if os.Geteuid() != 0 || !st.IsSet("allow_superuser") {
		return nil
	}
	if !st.Bool("allow_superuser") {
		return errors.New("Logstash cannot be run as superuser.")
	}
	runner.Warn("NOTICE: Allowing Logstash to run as superuser is heavily discouraged as it poses a security risk. It is strongly recommended to set 'allow_superuser' to false.")
	return nil
}

// lockDataPath makes path.data this process's own, as Logstash does: the
// directory is created when missing, and its .lock held until exit.
func lockDataPath(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("Path \"%s\" must be a writable directory. It is not writable: %v", dir, err)
	}
	l, err := filelock.Acquire(dir, ".lock")
	if errors.Is(err, filelock.ErrLocked) {
		return nil, errors.New(`Logstash could not be started because there is already another instance using the configured data directory.  If you wish to run multiple instances, you must change the "path.data" setting.`)
	}
	if err != nil {
		return nil, fmt.Errorf("Path \"%s\" must be a writable directory. It is not writable: %v", dir, err)
	}
	return func() { l.Release() }, nil
}
