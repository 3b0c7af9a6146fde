package keystore

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// PasswordEnv is the environment variable that holds the keystore password.
const PasswordEnv = "LOGSTASH_KEYSTORE_PASS"

const (
	urnPrefix = "urn:logstash:secret:v1:"
	markerKey = "keystore.seed"
	// filePerm is what Logstash gives a new keystore whatever the umask, so
	// that a keystore created by root stays readable by the logstash user.
	filePerm = 0o644
)

// keyPattern is Logstash's rule for secret key names, the same as for
// ${VAR} names.
var keyPattern = regexp.MustCompile(`^[a-zA-Z_.][a-zA-Z0-9_.]*$`)

// Kinds of failure, for errors.Is. The error itself carries Logstash's
// message for it.
var (
	ErrNotFound      = errors.New("keystore not found")
	ErrExists        = errors.New("keystore already exists")
	ErrWrongPassword = errors.New("wrong keystore password")
	ErrCorrupt       = errors.New("not a valid Logstash keystore")
	ErrEmptyPassword = errors.New("empty keystore password")
	ErrInvalidKey    = errors.New("invalid secret key name")
	ErrEmptyValue    = errors.New("empty secret value")
	ErrNoSuchKey     = errors.New("no such secret key")
	ErrLocked        = errors.New("keystore locked by another process")
)

// Error is a keystore failure: Kind is one of the Err values above, Msg
// Logstash's wording for it, Cause what went wrong underneath, if known.
type Error struct {
	Kind  error
	Msg   string
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Msg + " (" + e.Cause.Error() + ")"
	}
	return e.Msg
}

// Is makes errors.Is(err, ErrWrongPassword) and the like work.
func (e *Error) Is(target error) bool { return target == e.Kind }

func (e *Error) Unwrap() error { return e.Cause }

// Store is an open keystore. Changes stay in memory until Save.
type Store struct {
	path string
	// password is the PKCS12 password as the JDK receives it: always ASCII.
	password string
	// defaultPassword says the password is the generated one that Save
	// appends, obfuscated, after the PKCS12 data.
	defaultPassword bool
	prot            protection
	entries         []secretEntry
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// EnvPassword is the keystore password as Logstash takes it from
// LOGSTASH_KEYSTORE_PASS: "" when the variable is unset (the store then uses
// its default password), an error when it is set but empty.
func EnvPassword(path string, lookupEnv func(string) (string, bool)) (string, error) {
	pass, ok := lookupEnv(PasswordEnv)
	if ok && pass == "" {
		return "", &Error{Kind: ErrEmptyPassword, Msg: fmt.Sprintf(
			"Empty keystore passwords are not allowed. Please ensure configured password is not empty for Logstash keystore %s.", absPath(path))}
	}
	return pass, nil
}

// OpenIfExists opens the keystore at path the way Logstash does at start-up
// to resolve ${VAR}: no store and no error when there is no file, the
// password from LOGSTASH_KEYSTORE_PASS (looked up with lookupEnv) or else
// the default one.
func OpenIfExists(path string, lookupEnv func(string) (string, bool)) (*Store, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	pass, err := EnvPassword(path, lookupEnv)
	if err != nil {
		return nil, err
	}
	return Open(path, pass)
}

// Open reads the keystore at path. An empty password means the default
// password, which Logstash keeps obfuscated at the end of the file.
func Open(path, password string) (*Store, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Kind: ErrNotFound, Cause: err, Msg: fmt.Sprintf(
			"Can not find Logstash keystore at %s. Please verify this file exists and is a valid Logstash keystore.", path)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Logstash keystore: %w", err)
	}
	s := &Store{path: path}
	if password == "" {
		s.defaultPassword = true
		if s.password, err = trailerPassword(data, path); err != nil {
			return nil, err
		}
	} else {
		s.password = jdkPassword(password)
	}
	s.entries, s.prot, err = decodePKCS12(data, s.password)
	if errors.Is(err, errMAC) {
		return nil, &Error{Kind: ErrWrongPassword, Cause: err, Msg: fmt.Sprintf(
			"Can not access Logstash keystore at %s. Please verify correct file permissions and keystore password.", absPath(path))}
	}
	if err == nil {
		err = checkValues(s.entries)
	}
	if err != nil {
		return nil, &Error{Kind: ErrCorrupt, Cause: err, Msg: fmt.Sprintf(
			"Found a file at %s, but it is not a valid Logstash keystore.", absPath(path))}
	}
	for i := range s.entries {
		s.entries[i].alias = strings.ToLower(s.entries[i].alias)
	}
	if s.find(markerKey) < 0 {
		return nil, &Error{Kind: ErrCorrupt, Msg: fmt.Sprintf(
			"Found a keystore at %s, but it is not a Logstash keystore.", absPath(path))}
	}
	return s, nil
}

