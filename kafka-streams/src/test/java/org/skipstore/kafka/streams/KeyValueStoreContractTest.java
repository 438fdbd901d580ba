package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.kafka.streams.Fixture.drain;
import static org.skipstore.kafka.streams.Fixture.key;
import static org.skipstore.kafka.streams.Fixture.keys;
import static org.skipstore.kafka.streams.Fixture.string;
import static org.skipstore.kafka.streams.Fixture.value;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviours Kafka Streams checks of its own key-value stores (its AbstractKeyValueStoreTest),
 * on a Skipstore store, plain and timestamped (whose values are as opaque to it). Most run twice:
 * with the data still in the store's uncommitted writes, and committed to the engine, since reads
 * merge the two.
 */
@ParameterizedClass
@ValueSource(booleans = {false, true})
class KeyValueStoreContractTest extends StoreTestBase {

    /** Whether the store under test is the timestamped one. */
    @Parameter
    boolean timestamped;

    @Override
    SkipstoreKeyValueStore open(TestContext context) {
        return timestamped ? Fixture.openTimestamped(context) : Fixture.open(context);
    }

    /** Where the data written before the reads lies. */
    enum Where { UNCOMMITTED, COMMITTED }

    private void settle(Where where) {
        if (where == Where.COMMITTED) {
            store.commit(Map.of());
        }
    }

