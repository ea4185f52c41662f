package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.model.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Field-by-field equality of transactions, stricter than {@link Values#same}: a value must come back with the same
 * class, BigDecimals with the same scale, floats and doubles with the same bits.
 */
final class SameTransaction {
    private SameTransaction() {}

    static void assertSame(Transaction actual, Transaction expected) {
        assertThat(differences(expected, actual)).as("differences from %s", expected).isEmpty();
    }

    static void assertSameAll(List<Transaction> actual, List<Transaction> expected) {
        assertThat(actual).as("transactions read").hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) assertSame(actual.get(i), expected.get(i));
    }

    static List<String> differences(Transaction expected, Transaction actual) {
        List<String> d = new ArrayList<>();
        field(d, "seq", expected.seq(), actual.seq());
        field(d, "id", expected.id(), actual.id());
        field(d, "origin", expected.origin(), actual.origin());
        field(d, "commitTime", expected.commitTime(), actual.commitTime());
        field(d, "position", json(expected.position()), json(actual.position()));
        field(d, "fragment", expected.fragment(), actual.fragment());
        field(d, "last", expected.last(), actual.last());
        if (expected.changes().size() != actual.changes().size()) {
            d.add("changes: expected " + expected.changes().size() + ", got " + actual.changes().size());
            return d;
        }
        for (int i = 0; i < expected.changes().size(); i++) {
            Change e = expected.changes().get(i);
            Change a = actual.changes().get(i);
            String at = "change " + i + " ";
            if (e instanceof RowChange er && a instanceof RowChange ar) {
                field(d, at + "schema", er.schema(), ar.schema());
                field(d, at + "op", er.op(), ar.op());
                row(d, at + "before", er.before(), ar.before());
                row(d, at + "after", er.after(), ar.after());
            } else if (e instanceof Ddl ed && a instanceof Ddl ad) {
                field(d, at + "ddl schema", ed.schema(), ad.schema());
                field(d, at + "ddl sql", ed.sql(), ad.sql());
                field(d, at + "ddl table", ed.table(), ad.table());
                field(d, at + "ddl newTable", ed.newTable(), ad.newTable());
            } else {
                d.add(at + "kind: expected " + e.getClass().getSimpleName() + ", got " + a.getClass().getSimpleName());
            }
        }
        return d;
    }

    /** Whether {@code b} is exactly {@code a}: same class, same scale, same bits. */
    static boolean exactlySame(Object a, Object b) {
        if (a == null || b == null) return a == b;
        if (a.getClass() != b.getClass()) return false;
        if (a instanceof Float x) return Float.floatToRawIntBits(x) == Float.floatToRawIntBits((Float) b);
        if (a instanceof Double x) return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits((Double) b);
        if (a instanceof BigDecimal x) return x.equals(b);
        return Values.same(a, b);
    }

    private static void row(List<String> d, String what, Object[] expected, Object[] actual) {
        if (expected == null || actual == null) {
            if (expected != actual) d.add(what + ": expected " + (expected == null ? "none" : "a row") + ", got " + (actual == null ? "none" : "a row"));
            return;
        }
        if (expected.length != actual.length) {
            d.add(what + ": expected " + expected.length + " values, got " + actual.length);
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!exactlySame(expected[i], actual[i])) {
                d.add(what + "[" + i + "]: expected " + describe(expected[i]) + ", got " + describe(actual[i]));
            }
        }
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        String text = v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b)
                : v instanceof Float f ? f + " (bits " + Integer.toHexString(Float.floatToRawIntBits(f)) + ")"
                : v instanceof Double x ? x + " (bits " + Long.toHexString(Double.doubleToRawLongBits(x)) + ")"
                : v.toString();
        return v.getClass().getSimpleName() + " " + text;
    }

    private static void field(List<String> d, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) d.add(what + ": expected " + expected + ", got " + actual);
    }

    private static String json(Position p) {
        return p == null ? null : p.toJson();
    }
}