// checkValues makes sure every secret decodes, so that Get cannot fail.
func checkValues(entries []secretEntry) error {
	for _, e := range entries {
		if _, err := base64.StdEncoding.DecodeString(string(e.key)); err != nil {
			return fmt.Errorf("the value of %q is not Base64: %w", e.alias, err)
		}
	}
	return nil
}

// trailerPassword recovers the default password: the file's last byte is a
// length n, the n bytes before it are the password XORed with random bytes
// followed by those random bytes.
func trailerPassword(data []byte, path string) (string, error) {
	if len(data) == 0 {
		return "", &Error{Kind: ErrCorrupt, Msg: fmt.Sprintf(
			"Could not determine keystore password. Keystore file is empty. Please ensure the file at %s is a valid Logstash keystore", absPath(path))}
	}
	n := int(data[len(data)-1])
	if n == 0 || len(data) < n+1 {
		return "", &Error{Kind: ErrCorrupt, Msg: fmt.Sprintf(
			"Could not determine keystore password. Please ensure the file at %s is a valid Logstash keystore", absPath(path))}
	}
	b := data[len(data)-1-n : len(data)-1]
	pass := make([]byte, n-n/2)
	for i := range pass {
		pass[i] = b[i] ^ b[n/2+i]
	}
	return string(pass), nil
}

