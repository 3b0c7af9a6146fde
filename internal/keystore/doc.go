// Package keystore reads and writes Logstash's logstash.keystore, so that a
// keystore made by bin/logstash-keystore works with gostash unchanged and
// the other way round. RunCLI is `gostash keystore`.
//
// # The format, as Logstash's JavaKeyStore writes it
//
// The file is a PKCS #12 keystore written by the JDK's KeyStore "pkcs12":
//
//   - Every entry is a KeyStore.SecretKeyEntry: a PKCS #12 secretBag whose
//     value is a pkcs8ShroudedKeyBag, the key encrypted with the keystore
//     password. Its plaintext is PrivateKeyInfo-shaped: version 0, the
//     algorithm the JDK gives "PBE" (pbeWithMD5AndDES-CBC, 1.2.840.113549.1.5.3,
//     NULL parameters) and the raw key. The raw key is the password of a
//     PBEKeySpec, and Logstash makes that the Base64 text of the secret's
//     bytes. Values are read back as UTF-8.
//   - The bag's friendlyName (a BMPString) is the alias
//     urn:logstash:secret:v1:<key>, the key lower-cased (Locale.US), so keys
//     match without regard to case. Its localKeyID is "Time <ms since epoch>".
//   - A new keystore first gets the marker entry keystore.seed; a keystore
//     without it is "not a Logstash keystore". `list` hides it.
//   - There is one authSafe ContentInfo, of type data, holding the bags; no
//     certificate safe. A MAC covers it.
//   - JDK 17 to 25 protect keys with PBES2: PBKDF2-HMAC-SHA256, 10000
//     iterations, a 20-byte salt, key length 32, AES-256-CBC; the MAC is
//     HMAC-SHA256 keyed by the PKCS #12 KDF (RFC 7292 B.2), 10000
//     iterations. JDKs before 11.0.12 and 8u301, which older Logstash
//     bundled, wrote pbeWithSHAAnd3-KeyTripleDES-CBC (50000 iterations) and an
//     HMAC-SHA1 MAC (100000). Both are read; a store is saved with the
//     protection it was read with, as the JDK does, so an old Logstash can
//     still read it; new stores get the modern one.
//
// The password is LOGSTASH_KEYSTORE_PASS when that variable is set; set but
// empty is an error. A password that is not ASCII is replaced by the Base64
// of the low byte of each UTF-16 unit, Logstash's way of giving the JDK an
// ASCII password. When the variable is unset the keystore uses a default
// password: the Base64 of 32 random bytes, appended to the file after the
// PKCS12 data as the password XORed with as many random bytes, those bytes,
// and one byte with the length of both (88). Reading takes the last byte as
// that length. This only deters the lazy; Logstash says so too.
//
// Logstash saves by overwriting the file from its start without truncating
// it, then appending the trailer, so a keystore that shrank has stale bytes
// between the PKCS12 data and the trailer. The reader takes the first DER
// value and ignores the rest. gostash truncates, which Logstash reads the
// same. A new file gets mode rw-r--r-- whatever the umask, as in Logstash
// (so a keystore created by root stays readable by the logstash user); saving
// writes in place, keeping the owner and mode, under a non-blocking fcntl
// write lock like the JDK's FileChannel.tryLock.
//
// Key names follow the ${VAR} rule: [a-zA-Z_.][a-zA-Z0-9_.]*. Values added by
// the command line must be ASCII and not empty, as in Logstash; the Store
// API takes any non-empty UTF-8 value.
//
// Errors carry Logstash's messages: "Can not find Logstash keystore at ...",
// "Can not access Logstash keystore at ... Please verify correct file
// permissions and keystore password." (a wrong password: the MAC fails),
// "Found a file at ..., but it is not a valid Logstash keystore.", "Found a
// keystore at ..., but it is not a Logstash keystore.", "Logstash keystore
// at ... already exists.", "Empty keystore passwords are not allowed. ...",
// "'<key>' does not exist in the Logstash keystore." Test them with errors.Is
// against ErrNotFound, ErrWrongPassword, ErrCorrupt, ErrExists,
// ErrEmptyPassword, ErrNoSuchKey and the rest.
//
// # Why PKCS #12 is implemented here
//
// golang.org/x/crypto/pkcs12 only decodes, and knows neither PBES2 nor
// secret bags. software.sslmate.com/src/go-pkcs12 (already a dependency, for
// TLS keystores) reads and writes PBES2 but only private keys, certificates
// and trust stores: it has no secretBag support, neither to read nor to
// write. So this package implements the small subset a Logstash keystore
// needs with encoding/asn1 and the standard library's crypto (pbkdf2, aes,
// des, hmac): PFX with its MAC, data ContentInfo, secretBag with a
// pkcs8ShroudedKeyBag, PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512,
// AES-128/192/256-CBC) and pbeWithSHAAnd3-KeyTripleDES-CBC. BER indefinite
// lengths, encrypted certificate safes and other bag types are refused as
// not a valid Logstash keystore: the JDK writes none of them here.
package keystore
