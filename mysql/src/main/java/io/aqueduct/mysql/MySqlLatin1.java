package io.aqueduct.mysql;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/** MySQL's latin1: cp1252, with the five bytes cp1252 leaves undefined mapped to the C1 controls U+0081.. as the server does. */
final class MySqlLatin1 extends Charset {
    static final MySqlLatin1 INSTANCE = new MySqlLatin1();
    private static final char[] TABLE = new char[256];

    static {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        String s = new String(all, Charset.forName("windows-1252"));
        for (int i = 0; i < 256; i++) TABLE[i] = s.charAt(i) == '\uFFFD' ? (char) i : s.charAt(i);
    }

    private MySqlLatin1() {
        super("x-mysql-latin1", null);
    }

    @Override
    public boolean contains(Charset cs) {
        return cs == this || cs == StandardCharsets.US_ASCII;
    }

    @Override
    public boolean canEncode() {
        return false;
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new CharsetDecoder(this, 1f, 1f) {
            @Override
            protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
                while (in.hasRemaining()) {
                    if (!out.hasRemaining()) return CoderResult.OVERFLOW;
                    out.put(TABLE[in.get() & 0xff]);
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    @Override
    public CharsetEncoder newEncoder() {
        throw new UnsupportedOperationException("decode only");
    }
}
