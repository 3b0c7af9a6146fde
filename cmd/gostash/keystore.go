package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gostash/gostash/internal/keystore"
	"github.com/gostash/gostash/lang"
)

// secretLookup resolves ${VAR} as Logstash does: from logstash.keystore in
// the settings directory first (when there is one), then the environment.
func secretLookup(settingsDir string) (lang.LookupFunc, error) {
	if settingsDir == "" {
		return lang.EnvLookup, nil
	}
	return keystoreLookup(filepath.Join(settingsDir, keystore.KeystoreFile))
}

// keystoreLookup resolves ${VAR} from the keystore at path (when it
// exists), then the environment.
func keystoreLookup(path string) (lang.LookupFunc, error) {
	ks, err := keystore.OpenIfExists(path, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("opening the keystore: %w", err)
	}
	if ks == nil {
		return lang.EnvLookup, nil
	}
	return func(name string) (string, bool) {
		if v, ok := ks.Get(name); ok {
			return v, true
		}
		return os.LookupEnv(name)
	}, nil
}
