// KeystoreGolden reads and writes logstash.keystore files through the JDK's
// own java.security.KeyStore, using it the way Logstash's
// org.logstash.secret.store.backend.JavaKeyStore does, so that gostash's
// internal/keystore can be checked against the JDK in both directions.
//
// What it reproduces of Logstash (behaviour, not code):
//   - the store is a "pkcs12" KeyStore; every entry is a KeyStore.SecretKeyEntry
//     holding a key from SecretKeyFactory "PBE", whose PBEKeySpec password is the
//     Base64 text of the secret's bytes, protected by the keystore password;
//   - aliases are urn:logstash:secret:v1:<key>, the key lower-cased, and a new
//     store first gets the marker entry keystore.seed;
//   - the password is LOGSTASH_KEYSTORE_PASS when that variable is set (Base64
//     of the low byte of each char when it is not ASCII); otherwise a new store
//     gets the Base64 of 32 random bytes, written after the PKCS12 data XORed
//     with as many random bytes, then those random bytes, then one length byte;
//   - saving overwrites the file from its start without truncating it and then
//     appends that trailer, so a store that shrinks keeps stale bytes in the
//     middle;
//   - a new file gets the permissions rw-r--r--.
//
// Usage (the password always comes from LOGSTASH_KEYSTORE_PASS, as in Logstash):
//   create FILE        new keystore with the marker, then the key=value lines of stdin
//   add FILE           the key=value lines of stdin into an existing keystore
//   remove FILE KEY... delete entries
//   list FILE          the keys, sorted, without the marker
//   get FILE KEY       the value of one key, as UTF-8
//   dump FILE          key=value for every key, sorted, without the marker
//   nomarker FILE      a PKCS12 keystore with one secret entry but no marker
// stdin and stdout are UTF-8; values are stored as their UTF-8 bytes.
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

public class KeystoreGolden {
    static final String URN_PREFIX = "urn:logstash:secret:v1:";
    static final String MARKER = "keystore.seed";
    static final SecureRandom RANDOM = new SecureRandom();

    final Path path;
    final char[] password;
    final boolean defaultPassword;
    final KeyStore store;

    KeystoreGolden(Path path, boolean creating) throws Exception {
        this.path = path;
        String env = System.getenv("LOGSTASH_KEYSTORE_PASS");
        defaultPassword = env == null;
        if (env != null) {
            if (env.isEmpty()) {
                throw new IllegalArgumentException("Empty keystore passwords are not allowed.");
            }
            password = asciiOrBase64(env);
        } else if (creating) {
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            password = Base64.getEncoder().encodeToString(random).toCharArray();
        } else {
            password = readTrailerPassword(path);
        }
        store = KeyStore.getInstance("pkcs12");
        if (creating) {
            store.load(null, password);
        } else {
            try (InputStream in = Files.newInputStream(path)) {
                store.load(in, password);
            }
        }
    }

