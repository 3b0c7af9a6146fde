package keystore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"unicode/utf16"
)

// The subset of PKCS #12 (RFC 7292) that java.security.KeyStore "pkcs12"
// writes for a store holding only secret keys: a PFX whose authSafe is one
// unencrypted data ContentInfo of secretBags, each wrapping a
// pkcs8ShroudedKeyBag, and a MAC over the authSafe.

var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSecretBag            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 5}
	oidPKCS8ShroudedKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidFriendlyName         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidPBES2                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPBEWithSHA1And3DES   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithMD5AndDES     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}
	oidHMACWithSHA1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA224       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACWithSHA256       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidSHA1                 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	errUnsupportedAlgorithm = errors.New("unsupported algorithm")
)

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     `asn1:"tag:0,explicit"`
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue // the SET OF values
}

type secretBag struct {
	TypeID asn1.ObjectIdentifier
	Value  []byte `asn1:"tag:0,explicit"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type pbeParams struct {
	Salt       []byte
	Iterations int
}

// pbeKeyAlgorithm is what the JDK writes as the algorithm of a key from
// SecretKeyFactory "PBE": the OID it resolves "PBE" to, pbeWithMD5AndDES-CBC,
// with NULL parameters. Reading the key back through the "PBE" factory needs
// an algorithm name that factory accepts, so gostash writes the same.
var pbeKeyAlgorithm = pkix.AlgorithmIdentifier{Algorithm: oidPBEWithMD5AndDES, Parameters: asn1.NullRawValue}

// secretKeyInfo is how the JDK encodes a SecretKey before encrypting it:
// PKCS #8's PrivateKeyInfo shape with the key's algorithm and raw bytes.
type secretKeyInfo struct {
	Version   int
	Algorithm pkix.AlgorithmIdentifier
	Key       []byte
}

// protection is how a keystore's entries and MAC are protected. A store
// keeps the protection of the file it was read from, so that a keystore
// written by an older JDK stays readable by that JDK after gostash saves it.
type protection struct {
	keyScheme     keyScheme
	keyIterations int
	macHash       macHash
	macIterations int
}

type keyScheme int

const (
	// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC: the JDK's default key
	// protection since 11.0.12, 8u301 and 17.
	schemePBES2AES256 keyScheme = iota
	// pbeWithSHAAnd3-KeyTripleDES-CBC: the default of the JDKs before.
	schemePBESHA13DES
)

// modernProtection is what JDK 17 to 25 write by default.
var modernProtection = protection{
	keyScheme:     schemePBES2AES256,
	keyIterations: 10000,
	macHash:       macSHA256,
	macIterations: 10000,
}

type macHash struct {
	oid  asn1.ObjectIdentifier
	new  func() hash.Hash
	size int // u in RFC 7292 B.2
	v    int // the hash's block size in bytes
}

var (
	macSHA1   = macHash{oidSHA1, sha1.New, 20, 64}
	macSHA256 = macHash{oidSHA256, sha256.New, 32, 64}
	macHashes = []macHash{
		macSHA1,
		{oidSHA224, sha256.New224, 28, 64},
		macSHA256,
		{oidSHA384, sha512.New384, 48, 128},
		{oidSHA512, sha512.New, 64, 128},
	}
	prfs = map[string]func() hash.Hash{
		oidHMACWithSHA1.String():   sha1.New,
		oidHMACWithSHA224.String(): sha256.New224,
		oidHMACWithSHA256.String(): sha256.New,
		oidHMACWithSHA384.String(): sha512.New384,
		oidHMACWithSHA512.String(): sha512.New,
	}
	aesKeySizes = map[string]int{
		oidAES128CBC.String(): 16,
		oidAES192CBC.String(): 24,
		oidAES256CBC.String(): 32,
	}
)

// secretEntry is one secret key of the store: its alias, the raw key bytes
// (for Logstash, the Base64 text of the secret) and the localKeyID the JDK
// stamps on it ("Time <milliseconds>").
type secretEntry struct {
	alias      string
	key        []byte
	localKeyID []byte
}

// maxIterations is the JDK's bound on the iteration counts it reads, which
// keeps a crafted file from making Open spin for hours.
const maxIterations = 5_000_000

func checkIterations(what string, n int) error {
	if n < 1 || n > maxIterations {
		return fmt.Errorf("%s iteration count %d is outside 1..%d", what, n, maxIterations)
	}
	return nil
}

// errMAC tells a wrong password from a damaged file: the MAC is the first
// thing the password unlocks.
var errMAC = errors.New("PKCS12 integrity check failed")

// decodePKCS12 reads the first DER value of data (Logstash appends its
// obfuscated default password after it, and may leave stale bytes between)
// and returns its secret entries.
func decodePKCS12(data []byte, password string) ([]secretEntry, protection, error) {
	var prot protection
	var pfx pfxPDU
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		return nil, prot, fmt.Errorf("reading PFX: %w", err)
	}
	if pfx.Version != 3 {
		return nil, prot, fmt.Errorf("PFX version %d, want 3", pfx.Version)
	}
	authSafe, err := dataContent(pfx.AuthSafe)
	if err != nil {
		return nil, prot, fmt.Errorf("authSafe: %w", err)
	}
	if pfx.MacData.Mac.Algorithm.Algorithm == nil {
		return nil, prot, errors.New("the PFX has no MAC")
	}
	mh, ok := macHashFor(pfx.MacData.Mac.Algorithm.Algorithm)
	if !ok {
		return nil, prot, fmt.Errorf("MAC digest %v: %w", pfx.MacData.Mac.Algorithm.Algorithm, errUnsupportedAlgorithm)
	}
	if err := checkIterations("MAC", pfx.MacData.Iterations); err != nil {
		return nil, prot, err
	}
	prot.macHash = mh
	prot.macIterations = pfx.MacData.Iterations
	want := pkcs12MAC(mh, authSafe, pfx.MacData.MacSalt, password, pfx.MacData.Iterations)
	if !hmac.Equal(want, pfx.MacData.Mac.Digest) {
		return nil, prot, errMAC
	}

	var contents []contentInfo
	if err := unmarshalAll(authSafe, &contents); err != nil {
		return nil, prot, fmt.Errorf("authenticated safe: %w", err)
	}
	var entries []secretEntry
	haveScheme := false
	for _, ci := range contents {
		sc, err := dataContent(ci)
		if err != nil {
			return nil, prot, fmt.Errorf("safe contents (a keystore of secret keys has no encrypted certificate safe): %w", err)
		}
		var bags []safeBag
		if err := unmarshalAll(sc, &bags); err != nil {
			return nil, prot, fmt.Errorf("safe contents: %w", err)
		}
		for _, bag := range bags {
			e, scheme, iterations, err := decodeSecretBag(bag, password)
			if err != nil {
				return nil, prot, err
			}
			if !haveScheme {
				prot.keyScheme, prot.keyIterations, haveScheme = scheme, iterations, true
			}
			entries = append(entries, e)
		}
	}
	if !haveScheme {
		prot.keyScheme, prot.keyIterations = modernProtection.keyScheme, modernProtection.keyIterations
	}
	return entries, prot, nil
}

// dataContent is the octets of a ContentInfo of type data.
func dataContent(ci contentInfo) ([]byte, error) {
	if !ci.ContentType.Equal(oidData) {
		return nil, fmt.Errorf("content type %v, want data (%v)", ci.ContentType, oidData)
	}
	var octets []byte
	if err := unmarshalAll(ci.Content.Bytes, &octets); err != nil {
		return nil, fmt.Errorf("data content: %w", err)
	}
	return octets, nil
}

func unmarshalAll(der []byte, out any) error {
	rest, err := asn1.Unmarshal(der, out)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%d bytes after the DER value", len(rest))
	}
	return nil
}

func decodeSecretBag(bag safeBag, password string) (secretEntry, keyScheme, int, error) {
	var e secretEntry
	if !bag.ID.Equal(oidSecretBag) {
		return e, 0, 0, fmt.Errorf("safe bag %v: a Logstash keystore holds only secret keys (%v)", bag.ID, oidSecretBag)
	}
	for _, attr := range bag.Attributes {
		var err error
		switch {
		case attr.ID.Equal(oidFriendlyName):
			var bmp asn1.RawValue
			if err = firstOfSet(attr.Value, &bmp); err == nil {
				e.alias, err = decodeBMPString(bmp)
			}
		case attr.ID.Equal(oidLocalKeyID):
			err = firstOfSet(attr.Value, &e.localKeyID)
		}
		if err != nil {
			return e, 0, 0, fmt.Errorf("safe bag attribute %v: %w", attr.ID, err)
		}
	}
	if e.alias == "" {
		return e, 0, 0, errors.New("secret bag without a friendlyName (alias)")
	}
	var sb secretBag
	if err := unmarshalAll(bag.Value.Bytes, &sb); err != nil {
		return e, 0, 0, fmt.Errorf("secret bag %q: %w", e.alias, err)
	}
	if !sb.TypeID.Equal(oidPKCS8ShroudedKeyBag) {
		return e, 0, 0, fmt.Errorf("secret bag %q holds %v, want a pkcs8ShroudedKeyBag", e.alias, sb.TypeID)
	}
	var epki encryptedPrivateKeyInfo
	if err := unmarshalAll(sb.Value, &epki); err != nil {
		return e, 0, 0, fmt.Errorf("secret bag %q: %w", e.alias, err)
	}
	plain, scheme, iterations, err := pbeDecrypt(epki, password)
	if err != nil {
		return e, 0, 0, fmt.Errorf("decrypting %q: %w", e.alias, err)
	}
	var info secretKeyInfo
	if err := unmarshalAll(plain, &info); err != nil {
		return e, 0, 0, fmt.Errorf("secret key %q: %w", e.alias, err)
	}
	e.key = info.Key
	return e, scheme, iterations, nil
}

func firstOfSet(set asn1.RawValue, out any) error {
	if set.Class != asn1.ClassUniversal || set.Tag != asn1.TagSet {
		return errors.New("attribute values are not a SET")
	}
	_, err := asn1.Unmarshal(set.Bytes, out)
	return err
}

func decodeBMPString(v asn1.RawValue) (string, error) {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagBMPString || len(v.Bytes)%2 != 0 {
		return "", errors.New("friendlyName is not a BMPString")
	}
	units := make([]uint16, len(v.Bytes)/2)
	for i := range units {
		units[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
	}
	return string(utf16.Decode(units)), nil
}

func bmpBytes(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func macHashFor(oid asn1.ObjectIdentifier) (macHash, bool) {
	for _, h := range macHashes {
		if h.oid.Equal(oid) {
			return h, true
		}
	}
	return macHash{}, false
}

// pkcs12MAC is the PFX MAC: HMAC keyed by the RFC 7292 B.2 KDF (ID 3).
func pkcs12MAC(h macHash, message, salt []byte, password string, iterations int) []byte {
	key := pkcs12KDF(h, salt, password, iterations, 3, h.size)
	m := hmac.New(h.new, key)
	m.Write(message)
	return m.Sum(nil)
}

// pkcs12KDF is RFC 7292 appendix B.2. The password enters as a
// zero-terminated big-endian BMPString, as the JDK passes it.
func pkcs12KDF(h macHash, salt []byte, password string, iterations int, id byte, size int) []byte {
	v := h.v
	d := bytes.Repeat([]byte{id}, v)
	pw := append(bmpBytes(password), 0, 0)
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		n := (len(b) + v - 1) / v * v
		out := make([]byte, n)
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	in := append(fill(salt), fill(pw)...)
	var out []byte
	for len(out) < size {
		hh := h.new()
		hh.Write(d)
		hh.Write(in)
		a := hh.Sum(nil)
		for r := 1; r < iterations; r++ {
			hh.Reset()
			hh.Write(a)
			a = hh.Sum(a[:0])
		}
		out = append(out, a...)
		if len(out) >= size {
			break
		}
		b := fill(a)[:v]
		// Each v-byte block of in becomes (block + b + 1) mod 2^(8v).
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:size]
}

// pbeDecrypt decrypts a shrouded key. PBES2 passwords enter PBKDF2 as
// UTF-8, the JDK's choice; the legacy scheme uses the PKCS #12 KDF.
func pbeDecrypt(epki encryptedPrivateKeyInfo, password string) ([]byte, keyScheme, int, error) {
	alg := epki.Algorithm
	switch {
	case alg.Algorithm.Equal(oidPBES2):
		block, iv, iterations, err := pbes2Cipher(alg.Parameters.FullBytes, password)
		if err != nil {
			return nil, 0, 0, err
		}
		plain, err := cbcDecrypt(block, iv, epki.EncryptedData)
		return plain, schemePBES2AES256, iterations, err
	case alg.Algorithm.Equal(oidPBEWithSHA1And3DES):
		var p pbeParams
		if err := unmarshalAll(alg.Parameters.FullBytes, &p); err != nil {
			return nil, 0, 0, fmt.Errorf("PBE parameters: %w", err)
		}
		if err := checkIterations("PBE", p.Iterations); err != nil {
			return nil, 0, 0, err
		}
		block, iv := tripleDESCipher(p, password)
		plain, err := cbcDecrypt(block, iv, epki.EncryptedData)
		return plain, schemePBESHA13DES, p.Iterations, err
	}
	return nil, 0, 0, fmt.Errorf("key encryption %v: %w", alg.Algorithm, errUnsupportedAlgorithm)
}

func pbes2Cipher(params []byte, password string) (cipher.Block, []byte, int, error) {
	var p pbes2Params
	if err := unmarshalAll(params, &p); err != nil {
		return nil, nil, 0, fmt.Errorf("PBES2 parameters: %w", err)
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, nil, 0, fmt.Errorf("PBES2 key derivation %v: %w", p.KDF.Algorithm, errUnsupportedAlgorithm)
	}
	var kdf pbkdf2Params
	if err := unmarshalAll(p.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, nil, 0, fmt.Errorf("PBKDF2 parameters: %w", err)
	}
	if err := checkIterations("PBKDF2", kdf.Iterations); err != nil {
		return nil, nil, 0, err
	}
	prf := sha1.New
	if kdf.PRF.Algorithm != nil {
		var ok bool
		if prf, ok = prfs[kdf.PRF.Algorithm.String()]; !ok {
			return nil, nil, 0, fmt.Errorf("PBKDF2 PRF %v: %w", kdf.PRF.Algorithm, errUnsupportedAlgorithm)
		}
	}
	keySize, ok := aesKeySizes[p.Scheme.Algorithm.String()]
	if !ok {
		return nil, nil, 0, fmt.Errorf("PBES2 cipher %v: %w", p.Scheme.Algorithm, errUnsupportedAlgorithm)
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keySize {
		return nil, nil, 0, fmt.Errorf("PBKDF2 key length %d for a %d-byte AES key", kdf.KeyLength, keySize)
	}
	var iv []byte
	if err := unmarshalAll(p.Scheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, nil, 0, fmt.Errorf("AES-CBC IV: %v", err)
	}
	key, err := pbkdf2.Key(prf, password, kdf.Salt, kdf.Iterations, keySize)
	if err != nil {
		return nil, nil, 0, err
	}
	block, err := aes.NewCipher(key)
	return block, iv, kdf.Iterations, err
}

func tripleDESCipher(p pbeParams, password string) (cipher.Block, []byte) {
	key := pkcs12KDF(macSHA1, p.Salt, password, p.Iterations, 1, 24)
	iv := pkcs12KDF(macSHA1, p.Salt, password, p.Iterations, 2, des.BlockSize)
	block, _ := des.NewTripleDESCipher(key) // a 24-byte key cannot fail
	return block, iv
}

func cbcDecrypt(block cipher.Block, iv, data []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, errors.New("ciphertext is not a whole number of blocks")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > bs || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("bad padding")
	}
	return plain[:len(plain)-pad], nil
}

func cbcEncrypt(block cipher.Block, iv, plain []byte) []byte {
	bs := block.BlockSize()
	pad := bs - len(plain)%bs
	data := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	return data
}

// encodePKCS12 writes entries as the JDK would: one data safe of secret
// bags, each attributed with its friendlyName then its localKeyID, under a
// MAC. Salts are 20 bytes, as the JDK's.
func encodePKCS12(rand io.Reader, entries []secretEntry, password string, prot protection) ([]byte, error) {
	var bags []safeBag
	for _, e := range entries {
		bag, err := encodeSecretBag(rand, e, password, prot)
		if err != nil {
			return nil, err
		}
		bags = append(bags, bag)
	}
	if bags == nil {
		bags = []safeBag{}
	}
	safeContents, err := asn1.Marshal(bags)
	if err != nil {
		return nil, err
	}
	data, err := dataContentInfo(safeContents)
	if err != nil {
		return nil, err
	}
	authSafe, err := asn1.Marshal([]contentInfo{data})
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 20)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return nil, err
	}
	outer, err := dataContentInfo(authSafe)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pfxPDU{
		Version:  3,
		AuthSafe: outer,
		MacData: macData{
			Mac: digestInfo{
				Algorithm: pkix.AlgorithmIdentifier{Algorithm: prot.macHash.oid, Parameters: asn1.NullRawValue},
				Digest:    pkcs12MAC(prot.macHash, authSafe, salt, password, prot.macIterations),
			},
			MacSalt:    salt,
			Iterations: prot.macIterations,
		},
	})
}

func dataContentInfo(content []byte) (contentInfo, error) {
	octets, err := asn1.Marshal(content)
	if err != nil {
		return contentInfo{}, err
	}
	return contentInfo{
		ContentType: oidData,
		Content:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets},
	}, nil
}

func encodeSecretBag(rand io.Reader, e secretEntry, password string, prot protection) (safeBag, error) {
	plain, err := asn1.Marshal(secretKeyInfo{Algorithm: pbeKeyAlgorithm, Key: e.key})
	if err != nil {
		return safeBag{}, err
	}
	epki, err := pbeEncrypt(rand, plain, password, prot)
	if err != nil {
		return safeBag{}, err
	}
	shrouded, err := asn1.Marshal(epki)
	if err != nil {
		return safeBag{}, err
	}
	sb, err := asn1.Marshal(secretBag{TypeID: oidPKCS8ShroudedKeyBag, Value: shrouded})
	if err != nil {
		return safeBag{}, err
	}
	name, err := setOf(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagBMPString, Bytes: bmpBytes(e.alias)})
	if err != nil {
		return safeBag{}, err
	}
	keyID, err := setOf(e.localKeyID)
	if err != nil {
		return safeBag{}, err
	}
	return safeBag{
		ID:    oidSecretBag,
		Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sb},
		Attributes: []pkcs12Attribute{
			{ID: oidFriendlyName, Value: name},
			{ID: oidLocalKeyID, Value: keyID},
		},
	}, nil
}

func setOf(v any) (asn1.RawValue, error) {
	b, err := asn1.Marshal(v)
	return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: b}, err
}

func pbeEncrypt(rand io.Reader, plain []byte, password string, prot protection) (encryptedPrivateKeyInfo, error) {
	salt := make([]byte, 20)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	if prot.keyScheme == schemePBESHA13DES {
		p := pbeParams{Salt: salt, Iterations: prot.keyIterations}
		params, err := asn1.Marshal(p)
		if err != nil {
			return encryptedPrivateKeyInfo{}, err
		}
		block, iv := tripleDESCipher(p, password)
		return encryptedPrivateKeyInfo{
			Algorithm:     pkix.AlgorithmIdentifier{Algorithm: oidPBEWithSHA1And3DES, Parameters: asn1.RawValue{FullBytes: params}},
			EncryptedData: cbcEncrypt(block, iv, plain),
		}, nil
	}
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(rand, iv); err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	kdf, err := asn1.Marshal(pbkdf2Params{
		Salt:       salt,
		Iterations: prot.keyIterations,
		KeyLength:  32,
		PRF:        pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue},
	})
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF:    pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		Scheme: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, prot.keyIterations, 32)
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return encryptedPrivateKeyInfo{}, err
	}
	return encryptedPrivateKeyInfo{
		Algorithm:     pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}},
		EncryptedData: cbcEncrypt(block, iv, plain),
	}, nil
}
