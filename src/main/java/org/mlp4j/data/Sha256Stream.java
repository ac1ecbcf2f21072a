package org.mlp4j.data;

import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A stream that hashes what is read through it: the SHA-256 the MNIST checksums are given in. */
final class Sha256Stream extends DigestInputStream {
    Sha256Stream(InputStream in) {
        super(in, sha256());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The SHA-256 of every byte read so far, in hex. */
    String hex() {
        return HexFormat.of().formatHex(getMessageDigest().digest());
    }
}