// jdkPassword is the password Logstash hands the JDK: as typed when it is
// ASCII, otherwise the Base64 of the low byte of each UTF-16 unit.
func jdkPassword(p string) string {
	ascii := true
	for i := 0; i < len(p); i++ {
		if p[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return p
	}
	units := utf16.Encode([]rune(p))
	low := make([]byte, len(units))
	for i, u := range units {
		low[i] = byte(u)
	}
	return base64.StdEncoding.EncodeToString(low)
}

func newDefaultPassword() string {
	return base64.StdEncoding.EncodeToString(randomBytes(32))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return an error
	return b
}

// Create makes a new keystore at path holding only Logstash's marker entry.
// An empty password means the default password. An existing file is an
// error unless force is set, when it is replaced.
func Create(path, password string, force bool) (*Store, error) {
	if _, err := os.Stat(path); err == nil {
		if !force {
			return nil, &Error{Kind: ErrExists, Msg: fmt.Sprintf("Logstash keystore at %s already exists.", path)}
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("replacing the Logstash keystore: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return nil, fmt.Errorf("Error while trying to create the Logstash keystore. Please ensure that path to %s exists and is writable: %w", absPath(path), err)
	}
	f.Close()
	s := &Store{path: path, prot: modernProtection}
	s.setPassword(password)
	s.put(markerKey, []byte(markerKey))
	if err := s.Save(); err != nil {
		os.Remove(path)
		return nil, err
	}
	if err := os.Chmod(path, filePerm); err != nil {
		return nil, fmt.Errorf("setting the permissions of the Logstash keystore: %w", err)
	}
	return s, nil
}

func (s *Store) setPassword(password string) {
	s.defaultPassword = password == ""
	if s.defaultPassword {
		s.password = newDefaultPassword()
	} else {
		s.password = jdkPassword(password)
	}
}

// Path is the keystore's file.
func (s *Store) Path() string { return s.path }

// UsesDefaultPassword says the store is protected by the generated password
// kept in the file, not by one from LOGSTASH_KEYSTORE_PASS.
func (s *Store) UsesDefaultPassword() bool { return s.defaultPassword }

func (s *Store) find(key string) int {
	alias := urnPrefix + strings.ToLower(key)
	return slices.IndexFunc(s.entries, func(e secretEntry) bool { return e.alias == alias })
}

// List is the secret keys, sorted, without Logstash's marker. Keys are
// lower case: Logstash lower-cases them when it stores them.
func (s *Store) List() []string {
	var keys []string
	for _, e := range s.entries {
		if key, ok := strings.CutPrefix(e.alias, urnPrefix); ok && key != markerKey {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// Get is the value of key, matched without regard to case as Logstash does.
// A nil Store, what OpenIfExists gives when there is no keystore, has no
// keys.
func (s *Store) Get(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	i := s.find(key)
	if i < 0 {
		return "", false
	}
	v, _ := base64.StdEncoding.DecodeString(string(s.entries[i].key)) // checked by Open
	return string(v), true
}

// CheckKey tells whether key may be added: it must follow Logstash's rule
// for names, and not be the marker.
func CheckKey(key string) error {
	if !keyPattern.MatchString(key) {
		return &Error{Kind: ErrInvalidKey, Msg: fmt.Sprintf(
			"Invalid secret key name `%s` provided. Key names are limited to ASCII letters (`a`-`z`, `A`-`Z`), numbers (`0`-`9`), underscores (`_`), and dots (`.`); they must be at least one character long and cannot begin with a number", key)}
	}
	if strings.ToLower(key) == markerKey {
		return &Error{Kind: ErrInvalidKey, Msg: fmt.Sprintf("`%s` is the Logstash keystore's own marker entry", key)}
	}
	return nil
}

// Add sets key to value. The key must pass CheckKey; it is stored
// lower-cased.
func (s *Store) Add(key, value string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if value == "" {
		return &Error{Kind: ErrEmptyValue, Msg: "Value cannot be empty"}
	}
	s.put(key, []byte(value))
	return nil
}

// put stores value the way Logstash does: the key's raw bytes are the
// Base64 text of the value, the JDK's PBE keys holding ASCII only.
func (s *Store) put(key string, value []byte) {
	e := secretEntry{
		alias:      urnPrefix + strings.ToLower(key),
		key:        []byte(base64.StdEncoding.EncodeToString(value)),
		localKeyID: []byte("Time " + strconv.FormatInt(time.Now().UnixMilli(), 10)),
	}
	if i := s.find(key); i >= 0 {
		s.entries[i] = e
		return
	}
	s.entries = append(s.entries, e)
}

// Remove deletes key.
func (s *Store) Remove(key string) error {
	i := s.find(key)
	if i < 0 || strings.ToLower(key) == markerKey {
		return &Error{Kind: ErrNoSuchKey, Msg: fmt.Sprintf("'%s' does not exist in the Logstash keystore.", key)}
	}
	s.entries = slices.Delete(s.entries, i, i+1)
	return nil
}

// ChangePassword protects the store with a new password from the next Save
// on. An empty password switches to a new default password.
func (s *Store) ChangePassword(newPassword string) {
	s.setPassword(newPassword)
}

// Save writes the store over its file, in place so that the file keeps its
// owner and mode, under the same fcntl lock Logstash takes, then appends the
// obfuscated default password when the store uses one.
func (s *Store) Save() error {
	data, err := encodePKCS12(rand.Reader, s.entries, s.password, s.prot)
	if err != nil {
		return fmt.Errorf("encoding the Logstash keystore: %w", err)
	}
	if s.defaultPassword {
		data = append(data, obfuscate(s.password)...)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE, filePerm)
	if err != nil {
		return fmt.Errorf("writing the Logstash keystore: %w", err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return &Error{Kind: ErrLocked, Cause: err, Msg: fmt.Sprintf(
			"Can not save Logstash keystore. Some other process has locked on the file: %s", absPath(s.path))}
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing the Logstash keystore: %w", err)
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return fmt.Errorf("writing the Logstash keystore: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing the Logstash keystore: %w", err)
	}
	return f.Close()
}

// obfuscate is the trailer trailerPassword reads: the password XORed with
// as many random bytes, those bytes, and the length of both.
func obfuscate(password string) []byte {
	random := randomBytes(len(password))
	out := bytes.Clone([]byte(password))
	for i := range out {
		out[i] ^= random[i]
	}
	out = append(out, random...)
	return append(out, byte(len(out)))
}