    private void putNumbers() {
        for (String k : List.of("0", "1", "2", "4", "5")) {
            store.put(key(k), value("v" + k));
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void putsGetsAndRangesIncludeBothBounds(Where where) {
        putNumbers();
        settle(where);
        assertThat(string(store.get(key("0")))).isEqualTo("v0");
        assertThat(store.get(key("3"))).isNull();
        assertThat(drain(store.range(key("2"), key("4")))).containsExactly("2=v2", "4=v4");
        assertThat(drain(store.range(key("2"), key("6")))).containsExactly("2=v2", "4=v4", "5=v5");
        assertThat(drain(store.all())).containsExactly("0=v0", "1=v1", "2=v2", "4=v4", "5=v5");
        assertThat(drain(store.reverseRange(key("2"), key("4")))).containsExactly("4=v4", "2=v2");
        assertThat(drain(store.reverseAll())).containsExactly("5=v5", "4=v4", "2=v2", "1=v1", "0=v0");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void deletedKeysAreLeftOutOfGetsAndRanges(Where where) {
        putNumbers();
        store.commit(Map.of());
        store.delete(key("0"));
        store.put(key("1"), null); // a null value deletes
        settle(where);
        assertThat(store.get(key("0"))).isNull();
        assertThat(store.get(key("1"))).isNull();
        assertThat(drain(store.all())).containsExactly("2=v2", "4=v4", "5=v5");
        assertThat(drain(store.reverseRange(key("0"), key("2")))).containsExactly("2=v2");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void keysAreOrderedAsUnsignedBytes(Where where) {
        List<Bytes> ascending = List.of(key(), key(0x00), key(0x00, 0x00), key(0x01), key(0x7f), key(0x7f, 0xff),
                key(0x80), key(0x80, 0x00), key(0xfe), key(0xff), key(0xff, 0xff));
        for (int i = ascending.size() - 1; i >= 0; i--) {
            store.put(ascending.get(i), value("x"));
        }
        settle(where);
        assertThat(keys(store.all())).containsExactlyElementsOf(ascending);
        assertThat(keys(store.reverseAll())).containsExactlyElementsOf(ascending.reversed());
        assertThat(keys(store.range(key(0x7f), key(0x80)))).containsExactly(key(0x7f), key(0x7f, 0xff), key(0x80));
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void rangesWithAMissingBoundRunToTheEnd(Where where) {
        putNumbers();
        settle(where);
        assertThat(drain(store.range(null, key("1")))).containsExactly("0=v0", "1=v1");
        assertThat(drain(store.range(key("4"), null))).containsExactly("4=v4", "5=v5");
        assertThat(drain(store.range(null, null))).hasSize(5);
        assertThat(drain(store.reverseRange(null, key("1")))).containsExactly("1=v1", "0=v0");
        assertThat(drain(store.reverseRange(key("4"), null))).containsExactly("5=v5", "4=v4");
        assertThat(drain(store.reverseRange(null, null))).hasSize(5).first().isEqualTo("5=v5");
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aRangeFromPastItsToIsEmptyNotAnError(Where where) {
        putNumbers();
        settle(where);
        assertThat(drain(store.range(key("4"), key("1")))).isEmpty();
        assertThat(drain(store.reverseRange(key("4"), key("1")))).isEmpty();
        // Integer keys below 0 serialize above the positive ones: Kafka's own example of such a range
        assertThat(drain(store.range(key(0xff, 0xff, 0xff, 0xff), key(0, 0, 0, 1)))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aRangeOfOneKeyMatchesGet(Where where) {
        putNumbers();
        settle(where);
        try (KeyValueIterator<Bytes, byte[]> it = store.range(key("2"), key("2"))) {
            assertThat(it.next().value).isEqualTo(store.get(key("2")));
            assertThat(it.hasNext()).isFalse();
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.reverseRange(key("2"), key("2"))) {
            assertThat(it.next().value).isEqualTo(store.get(key("2")));
            assertThat(it.hasNext()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void prefixScansReturnTheKeysThatStartWithThePrefix(Where where) {
        for (String k : List.of("a", "b", "ba", "bb", "bz", "b\u00ff", "c", "ca")) {
            store.put(key(k), value(k));
        }
        store.put(key(0x62, 0xff, 0xff), value("b-ff-ff"));
        store.put(key(0xff, 0xff), value("ff-ff"));
        store.put(key(0xff, 0xff, 0x01), value("ff-ff-01"));
        settle(where);
        StringSerializer s = new StringSerializer();
        assertThat(keys(store.prefixScan("b", s))).containsExactly(key("b"), key("ba"), key("bb"), key("bz"),
                key("b\u00ff"), key(0x62, 0xff, 0xff));
        assertThat(keys(store.prefixScan("bb", s))).containsExactly(key("bb"));
        assertThat(keys(store.prefixScan("d", s))).isEmpty();
        assertThat(keys(store.prefixScan("", s))).hasSize(11);
        // a prefix of 0xff bytes has no key above all its keys: the scan runs to the end
        assertThat(keys(store.prefixScan(new byte[] {(byte) 0xff, (byte) 0xff}, new ByteArraySerializer())))
                .containsExactly(key(0xff, 0xff), key(0xff, 0xff, 0x01));
    }

    @Test
    void aPrefixScanOpenAcrossADeleteGoesOnFromItsSnapshot() {
        for (String k : List.of("0", "1", "222", "2", "22", "3")) {
            store.put(key(k), value(k));
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan("2", new StringSerializer())) {
            store.delete(key("22"));
            store.commit(Map.of());
            assertThat(keys(it)).containsExactly(key("2"), key("22"), key("222"));
        }
        assertThat(keys(store.prefixScan("2", new StringSerializer()))).containsExactly(key("2"), key("222"));
    }

    @Test
    void iteratorsOpenAcrossWritesAndCommitsSeeTheirSnapshot() {
        store.put(key("0"), value("zero"));
        store.put(key("2"), value("two"));
        store.commit(Map.of());
        store.put(key("3"), value("three"));
        KeyValueIterator<Bytes, byte[]> it = store.range(key("0"), key("9"));
        store.put(key("1"), value("one"));
        store.delete(key("2"));
        store.put(key("3"), value("THREE"));
        store.commit(Map.of());
        store.put(key("4"), value("four"));
        assertThat(drain(it)).containsExactly("0=zero", "2=two", "3=three");
        assertThat(drain(store.range(key("0"), key("9")))).containsExactly("0=zero", "1=one", "3=THREE", "4=four");
    }

    @Test
    void putIfAbsentKeepsAValuePresentAndReturnsIt() {
        assertThat(store.putIfAbsent(key("4"), value("four"))).isNull();
        store.commit(Map.of());
        assertThat(string(store.putIfAbsent(key("4"), value("other")))).isEqualTo("four");
        assertThat(string(store.get(key("4")))).isEqualTo("four");
        store.delete(key("4"));
        assertThat(store.putIfAbsent(key("4"), value("again"))).isNull();
        assertThat(string(store.get(key("4")))).isEqualTo("again");
        assertThat(store.putIfAbsent(key("5"), null)).isNull();
        assertThat(store.get(key("5"))).isNull();
    }

    @Test
    void deleteReturnsTheValueItRemoved() {
        store.put(key("1"), value("one"));
        store.commit(Map.of());
        store.put(key("2"), value("two"));
        assertThat(string(store.delete(key("1")))).isEqualTo("one");
        assertThat(string(store.delete(key("2")))).isEqualTo("two");
        assertThat(store.delete(key("1"))).isNull();
        assertThat(store.delete(key("9"))).isNull();
        assertThat(store.get(key("1"))).isNull();
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void putAllWritesInOrderAndALaterEntryWins(Where where) {
        store.putAll(List.of(KeyValue.pair(key("2"), value("two")), KeyValue.pair(key("1"), value("one")),
                KeyValue.pair(key("2"), value("TWO")), KeyValue.pair(key("3"), null)));
        settle(where);
        assertThat(drain(store.all())).containsExactly("1=one", "2=TWO");
        assertThat(drain(store.reverseAll())).containsExactly("2=TWO", "1=one");
    }

    @Test
    void putAllWithANullKeyWritesNothing() {
        List<KeyValue<Bytes, byte[]>> entries = Arrays.asList(KeyValue.pair(key("1"), value("one")),
                KeyValue.pair(null, value("x")));
        assertThatThrownBy(() -> store.putAll(entries)).isInstanceOf(NullPointerException.class);
        assertThat(store.get(key("1"))).isNull();
    }

    @Test
    void nullKeysAreRefusedAndNullValuesDelete() {
        assertThatThrownBy(() -> store.put(null, value("x"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.putIfAbsent(null, value("x"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.putAll(List.of(KeyValue.pair(null, value("x")))))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.delete(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class);
        store.put(key("1"), null);
        store.putIfAbsent(key("2"), null);
        store.putAll(List.of(KeyValue.pair(key("3"), null)));
        assertThat(drain(store.all())).isEmpty();
    }

    @Test
    void approximateNumEntriesCountsLiveKeys() {
        assertThat(store.approximateNumEntries()).isZero();
        putNumbers();
        assertThat(store.approximateNumEntries()).isEqualTo(5);
        store.commit(Map.of());
        assertThat(store.approximateNumEntries()).isEqualTo(5);
        store.delete(key("0"));
        store.delete(key("9"));
        store.put(key("1"), value("again"));
        store.put(key("6"), value("six"));
        assertThat(store.approximateNumEntries()).isEqualTo(5);
        store.commit(Map.of());
        assertThat(store.approximateNumEntries()).isEqualTo(5);
    }

    @Test
    void iteratorsEndAsKafkaIteratorsDo() {
        store.put(key("1"), value("one"));
        KeyValueIterator<Bytes, byte[]> it = store.all();
        assertThat(it.peekNextKey()).isEqualTo(key("1"));
        assertThat(it.next().key).isEqualTo(key("1"));
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(it::peekNextKey).isInstanceOf(NoSuchElementException.class);
        it.close();
        it.close();
        assertThatThrownBy(it::hasNext).isInstanceOf(InvalidStateStoreException.class);
    }

    @Test
    void closingTheStoreClosesItsOpenIterators() {
        store.put(key("1"), value("one"));
        store.put(key("2"), value("two"));
        store.commit(Map.of());
        KeyValueIterator<Bytes, byte[]> it = store.all();
        assertThat(it.next().key).isEqualTo(key("1"));
        store.close();
        assertThatThrownBy(it::hasNext).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(it::next).isInstanceOf(InvalidStateStoreException.class);
        it.close();
    }

    @Test
    void aClosedStoreRefusesUseAndClosesOnce() {
        store.close();
        store.close();
        assertThat(store.isOpen()).isFalse();
        assertThatThrownBy(() -> store.get(key("1"))).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(() -> store.put(key("1"), value("x"))).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(() -> store.all()).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(() -> store.commit(Map.of())).isInstanceOf(InvalidStateStoreException.class);
    }

    @Test
    void restoredRecordsAreTheStoresContents() {
        context.restore(List.of(KeyValue.pair(value("0"), value("zero")), KeyValue.pair(value("1"), value("one")),
                KeyValue.pair(value("2"), value("two")), KeyValue.pair(value("3"), value("three"))));
        context.restore(List.of(KeyValue.pair(value("1"), null), KeyValue.pair(value("4"), value("four"))));
        assertThat(drain(store.all())).containsExactly("0=zero", "2=two", "3=three", "4=four");
        assertThat(store.approximateNumEntries()).isEqualTo(4);
    }

    @Test
    void theStoreIsPersistentAndNamed() {
        assertThat(store.persistent()).isTrue();
        // Kafka Streams keeps timestamped values in a TimestampedBytesStore, else adapts the store
        assertThat(TimestampedBytesStore.class.isInstance(store)).isEqualTo(timestamped);
        assertThat(store.name()).isEqualTo("store");
        assertThat(store.isOpen()).isTrue();
        assertThat(context.registered()).isSameAs(store);
        assertThat(dir.resolve("store")).isDirectory();
    }
}