    // An explicit password is used as is when it is ASCII; otherwise each
    // char is cut to its low byte and the result Base64-encoded.
    static char[] asciiOrBase64(String pass) {
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(pass)) {
            return pass.toCharArray();
        }
        byte[] low = new byte[pass.length()];
        for (int i = 0; i < low.length; i++) {
            low[i] = (byte) pass.charAt(i);
        }
        return Base64.getEncoder().encodeToString(low).toCharArray();
    }

    static char[] readTrailerPassword(Path path) throws Exception {
        try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.position(size - 1);
            ch.read(one);
            int n = one.get(0) & 0xff;
            if (n == 0 || size < n + 1) {
                throw new IllegalStateException("Could not determine keystore password.");
            }
            ByteBuffer obfuscated = ByteBuffer.allocate(n);
            ch.position(size - n - 1);
            ch.read(obfuscated);
            byte[] b = obfuscated.array();
            char[] pass = new char[n - n / 2];
            for (int i = 0; i < pass.length; i++) {
                pass[i] = (char) ((b[i] ^ b[n / 2 + i]) & 0xff);
            }
            return pass;
        }
    }

    void put(String key, byte[] value) throws Exception {
        char[] b64 = Base64.getEncoder().encodeToString(value).toCharArray();
        SecretKey secret = SecretKeyFactory.getInstance("PBE").generateSecret(new PBEKeySpec(b64));
        store.setEntry(URN_PREFIX + key.toLowerCase(Locale.US), new KeyStore.SecretKeyEntry(secret),
                new KeyStore.PasswordProtection(password));
    }

    byte[] get(String key) throws Exception {
        KeyStore.Entry entry = store.getEntry(URN_PREFIX + key.toLowerCase(Locale.US),
                new KeyStore.PasswordProtection(password));
        if (entry == null) {
            return null;
        }
        SecretKey secret = ((KeyStore.SecretKeyEntry) entry).getSecretKey();
        PBEKeySpec spec = (PBEKeySpec) SecretKeyFactory.getInstance("PBE").getKeySpec(secret, PBEKeySpec.class);
        return Base64.getDecoder().decode(new String(spec.getPassword()));
    }

    void save() throws Exception {
        try (FileOutputStream append = new FileOutputStream(path.toFile(), true)) {
            try (OutputStream os = Files.newOutputStream(path, StandardOpenOption.WRITE)) {
                store.store(os, password);
            }
            if (defaultPassword) {
                byte[] random = new byte[password.length];
                RANDOM.nextBytes(random);
                byte[] trailer = new byte[password.length * 2];
                for (int i = 0; i < password.length; i++) {
                    trailer[i] = (byte) (password[i] ^ random[i]);
                    trailer[password.length + i] = random[i];
                }
                append.write(trailer);
                new DataOutputStream(append).write(trailer.length);
            }
        }
    }

    static void readPairs(KeystoreGolden ks) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            int eq = line.indexOf('=');
            ks.put(line.substring(0, eq), line.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path path = Paths.get(args[1]);
        switch (args[0]) {
            case "create":
            case "nomarker": {
                Files.deleteIfExists(path);
                Files.createFile(path);
                KeystoreGolden ks = new KeystoreGolden(path, true);
                if (args[0].equals("create")) {
                    ks.put(MARKER, MARKER.getBytes(StandardCharsets.UTF_8));
                    readPairs(ks);
                } else {
                    ks.put("some.key", "some value".getBytes(StandardCharsets.UTF_8));
                }
                ks.save();
                PosixFileAttributeView attrs = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                if (attrs != null) {
                    attrs.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
                }
                break;
            }
            case "add": {
                KeystoreGolden ks = new KeystoreGolden(path, false);
                readPairs(ks);
                ks.save();
                break;
            }
            case "remove": {
                KeystoreGolden ks = new KeystoreGolden(path, false);
                for (int i = 2; i < args.length; i++) {
                    ks.store.deleteEntry(URN_PREFIX + args[i].toLowerCase(Locale.US));
                }
                ks.save();
                break;
            }
            case "list":
            case "dump": {
                KeystoreGolden ks = new KeystoreGolden(path, false);
                List<String> keys = new ArrayList<>();
                for (String alias : Collections.list(ks.store.aliases())) {
                    String key = alias.substring(URN_PREFIX.length());
                    if (!key.equals(MARKER)) {
                        keys.add(key);
                    }
                }
                Collections.sort(keys);
                for (String key : keys) {
                    if (args[0].equals("list")) {
                        out.println(key);
                    } else {
                        out.println(key + "=" + new String(ks.get(key), StandardCharsets.UTF_8));
                    }
                }
                break;
            }
            case "get": {
                KeystoreGolden ks = new KeystoreGolden(path, false);
                byte[] value = ks.get(args[2]);
                if (value == null) {
                    System.err.println("no such key: " + args[2]);
                    System.exit(2);
                }
                out.println(new String(value, StandardCharsets.UTF_8));
                break;
            }
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
