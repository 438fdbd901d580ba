package org.skipstore.core.internal;

import org.skipstore.core.Keys;

import java.lang.foreign.MemorySegment;

/**
 * What a skip list's nodes and links keep of a key, so that a search decides most steps without
 * reading it: 8 of its bytes, the <em>window</em>, in the node's header, and a 30-bit summary of
 * those in each link to the node ({@link Link}).
 *
 * <h2>Why a window starts after a shared prefix</h2>
 * Without one, the window is the key's first 8 bytes. But keys often share their first bytes
 * ("customer-12345": every key of a Kafka store of customers), and then every window and every
 * summary tie: each step of a search reads the node it compares with, a cache miss, and above
 * level 0 the node's tower before it, another. So a list may have a <em>shared prefix</em> (its
 * owner passes the common prefix of the keys of the list it replaces,
 * {@code ConcurrentSkipList.commonKeyPrefix}): the window of a key that starts with it is the 8
 * bytes after it. A key that does not start with it sorts before or after every key that does;
 * its window is {@link #BELOW} or {@link #ABOVE}, the ends of the range, so windows compared
 * unsigned still never contradict their keys' order. Equal windows are a tie that
 * {@link #compareTied} settles from the keys. A wrong guess costs speed (keys outside the prefix
 * tie with each other), never order.
 *
 * <pre>
 *   shared prefix "customer-"      key                   window (8 bytes, zero-padded)
 *                                   "customer-12345"      "12345\0\0\0"
 *                                   "customer-"           0 (nothing after the prefix)
 *                                   "account-7"           BELOW = 0
 *                                   "supplier-3"          ABOVE = 0xFF..FF
 * </pre>
 * Immutable: fixed for a list's life, since every node and link holds windows taken with it.
 */
final class Windows {

    /** The window of the keys that sort before the shared prefix (those that do not start with it). */
    static final long BELOW = 0;
    /** The window of the keys that sort after the shared prefix (those that do not start with it). */
    static final long ABOVE = -1L;

    /** The shared prefix as big-endian words, the last zero-padded. */
    private final long[] sharedWords;
    /** The shared prefix's length in bytes: where the window of a key with it starts. */
    private final int skip;

    /**
     * Per window byte, while ranges summarize ({@link #summary}): its least byte, its radix
     * (the bytes of its range, and one below and one above it), and its weight (the product of
     * the radixes after it); empty when the summary is the window's top bits.
     */
    private final int[] low;
    private final int[] radix;
    private final long[] weight;

    /** Windows for keys of {@code shape}. */
    Windows(KeyShape shape) {
        byte[] shared = shape.prefixBytes();
        this.skip = shared.length;
        this.sharedWords = new long[(skip + 7) / 8];
        MemorySegment p = MemorySegment.ofArray(shared);
        for (int i = 0; i < skip; i += 8) {
            sharedWords[i / 8] = KeyBytes.prefix(p, i, Math.min(8, skip - i));
        }
        // Range the window bytes while their radixes multiply to at most 30 bits; worth it when
        // that covers every byte seen, or more than the 3.75 bytes of the top 30 bits.
        int n = 0;
        long product = 1;
        while (n < shape.rangedBytes() && product * (shape.high(n) - shape.low(n) + 3) <= 1L << Link.SUMMARY_BITS) {
            product *= shape.high(n) - shape.low(n) + 3;
            n++;
        }
        if (n == 0 || (n < 4 && n < shape.rangedBytes())) {
            n = 0;
        }
        this.low = new int[n];
        this.radix = new int[n];
        this.weight = new long[n];
        long w = 1;
        for (int i = n - 1; i >= 0; i--) {
            low[i] = shape.low(i);
            radix[i] = shape.high(i) - shape.low(i) + 3;
            weight[i] = w;
            w *= radix[i];
        }
    }

    /**
     * The 8 bytes of {@code k} that a node's header and (summed up) its links hold, so that most
     * comparisons read no key: after the shared prefix when the key starts with it, the first 8
     * ({@link KeyBytes#prefix}) when the list has none. A key without the shared prefix gets
     * {@link #BELOW} or {@link #ABOVE}, by its side of it: every key that starts with it sorts
     * between the two. Compared unsigned, two windows never contradict their keys' order; equal
     * ones need {@link #compareTied}.
     */
    long window(MemorySegment k) {
        if (skip == 0) {
            return KeyBytes.prefix(k);
        }
        long kl = k.byteSize();
        for (int i = 0; i < skip; i += 8) {
            int n = (int) Math.min(Math.min(8, skip - i), Math.max(0, kl - i)); // k's bytes in this word
            long kw = KeyBytes.prefix(k, i, n);
            long pw = sharedWords[i / 8];
            if (kw != pw) { // the first byte that differs decides (a key that ended reads 0 there)
                return Long.compareUnsigned(kw, pw) < 0 ? BELOW : ABOVE;
            }
        }
        return kl < skip ? BELOW : KeyBytes.prefix(k, skip, kl - skip); // shorter: a proper prefix of it
    }

    /**
     * Compares key {@code a} ({@code al} bytes at {@code ao}) with key {@code b}, whose windows are
     * both {@code w}. A key without the shared prefix has the window {@link #BELOW} or
     * {@link #ABOVE}; any other window is of two keys that start with it, equal in its 8 bytes
     * after it, so only the bytes after those can differ (else the shorter key is smaller).
     */
    int compareTied(MemorySegment a, long ao, long al, long w, MemorySegment b, long bo, long bl) {
        if (skip != 0 && (w == BELOW || w == ABOVE)) {
            return Keys.compare(a, ao, al, b, bo, bl);
        }
        if (al - skip <= 8 || bl - skip <= 8) { // equal up to where the shorter ends
            return Long.compare(al, bl);
        }
        return KeyBytes.compareAfterPrefix(a, ao + skip, al - skip, b, bo + skip, bl - skip);
    }

    /**
     * A window's 30-bit summary for the links ({@link Link}), ordered as the windows are (ties
     * allowed). With ranges ({@link KeyShape}): the window's bytes as digits of a mixed-radix
     * number, each byte {@code b} of range {@code [lo, hi]} the digit {@code b - lo + 1}; a byte
     * outside its range is digit 0 (below) or the top digit (above) and ends the number, the
     * digits after it 0, so that windows that differ only after it tie rather than misorder.
     * Without ranges: after a shared prefix the window's top bits (the bytes all keys share are
     * gone); without either, the float-like summary of the first 8 bytes, which spends no bits
     * on leading zero bytes (a counter's).
     */
    long summary(long window) {
        if (low.length == 0) {
            return skip == 0 ? Link.prefixOfKey(window) : Link.topBits(window);
        }
        long s = 0;
        for (int i = 0; i < low.length; i++) {
            int d = (int) (window >>> (56 - 8 * i) & 0xFF) - low[i] + 1;
            if (d <= 0) {
                return s;
            }
            if (d >= radix[i] - 1) {
                return s + (radix[i] - 1) * weight[i];
            }
            s += d * weight[i];
        }
        return s;
    }
}
